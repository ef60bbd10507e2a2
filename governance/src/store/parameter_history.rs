//! The parameter sets each agent proposed per capability and the day each was first seen
//! (`parameter_history`, migration 21), which the new-parameters detector counts. The
//! monitoring job keeps it, off the decision's path: each pass adds the actions written since
//! the last one it read.

use crate::entity::{actions, parameter_history as history};
use crate::error::GovError;
use crate::store::{Store, job_leases};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Statement};
use std::collections::BTreeMap;

/// The `job_leases` row keeping the last action id read.
pub const JOB: &str = migrations::PARAMETER_HISTORY_LEASE;
/// Action ids covered per statement while catching up.
const PAGE: i64 = 2_000;
/// Actions just below the last id read are read again: on PostgreSQL a transaction holding
/// smaller ids may commit after one holding larger ones. Reading one twice does nothing.
const OVERLAP: i64 = 1_000;

/// Adds the actions written since the last call to the history, as `holder`: one statement
/// per range of [`PAGE`] action ids, run inside the database (`INSERT … SELECT`, nothing
/// travels to this process), each range in its own short write transaction with the
/// watermark (on SQLite the decision writer waits for one range at most, never for the whole
/// catch-up). Returns how many action ids it covered.
pub async fn absorb(store: &Store, holder: &str, now: DateTime<Utc>) -> Result<u64, GovError> {
    let db = store.db();
    let last = job_leases::watermark(db, JOB).await?.unwrap_or(0);
    let Some(newest) = actions::Entity::find()
        .select_only()
        .column_as(actions::Column::Id.max(), "newest")
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten()
    else {
        return Ok(0);
    };
    if newest <= last {
        return Ok(0);
    }
    let backend = db.get_database_backend();
    let p = |n| crate::store::placeholder(backend, n);
    // Within a range an action's set may appear on several days: the first day counts. The
    // subquery keeps SQLite's upsert after a SELECT unambiguous.
    let sql = format!(
        "INSERT INTO parameter_history (agent_id, capability, action_hash, first_seen) \
         SELECT agent_id, capability, action_hash, first_seen FROM ( \
           SELECT agent_id, capability, action_hash, MIN({day}) AS first_seen FROM actions \
           WHERE id > {from} AND id <= {to} GROUP BY agent_id, capability, action_hash) AS fresh \
         WHERE true ON CONFLICT (agent_id, capability, action_hash) DO NOTHING",
        day = migrations::day_of_created(db),
        from = p(1),
        to = p(2),
    );
    for (from, to) in ranges(last, newest) {
        let txn = store.begin_write().await?;
        txn.execute_raw(Statement::from_sql_and_values(backend, sql.clone(), [from.into(), to.into()])).await?;
        if to > last {
            job_leases::set_watermark(&txn, JOB, holder, to, now).await?;
        }
        txn.commit().await?;
    }
    Ok(u64::try_from(newest - last).unwrap_or(0))
}

/// The id ranges `(from, to]` a catch-up from watermark `last` to action `newest` reads: from
/// [`OVERLAP`] below the watermark, [`PAGE`] ids each.
fn ranges(last: i64, newest: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut from = (last - OVERLAP).max(0);
    while from < newest {
        let to = from.saturating_add(PAGE).min(newest);
        out.push((from, to));
        from = to;
    }
    out
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

#[cfg(test)]
mod tests {
    use super::{OVERLAP, PAGE, ranges};

    #[test]
    fn a_catch_up_reads_from_below_the_watermark_in_pages_up_to_the_newest_action() {
        assert_eq!(ranges(0, 10), vec![(0, 10)]);
        assert_eq!(ranges(0, 0), vec![]);
        assert_eq!(ranges(5_000, 5_003), vec![(5_000 - OVERLAP, 5_003)]);
        let long = ranges(0, 2 * PAGE + 1);
        assert_eq!(long, vec![(0, PAGE), (PAGE, 2 * PAGE), (2 * PAGE, 2 * PAGE + 1)]);
        assert_eq!(ranges(i64::MAX - 1, i64::MAX), vec![(i64::MAX - 1 - OVERLAP, i64::MAX)]);
    }
}
