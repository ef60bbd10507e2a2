//! The evidence trail: an append-only, hash-chained log of everything that happened.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Evidence {
    Table,
    Seq,
    RecordedAt,
    ActorKind,
    ActorId,
    ActorName,
    Kind,
    SubjectKind,
    SubjectId,
    Summary,
    Details,
    PrevHash,
    Hash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Evidence::Table)
                    // The sequence is assigned by the writer (head + 1), never by the database,
                    // so a racing second writer collides on the key instead of forking the chain.
                    .col(ColumnDef::new(Evidence::Seq).big_integer().not_null().primary_key())
                    .col(ColumnDef::new(Evidence::RecordedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Evidence::ActorKind).string_len(16).not_null())
                    .col(ColumnDef::new(Evidence::ActorId).big_integer().null())
                    .col(ColumnDef::new(Evidence::ActorName).string_len(200).not_null())
                    .col(ColumnDef::new(Evidence::Kind).string_len(64).not_null())
                    .col(ColumnDef::new(Evidence::SubjectKind).string_len(32).not_null())
                    .col(ColumnDef::new(Evidence::SubjectId).string_len(200).not_null())
                    .col(ColumnDef::new(Evidence::Summary).text().not_null())
                    .col(ColumnDef::new(Evidence::Details).text().not_null())
                    .col(ColumnDef::new(Evidence::PrevHash).string_len(64).not_null())
                    .col(ColumnDef::new(Evidence::Hash).string_len(64).not_null().unique_key())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_evidence_kind_time")
                    .table(Evidence::Table)
                    .col(Evidence::Kind)
                    .col(Evidence::RecordedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Evidence::Table).to_owned()).await
    }
}
