//! The decision writer's counting on PostgreSQL in one round trip: the actions' insert, the
//! groups' upsert and the compare-and-set of each known day-sketch as one statement.

use super::{Key, SketchKey, add_statement, forget, known_merged, remember, sketch};
use crate::error::GovError;
use migrations::distinct_sketch::Sketch;
use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement};
use std::collections::BTreeMap;

/// [`insert_counted`](super::insert_counted) on PostgreSQL: the actions' insert, the groups' upsert and the
/// compare-and-set of every day's sketch this process knows go to the server as one statement
/// (data-modifying `WITH` parts, which PostgreSQL runs to completion whether or not they are
/// read), a round trip each less per batch; the days it does not know, or whose compare-and-set
/// missed, take [`sketch`](super::sketch)'s locked path after it.
pub(super) async fn insert_and_count(
    db: &impl ConnectionTrait,
    insert: Statement,
    groups: BTreeMap<Key, i64>,
    sets: BTreeMap<SketchKey, Sketch>,
) -> Result<(), GovError> {
    let mut rest = BTreeMap::new();
    let mut writes = Vec::new();
    for (key, add) in sets {
        match known_merged(&key, &add)? {
            Some((stored, bytes)) => writes.push((key, stored, bytes, add)),
            None => {
                rest.insert(key, add);
            }
        }
    }
    let mut values = insert.values.map(|v| v.0).unwrap_or_default();
    let upsert = add_statement(groups).build(DbBackend::Postgres);
    let upsert_sql = placeholders_shifted(&upsert.sql, values.len());
    values.extend(upsert.values.map(|v| v.0).unwrap_or_default());
    let inserted = format!("WITH inserted AS ({})", insert.sql);
    if writes.is_empty() {
        let sql = format!("{inserted} {upsert_sql}");
        db.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, values)).await?;
        return sketch(db, rest).await;
    }
    let mut rows = Vec::with_capacity(writes.len());
    for (key, stored, bytes, _) in &writes {
        let at = values.len();
        rows.push(format!(
            "(${}::bigint, ${}::text, ${}::text, ${}::bytea, ${}::bytea)",
            at + 1,
            at + 2,
            at + 3,
            at + 4,
            at + 5
        ));
        values.extend([
            key.0.into(),
            key.1.clone().into(),
            key.2.clone().into(),
            stored.clone().into(),
            bytes.clone().into(),
        ]);
    }
    let sql = format!(
        "{inserted}, counted AS ({upsert_sql} RETURNING 1), \
         written AS (UPDATE scorecard_sketches AS t SET registers = v.new \
           FROM (VALUES {}) AS v(agent_id, capability, day, old, new) \
           WHERE t.agent_id = v.agent_id AND t.capability = v.capability AND t.day = v.day \
             AND t.registers = v.old \
           RETURNING t.agent_id, t.capability, t.day) \
         SELECT agent_id, capability, day FROM written",
        rows.join(", ")
    );
    let hit: std::collections::BTreeSet<SketchKey> = db
        .query_all_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, values))
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get("", "agent_id")?, r.try_get("", "capability")?, r.try_get("", "day")?)))
        .collect::<Result<_, sea_orm::DbErr>>()?;
    for (key, _, bytes, add) in writes {
        if hit.contains(&key) {
            remember(key, bytes);
        } else {
            forget(&key);
            rest.insert(key, add);
        }
    }
    sketch(db, rest).await
}

/// `sql` (as built for PostgreSQL, every value a `$n` parameter) with each `$n` made
/// `$(n + by)`, so it can follow another statement's parameters in one statement.
fn placeholders_shifted(sql: &str, by: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '$' {
            continue;
        }
        let mut n = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            n.push(*d);
            chars.next();
        }
        match n.parse::<usize>() {
            Ok(n) => out.push_str(&(n + by).to_string()),
            Err(_) => out.push_str(&n),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::placeholders_shifted;

    #[test]
    fn placeholders_follow_the_earlier_statements_values() {
        assert_eq!(
            placeholders_shifted(r#"INSERT INTO "t" ("a", "b") VALUES ($1, $2), ($3, $10)"#, 7),
            r#"INSERT INTO "t" ("a", "b") VALUES ($8, $9), ($10, $17)"#
        );
        assert_eq!(placeholders_shifted("SELECT 1", 3), "SELECT 1");
        assert_eq!(placeholders_shifted("a $ b", 3), "a $ b");
    }
}
