//! Action requests and their decisions.

use crate::entity::{actions, agent_param_values};
use crate::error::GovError;
use crate::lifecycle::State;
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use std::collections::{BTreeMap, BTreeSet};

/// An action as stored.
pub type ActionRecord = actions::Model;

/// A new action row (everything but its id).
#[derive(Clone, Debug)]
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
    pub decision: crate::policy::Decision,
    pub rule: String,
    pub tier: Option<crate::policy::Tier>,
    pub grant_id: Option<i64>,
    pub sandbox: bool,
    pub supervised: bool,
    pub separation_of_duties: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The reviewer group a routing rule sent the escalation to.
    pub assigned_group_id: Option<i64>,
    /// Approvals from distinct people it needs (1 unless its rule's quorum applies).
    pub approvals_required: i32,
    /// A copilot's escalation: the person it goes to first, until when.
    pub assigned_user_id: Option<i64>,
    pub assigned_until: Option<DateTime<Utc>>,
}

/// Reserves `n` new action ids inside the caller's write transaction: on SQLite the ones after
/// `largest`, the largest id read in it (the write lock keeps them free), on PostgreSQL from
/// the table's sequence.
pub async fn reserve_ids(txn: &DatabaseTransaction, n: usize, largest: i64) -> Result<Vec<i64>, GovError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                "SELECT nextval(pg_get_serial_sequence('actions', 'id')) FROM generate_series(1, $1)",
                [(n as i64).into()],
            ))
            .await?;
        return rows.iter().map(|r| r.try_get_by_index::<i64>(0).map_err(GovError::from)).collect();
    }
    Ok((1..=n as i64).map(|i| largest + i).collect())
}

/// Inserts new actions with ids from [`reserve_ids`] and their evidence hashes, as one statement
/// (the benchmarks' seeding; the decision writer sends [`insert_statement`] with its counts).
#[cfg(feature = "store-access")]
pub async fn insert_all(txn: &DatabaseTransaction, rows: Vec<(i64, ActionInsert, String)>) -> Result<(), GovError> {
    if let Some(insert) = insert_statement(txn.get_database_backend(), rows) {
        txn.execute_raw(insert).await?;
    }
    Ok(())
}

/// The statement [`insert_all`] runs (none for no rows), for a caller that sends it together
/// with others.
pub fn insert_statement(backend: DbBackend, rows: Vec<(i64, ActionInsert, String)>) -> Option<Statement> {
    use sea_orm::QueryTrait;
    if rows.is_empty() {
        return None;
    }
    let models = rows.into_iter().map(|(id, a, hash)| actions::ActiveModel { id: Set(id), ..to_row(a, hash) });
    Some(actions::Entity::insert_many(models).build(backend))
}

