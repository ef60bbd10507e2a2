//! Approving with edits: when a reviewer approves a changed version of an action's params, the
//! action holds the approved params (and their hash, which the approval binds to), and keeps
//! what the agent proposed and the change as an RFC 6902 patch, so its page, its agent and the
//! scorecard can tell an edited approval from a plain one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Actions {
    Table,
    ProposedParams,
    ParamsEdit,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for col in [Actions::ProposedParams, Actions::ParamsEdit] {
            let column = ColumnDef::new(col).text().null().to_owned();
            manager.alter_table(Table::alter().table(Actions::Table).add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [Actions::ProposedParams, Actions::ParamsEdit] {
            manager.alter_table(Table::alter().table(Actions::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
