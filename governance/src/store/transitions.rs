//! Storing the lifecycle's transitions: one compare-and-set per transition (the state
//! must still be what the caller saw), plus the lookups the deadline loops and agents need.

use crate::entity::actions;
use crate::error::GovError;
use crate::lifecycle::State;
use crate::store::Store;
use crate::store::actions::ActionRecord;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Columns that change together with the state; `None` leaves a column as it is.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub approved_hash: Option<String>,
    pub result_status: Option<String>,
    pub output: Option<String>,
    pub undo: Option<String>,
    pub reported_at: Option<DateTime<Utc>>,
    pub reversible_until: Option<DateTime<Utc>>,
    pub rollback_reason: Option<String>,
    pub rollback_requested_by: Option<String>,
    pub rollback_requested_at: Option<DateTime<Utc>>,
    pub rollback_output: Option<String>,
    pub shadow_verdict: Option<String>,
    pub shadow_params: Option<String>,
    pub shadow_agreement: Option<String>,
    /// Replaces the params (a reviewer chose the peer's) and with them the action hash.
    pub params: Option<String>,
    pub action_hash: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub peer_review: Option<bool>,
    /// A reviewer approved changed params: what the agent proposed, and the patch.
    pub proposed_params: Option<String>,
    pub params_edit: Option<String>,
}

fn set<T: Into<sea_orm::Value>>(v: Option<T>) -> sea_orm::ActiveValue<Option<T>>
where
    Option<T>: Into<sea_orm::Value>,
{
    match v {
        Some(v) => Set(Some(v)),
        None => sea_orm::ActiveValue::NotSet,
    }
}

/// Moves action `id` from `from` to `to` with `changes`, only if it is still in `from`.
/// `false` means someone else moved it first (nothing was written).
pub async fn transition(
    db: &impl ConnectionTrait,
    id: i64,
    from: State,
    to: State,
    changes: Changes,
    now: DateTime<Utc>,
) -> Result<bool, GovError> {
    let row = actions::ActiveModel {
        state: Set(to),
        updated_at: Set(now),
        approved_hash: set(changes.approved_hash),
        result_status: set(changes.result_status),
        output: set(changes.output),
        undo: set(changes.undo),
        reported_at: set(changes.reported_at),
        reversible_until: set(changes.reversible_until),
        rollback_reason: set(changes.rollback_reason),
        rollback_requested_by: set(changes.rollback_requested_by),
        rollback_requested_at: set(changes.rollback_requested_at),
        rollback_output: set(changes.rollback_output),
        shadow_verdict: set(changes.shadow_verdict),
        shadow_params: set(changes.shadow_params),
        shadow_agreement: set(changes.shadow_agreement),
        params: changes.params.map_or(sea_orm::ActiveValue::NotSet, Set),
        action_hash: changes.action_hash.map_or(sea_orm::ActiveValue::NotSet, Set),
        expires_at: set(changes.expires_at),
        peer_review: changes.peer_review.map_or(sea_orm::ActiveValue::NotSet, Set),
        proposed_params: set(changes.proposed_params),
        params_edit: set(changes.params_edit),
        ..Default::default()
    };
    let res = actions::Entity::update_many()
        .set(row)
        .filter(actions::Column::Id.eq(id))
        .filter(actions::Column::State.eq(from.as_str()))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Touches action `id` only if it is still in `from` (a compare-and-set that changes nothing
/// but `updated_at`): what an approval that is one of several holds the row by. `false`: it was
/// moved meanwhile.
pub async fn still_in(db: &impl ConnectionTrait, id: i64, from: State, now: DateTime<Utc>) -> Result<bool, GovError> {
    let res = actions::Entity::update_many()
        .set(actions::ActiveModel { updated_at: Set(now), ..Default::default() })
        .filter(actions::Column::Id.eq(id))
        .filter(actions::Column::State.eq(from.as_str()))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// One action on any connection (inside a transaction, the state it will be changed from).
pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<ActionRecord>, GovError> {
    Ok(actions::Entity::find_by_id(id).one(db).await?)
}

impl Store {
    /// Ids of pending approvals whose deadline has passed, oldest deadline first.
    pub async fn approvals_past_deadline(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<i64>, GovError> {
        Ok(actions::Entity::find()
            .select_only()
            .column(actions::Column::Id)
            .filter(actions::Column::State.eq(State::NeedsApproval.as_str()))
            .filter(actions::Column::ExpiresAt.lte(now))
            .order_by_asc(actions::Column::ExpiresAt)
            .limit(limit)
            .into_tuple()
            .all(self.db())
            .await?)
    }

    /// Ids of reversible actions whose undo window has ended.
    pub async fn windows_ended(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<i64>, GovError> {
        Ok(actions::Entity::find()
            .select_only()
            .column(actions::Column::Id)
            .filter(actions::Column::State.eq(State::Reversible.as_str()))
            .filter(actions::Column::ReversibleUntil.lte(now))
            .order_by_asc(actions::Column::ReversibleUntil)
            .limit(limit)
            .into_tuple()
            .all(self.db())
            .await?)
    }

    /// An agent's actions in `states`, oldest first.
    pub async fn agent_actions_in(&self, agent_id: i64, states: &[State]) -> Result<Vec<ActionRecord>, GovError> {
        Ok(actions::Entity::find()
            .filter(actions::Column::AgentId.eq(agent_id))
            .filter(actions::Column::State.is_in(states.iter().map(|s| s.as_str())))
            .order_by_asc(actions::Column::Id)
            .all(self.db())
            .await?)
    }

    /// An agent's actions created at or after `since`, newest first.
    pub async fn agent_actions_since(
        &self,
        agent_id: i64,
        since: DateTime<Utc>,
    ) -> Result<Vec<ActionRecord>, GovError> {
        Ok(actions::Entity::find()
            .filter(actions::Column::AgentId.eq(agent_id))
            .filter(actions::Column::CreatedAt.gte(since))
            .order_by_desc(actions::Column::Id)
            .all(self.db())
            .await?)
    }

    /// An agent's shadow comparisons: (capability, agreement) per compared action.
    pub async fn shadow_agreements(&self, agent_id: i64) -> Result<Vec<(String, Option<String>)>, GovError> {
        Ok(actions::Entity::find()
            .select_only()
            .column(actions::Column::Capability)
            .column(actions::Column::ShadowAgreement)
            .filter(actions::Column::AgentId.eq(agent_id))
            .filter(actions::Column::State.eq(State::ShadowCompared.as_str()))
            .into_tuple()
            .all(self.db())
            .await?)
    }
}
