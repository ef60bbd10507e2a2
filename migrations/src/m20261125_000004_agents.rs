//! Agents and their API keys.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
    Name,
    Purpose,
    OwnerId,
    Environment,
    ModelNote,
    Status,
    StatusReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AgentKeys {
    Table,
    Id,
    AgentId,
    Prefix,
    KeyHash,
    CreatedAt,
    CreatedBy,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Agents::Table)
                    .col(ColumnDef::new(Agents::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Agents::Name).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(Agents::Purpose).text().not_null())
                    .col(ColumnDef::new(Agents::OwnerId).big_integer().not_null())
                    .col(ColumnDef::new(Agents::Environment).string_len(16).not_null())
                    .col(ColumnDef::new(Agents::ModelNote).string_len(200).not_null())
                    .col(ColumnDef::new(Agents::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Agents::StatusReason).text().not_null())
                    .col(ColumnDef::new(Agents::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Agents::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(ForeignKey::create().from(Agents::Table, Agents::OwnerId).to(Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AgentKeys::Table)
                    .col(ColumnDef::new(AgentKeys::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AgentKeys::AgentId).big_integer().not_null())
                    .col(ColumnDef::new(AgentKeys::Prefix).string_len(16).not_null().unique_key())
                    .col(ColumnDef::new(AgentKeys::KeyHash).string_len(64).not_null())
                    .col(ColumnDef::new(AgentKeys::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AgentKeys::CreatedBy).string_len(64).not_null())
                    .col(ColumnDef::new(AgentKeys::LastUsedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(AgentKeys::RevokedAt).timestamp_with_time_zone().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(AgentKeys::Table, AgentKeys::AgentId)
                            .to(Agents::Table, Agents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_agent_keys_agent").table(AgentKeys::Table).col(AgentKeys::AgentId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AgentKeys::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Agents::Table).to_owned()).await
    }
}
