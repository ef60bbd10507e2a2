//! An alert's evidence is frozen when it fires: `details` keeps the figures, window, series and
//! actions of the pass that raised it, and what later passes see while the condition lasts goes
//! to `latest_details` (shown as "since then"), never over them. Alerts raised before this kept
//! only their latest figures; those stay in `details`, as they were. `acknowledgement` keeps the
//! note someone acknowledged it with.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Alerts {
    Table,
    LatestDetails,
    Acknowledgement,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for column in [Alerts::LatestDetails, Alerts::Acknowledgement] {
            manager
                .alter_table(
                    Table::alter().table(Alerts::Table).add_column(ColumnDef::new(column).text().null()).to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Alerts::LatestDetails, Alerts::Acknowledgement] {
            manager.alter_table(Table::alter().table(Alerts::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
