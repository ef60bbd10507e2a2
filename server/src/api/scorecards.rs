//! `GET /v1/agents/{id}/scorecard`: the calling agent's own track record per grant — counts,
//! rates with their sample sizes and Wilson bounds, calibration, the weekly series and what
//! the next tier still needs — so a well-built agent can see why it is escalated.

use crate::api::agent_auth::AgentAuth;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::input::ApiPath;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use governance::policy::Tier;
use governance::reliability::calibration::BANDS;
use governance::reliability::criteria::Criterion;
use governance::reliability::{Rate, Readiness, Tally};
use governance::service::scorecards::{Scorecard, Week};
use governance::{GovError, Services};
use serde::Serialize;
use utoipa::ToSchema;

/// A share with its sample size and Wilson 95 % interval (all null without samples).
#[derive(Debug, Serialize, ToSchema)]
pub struct RateView {
    pub hits: u64,
    pub n: u64,
    #[schema(required = true)]
    pub rate: Option<f64>,
    #[schema(required = true)]
    pub lower: Option<f64>,
    #[schema(required = true)]
    pub upper: Option<f64>,
}

impl From<Rate> for RateView {
    fn from(r: Rate) -> Self {
        RateView { hits: r.hits, n: r.n, rate: r.value(), lower: r.lower(), upper: r.upper() }
    }
}

/// One window's counts and the rates drawn from them.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowView {
    pub counts: Tally,
    /// Approved of the proposals a person decided.
    pub approval: RateView,
    /// Shadow recommendations a reviewer matched exactly.
    pub agreement: RateView,
    /// Successful executions undone (or attempted).
    pub rollback: RateView,
    /// Failed of the reported executions.
    pub failure: RateView,
    pub peer_agreement: RateView,
}

impl From<&Tally> for WindowView {
    fn from(t: &Tally) -> Self {
        WindowView {
            counts: *t,
            approval: t.approval().into(),
            agreement: t.agreement().into(),
            rollback: t.rollback().into(),
            failure: t.failure().into(),
            peer_agreement: t.peer_agreement().into(),
        }
    }
}

/// Approval of the proposals stated with a confidence in one band.
#[derive(Debug, Serialize, ToSchema)]
pub struct BandView {
    /// "0.9–1".
    pub band: String,
    pub approval: RateView,
}

/// One week of the series.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekView {
    pub start: DateTime<Utc>,
    pub proposals: u64,
    pub approval: RateView,
    pub agreement: RateView,
    pub rollback: RateView,
    /// The current tier began this week.
    pub tier_changed: bool,
}

impl From<&Week> for WeekView {
    fn from(w: &Week) -> Self {
        WeekView {
            start: w.start,
            proposals: w.proposals,
            approval: w.approval.into(),
            agreement: w.agreement.into(),
            rollback: w.rollback.into(),
            tier_changed: w.tier_changed,
        }
    }
}

/// One promotion criterion as judged.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    pub criterion: Criterion,
    pub met: bool,
    /// What was seen against what is needed, in words.
    pub text: String,
}

/// The next tier and what it still needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextStep {
    pub to: Tier,
    pub ready: bool,
    pub checks: Vec<CheckView>,
}

impl From<Readiness> for NextStep {
    fn from(r: Readiness) -> Self {
        NextStep {
            to: r.to,
            ready: r.ready(),
            checks: r
                .checks
                .into_iter()
                .map(|c| CheckView { criterion: c.criterion, met: c.met, text: c.text })
                .collect(),
        }
    }
}

/// One grant's record.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantScorecard {
    pub capability: String,
    pub tier: Tier,
    pub tier_since: DateTime<Utc>,
    pub days_at_tier: u64,
    pub revoked: bool,
    pub open_alerts: u64,
    /// Since the current tier began.
    pub at_tier: WindowView,
    pub last_30_days: WindowView,
    pub all_time: WindowView,
    /// All time, per confidence band.
    pub calibration: Vec<BandView>,
    /// Confident proposals turned down as often as unsure ones (said only with 10 or more in each).
    pub overconfident: bool,
    /// Twelve weeks, oldest first.
    pub weekly: Vec<WeekView>,
    /// Null at executor and for a revoked grant.
    #[schema(required = true)]
    pub next_step: Option<NextStep>,
}

impl From<Scorecard> for GrantScorecard {
    fn from(s: Scorecard) -> Self {
        GrantScorecard {
            calibration: BANDS
                .iter()
                .enumerate()
                .map(|(i, (_, _, label))| BandView {
                    band: (*label).to_owned(),
                    approval: s.calibration.rate(i).into(),
                })
                .collect(),
            next_step: s.readiness.map(NextStep::from),
            weekly: s.weekly.iter().map(WeekView::from).collect(),
            at_tier: (&s.at_tier).into(),
            last_30_days: (&s.last_30_days).into(),
            all_time: (&s.all_time).into(),
            capability: s.capability,
            tier: s.tier,
            tier_since: s.tier_since,
            days_at_tier: s.days_at_tier,
            revoked: s.revoked,
            open_alerts: s.open_alerts,
            overconfident: s.overconfident,
        }
    }
}

/// The answer: every grant of the agent, live ones first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentScorecards {
    pub agent_id: i64,
    pub scorecards: Vec<GrantScorecard>,
}

/// The calling agent's track record per grant
///
/// Counts, rates with sample sizes and Wilson 95 % bounds, calibration, twelve weeks of
/// series, and exactly what the next tier still needs. An agent reads only its own.
#[utoipa::path(get, path = "/v1/agents/{id}/scorecard", operation_id = "getScorecard",
    params(("id" = i64, Path, minimum = 1, maximum = 9223372036854775807i64, description = "The calling agent's own id")),
    responses(
        (status = 200, description = "The agent's scorecards", body = AgentScorecards),
        (status = 401, description = "Missing, malformed, unknown or revoked key", body = ErrorBody),
        (status = 404, description = "Not this key's agent", body = ErrorBody),
        (status = 422, description = "`id` is not a whole number", body = ErrorBody),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<Services>,
    AgentAuth(who): AgentAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AgentScorecards>, ApiError> {
    if id != who.agent.id {
        return Err(GovError::NotFound(format!("agent {id} of this key")).into());
    }
    let cards = state.scorecards.own(&who).await?;
    Ok(Json(AgentScorecards { agent_id: id, scorecards: cards.into_iter().map(GrantScorecard::from).collect() }))
}
