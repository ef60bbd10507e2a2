//! When a grant's current tier began, so its scorecard can count what the agent did at that
//! tier. Grants that exist already are taken to have been at their tier since they were
//! granted (the best the rows know; a tier change is also in the evidence trail).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Grants {
    Table,
    TierSince,
    GrantedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Grants::Table)
                    .add_column(ColumnDef::new(Grants::TierSince).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        let backfill =
            Query::update().table(Grants::Table).value(Grants::TierSince, Expr::col(Grants::GrantedAt)).to_owned();
        manager.exec_stmt(backfill).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Grants::Table).drop_column(Grants::TierSince).to_owned()).await
    }
}
