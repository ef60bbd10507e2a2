//! The counts behind a scorecard, read with grouped queries from what is already recorded:
//! the actions of one agent and capability (index on agent, capability and time), the
//! reviewers' evidence records and the peer checks. Nothing is written.

use crate::entity::{actions, evidence, peer_checks};
use crate::error::GovError;
use crate::lifecycle::State;
use crate::peer::CheckStatus;
use crate::policy::Decision;
use crate::reliability::{Calibration, Tally};
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Select};

/// Which actions to count: one agent and capability, from a moment on (all time without one).
#[derive(Clone, Copy, Debug)]
pub struct Window<'a> {
    pub agent_id: i64,
    pub capability: &'a str,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The band of a proposal's confidence, computed in the database (portable SQL).
const BAND: &str =
    "CASE WHEN confidence < 0.5 THEN 0 WHEN confidence < 0.7 THEN 1 WHEN confidence < 0.9 THEN 2 ELSE 3 END";

/// Whether a person approved the action (an approval binds it to its hash).
const HUMAN_APPROVED: &str = "CASE WHEN approved_hash IS NULL THEN 0 ELSE 1 END";

/// One group of actions: decision, state, shadow agreement, confidence band, approved by a
/// person, how many.
type Group = (Decision, State, Option<String>, i32, i32, i64);

/// Kinds of evidence record in which a person decided on one of the agent's actions.
const DECIDING_KINDS: [&str; 4] =
    ["action.approved", "action.rejected", "action.shadow_recorded", "action.peer_resolved"];

fn in_window(w: &Window<'_>) -> Select<actions::Entity> {
    let mut q = actions::Entity::find()
        .filter(actions::Column::AgentId.eq(w.agent_id))
        .filter(actions::Column::Capability.eq(w.capability));
    if let Some(since) = w.since {
        q = q.filter(actions::Column::CreatedAt.gte(since));
    }
    if let Some(until) = w.until {
        q = q.filter(actions::Column::CreatedAt.lt(until));
    }
    q
}

/// Adds a group of actions to the tally and the calibration.
fn count(t: &mut Tally, cal: &mut Calibration, row: Group) {
    let (decision, state, agreement, band, human_approved, n) = row;
    let n = n.max(0) as u64;
    t.proposals += n;
    match decision {
        Decision::Allowed => t.allowed += n,
        Decision::Denied => t.denied += n,
        Decision::NeedsApproval => t.escalated += n,
        // A peer's agreement lets it continue without a person; anything else went to one.
        Decision::AwaitingPeer if human_approved == 1 || state == State::Rejected || state == State::Expired => {
            t.escalated += n
        }
        _ => {}
    }
    let confidence = crate::reliability::calibration::BANDS[band.clamp(0, 3) as usize].0;
    match state {
        State::Rejected => {
            t.rejected += n;
            cal.add(confidence, false, n);
        }
        State::Expired => t.expired += n,
        State::Failed => t.failed += n,
        _ => {}
    }
    if human_approved == 1 {
        t.approved += n;
        cal.add(confidence, true, n);
    }
    if state.executed_ok() {
        t.executed_ok += n;
    }
    match state {
        State::RolledBack => t.rolled_back += n,
        State::RollbackFailed => t.rollback_failed += n,
        _ => {}
    }
    match agreement.as_deref() {
        Some("same") => t.shadow_same += n,
        Some("different_params") => t.shadow_different += n,
        Some("opposite") => t.shadow_opposite += n,
        _ => {}
    }
}

impl Store {
    /// What the agent did with the capability in the window, and how its stated confidence
    /// compared with the verdicts it got.
    pub async fn tally(&self, w: Window<'_>) -> Result<(Tally, Calibration), GovError> {
        let (mut tally, calibration) = self.grouped(w).await?;
        tally.patterns = self.patterns(w).await?;
        tally.reviewers = self.reviewers(w).await?;
        let (agreed, disagreed) = self.peer_outcomes(w).await?;
        tally.peer_agreed = agreed;
        tally.peer_disagreed = disagreed;
        Ok((tally, calibration))
    }

