//! The parameter sets each agent proposed per capability and the day each was first seen
//! (`parameter_history`, migration 21), which the new-parameters detector counts. The
//! monitoring job keeps it, off the decision's path: each pass adds the actions written since
//! the last one it read.

use crate::entity::{actions, parameter_history as history};
use crate::error::GovError;
use crate::store::scorecard_counts::day_of;
use crate::store::{Store, job_leases};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;

/// The `job_leases` row keeping the last action id read.
pub const JOB: &str = migrations::PARAMETER_HISTORY_LEASE;
/// Actions read per query while catching up.
const PAGE: u64 = 500;
/// Rows per insert statement.
const CHUNK: usize = 500;
/// Actions just below the last id read are read again: on PostgreSQL a transaction holding
/// smaller ids may commit after one holding larger ones. Reading one twice does nothing.
const OVERLAP: i64 = 1_000;

/// Adds the actions written since the last call to the history, as `holder`, a page at a
/// time, each page in its own short write transaction (on SQLite the decision writer waits
/// for one page at most, never for the whole catch-up). Returns how many actions it read.
pub async fn absorb(store: &Store, holder: &str, now: DateTime<Utc>) -> Result<u64, GovError> {
    let db = store.db();
    let last = job_leases::watermark(db, JOB).await?.unwrap_or(0);
    let mut from = (last - OVERLAP).max(0);
    let mut read = 0u64;
    loop {
        let rows: Vec<(i64, i64, String, String, DateTime<Utc>)> = actions::Entity::find()
            .select_only()
            .column(actions::Column::Id)
            .column(actions::Column::AgentId)
            .column(actions::Column::Capability)
            .column(actions::Column::ActionHash)
            .column(actions::Column::CreatedAt)
            .filter(actions::Column::Id.gt(from))
            .order_by_asc(actions::Column::Id)
            .limit(PAGE)
            .into_tuple()
            .all(db)
            .await?;
        let Some(end) = rows.last().map(|r| r.0) else { break };
        read += rows.len() as u64;
        let full = rows.len() as u64 == PAGE;
        let mut first: BTreeMap<(i64, String, String), String> = BTreeMap::new();
        for (_, agent, capability, hash, at) in rows {
            let day = day_of(at);
            first.entry((agent, capability, hash)).and_modify(|d| *d = d.clone().min(day.clone())).or_insert(day);
        }
        let first: Vec<_> = first.into_iter().collect();
        let txn = store.begin_write().await?;
        for chunk in first.chunks(CHUNK) {
            let models = chunk.iter().map(|((agent, capability, hash), day)| history::ActiveModel {
                agent_id: Set(*agent),
                capability: Set(capability.clone()),
                action_hash: Set(hash.clone()),
                first_seen: Set(day.clone()),
            });
            history::Entity::insert_many(models)
                .on_conflict(
                    OnConflict::columns([
                        history::Column::AgentId,
                        history::Column::Capability,
                        history::Column::ActionHash,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        from = end;
        if from > last {
            job_leases::set_watermark(&txn, JOB, holder, from, now).await?;
        }
        txn.commit().await?;
        if !full {
            break;
        }
    }
    Ok(read)
}

/// Per agent and capability, how many parameter sets were first seen on each day since `since`.
pub async fn first_seen_of(
    db: &impl ConnectionTrait,
    agent_ids: &[i64],
    since: NaiveDate,
) -> Result<BTreeMap<(i64, String), Vec<(NaiveDate, u64)>>, GovError> {
    use history::Column as C;
    let mut out: BTreeMap<(i64, String), Vec<(NaiveDate, u64)>> = BTreeMap::new();
    if agent_ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(i64, String, String, i64)> = history::Entity::find()
        .select_only()
        .column(C::AgentId)
        .column(C::Capability)
        .column(C::FirstSeen)
        .column_as(C::ActionHash.count(), "n")
        .filter(C::AgentId.is_in(agent_ids.iter().copied()))
        .filter(C::FirstSeen.gte(since.format("%Y-%m-%d").to_string()))
        .group_by(C::AgentId)
        .group_by(C::Capability)
        .group_by(C::FirstSeen)
        .into_tuple()
        .all(db)
        .await?;
    for (agent, capability, day, n) in rows {
        let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .map_err(|e| GovError::Internal(format!("parameter history day '{day}': {e}")))?;
        out.entry((agent, capability)).or_default().push((day, n.max(0).unsigned_abs()));
    }
    Ok(out)
}
