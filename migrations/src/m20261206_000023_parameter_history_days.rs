//! `parameter_history_days`: how many parameter sets each agent first used per capability and
//! UTC day — the new-parameters detector's daily counts, kept beside `parameter_history` in the
//! monitoring job's transaction that adds the sets, so a pass reads a row per day instead of
//! counting every set of the month again.

use crate::m20261206_000021_parameter_history as history;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ParameterHistoryDays {
    Table,
    AgentId,
    Capability,
    FirstSeen,
    N,
}

/// Counts the history's sets per day again.
pub async fn refill(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    for sql in [
        "DELETE FROM parameter_history_days",
        "INSERT INTO parameter_history_days (agent_id, capability, first_seen, n) \
         SELECT agent_id, capability, first_seen, COUNT(*) FROM parameter_history \
         GROUP BY agent_id, capability, first_seen",
    ] {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// Counts everything the scorecards and the monitoring job keep again (after rows were
/// written directly).
pub async fn recount(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    history::recount(db).await?;
    refill(db).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ParameterHistoryDays as D;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(ColumnDef::new(D::AgentId).big_integer().not_null())
                    .col(ColumnDef::new(D::Capability).string().not_null())
                    .col(ColumnDef::new(D::FirstSeen).string_len(10).not_null())
                    .col(ColumnDef::new(D::N).big_integer().not_null())
                    .primary_key(Index::create().col(D::AgentId).col(D::Capability).col(D::FirstSeen))
                    .to_owned(),
            )
            .await?;
        refill(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ParameterHistoryDays::Table).to_owned()).await
    }
}
