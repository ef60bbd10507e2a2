//! The counts behind a scorecard: per day and group from `scorecard_counts` (kept by the
//! decision and the lifecycle, see [`crate::store::scorecard_counts`]), the actions of a part
//! of one day read directly (a tier that began at noon counts from noon), the distinct
//! parameter sets from daily sketches, the reviewers from their own table, and the peer checks. Nothing is written.

use crate::entity::{actions, peer_checks, scorecard_counts, scorecard_reviewers, scorecard_sketches};
use crate::error::GovError;
use crate::lifecycle::State;
use crate::peer::CheckStatus;
use crate::policy::Decision;
use crate::reliability::{Calibration, Tally};
use crate::store::Store;
use crate::store::scorecard_counts::day_of;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use migrations::distinct_sketch::Sketch;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

/// The band of a proposal's confidence, computed in the database (portable SQL; the same
/// bands as [`crate::reliability::calibration::band_of`]).
const BAND: &str =
    "CASE WHEN confidence < 0.5 THEN 0 WHEN confidence < 0.7 THEN 1 WHEN confidence < 0.9 THEN 2 ELSE 3 END";

/// Whether a person approved the action (an approval binds it to its hash).
const HUMAN_APPROVED: &str = "CASE WHEN approved_hash IS NULL THEN 0 ELSE 1 END";

/// One group of actions: decision, state, shadow agreement (empty for none), confidence band,
/// approved by a person, how many.
pub type Group = (Decision, State, String, i32, i32, i64);

/// Adds a group of actions to the tally and the calibration.
pub fn count(t: &mut Tally, cal: &mut Calibration, row: &Group) {
    let (decision, state, ref agreement, band, human_approved, n) = *row;
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
    match agreement.as_str() {
        "same" => t.shadow_same += n,
        // A person approved changed params: an edited approval, not a shadow comparison.
        "different_params" if human_approved == 1 => t.edited += n,
        "different_params" => t.shadow_different += n,
        "opposite" => t.shadow_opposite += n,
        _ => {}
    }
}

impl Store {
    /// Every group of the agent's actions for `capability`, per day proposed, oldest first:
    /// a few rows a day however many actions the day had.
    pub async fn daily_groups(&self, agent_id: i64, capability: &str) -> Result<Vec<(NaiveDate, Group)>, GovError> {
        use scorecard_counts::Column as C;
        let rows: Vec<(String, Decision, State, String, i32, i32, i64)> = scorecard_counts::Entity::find()
            .select_only()
            .columns([C::Day, C::Decision, C::State, C::Agreement, C::Band, C::HumanApproved, C::N])
            .filter(C::AgentId.eq(agent_id))
            .filter(C::Capability.eq(capability))
            .filter(C::N.gt(0))
            .into_tuple()
            .all(self.db())
            .await?;
        let mut days: Vec<(NaiveDate, Group)> = rows
            .into_iter()
            .filter_map(|(day, d, s, a, b, h, n)| {
                let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()?;
                Some((day, (d, s, a, b, h, n)))
            })
            .collect();
        days.sort_by_key(|(day, _)| *day);
        Ok(days)
    }

