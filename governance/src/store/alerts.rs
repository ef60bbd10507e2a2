//! Alerts: something about an agent that needs a human. Open alerts send the agent's
//! requests to approval until a reviewer resolves them.

use crate::entity::alerts;
use crate::error::GovError;
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

/// An alert as stored.
pub type AlertRecord = alerts::Model;

/// Raises an alert inside the caller's transaction; returns its id.
pub async fn raise(
    db: &impl ConnectionTrait,
    agent_id: i64,
    action_id: Option<i64>,
    kind: &str,
    message: &str,
    now: DateTime<Utc>,
) -> Result<i64, GovError> {
    let row = alerts::ActiveModel {
        agent_id: Set(agent_id),
        action_id: Set(action_id),
        kind: Set(kind.to_owned()),
        message: Set(message.to_owned()),
        created_at: Set(now),
        ..Default::default()
    };
    Ok(row.insert(db).await?.id)
}

/// Resolves an open alert; `false` when it was already resolved (or does not exist).
pub async fn resolve(
    db: &impl ConnectionTrait,
    id: i64,
    by: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, GovError> {
    let res = alerts::Entity::update_many()
        .set(alerts::ActiveModel {
            resolved_at: Set(Some(now)),
            resolved_by: Set(Some(by.to_owned())),
            resolution: Set(Some(note.to_owned())),
            ..Default::default()
        })
        .filter(alerts::Column::Id.eq(id))
        .filter(alerts::Column::ResolvedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

impl Store {
    /// One alert.
    pub async fn alert_by_id(&self, id: i64) -> Result<Option<AlertRecord>, GovError> {
        Ok(alerts::Entity::find_by_id(id).one(self.db()).await?)
    }

    /// Open alerts, newest first, optionally for one agent.
    pub async fn open_alerts(&self, agent_id: Option<i64>) -> Result<Vec<AlertRecord>, GovError> {
        let mut q = alerts::Entity::find().filter(alerts::Column::ResolvedAt.is_null());
        if let Some(a) = agent_id {
            q = q.filter(alerts::Column::AgentId.eq(a));
        }
        Ok(q.order_by_desc(alerts::Column::Id).all(self.db()).await?)
    }

    /// How many alerts are open, optionally for one agent.
    pub async fn open_alert_count(&self, agent_id: Option<i64>) -> Result<u64, GovError> {
        let mut q = alerts::Entity::find().filter(alerts::Column::ResolvedAt.is_null());
        if let Some(a) = agent_id {
            q = q.filter(alerts::Column::AgentId.eq(a));
        }
        Ok(q.count(self.db()).await?)
    }
}
