//! Signed checkpoints of the evidence chain: one row per signed head, keyed by its sequence
//! number so two instances signing the same head keep one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Checkpoints {
    Table,
    Seq,
    HeadHash,
    SignedAt,
    KeyId,
    Signature,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Checkpoints::Table)
                    .col(ColumnDef::new(Checkpoints::Seq).big_integer().not_null().primary_key())
                    .col(ColumnDef::new(Checkpoints::HeadHash).string_len(64).not_null())
                    .col(ColumnDef::new(Checkpoints::SignedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Checkpoints::KeyId).string_len(16).not_null())
                    .col(ColumnDef::new(Checkpoints::Signature).string_len(128).not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Checkpoints::Table).to_owned()).await
    }
}