    /// The kept groups of several agents' actions, every capability, from `since` (a day) on:
    /// (agent, capability, day, group), in one query (the agents list's sparklines).
    pub async fn daily_groups_of(
        &self,
        agent_ids: &[i64],
        since: NaiveDate,
    ) -> Result<Vec<(i64, String, NaiveDate, Group)>, GovError> {
        use scorecard_counts::Column as C;
        if agent_ids.is_empty() {
            return Ok(Vec::new());
        }
        type Row = (i64, String, String, Decision, State, String, i32, i32, i64);
        let rows: Vec<Row> = scorecard_counts::Entity::find()
            .select_only()
            .columns([C::AgentId, C::Capability, C::Day, C::Decision, C::State, C::Agreement, C::Band])
            .columns([C::HumanApproved, C::N])
            .filter(C::AgentId.is_in(agent_ids.iter().copied()))
            .filter(C::Day.gte(since.format("%Y-%m-%d").to_string()))
            .filter(C::N.gt(0))
            .into_tuple()
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(agent, cap, day, d, s, a, b, h, n)| {
                let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()?;
                Some((agent, cap, day, (d, s, a, b, h, n)))
            })
            .collect())
    }

    /// Agents with actions counted on `since` or later.
    pub async fn agents_active_since(&self, since: NaiveDate) -> Result<Vec<i64>, GovError> {
        use scorecard_counts::Column as C;
        Ok(scorecard_counts::Entity::find()
            .select_only()
            .column(C::AgentId)
            .distinct()
            .filter(C::Day.gte(since.format("%Y-%m-%d").to_string()))
            .filter(C::N.gt(0))
            .into_tuple()
            .all(self.db())
            .await?)
    }

    /// The groups of the agent's actions for `capability` proposed in `[since, until)`, read
    /// from the actions themselves (for part of a day).
    pub async fn groups_between(
        &self,
        agent_id: i64,
        capability: &str,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Group>, GovError> {
        let rows: Vec<(Decision, State, Option<String>, i32, i32, i64)> = actions::Entity::find()
            .filter(actions::Column::AgentId.eq(agent_id))
            .filter(actions::Column::Capability.eq(capability))
            .filter(actions::Column::CreatedAt.gte(since))
            .filter(actions::Column::CreatedAt.lt(until))
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
        Ok(rows.into_iter().map(|(d, s, a, b, h, n)| (d, s, a.unwrap_or_default(), b, h, n)).collect())
    }

    /// Distinct parameter sets the agent proposed for `capability` since `since` (all time
    /// without it), estimated from the daily sketches; a window that begins during a day takes
    /// that day's sets from the actions themselves.
    pub async fn patterns_since(
        &self,
        agent_id: i64,
        capability: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<u64, GovError> {
        use scorecard_sketches::Column as C;
        let mut q =
            scorecard_sketches::Entity::find().filter(C::AgentId.eq(agent_id)).filter(C::Capability.eq(capability));
        let mut union = Sketch::default();
        if let Some(since) = since {
            let first = since.date_naive();
            let midnight = first.and_time(NaiveTime::MIN).and_utc();
            if since == midnight {
                q = q.filter(C::Day.gte(day_of(since)));
            } else {
                q = q.filter(C::Day.gt(day_of(since)));
                let next = midnight + chrono::Duration::days(1);
                let hashes: Vec<String> = actions::Entity::find()
                    .filter(actions::Column::AgentId.eq(agent_id))
                    .filter(actions::Column::Capability.eq(capability))
                    .filter(actions::Column::CreatedAt.gte(since))
                    .filter(actions::Column::CreatedAt.lt(next))
                    .select_only()
                    .column(actions::Column::ActionHash)
                    .distinct()
                    .into_tuple()
                    .all(self.db())
                    .await?;
                for h in hashes {
                    union.insert_hex(&h);
                }
            }
        }
        let days: Vec<(String, Vec<u8>)> =
            q.select_only().column(C::Day).column(C::Registers).into_tuple().all(self.db()).await?;
        for (day, registers) in days {
            let sketch = Sketch::decode(&registers)
                .map_err(|_| GovError::Internal(format!("scorecard sketch of {day} is not a sketch")))?;
            union.merge(&sketch);
        }
        Ok(union.estimate())
    }

    /// Distinct people who decided on the agent's actions for `capability` since `since`.
    pub async fn reviewers_since(
        &self,
        agent_id: i64,
        capability: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<u64, GovError> {
        use scorecard_reviewers::Column as C;
        let mut q =
            scorecard_reviewers::Entity::find().filter(C::AgentId.eq(agent_id)).filter(C::Capability.eq(capability));
        if let Some(since) = since {
            q = q.filter(C::LastSeen.gte(since));
        }
        Ok(q.count(self.db()).await?)
    }

    /// Peer checks of the agents' actions proposed on or after `baseline_from`, per agent and
    /// capability: (agreed, disagreed or timed out) before `recent_from`, and from it on.
    pub async fn peer_windows_of(
        &self,
        agent_ids: &[i64],
        baseline_from: DateTime<Utc>,
        recent_from: DateTime<Utc>,
    ) -> Result<std::collections::BTreeMap<(i64, String), [(u64, u64); 2]>, GovError> {
        use peer_checks::Column as C;
        let mut out = std::collections::BTreeMap::new();
        if agent_ids.is_empty() {
            return Ok(out);
        }
        let recent: sea_orm::sea_query::Expr = Expr::case(C::CreatedAt.gte(recent_from), 1).finally(0).into();
        let rows: Vec<(i64, String, CheckStatus, i32, i64)> = peer_checks::Entity::find()
            .select_only()
            .column(C::PrimaryAgentId)
            .column(C::Capability)
            .column(C::Status)
            .column_as(recent, "recent")
            .column_as(C::Id.count(), "n")
            .filter(C::PrimaryAgentId.is_in(agent_ids.iter().copied()))
            .filter(C::CreatedAt.gte(baseline_from))
            .group_by(C::PrimaryAgentId)
            .group_by(C::Capability)
            .group_by(C::Status)
            // By its alias: PostgreSQL would not see two bound copies of the CASE as one.
            .group_by(Expr::cust("recent"))
            .into_tuple()
            .all(self.db())
            .await?;
        for (agent, capability, status, is_recent, n) in rows {
            let n = n.max(0).unsigned_abs();
            let window: &mut [(u64, u64); 2] = out.entry((agent, capability)).or_default();
            let slot = &mut window[usize::from(is_recent == 1)];
            match status {
                CheckStatus::Agreed => slot.0 += n,
                CheckStatus::Disagreed | CheckStatus::TimedOut => slot.1 += n,
                _ => {}
            }
        }
        Ok(out)
    }

    /// Peer checks of the agent's actions since `since` that agreed, and that disagreed or
    /// timed out.
    pub async fn peer_outcomes(
        &self,
        agent_id: i64,
        capability: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<(u64, u64), GovError> {
        let mut q = peer_checks::Entity::find()
            .select_only()
            .column(peer_checks::Column::Status)
            .column_as(peer_checks::Column::Id.count(), "n")
            .filter(peer_checks::Column::PrimaryAgentId.eq(agent_id))
            .filter(peer_checks::Column::Capability.eq(capability))
            .group_by(peer_checks::Column::Status);
        if let Some(since) = since {
            q = q.filter(peer_checks::Column::CreatedAt.gte(since));
        }
        let rows: Vec<(CheckStatus, i64)> = q.into_tuple().all(self.db()).await?;
        let of = |wanted: &[CheckStatus]| {
            rows.iter().filter(|(s, _)| wanted.contains(s)).map(|(_, n)| n.max(&0).unsigned_abs()).sum::<u64>()
        };
        Ok((of(&[CheckStatus::Agreed]), of(&[CheckStatus::Disagreed, CheckStatus::TimedOut])))
    }
}
