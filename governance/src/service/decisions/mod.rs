//! The decision an agent asks for before it acts: validated, decided by the policy engine,
//! recorded with its evidence in one transaction — never answered without the record.

use crate::action::ActionRequest;
use crate::agent::AgentStatus;
use crate::condition::ConditionContext;
use crate::entity::grants;
use crate::error::GovError;
use crate::evidence::Prepared;
use crate::lifecycle::State;
use crate::policy::{ConditionCheck, Decision, DecisionInput, GrantView, Tier, decide, value_key};
use crate::service::agents::{AgentPrincipal, check_key, refuse_key};
use crate::service::group_commit::{Committed, GroupCommit, Job, RateLimit};
use crate::service::inputs_cache::InputsCache;
use crate::service::peer_routing;
use crate::service::template_cache::TemplateCache;
use crate::store::Store;
use crate::store::actions::ActionRecord;
use crate::store::agents::KeyRecord;
use crate::store::decision_inputs::DecisionInputs;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use steps::{Applied, Counts, Recorded, check_params, decided_record};

mod envelope;
mod steps;

pub use envelope::CapabilityEnvelope;

/// What the agent is told.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionAnswer {
    pub id: i64,
    pub decision: Decision,
    pub state: State,
    /// Which grant and condition decided.
    pub rule: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub tier: Option<Tier>,
    pub supervised: bool,
    pub sandbox: bool,
    /// Until when a reviewer may decide (for needs_approval).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub expires_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::sha256_hex))]
    pub evidence_hash: String,
    /// The params this answer covers (an approval binds to exactly these).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: serde_json::Value,
    /// Until when a human may still ask for it to be undone (after a successful report).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub reversible_until: Option<DateTime<Utc>>,
    /// What the agent proposed, when a reviewer approved it with changes (`params` holds the
    /// approved version, the only one the agent may run); null otherwise.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>, required = true))]
    pub proposed_params: Option<serde_json::Value>,
    /// The reviewer's change from `proposed_params` to `params`, as RFC 6902 operations.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Object>>, required = true))]
    pub edit: Option<serde_json::Value>,
}

impl From<&ActionRecord> for ActionAnswer {
    fn from(a: &ActionRecord) -> Self {
        ActionAnswer {
            id: a.id,
            decision: a.decision,
            state: a.state,
            rule: a.rule.clone(),
            tier: a.tier,
            supervised: a.supervised,
            sandbox: a.sandbox,
            expires_at: a.expires_at,
            evidence_hash: a.evidence_hash.clone(),
            params: serde_json::from_str(&a.params).unwrap_or(serde_json::Value::Null),
            reversible_until: a.reversible_until,
            proposed_params: a.proposed_params.as_deref().and_then(|p| serde_json::from_str(p).ok()),
            edit: a.params_edit.as_deref().and_then(|p| serde_json::from_str(p).ok()),
        }
    }
}

/// The decisions use cases.
#[derive(Clone, Debug)]
pub struct Decisions {
    store: Store,
    writer: GroupCommit,
    inputs: InputsCache,
    templates: TemplateCache,
}

/// One try at deciding a request.
enum Attempt {
    Recorded(Box<ActionAnswer>),
    /// What it was decided from changed before it committed; the counter is now at this value.
    Stale(i64),
}

/// How many times a request is decided again when what it read changed before its batch
/// committed (each time from fresh reads); past that it is refused with a 503.
const MOST_ATTEMPTS: usize = 5;

/// Whether `key`, as read now, is still the live key `who` was authenticated with.
fn still_holds(who: &AgentPrincipal, key: &KeyRecord) -> bool {
    key.id == who.key_id && key.revoked_at.is_none()
}

fn replay(existing: &ActionRecord, req: &ActionRequest) -> Result<ActionAnswer, GovError> {
    if !req.has_request_hash(&existing.request_hash) {
        return Err(GovError::Conflict {
            field: "idempotency_key",
            message: format!("this key was used for a different request (action {})", existing.id),
        });
    }
    Ok(ActionAnswer::from(existing))
}

