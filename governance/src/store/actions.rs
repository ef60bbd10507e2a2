//! Action requests and their decisions.

use crate::entity::{actions, agent_param_values};
use crate::error::GovError;
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, SqlErr,
};
use std::collections::{BTreeMap, BTreeSet};

/// An action as stored.
pub type ActionRecord = actions::Model;

/// A new action row (everything but its id).
pub struct ActionInsert {
    pub agent_id: i64,
    pub capability: String,
    pub params: String,
    pub reasoning: String,
    pub confidence: f64,
    pub inputs: String,
    pub alternatives: String,
    pub task_ref: String,
    pub idempotency_key: Option<String>,
    pub request_hash: String,
    pub action_hash: String,
    pub decision: String,
    pub rule: String,
    pub tier: Option<String>,
    pub grant_id: Option<i64>,
    pub sandbox: bool,
    pub supervised: bool,
    pub separation_of_duties: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Inserts an action; `Ok(None)` when its idempotency key is already used by this agent.
pub async fn insert(db: &impl ConnectionTrait, a: ActionInsert) -> Result<Option<i64>, GovError> {
    let row = actions::ActiveModel {
        agent_id: Set(a.agent_id),
        capability: Set(a.capability),
        params: Set(a.params),
        reasoning: Set(a.reasoning),
        confidence: Set(a.confidence),
        inputs: Set(a.inputs),
        alternatives: Set(a.alternatives),
        task_ref: Set(a.task_ref),
        idempotency_key: Set(a.idempotency_key),
        request_hash: Set(a.request_hash),
        action_hash: Set(a.action_hash),
        state: Set(a.decision.clone()),
        decision: Set(a.decision),
        rule: Set(a.rule),
        tier: Set(a.tier),
        grant_id: Set(a.grant_id),
        sandbox: Set(a.sandbox),
        supervised: Set(a.supervised),
        separation_of_duties: Set(a.separation_of_duties),
        expires_at: Set(a.expires_at),
        evidence_hash: Set(String::new()),
        created_at: Set(a.created_at),
        updated_at: Set(a.created_at),
        ..Default::default()
    };
    match row.insert(db).await {
        Ok(m) => Ok(Some(m.id)),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The action an agent sent with this idempotency key, on any connection.
pub async fn by_key(db: &impl ConnectionTrait, agent_id: i64, key: &str) -> Result<Option<ActionRecord>, GovError> {
    Ok(actions::Entity::find()
        .filter(actions::Column::AgentId.eq(agent_id))
        .filter(actions::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

/// Records the hash of the evidence record that decided the action.
pub async fn set_evidence_hash(db: &impl ConnectionTrait, id: i64, hash: &str) -> Result<(), GovError> {
    actions::Entity::update_many()
        .set(actions::ActiveModel { evidence_hash: Set(hash.to_owned()), ..Default::default() })
        .filter(actions::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Remembers the values an agent used, so the next use is not "never seen before".
pub async fn remember_values(
    db: &impl ConnectionTrait,
    agent_id: i64,
    capability: &str,
    values: &[(String, String)],
) -> Result<(), GovError> {
    if values.is_empty() {
        return Ok(());
    }
    let rows = values.iter().map(|(param, value)| agent_param_values::ActiveModel {
        agent_id: Set(agent_id),
        capability: Set(capability.to_owned()),
        param: Set(param.clone()),
        value: Set(value.chars().take(500).collect()),
    });
    agent_param_values::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                agent_param_values::Column::AgentId,
                agent_param_values::Column::Capability,
                agent_param_values::Column::Param,
                agent_param_values::Column::Value,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

impl Store {
    /// One action.
    pub async fn action_by_id(&self, id: i64) -> Result<Option<ActionRecord>, GovError> {
        Ok(actions::Entity::find_by_id(id).one(self.db()).await?)
    }

    /// The action an agent sent with this idempotency key, if any.
    pub async fn action_by_key(&self, agent_id: i64, key: &str) -> Result<Option<ActionRecord>, GovError> {
        by_key(self.db(), agent_id, key).await
    }

    /// How many of the agent's requests for `capability` since `since` were not refused,
    /// counting no further than `at_most` (a rate limit only asks whether it is reached, so
    /// the work stays bounded however busy the agent is).
    pub async fn actions_since(
        &self,
        agent_id: i64,
        capability: &str,
        since: DateTime<Utc>,
        at_most: u32,
    ) -> Result<u32, GovError> {
        use sea_orm::sea_query::{Alias, Expr, Query};
        let recent = Query::select()
            .expr(Expr::val(1))
            .from(actions::Entity)
            .and_where(actions::Column::AgentId.eq(agent_id))
            .and_where(actions::Column::Capability.eq(capability))
            .and_where(actions::Column::CreatedAt.gte(since))
            .and_where(actions::Column::Decision.ne("denied"))
            .limit(u64::from(at_most))
            .to_owned();
        let count = Query::select().expr(Expr::cust("COUNT(*)")).from_subquery(recent, Alias::new("recent")).to_owned();
        let row = self.db().query_one(&count).await?;
        let n: i64 = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or(0);
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The values the agent used before for each of `params` of `capability`.
    pub async fn seen_values(
        &self,
        agent_id: i64,
        capability: &str,
        params: &[String],
    ) -> Result<BTreeMap<String, BTreeSet<String>>, GovError> {
        if params.is_empty() {
            return Ok(BTreeMap::new());
        }
        let rows = agent_param_values::Entity::find()
            .filter(agent_param_values::Column::AgentId.eq(agent_id))
            .filter(agent_param_values::Column::Capability.eq(capability))
            .filter(agent_param_values::Column::Param.is_in(params.iter().cloned()))
            .all(self.db())
            .await?;
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in rows {
            out.entry(r.param).or_default().insert(r.value);
        }
        Ok(out)
    }

    /// These actions (those that exist).
    pub async fn actions_by_ids(&self, ids: &[i64]) -> Result<Vec<ActionRecord>, GovError> {
        Ok(actions::Entity::find().filter(actions::Column::Id.is_in(ids.iter().copied())).all(self.db()).await?)
    }

    /// An agent's newest actions.
    pub async fn recent_actions(&self, agent_id: i64, limit: u64) -> Result<Vec<ActionRecord>, GovError> {
        Ok(actions::Entity::find()
            .filter(actions::Column::AgentId.eq(agent_id))
            .order_by_desc(actions::Column::Id)
            .limit(limit)
            .all(self.db())
            .await?)
    }
}