    /// The counts of the actions alone (no reviewers, parameter sets or peer checks): one
    /// grouped query, for the weekly series.
    pub async fn tally_actions(&self, w: Window<'_>) -> Result<Tally, GovError> {
        Ok(self.grouped(w).await?.0)
    }

    async fn grouped(&self, w: Window<'_>) -> Result<(Tally, Calibration), GovError> {
        let rows: Vec<Group> = in_window(&w)
            .select_only()
            .column(actions::Column::Decision)
            .column(actions::Column::State)
            .column(actions::Column::ShadowAgreement)
            .column_as(Expr::cust(BAND), "band")
            .column_as(Expr::cust(HUMAN_APPROVED), "human_approved")
            .column_as(actions::Column::Id.count(), "n")
            .group_by(actions::Column::Decision)
            .group_by(actions::Column::State)
            .group_by(actions::Column::ShadowAgreement)
            .group_by(Expr::cust(BAND))
            .group_by(Expr::cust(HUMAN_APPROVED))
            .into_tuple()
            .all(self.db())
            .await?;
        let (mut tally, mut calibration) = (Tally::default(), Calibration::default());
        for row in rows {
            count(&mut tally, &mut calibration, row);
        }
        Ok((tally, calibration))
    }

    /// Distinct parameter sets (action hashes) proposed in the window.
    async fn patterns(&self, w: Window<'_>) -> Result<u64, GovError> {
        let n: Option<i64> = in_window(&w)
            .select_only()
            .column_as(Expr::cust("COUNT(DISTINCT action_hash)"), "n")
            .into_tuple()
            .one(self.db())
            .await?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    /// Distinct people who decided on the agent's actions with this capability in the window.
    async fn reviewers(&self, w: Window<'_>) -> Result<u64, GovError> {
        let mut q = evidence::Entity::find()
            .select_only()
            .column_as(Expr::cust("COUNT(DISTINCT actor_name)"), "n")
            .filter(evidence::Column::AgentId.eq(w.agent_id))
            .filter(evidence::Column::Capability.eq(w.capability))
            .filter(evidence::Column::ActorKind.eq("user"))
            .filter(evidence::Column::Kind.is_in(DECIDING_KINDS));
        if let Some(since) = w.since {
            q = q.filter(evidence::Column::RecordedAt.gte(since));
        }
        if let Some(until) = w.until {
            q = q.filter(evidence::Column::RecordedAt.lt(until));
        }
        let n: Option<i64> = q.into_tuple().one(self.db()).await?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    /// Peer checks of the agent's actions that agreed, and that disagreed or timed out.
    async fn peer_outcomes(&self, w: Window<'_>) -> Result<(u64, u64), GovError> {
        let mut q = peer_checks::Entity::find()
            .select_only()
            .column(peer_checks::Column::Status)
            .column_as(peer_checks::Column::Id.count(), "n")
            .filter(peer_checks::Column::PrimaryAgentId.eq(w.agent_id))
            .filter(peer_checks::Column::Capability.eq(w.capability))
            .group_by(peer_checks::Column::Status);
        if let Some(since) = w.since {
            q = q.filter(peer_checks::Column::CreatedAt.gte(since));
        }
        if let Some(until) = w.until {
            q = q.filter(peer_checks::Column::CreatedAt.lt(until));
        }
        let rows: Vec<(CheckStatus, i64)> = q.into_tuple().all(self.db()).await?;
        let of = |wanted: &[CheckStatus]| {
            rows.iter().filter(|(s, _)| wanted.contains(s)).map(|(_, n)| n.max(&0).unsigned_abs()).sum::<u64>()
        };
        Ok((of(&[CheckStatus::Agreed]), of(&[CheckStatus::Disagreed, CheckStatus::TimedOut])))
    }
}