impl Decisions {
    /// Decisions over `store`; starts the group-commit writer task (needs a Tokio runtime).
    pub fn new(store: Store) -> Decisions {
        let writer = GroupCommit::start(store.clone());
        Decisions { store, writer, inputs: InputsCache::default(), templates: TemplateCache::default() }
    }

    /// Whether decisions can be recorded now: false from a batch that failed on a fault of the
    /// moment (disk full, database locked or gone) until a later write commits.
    pub fn can_record(&self) -> bool {
        !self.writer.failing()
    }

    /// The agent behind a presented API key, as [`Agents::authenticate`] answers but from the
    /// decision inputs kept in memory (the decision itself is checked against the database's
    /// counter when it commits).
    ///
    /// [`Agents::authenticate`]: crate::service::agents::Agents::authenticate
    pub async fn authenticate(&self, presented: &str) -> Result<AgentPrincipal, GovError> {
        let prefix = crate::api_key::prefix_of(presented).ok_or_else(refuse_key)?;
        let (entry, _) = self.inputs.key(&self.store, prefix).await?;
        let entry = entry.ok_or_else(refuse_key)?;
        check_key(presented, &entry.key)?;
        let now = crate::clock::now();
        if entry.claim_use(now) {
            self.store.touch_key(entry.key.id, now).await?;
        }
        Ok(AgentPrincipal { agent: entry.agent.clone(), key_id: entry.key.id, key_prefix: entry.key.prefix.clone() })
    }

    /// Decides a request. The same idempotency key and body give the same answer; the same
    /// key with another body is a conflict. Params that break the capability's schema are
    /// refused (422, naming the JSON pointer) and not recorded as a decision.
    ///
    /// The agent is read afresh (a suspension between two requests holds for the second, and a
    /// key revoked since `who` was authenticated is refused).
    pub async fn request(&self, who: &AgentPrincipal, req: ActionRequest) -> Result<ActionAnswer, GovError> {
        let started = std::time::Instant::now();
        let request_hash = req.request_hash();
        let decided = self.decide_and_record(who, &req, &request_hash).await;
        if decided.is_ok() {
            metrics::histogram!(crate::telemetry::DECISION_SECONDS).record(started.elapsed());
        }
        if let Err(GovError::Invalid { .. }) = &decided {
            // Refused before the writer checked the key against the database.
            self.confirm_key(who).await?;
            // A request the key was already used for is answered as it was, even if it would
            // be refused now; the lookup runs only when the request is refused.
            if let Some(key) = &req.idempotency_key
                && crate::text::storable("idempotency_key", key).is_ok()
                && let Some(existing) = self.store.action_by_key(who.agent.id, key).await?
            {
                return replay(&existing, &req);
            }
        }
        decided
    }

    /// Confirms against the database that the key `who` was authenticated with (from memory)
    /// is still live. A request refused before it reaches the writer (a body that is not a
    /// request, params that break the schema) calls this first, so a key revoked on another
    /// instance is told 401 and nothing about its body.
    pub async fn confirm_key(&self, who: &AgentPrincipal) -> Result<(), GovError> {
        match self.store.key_with_agent(&who.key_prefix).await? {
            Some((key, _)) if still_holds(who, &key) => Ok(()),
            _ => Err(refuse_key()),
        }
    }

    /// Decides and records, deciding again from fresh reads while what it read goes stale.
    async fn decide_and_record(
        &self,
        who: &AgentPrincipal,
        req: &ActionRequest,
        request_hash: &str,
    ) -> Result<ActionAnswer, GovError> {
        req.validate().map_err(GovError::field)?;
        for _ in 0..MOST_ATTEMPTS {
            let (key, version) = self.inputs.key(&self.store, &who.key_prefix).await?;
            let key = key.filter(|k| still_holds(who, &k.key)).ok_or_else(refuse_key)?;
            let (inputs, read_at) = self.inputs.inputs(&self.store, key.agent.id, req.capability.trim()).await?;
            if read_at != version {
                // Something changed between the two reads: start again from the newer state.
                self.inputs.moved_to(read_at.max(version));
                continue;
            }
            let who = AgentPrincipal { agent: key.agent.clone(), ..who.clone() };
            match self.decide_once(&who, inputs.as_deref(), version, req, request_hash).await? {
                Attempt::Recorded(answer) => return Ok(*answer),
                Attempt::Stale(now_at) => self.inputs.moved_to(now_at),
            }
        }
        // Nothing was recorded and a later try will find the inputs settled: the agent is told
        // to retry (503), not that something broke.
        Err(GovError::Unavailable(format!(
            "what decisions read kept changing; the request was decided {MOST_ATTEMPTS} times and not recorded"
        )))
    }

