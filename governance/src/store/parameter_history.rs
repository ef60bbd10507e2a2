//! The parameter sets each agent proposed per capability and the day each was first seen
//! (`parameter_history`, migration 21), which the new-parameters detector counts. The
//! monitoring job keeps it, off the decision's path: each pass adds the actions written since
//! the last one it read.

use crate::entity::actions;
use crate::error::GovError;
use crate::store::{Store, job_leases};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QuerySelect, Statement};
use std::collections::BTreeMap;

/// The `job_leases` row keeping the last action id read.
pub const JOB: &str = migrations::PARAMETER_HISTORY_LEASE;
/// Action ids covered per statement while catching up.
const PAGE: i64 = 2_000;
/// Actions just below the last id read are read again: on PostgreSQL a transaction holding
/// smaller ids may commit after one holding larger ones. Reading one twice does nothing.
const OVERLAP: i64 = 1_000;

/// Adds the actions written since the last call to the history, as `holder`: one statement
/// per range of [`PAGE`] action ids, run inside the database (`INSERT … SELECT`; only the sets
/// it adds come back), each range in its own short write transaction with the sets' daily
/// counts (`parameter_history_days`) and the watermark (on SQLite the decision writer waits
/// for one range at most, never for the whole catch-up). Returns how many action ids it
/// covered.
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
         WHERE true ON CONFLICT (agent_id, capability, action_hash) DO NOTHING \
         RETURNING agent_id, capability, first_seen",
        day = migrations::day_of_created(db),
        from = p(1),
        to = p(2),
    );
    for (from, to) in ranges(last, newest) {
        let txn = store.begin_write().await?;
        let added =
            txn.query_all_raw(Statement::from_sql_and_values(backend, sql.clone(), [from.into(), to.into()])).await?;
        let mut days: BTreeMap<(i64, String, String), i64> = BTreeMap::new();
        for row in added {
            let key = (row.try_get("", "agent_id")?, row.try_get("", "capability")?, row.try_get("", "first_seen")?);
            *days.entry(key).or_insert(0) += 1;
        }
        add_days(&txn, days).await?;
        if to > last {
            job_leases::set_watermark(&txn, JOB, holder, to, now).await?;
        }
        txn.commit().await?;
    }
    Ok(u64::try_from(newest - last).unwrap_or(0))
}

/// Adds to the daily counts of sets first seen.
async fn add_days(db: &impl ConnectionTrait, days: BTreeMap<(i64, String, String), i64>) -> Result<(), GovError> {
    let backend = db.get_database_backend();
    let rows: Vec<_> = days.into_iter().collect();
    // Four values a row, well under SQLite's limit on a statement's parameters.
    for chunk in rows.chunks(1_000) {
        let mut values = Vec::with_capacity(chunk.len() * 4);
        let mut tuples = Vec::with_capacity(chunk.len());
        for ((agent, capability, day), n) in chunk {
            let at = values.len();
            let p = |k| crate::store::placeholder(backend, at + k);
            tuples.push(format!("({}, {}, {}, {})", p(1), p(2), p(3), p(4)));
            values.extend([(*agent).into(), capability.clone().into(), day.clone().into(), (*n).into()]);
        }
        let sql = format!(
            "INSERT INTO parameter_history_days (agent_id, capability, first_seen, n) VALUES {} \
             ON CONFLICT (agent_id, capability, first_seen) DO UPDATE SET n = parameter_history_days.n + excluded.n",
            tuples.join(", ")
        );
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    }
    Ok(())
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
    let mut out: BTreeMap<(i64, String), Vec<(NaiveDate, u64)>> = BTreeMap::new();
    if agent_ids.is_empty() {
        return Ok(out);
    }
    let backend = db.get_database_backend();
    let p = |n| crate::store::placeholder(backend, n);
    let ids: Vec<String> = (0..agent_ids.len()).map(|i| p(i + 2)).collect();
    let sql = format!(
        "SELECT agent_id, capability, first_seen, n FROM parameter_history_days \
         WHERE first_seen >= {} AND agent_id IN ({}) ORDER BY agent_id, capability, first_seen",
        p(1),
        ids.join(", ")
    );
    let mut values: Vec<sea_orm::Value> = vec![since.format("%Y-%m-%d").to_string().into()];
    values.extend(agent_ids.iter().map(|a| (*a).into()));
    let rows: Vec<(i64, String, String, i64)> = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .into_iter()
        .map(|r| {
            Ok((
                r.try_get("", "agent_id")?,
                r.try_get("", "capability")?,
                r.try_get("", "first_seen")?,
                r.try_get("", "n")?,
            ))
        })
        .collect::<Result<_, sea_orm::DbErr>>()?;
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
