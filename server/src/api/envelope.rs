//! `GET /v1/envelope`: the calling agent's authority before it asks — per capability its tier,
//! the conditions it is decided by, what a request within them gets now, what would escalate
//! one, how much of an hourly rate limit is left, how long a held request waits for a person,
//! and what the next tier still needs.

use crate::api::agent_auth::AgentAuth;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::scorecards::NextStep;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use governance::Services;
use governance::agent::AgentStatus;
use governance::capability::{Reversibility, Risk};
use governance::peer::PeerMode;
use governance::policy::{Decision, Tier};
use governance::service::decisions::CapabilityEnvelope;
use serde::Serialize;
use utoipa::ToSchema;

/// A numeric ceiling on one param.
#[derive(Debug, Serialize, ToSchema)]
pub struct LimitView {
    pub param: String,
    pub max: f64,
}

/// What a request that meets every condition gets now.
#[derive(Debug, Serialize, ToSchema)]
pub struct BestCase {
    pub decision: Decision,
    /// The rule that would decide it, in words.
    pub rule: String,
    /// Allowed, but a reviewer confirms it before it is final.
    pub supervised: bool,
}

/// One capability as the agent stands on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapabilityView {
    pub capability: String,
    pub risk: Risk,
    /// Minutes after a successful execution during which it can be undone (null: irreversible).
    #[schema(required = true)]
    pub undo_window_minutes: Option<i64>,
    pub grant_id: i64,
    pub tier: Tier,
    pub template: String,
    pub template_version: i64,
    /// A detector suspended the grant: requests are refused until a manager lifts it.
    pub suspended: bool,
    /// What a request within every condition gets now (a used-up rate limit or an open alert
    /// show here).
    pub within_conditions: BestCase,
    /// What would send a request to a person, in words (at executor; below it, every request
    /// goes to a person or is recorded as a recommendation).
    pub escalates_when: Vec<String>,
    /// At executor, below this confidence a request escalates.
    #[schema(required = true)]
    pub min_confidence: Option<f64>,
    pub limits: Vec<LimitView>,
    /// At executor, requests per hour before the rest escalate.
    #[schema(required = true)]
    pub max_per_hour: Option<u32>,
    /// Requests counted against that limit in the last hour (counted no further than it).
    #[schema(required = true)]
    pub used_this_hour: Option<u32>,
    #[schema(required = true)]
    pub left_this_hour: Option<u32>,
    /// Params whose never-used values escalate.
    pub new_value_params: Vec<String>,
    /// Allowed actions are confirmed by a reviewer after they run.
    pub supervised: bool,
    /// The template's Cedar condition (a request it does not hold for escalates).
    #[schema(required = true)]
    pub condition: Option<String>,
    /// How long a held request waits for a person before it expires.
    pub approval_expiry_minutes: i64,
    pub separation_of_duties: bool,
    pub peer_check: PeerMode,
    /// When people next review this grant's tier.
    pub review_due_at: DateTime<Utc>,
    /// The next tier and what it still needs (null at executor).
    #[schema(required = true)]
    pub next_step: Option<NextStep>,
}

/// The calling agent's envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct Envelope {
    pub agent_id: i64,
    pub name: String,
    pub status: AgentStatus,
    pub sandbox: bool,
    /// Every capability with a live grant, by name.
    pub capabilities: Vec<CapabilityView>,
}

fn view(c: CapabilityEnvelope, next_step: Option<NextStep>) -> CapabilityView {
    CapabilityView {
        undo_window_minutes: match c.reversibility {
            Reversibility::Reversible { undo_window_minutes } => Some(undo_window_minutes),
            Reversibility::Irreversible => None,
        },
        within_conditions: BestCase {
            decision: c.standing.best.decision,
            rule: c.standing.best.rule,
            supervised: c.standing.best.supervised,
        },
        escalates_when: c.standing.escalates_when,
        left_this_hour: c.standing.left_this_hour,
        min_confidence: c.conditions.min_confidence,
        limits: c.conditions.limits.into_iter().map(|l| LimitView { param: l.param, max: l.max }).collect(),
        max_per_hour: c.conditions.max_per_hour,
        new_value_params: c.conditions.new_value_params,
        supervised: c.conditions.supervised,
        capability: c.capability,
        risk: c.risk,
        grant_id: c.grant_id,
        tier: c.tier,
        template: c.template,
        template_version: c.template_version,
        suspended: c.suspended,
        used_this_hour: c.used_this_hour,
        condition: c.condition,
        approval_expiry_minutes: c.approval_expiry_minutes,
        separation_of_duties: c.separation_of_duties,
        peer_check: c.peer_check,
        review_due_at: c.review_due_at,
        next_step,
    }
}

/// The calling agent's authority, before it asks
///
/// Per capability with a live grant: tier, conditions, what a request within them gets now,
/// what would escalate one, the rate left this hour, the approval expiry and what the next
/// tier still needs. A well-built agent stays inside its authority instead of discovering it
/// by being refused.
#[utoipa::path(get, path = "/v1/envelope", operation_id = "getEnvelope",
    responses(
        (status = 200, description = "The agent's envelope", body = Envelope),
        (status = 401, description = "Missing, malformed, unknown or revoked key", body = ErrorBody),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ))]
pub async fn get(State(state): State<Services>, AgentAuth(who): AgentAuth) -> Result<Json<Envelope>, ApiError> {
    let capabilities = state.decisions.envelope(&who).await?;
    let mut cards = state.scorecards.own_next_steps(&who).await?;
    let capabilities = capabilities
        .into_iter()
        .map(|c| {
            let card = cards.iter().position(|s| s.capability == c.capability).map(|i| cards.remove(i));
            view(c, card.and_then(|s| s.readiness).map(NextStep::from))
        })
        .collect();
    let a = who.agent;
    Ok(Json(Envelope {
        agent_id: a.id,
        name: a.name,
        sandbox: a.environment == governance::agent::Environment::Sandbox,
        status: a.status,
        capabilities,
    }))
}
