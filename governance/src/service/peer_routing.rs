//! Whether a decision waits for a peer first, and the peer check to create with it.

use crate::canonical::canonical_json;
use crate::condition::{CedarCondition, ConditionContext};
use crate::error::GovError;
use crate::peer::{PeerMode, routes_to_peer};
use crate::policy::{Decision, Outcome};
use crate::service::agents::AgentPrincipal;
use crate::store::Store;
use crate::store::peer_checks::PeerInsert;
use crate::template::Rule;
use chrono::{DateTime, Duration, Utc};

/// Whether the rule's peer check applies to this request (its condition parsed beforehand).
pub(crate) fn applies(
    rule: &Rule,
    parsed: Option<&Result<CedarCondition, String>>,
    ctx: &ConditionContext<'_>,
) -> bool {
    match rule.peer.mode {
        PeerMode::Off => false,
        PeerMode::Always => true,
        // A condition that cannot be evaluated (or no longer parses) asks for more scrutiny,
        // not less: the peer checks.
        PeerMode::When => match parsed {
            Some(Ok(c)) => c.evaluate(ctx).unwrap_or(true),
            _ => true,
        },
    }
}

/// Turns `outcome` into `awaiting_peer` when the peer check applies and returns the check to
/// create. With nobody in the pool who could take it, the action goes to a person instead.
pub(crate) async fn route(
    store: &Store,
    who: &AgentPrincipal,
    rule: &Rule,
    check_applies: bool,
    outcome: &mut Outcome,
    task: (&str, &str, &serde_json::Value),
    now: DateTime<Utc>,
) -> Result<Option<PeerInsert>, GovError> {
    if !routes_to_peer(outcome.decision, check_applies) {
        return Ok(None);
    }
    let (capability, task_ref, inputs) = task;
    let pool: Vec<i64> = store
        .agents_named(&rule.peer.pool)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| *id != who.agent.id)
        .collect();
    if pool.is_empty() {
        outcome.decision = Decision::NeedsApproval;
        outcome.supervised = false;
        outcome.rule = format!("{}; a peer check is required but no other agent in its pool can take it", outcome.rule);
        return Ok(None);
    }
    let path = outcome.decision.as_str().to_owned();
    outcome.rule = format!("{}; peer check by {} first", outcome.rule, rule.peer.pool.join(", "));
    outcome.decision = Decision::AwaitingPeer;
    Ok(Some(PeerInsert {
        primary_agent_id: who.agent.id,
        capability: capability.to_owned(),
        task_ref: task_ref.to_owned(),
        inputs: canonical_json(inputs),
        pool,
        tolerances: serde_json::to_string(&rule.peer.tolerances).unwrap_or_else(|_| "[]".into()),
        path,
        approval_expiry_minutes: rule.approval_expiry_minutes,
        deadline: now + Duration::minutes(rule.peer.deadline_minutes),
        created_at: now,
    }))
}
