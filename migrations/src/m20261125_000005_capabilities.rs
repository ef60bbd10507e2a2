//! The capability catalogue.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Capabilities {
    Table,
    Id,
    Name,
    Description,
    Risk,
    UndoWindowMinutes,
    ParamsSchema,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Capabilities::Table)
                    .col(ColumnDef::new(Capabilities::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Capabilities::Name).string_len(100).not_null().unique_key())
                    .col(ColumnDef::new(Capabilities::Description).text().not_null())
                    .col(ColumnDef::new(Capabilities::Risk).string_len(16).not_null())
                    // Null means irreversible.
                    .col(ColumnDef::new(Capabilities::UndoWindowMinutes).big_integer().null())
                    .col(ColumnDef::new(Capabilities::ParamsSchema).text().null())
                    .col(ColumnDef::new(Capabilities::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Capabilities::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Capabilities::Table).to_owned()).await
    }
}