    /// One decision from inputs read at `version`; stale when the database has moved on by the
    /// time its batch commits.
    async fn decide_once(
        &self,
        who: &AgentPrincipal,
        inputs: Option<&DecisionInputs>,
        version: i64,
        req: &ActionRequest,
        request_hash: &str,
    ) -> Result<Attempt, GovError> {
        let capability_name = req.capability.trim().to_owned();
        let capability = inputs.map(|i| &i.capability);
        if let Some(schema) = capability.and_then(|c| c.params_schema.as_ref()) {
            check_params(schema, req)?;
        }
        let applied = self.applied_rule(inputs.and_then(|i| i.grant.as_ref()), &capability_name).await?;
        let ctx = ConditionContext {
            agent: &who.agent.name,
            environment: who.agent.environment.as_str(),
            capability: &capability_name,
            params: &req.params,
            confidence: req.confidence,
        };
        let now = crate::clock::now();
        let counts = self.counts(who, &capability_name, applied.as_ref(), now).await?;
        let mut outcome = decide(&DecisionInput {
            capability_known: capability.is_some(),
            agent_suspended: who.agent.status == AgentStatus::Suspended,
            grant: applied.as_ref().map(|a| &a.view),
            params: &req.params,
            confidence: req.confidence,
            recent_in_hour: counts.recent,
            seen_values: &counts.seen,
            // An open alert (a failed rollback, say) sends everything to a person until resolved.
            open_alert: inputs.is_some_and(|i| i.open_alert),
            condition: &applied.as_ref().map_or(ConditionCheck::None, |a| a.condition(&ctx)),
        });
        // A copilot on a tier reached by override waits for its person.
        let by_override = inputs.and_then(|i| i.grant.as_ref()).is_some_and(|g| g.tier_override);
        outcome = crate::copilot::hold_for_person(outcome, who.agent.copilot.is_some(), by_override);
        let peer = match &applied {
            Some(a) => {
                let applies = peer_routing::applies(&a.rule, a.version.peer_conditions.get(&capability_name), &ctx);
                let task = (capability_name.as_str(), req.task_ref.as_str(), &req.inputs);
                peer_routing::route(&self.store, who, &a.rule, applies, &mut outcome, task, now).await?
            }
            None => None,
        };
        // A limit not yet reached is confirmed again when the decision is written.
        let rate_limit = counts
            .max_per_hour
            .filter(|max| counts.recent < *max && outcome.decision != Decision::Denied)
            .map(|max| RateLimit { max, since: counts.since });
        let recorded = Recorded::new(who, applied.as_ref(), &outcome, now);
        let mut insert =
            recorded.insert(who, req, request_hash, &capability_name, capability, applied.as_ref(), &outcome);
        // An escalation goes to the group its capability's routing rules name, if any.
        if outcome.decision == Decision::NeedsApproval {
            // A copilot's escalation goes to its person (or group) first; anything else by routing.
            match who.agent.copilot {
                Some(c) => {
                    insert.assigned_user_id = c.user_id;
                    insert.assigned_group_id = c.group_id;
                    insert.assigned_until = Some(c.assigned_until(now));
                }
                None => insert.assigned_group_id = crate::service::queues::route_escalation(&self.store, &ctx).await?,
            }
            // Two-person approval: how many distinct people its rule's quorum asks of this one.
            let quorum = applied.as_ref().and_then(|a| a.rule.quorum.as_ref());
            insert.approvals_required = quorum.map_or(1, |q| i32::try_from(q.approvals_for(&ctx)).unwrap_or(1));
        }
        let remember: Vec<(String, String)> = if outcome.decision == Decision::Allowed {
            counts.watched.iter().filter_map(|p| req.params.get(p).map(|v| (p.clone(), value_key(v)))).collect()
        } else {
            Vec::new()
        };
        let mut draft = decided_record(who, req, &capability_name, &outcome, applied.as_ref(), recorded.sandbox);
        if let serde_json::Value::Object(m) = &mut draft.details {
            if let Some(group) = insert.assigned_group_id {
                m.insert("routed_to_group".into(), serde_json::json!(group));
            }
            if let Some(user) = insert.assigned_user_id {
                m.insert("copilot_of".into(), serde_json::json!(user));
                m.insert("assigned_until".into(), serde_json::json!(insert.assigned_until));
            }
            if insert.approvals_required > 1 {
                m.insert("approvals_required".into(), serde_json::json!(insert.approvals_required));
            }
        }
        let job = Job { insert, draft: Prepared::new(draft), remember, peer, inputs_version: version, rate_limit };
        let (id, evidence_hash) = match self.writer.submit(job).await? {
            Committed::New { id, evidence_hash } => {
                crate::telemetry::decided(capability.map(|_| capability_name.as_str()), outcome.decision);
                (id, evidence_hash)
            }
            Committed::Existing(existing) => return Ok(Attempt::Recorded(Box::new(replay(&existing, req)?))),
            Committed::Stale { now_at } => return Ok(Attempt::Stale(now_at)),
        };
        Ok(Attempt::Recorded(Box::new(ActionAnswer {
            id,
            decision: outcome.decision,
            state: State::first(outcome.decision),
            rule: outcome.rule,
            tier: applied.map(|a| a.view.tier),
            supervised: outcome.supervised,
            sandbox: recorded.sandbox,
            expires_at: recorded.expires_at,
            evidence_hash,
            params: req.params.clone(),
            reversible_until: None,
            proposed_params: None,
            edit: None,
        })))
    }

