//! Copilots: an agent registered as the copilot of a person (or a reviewer group) has its
//! escalations assigned to them first, until a fallback time after which the item is back in
//! the shared inbox (`actions.assigned_until`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Agents {
    Table,
    CopilotUserId,
    CopilotGroupId,
    CopilotFallbackMinutes,
}

#[derive(DeriveIden)]
enum Actions {
    Table,
    AssignedUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [Agents::CopilotUserId, Agents::CopilotGroupId] {
            let def = ColumnDef::new(col).big_integer().null().to_owned();
            manager.alter_table(Table::alter().table(Agents::Table).add_column(def).to_owned()).await?;
        }
        let def = ColumnDef::new(Agents::CopilotFallbackMinutes).integer().null().to_owned();
        manager.alter_table(Table::alter().table(Agents::Table).add_column(def).to_owned()).await?;
        let def = ColumnDef::new(Actions::AssignedUntil).timestamp_with_time_zone().null().to_owned();
        manager.alter_table(Table::alter().table(Actions::Table).add_column(def).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Actions::Table).drop_column(Actions::AssignedUntil).to_owned())
            .await?;
        for col in [Agents::CopilotUserId, Agents::CopilotGroupId, Agents::CopilotFallbackMinutes] {
            manager.alter_table(Table::alter().table(Agents::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
