//! `parameter_history`: each parameter set (action hash) an agent proposed for a capability,
//! with the UTC day it was first seen — what the new-parameters detector counts. The
//! monitoring job keeps it, off the decision's path: each pass adds the actions written since
//! the last (its `job_leases` row `parameter_history` keeps the last action id it read), so
//! a decision pays nothing for it.
//!
//! Existing actions are read here, and [`recount`] reads them all again after the bench or
//! the demo wrote rows directly.

use crate::m20261204_000017_scorecard_counts::day_of_created;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ParameterHistory {
    Table,
    AgentId,
    Capability,
    ActionHash,
    FirstSeen,
}

/// The `job_leases` row that keeps how far the history has read the actions.
pub const LEASE: &str = "parameter_history";

/// Reads every action into the history again and notes the last action read.
pub async fn refill(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let day = day_of_created(db);
    let never = match db.get_database_backend() {
        DbBackend::Postgres => "TIMESTAMPTZ '1970-01-01 00:00:00+00'",
        _ => "'1970-01-01T00:00:00+00:00'",
    };
    for sql in [
        "DELETE FROM parameter_history".to_owned(),
        format!(
            "INSERT INTO parameter_history (agent_id, capability, action_hash, first_seen) \
             SELECT agent_id, capability, action_hash, MIN({day}) FROM actions \
             GROUP BY agent_id, capability, action_hash"
        ),
        format!("DELETE FROM job_leases WHERE job = '{LEASE}'"),
        format!(
            "INSERT INTO job_leases (job, holder, expires_at, watermark, last_run_at, runs) \
             SELECT '{LEASE}', '', {never}, COALESCE(MAX(id), 0), NULL, 0 FROM actions"
        ),
    ] {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// Counts everything the scorecards and the monitoring job keep again (after rows were
/// written directly).
pub async fn recount(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    crate::m20261206_000019_scorecard_sketches::recount(db).await?;
    refill(db).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ParameterHistory as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(ColumnDef::new(P::AgentId).big_integer().not_null())
                    .col(ColumnDef::new(P::Capability).string().not_null())
                    .col(ColumnDef::new(P::ActionHash).string().not_null())
                    .col(ColumnDef::new(P::FirstSeen).string_len(10).not_null())
                    .primary_key(Index::create().col(P::AgentId).col(P::Capability).col(P::ActionHash))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_parameter_history_first_seen")
                    .table(P::Table)
                    .col(P::AgentId)
                    .col(P::Capability)
                    .col(P::FirstSeen)
                    .to_owned(),
            )
            .await?;
        refill(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(&format!("DELETE FROM job_leases WHERE job = '{LEASE}'")).await?;
        manager.drop_table(Table::drop().table(ParameterHistory::Table).to_owned()).await
    }
}