    /// The rule of the grant's template version for this capability, when there is a live
    /// grant and its version has one.
    async fn applied_rule(&self, grant: Option<&grants::Model>, capability: &str) -> Result<Option<Applied>, GovError> {
        let Some(g) = grant else { return Ok(None) };
        let Some(version) = self.templates.version(&self.store, g.template_id, g.template_version).await? else {
            return Ok(None);
        };
        let Some(rule) = version.body.rule(capability).cloned() else { return Ok(None) };
        let view = GrantView {
            grant_id: g.id,
            // An unreadable stored tier is read as the least trusted one.
            tier: g.tier,
            template: version.template.clone(),
            template_version: g.template_version,
            conditions: rule.conditions.clone(),
            suspended: g.suspended_at.is_some(),
        };
        Ok(Some(Applied { capability: capability.to_owned(), version, rule, view }))
    }

    /// What the decision counts: recent requests (only against a rate limit, and only as far
    /// as the limit) and the values already seen of the watched params.
    async fn counts(
        &self,
        who: &AgentPrincipal,
        capability: &str,
        applied: Option<&Applied>,
        now: DateTime<Utc>,
    ) -> Result<Counts, GovError> {
        let max_per_hour = applied.and_then(|a| a.view.conditions.max_per_hour);
        let since = now - Duration::hours(1);
        let recent = match max_per_hour {
            Some(max) => self.store.actions_since(who.agent.id, capability, since, max).await?,
            None => 0,
        };
        let watched = applied.map(|a| a.view.conditions.new_value_params.clone()).unwrap_or_default();
        let seen = self.store.seen_values(who.agent.id, capability, &watched).await?;
        Ok(Counts { max_per_hour, since, recent, watched, seen })
    }

    /// One of the agent's own actions (another agent's is "not found").
    pub async fn get(&self, who: &AgentPrincipal, id: i64) -> Result<ActionAnswer, GovError> {
        match self.store.action_by_id(id).await? {
            Some(a) if a.agent_id == who.agent.id => Ok(ActionAnswer::from(&a)),
            _ => Err(GovError::NotFound(format!("action {id}"))),
        }
    }

    /// An agent's newest actions, for its page.
    pub async fn recent(
        &self,
        _by: &crate::principal::AsManager,
        agent_id: i64,
        limit: u64,
    ) -> Result<Vec<ActionRecord>, GovError> {
        self.store.recent_actions(agent_id, limit).await
    }
}
