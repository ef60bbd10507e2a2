//! Audit exports prepared in the background: who asked, the signed manifest fixed when the
//! export started, and how far the file has been written — so the page can show progress and
//! any instance can serve or re-create the file.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum AuditExports {
    Table,
    Id,
    RequestedBy,
    Format,
    Manifest,
    LastSeq,
    Total,
    Written,
    Bytes,
    Sha256,
    Status,
    Error,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditExports::Table)
                    .col(ColumnDef::new(AuditExports::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AuditExports::RequestedBy).string_len(64).not_null())
                    .col(ColumnDef::new(AuditExports::Format).string_len(8).not_null())
                    .col(ColumnDef::new(AuditExports::Manifest).text().not_null())
                    .col(ColumnDef::new(AuditExports::LastSeq).big_integer().not_null())
                    .col(ColumnDef::new(AuditExports::Total).big_integer().not_null())
                    .col(ColumnDef::new(AuditExports::Written).big_integer().not_null().default(0))
                    .col(ColumnDef::new(AuditExports::Bytes).big_integer().not_null().default(0))
                    .col(ColumnDef::new(AuditExports::Sha256).string_len(64).null())
                    .col(ColumnDef::new(AuditExports::Status).string_len(16).not_null())
                    .col(ColumnDef::new(AuditExports::Error).text().null())
                    .col(ColumnDef::new(AuditExports::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AuditExports::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("audit_exports_status")
                    .table(AuditExports::Table)
                    .col(AuditExports::Status)
                    .col(AuditExports::UpdatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditExports::Table).to_owned()).await
    }
}