fn to_row(a: ActionInsert, evidence_hash: String) -> actions::ActiveModel {
    actions::ActiveModel {
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
        state: Set(crate::lifecycle::State::first(a.decision)),
        decision: Set(a.decision),
        rule: Set(a.rule),
        tier: Set(a.tier),
        grant_id: Set(a.grant_id),
        sandbox: Set(a.sandbox),
        supervised: Set(a.supervised),
        separation_of_duties: Set(a.separation_of_duties),
        expires_at: Set(a.expires_at),
        evidence_hash: Set(evidence_hash),
        created_at: Set(a.created_at),
        updated_at: Set(a.created_at),
        assigned_group_id: Set(a.assigned_group_id),
        approvals_required: Set(a.approvals_required),
        assigned_user_id: Set(a.assigned_user_id),
        assigned_until: Set(a.assigned_until),
        ..Default::default()
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

/// Remembers the values an agent used, so the next use is not "never seen before".
pub async fn remember_values(
    db: &impl ConnectionTrait,
    agent_id: i64,
    capability: &str,
    values: &[(String, String)],
) -> Result<(), GovError> {
    let all = values.iter().map(|(p, v)| (agent_id, capability.to_owned(), p.clone(), v.clone())).collect();
    remember_all(db, all).await
}

/// Remembers values several agents used: (agent, capability, param, value), in one statement.
pub async fn remember_all(
    db: &impl ConnectionTrait,
    values: BTreeSet<(i64, String, String, String)>,
) -> Result<(), GovError> {
    if values.is_empty() {
        return Ok(());
    }
    let rows = values.into_iter().map(|(agent_id, capability, param, value)| agent_param_values::ActiveModel {
        agent_id: Set(agent_id),
        capability: Set(capability),
        param: Set(param),
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

/// How many of the agent's requests for `capability` since `since` were not refused, as `db`
/// sees them, counting no further than `at_most` (a rate limit only asks whether it is reached,
/// so the work stays bounded however busy the agent is).
pub async fn count_since(
    db: &impl ConnectionTrait,
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
        .and_where(actions::Column::Decision.ne(crate::policy::Decision::Denied))
        .limit(u64::from(at_most))
        .to_owned();
    let count = Query::select().expr(Expr::cust("COUNT(*)")).from_subquery(recent, Alias::new("recent")).to_owned();
    let row = db.query_one(&count).await?;
    let n: i64 = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or(0);
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

impl Store {
    /// The agent's actions for `capability` proposed in the recent days of `window` that
    /// `detector` counted against it (rejected, failed, rolled back; for volume and stated
    /// confidence, every proposal; the most confident first for the latter), newest first.
    pub async fn actions_counted_by(
        &self,
        agent_id: i64,
        capability: &str,
        detector: crate::monitor::Detector,
        window: &crate::service::monitoring::Window,
        limit: u64,
    ) -> Result<Vec<ActionRecord>, GovError> {
        use crate::monitor::Detector;
        let from = window.recent_from.and_time(chrono::NaiveTime::MIN).and_utc();
        let until = (window.recent_to + chrono::Duration::days(1)).and_time(chrono::NaiveTime::MIN).and_utc();
        let mut q = actions::Entity::find()
            .filter(actions::Column::AgentId.eq(agent_id))
            .filter(actions::Column::Capability.eq(capability))
            .filter(actions::Column::CreatedAt.gte(from))
            .filter(actions::Column::CreatedAt.lt(until));
        q = match detector {
            Detector::RejectionRate => q.filter(actions::Column::State.eq(State::Rejected)),
            Detector::FailureRate => q.filter(actions::Column::State.eq(State::Failed)),
            Detector::InboxAgeing => q.filter(actions::Column::State.eq(State::Expired)),
            Detector::RollbackRate => {
                q.filter(actions::Column::State.is_in([State::RolledBack, State::RollbackFailed]))
            }
            Detector::ConfidenceDrift => q.order_by_desc(actions::Column::Confidence),
            Detector::PeerDisagreement => {
                use crate::entity::peer_checks as pc;
                use sea_orm::sea_query::Query;
                let disagreed = Query::select()
                    .column(pc::Column::ActionId)
                    .from(pc::Entity)
                    .and_where(pc::Column::PrimaryAgentId.eq(agent_id))
                    .and_where(
                        pc::Column::Status
                            .is_in([crate::peer::CheckStatus::Disagreed, crate::peer::CheckStatus::TimedOut]),
                    )
                    .to_owned();
                q.filter(actions::Column::Id.in_subquery(disagreed))
            }
            Detector::NewParameters => {
                use crate::entity::parameter_history as ph;
                use sea_orm::sea_query::Query;
                let novel = Query::select()
                    .column(ph::Column::ActionHash)
                    .from(ph::Entity)
                    .and_where(ph::Column::AgentId.eq(agent_id))
                    .and_where(ph::Column::Capability.eq(capability))
                    .and_where(ph::Column::FirstSeen.gte(window.recent_from.format("%Y-%m-%d").to_string()))
                    .to_owned();
                q.filter(actions::Column::ActionHash.in_subquery(novel))
            }
            _ => q,
        };
        Ok(q.order_by_desc(actions::Column::Id).limit(limit).all(self.db()).await?)
    }

    /// One action.
    pub async fn action_by_id(&self, id: i64) -> Result<Option<ActionRecord>, GovError> {
        Ok(actions::Entity::find_by_id(id).one(self.db()).await?)
    }

    /// The action an agent sent with this idempotency key, if any.
    pub async fn action_by_key(&self, agent_id: i64, key: &str) -> Result<Option<ActionRecord>, GovError> {
        by_key(self.db(), agent_id, key).await
    }

    /// How many of the agent's requests for `capability` since `since` were not refused,
    /// counting no further than `at_most` (see [`count_since`]).
    pub async fn actions_since(
        &self,
        agent_id: i64,
        capability: &str,
        since: DateTime<Utc>,
        at_most: u32,
    ) -> Result<u32, GovError> {
        count_since(self.db(), agent_id, capability, since, at_most).await
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
