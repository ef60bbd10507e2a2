//! Distinct parameter sets as one sketch per agent, capability and day (`scorecard_sketches`,
//! see [`crate::distinct_sketch`]) instead of one row per set (`scorecard_patterns`, dropped).
//! A row per set made every new parameter set a randomly keyed insert in the decision's
//! transaction; a sketch is one small row per grant and day, updated once per batch.
//!
//! Existing actions are sketched here, and [`recount`] counts everything again for the bench
//! after it seeds rows directly.

use crate::distinct_sketch::Sketch;
use crate::m20261204_000017_scorecard_counts::{day_of_created, recount_groups_and_reviewers};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};
use std::collections::BTreeMap;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ScorecardSketches {
    Table,
    AgentId,
    Capability,
    Day,
    Registers,
}

/// Rows written per insert statement while sketching existing actions.
const CHUNK: usize = 200;

/// Sketches the parameter sets of every existing action, replacing what the table held.
async fn sketch_all(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    use ScorecardSketches as S;
    db.execute_unprepared("DELETE FROM scorecard_sketches").await?;
    let sql = format!(
        "SELECT DISTINCT agent_id, capability, {day} AS day, action_hash FROM actions",
        day = day_of_created(db)
    );
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    let mut sketches: BTreeMap<(i64, String, String), Sketch> = BTreeMap::new();
    for row in rows {
        let key = (row.try_get::<i64>("", "agent_id")?, row.try_get("", "capability")?, row.try_get("", "day")?);
        sketches.entry(key).or_default().insert_hex(&row.try_get::<String>("", "action_hash")?);
    }
    let sketches: Vec<_> = sketches.into_iter().collect();
    for chunk in sketches.chunks(CHUNK) {
        let mut insert = Query::insert();
        insert.into_table(S::Table).columns([S::AgentId, S::Capability, S::Day, S::Registers]);
        for ((agent, capability, day), sketch) in chunk {
            insert.values_panic([
                (*agent).into(),
                capability.clone().into(),
                day.clone().into(),
                sketch.encode().into(),
            ]);
        }
        db.execute(&insert).await?;
    }
    Ok(())
}

/// Counts every existing action and decision again, replacing what the scorecard tables held.
pub async fn recount(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    recount_groups_and_reviewers(db).await?;
    sketch_all(db).await
}

fn key(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ScorecardSketches as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(key(S::AgentId).big_integer())
                    .col(key(S::Capability).string())
                    .col(key(S::Day).string_len(10))
                    .col(key(S::Registers).blob())
                    .primary_key(Index::create().col(S::AgentId).col(S::Capability).col(S::Day))
                    .to_owned(),
            )
            .await?;
        sketch_all(manager.get_connection()).await?;
        manager.drop_table(Table::drop().table(Alias::new("scorecard_patterns")).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let a = Alias::new;
        manager
            .create_table(
                Table::create()
                    .table(a("scorecard_patterns"))
                    .col(key(a("agent_id")).big_integer())
                    .col(key(a("capability")).string())
                    .col(key(a("action_hash")).string())
                    .col(key(a("last_seen")).timestamp_with_time_zone())
                    .primary_key(Index::create().col(a("agent_id")).col(a("capability")).col(a("action_hash")))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO scorecard_patterns (agent_id, capability, action_hash, last_seen) \
                 SELECT agent_id, capability, action_hash, MAX(created_at) FROM actions \
                 GROUP BY agent_id, capability, action_hash",
            )
            .await?;
        manager.drop_table(Table::drop().table(ScorecardSketches::Table).to_owned()).await
    }
}
