//! Peer checks: created with the action that needs one, claimed by one peer, answered once,
//! resolved by a person. Every change is a compare-and-set on the status.

use crate::entity::peer_checks;
use crate::error::GovError;
use crate::peer::CheckStatus;
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// A peer check as stored.
pub type PeerCheckRecord = peer_checks::Model;

/// A new peer check's columns (the action id is filled in when the action is inserted).
#[derive(Clone, Debug)]
pub struct PeerInsert {
    pub primary_agent_id: i64,
    pub capability: String,
    pub task_ref: String,
    pub inputs: String,
    pub pool: Vec<i64>,
    pub tolerances: String,
    pub path: String,
    pub approval_expiry_minutes: i64,
    pub deadline: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A change to a peer check, applied only from the status it expects.
#[derive(Clone, Debug)]
pub enum PeerChange {
    /// `open` → `taken` by a peer.
    Claim { id: i64, agent_id: i64, at: DateTime<Utc> },
    /// `taken` by this peer → `agreed` or `disagreed`, with its verdict and the comparison.
    Verdict {
        id: i64,
        agent_id: i64,
        agreed: bool,
        decision: String,
        params: String,
        reasoning: String,
        confidence: f64,
        comparison: String,
        at: DateTime<Utc>,
    },
    /// `open` or `taken` → `timed_out`.
    TimedOut { id: i64, comparison: String },
    /// A disagreement (or time-out) resolved by a person: `primary`, `peer` or `neither`.
    Resolve { id: i64, resolution: String, by: String, at: DateTime<Utc> },
}

/// Inserts the peer check of `action_id`.
pub async fn insert(db: &impl ConnectionTrait, action_id: i64, p: PeerInsert) -> Result<i64, GovError> {
    let row = peer_checks::ActiveModel {
        action_id: Set(action_id),
        primary_agent_id: Set(p.primary_agent_id),
        capability: Set(p.capability),
        task_ref: Set(p.task_ref),
        inputs: Set(p.inputs),
        pool: Set(serde_json::to_string(&p.pool).unwrap_or_else(|_| "[]".into())),
        tolerances: Set(p.tolerances),
        path: Set(p.path),
        approval_expiry_minutes: Set(p.approval_expiry_minutes),
        status: Set(CheckStatus::Open),
        deadline: Set(p.deadline),
        created_at: Set(p.created_at),
        ..Default::default()
    };
    Ok(row.insert(db).await?.id)
}

/// Applies `change`; `false` when the check was not in the expected status (nothing written).
pub async fn apply(db: &impl ConnectionTrait, change: PeerChange) -> Result<bool, GovError> {
    let (id, row, cond) = match change {
        PeerChange::Claim { id, agent_id, at } => (
            id,
            peer_checks::ActiveModel {
                status: Set(CheckStatus::Taken),
                peer_agent_id: Set(Some(agent_id)),
                taken_at: Set(Some(at)),
                ..Default::default()
            },
            Condition::all().add(peer_checks::Column::Status.eq(CheckStatus::Open)),
        ),
        PeerChange::Verdict { id, agent_id, agreed, decision, params, reasoning, confidence, comparison, at } => (
            id,
            peer_checks::ActiveModel {
                status: Set(if agreed { CheckStatus::Agreed } else { CheckStatus::Disagreed }),
                verdict_decision: Set(Some(decision)),
                verdict_params: Set(Some(params)),
                verdict_reasoning: Set(Some(reasoning)),
                verdict_confidence: Set(Some(confidence)),
                comparison: Set(Some(comparison)),
                answered_at: Set(Some(at)),
                ..Default::default()
            },
            Condition::all()
                .add(peer_checks::Column::Status.eq(CheckStatus::Taken))
                .add(peer_checks::Column::PeerAgentId.eq(agent_id)),
        ),
        PeerChange::TimedOut { id, comparison } => (
            id,
            peer_checks::ActiveModel {
                status: Set(CheckStatus::TimedOut),
                comparison: Set(Some(comparison)),
                ..Default::default()
            },
            Condition::all().add(peer_checks::Column::Status.is_in([CheckStatus::Open, CheckStatus::Taken])),
        ),
        PeerChange::Resolve { id, resolution, by, at } => (
            id,
            peer_checks::ActiveModel {
                resolution: Set(Some(resolution)),
                resolved_by: Set(Some(by)),
                resolved_at: Set(Some(at)),
                ..Default::default()
            },
            Condition::all().add(peer_checks::Column::Resolution.is_null()),
        ),
    };
    let res = peer_checks::Entity::update_many()
        .set(row)
        .filter(peer_checks::Column::Id.eq(id))
        .filter(cond)
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

impl Store {
    /// One peer check.
    pub async fn peer_check_by_id(&self, id: i64) -> Result<Option<PeerCheckRecord>, GovError> {
        Ok(peer_checks::Entity::find_by_id(id).one(self.db()).await?)
    }

    /// The peer check of an action, if it has one.
    pub async fn peer_check_of(&self, action_id: i64) -> Result<Option<PeerCheckRecord>, GovError> {
        Ok(peer_checks::Entity::find().filter(peer_checks::Column::ActionId.eq(action_id)).one(self.db()).await?)
    }

    /// The peer checks of these actions.
    pub async fn peer_checks_of(&self, action_ids: &[i64]) -> Result<Vec<PeerCheckRecord>, GovError> {
        if action_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(peer_checks::Entity::find()
            .filter(peer_checks::Column::ActionId.is_in(action_ids.iter().copied()))
            .all(self.db())
            .await?)
    }

    /// Open checks not yet past their deadline, oldest first.
    pub async fn open_peer_checks(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<PeerCheckRecord>, GovError> {
        Ok(peer_checks::Entity::find()
            .filter(peer_checks::Column::Status.eq(CheckStatus::Open))
            .filter(peer_checks::Column::Deadline.gt(now))
            .order_by_asc(peer_checks::Column::Id)
            .limit(limit)
            .all(self.db())
            .await?)
    }

    /// Open or taken checks whose deadline has passed.
    pub async fn peer_checks_past_deadline(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<PeerCheckRecord>, GovError> {
        Ok(peer_checks::Entity::find()
            .filter(peer_checks::Column::Status.is_in([CheckStatus::Open, CheckStatus::Taken]))
            .filter(peer_checks::Column::Deadline.lte(now))
            .order_by_asc(peer_checks::Column::Deadline)
            .limit(limit)
            .all(self.db())
            .await?)
    }

    /// Every peer check an agent took part in, as the primary or as the peer.
    pub async fn peer_checks_involving(&self, agent_id: i64) -> Result<Vec<PeerCheckRecord>, GovError> {
        Ok(peer_checks::Entity::find()
            .filter(
                Condition::any()
                    .add(peer_checks::Column::PrimaryAgentId.eq(agent_id))
                    .add(peer_checks::Column::PeerAgentId.eq(agent_id)),
            )
            .order_by_asc(peer_checks::Column::Id)
            .all(self.db())
            .await?)
    }
}
