//! The parts of one decision: the rule it applies, what it counts, the params check, and the
//! action row and evidence record it writes.

use crate::action::{ActionRequest, action_hash, canonical_json};
use crate::agent::Environment;
use crate::condition::ConditionContext;
use crate::error::GovError;
use crate::evidence::Draft;
use crate::policy::{ConditionCheck, Decision, GrantView};
use crate::service::agents::AgentPrincipal;
use crate::store::actions::ActionInsert;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// The rule a decision applies: the grant's template version and its rule for the capability.
pub(super) struct Applied {
    pub(super) capability: String,
    pub(super) version: std::sync::Arc<crate::service::template_cache::CachedVersion>,
    pub(super) rule: crate::template::Rule,
    pub(super) view: GrantView,
}

impl Applied {
    /// The rule's Cedar condition checked against the request.
    pub(super) fn condition(&self, ctx: &ConditionContext<'_>) -> ConditionCheck {
        match self.version.conditions.get(&self.capability) {
            Some(Ok(c)) => c.check(ctx),
            // Saved conditions were checked; one that no longer parses must not allow anything.
            Some(Err(e)) => ConditionCheck::Fails(e.clone()),
            None => ConditionCheck::None,
        }
    }
}

/// What a decision counted.
pub(super) struct Counts {
    pub(super) max_per_hour: Option<u32>,
    pub(super) since: DateTime<Utc>,
    pub(super) recent: u32,
    pub(super) watched: Vec<String>,
    pub(super) seen: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
}

/// The params against the capability's JSON Schema: a 422 naming where they fail.
pub(super) fn check_params(schema: &crate::capability::ParamsSchema, req: &ActionRequest) -> Result<(), GovError> {
    schema.check(&req.params).map_err(|v| GovError::Invalid {
        field: "params",
        message: format!(
            "params{} {}",
            if v.pointer.is_empty() { String::new() } else { v.pointer.clone() },
            v.message
        ),
    })
}

/// What is recorded beside the decision itself: whether it is a sandbox answer and when an
/// approval it waits for expires.
pub(super) struct Recorded {
    pub(super) sandbox: bool,
    pub(super) expires_at: Option<DateTime<Utc>>,
    /// When it was decided.
    pub(super) at: DateTime<Utc>,
}

impl Recorded {
    pub(super) fn new(
        who: &AgentPrincipal,
        applied: Option<&Applied>,
        outcome: &crate::policy::Outcome,
        now: DateTime<Utc>,
    ) -> Recorded {
        let expiry =
            applied.map_or(crate::template::DEFAULT_APPROVAL_EXPIRY_MINUTES, |a| a.rule.approval_expiry_minutes);
        Recorded {
            sandbox: who.agent.environment == Environment::Sandbox,
            expires_at: (outcome.decision == Decision::NeedsApproval).then(|| now + Duration::minutes(expiry)),
            at: now,
        }
    }

    /// The action row to insert.
    #[allow(clippy::too_many_arguments)] // the parts of a decision, each named
    pub(super) fn insert(
        &self,
        who: &AgentPrincipal,
        req: &ActionRequest,
        request_hash: &str,
        capability_name: &str,
        capability: Option<&crate::store::capabilities::CapabilityRecord>,
        applied: Option<&Applied>,
        outcome: &crate::policy::Outcome,
    ) -> ActionInsert {
        ActionInsert {
            agent_id: who.agent.id,
            capability: capability_name.to_owned(),
            params: canonical_json(&req.params),
            reasoning: req.reasoning.clone(),
            confidence: req.confidence,
            inputs: canonical_json(&req.inputs),
            alternatives: canonical_json(&req.alternatives),
            task_ref: req.task_ref.clone(),
            idempotency_key: req.idempotency_key.clone(),
            request_hash: request_hash.to_owned(),
            action_hash: action_hash(capability_name, &req.params),
            decision: outcome.decision,
            rule: outcome.rule.clone(),
            tier: applied.map(|a| a.view.tier),
            grant_id: applied.map(|a| a.view.grant_id),
            sandbox: self.sandbox,
            supervised: outcome.supervised,
            separation_of_duties: applied.is_some_and(|a| a.rule.separation_of_duties)
                && capability.is_some_and(|c| c.risk == crate::capability::Risk::High),
            expires_at: self.expires_at,
            created_at: self.at,
            assigned_group_id: None,
            approvals_required: 1,
            assigned_user_id: None,
            assigned_until: None,
        }
    }
}

/// The `action.decided` evidence record (its subject id is filled in when the row is inserted).
pub(super) fn decided_record(
    who: &AgentPrincipal,
    req: &ActionRequest,
    capability_name: &str,
    outcome: &crate::policy::Outcome,
    applied: Option<&Applied>,
    sandbox: bool,
) -> Draft {
    Draft {
        actor: who.actor(),
        kind: "action.decided",
        subject_kind: "action",
        subject_id: String::new(),
        summary: format!(
            "{} asked to {}: {} ({})",
            who.agent.name,
            capability_name,
            outcome.decision.as_str(),
            outcome.rule
        ),
        details: json!({
            "capability": capability_name,
            "params": req.params,
            "reasoning": req.reasoning,
            "confidence": req.confidence,
            "inputs": req.inputs,
            "alternatives": req.alternatives,
            "task_ref": req.task_ref,
            "decision": outcome.decision,
            "rule": outcome.rule,
            "tier": applied.map(|a| a.view.tier),
            "sandbox": sandbox,
            "key": who.key_prefix,
        }),
    }
}
