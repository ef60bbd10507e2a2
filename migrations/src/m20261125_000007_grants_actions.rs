//! Grants (agent × capability × tier from a template version) and action requests with their
//! decisions, plus the param values each agent has used (for "never seen before").

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Grants {
    Table,
    Id,
    AgentId,
    CapabilityId,
    TemplateId,
    TemplateVersion,
    Tier,
    GrantedBy,
    GrantedAt,
    ReviewDueAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Actions {
    Table,
    Id,
    AgentId,
    Capability,
    Params,
    Reasoning,
    Confidence,
    Inputs,
    Alternatives,
    TaskRef,
    IdempotencyKey,
    RequestHash,
    ActionHash,
    Decision,
    State,
    Rule,
    Tier,
    GrantId,
    Sandbox,
    Supervised,
    ExpiresAt,
    EvidenceHash,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AgentParamValues {
    Table,
    AgentId,
    Capability,
    Param,
    Value,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Capabilities {
    Table,
    Id,
}

/// The grants table: one row per agent and capability.
async fn grants(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Grants::Table)
                .col(ColumnDef::new(Grants::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Grants::AgentId).big_integer().not_null())
                .col(ColumnDef::new(Grants::CapabilityId).big_integer().not_null())
                .col(ColumnDef::new(Grants::TemplateId).big_integer().not_null())
                .col(ColumnDef::new(Grants::TemplateVersion).big_integer().not_null())
                .col(ColumnDef::new(Grants::Tier).string_len(16).not_null())
                .col(ColumnDef::new(Grants::GrantedBy).string_len(200).not_null())
                .col(ColumnDef::new(Grants::GrantedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Grants::ReviewDueAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Grants::RevokedAt).timestamp_with_time_zone().null())
                .foreign_key(ForeignKey::create().from(Grants::Table, Grants::AgentId).to(Agents::Table, Agents::Id))
                .foreign_key(
                    ForeignKey::create()
                        .from(Grants::Table, Grants::CapabilityId)
                        .to(Capabilities::Table, Capabilities::Id),
                )
                .to_owned(),
        )
        .await?;
    // One grant row per agent and capability: granting again re-activates it.
    manager
        .create_index(
            Index::create()
                .name("idx_grants_agent_capability")
                .table(Grants::Table)
                .col(Grants::AgentId)
                .col(Grants::CapabilityId)
                .unique()
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The actions table and its two indexes (idempotency, recent activity).
async fn actions(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Actions::Table)
                .col(ColumnDef::new(Actions::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Actions::AgentId).big_integer().not_null())
                .col(ColumnDef::new(Actions::Capability).string_len(100).not_null())
                .col(ColumnDef::new(Actions::Params).text().not_null())
                .col(ColumnDef::new(Actions::Reasoning).text().not_null())
                .col(ColumnDef::new(Actions::Confidence).double().not_null())
                .col(ColumnDef::new(Actions::Inputs).text().not_null())
                .col(ColumnDef::new(Actions::Alternatives).text().not_null())
                .col(ColumnDef::new(Actions::TaskRef).string_len(200).not_null())
                .col(ColumnDef::new(Actions::IdempotencyKey).string_len(200).null())
                .col(ColumnDef::new(Actions::RequestHash).string_len(64).not_null())
                .col(ColumnDef::new(Actions::ActionHash).string_len(64).not_null())
                .col(ColumnDef::new(Actions::Decision).string_len(32).not_null())
                .col(ColumnDef::new(Actions::State).string_len(32).not_null())
                .col(ColumnDef::new(Actions::Rule).text().not_null())
                .col(ColumnDef::new(Actions::Tier).string_len(16).null())
                .col(ColumnDef::new(Actions::GrantId).big_integer().null())
                .col(ColumnDef::new(Actions::Sandbox).boolean().not_null())
                .col(ColumnDef::new(Actions::Supervised).boolean().not_null())
                .col(ColumnDef::new(Actions::ExpiresAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Actions::EvidenceHash).string_len(64).not_null())
                .col(ColumnDef::new(Actions::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Actions::UpdatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(ForeignKey::create().from(Actions::Table, Actions::AgentId).to(Agents::Table, Agents::Id))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_actions_idempotency")
                .table(Actions::Table)
                .col(Actions::AgentId)
                .col(Actions::IdempotencyKey)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_actions_agent_capability_time")
                .table(Actions::Table)
                .col(Actions::AgentId)
                .col(Actions::Capability)
                .col(Actions::CreatedAt)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The values each agent has used per capability and param (the "never seen" condition).
async fn param_values(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(AgentParamValues::Table)
                .col(ColumnDef::new(AgentParamValues::AgentId).big_integer().not_null())
                .col(ColumnDef::new(AgentParamValues::Capability).string_len(100).not_null())
                .col(ColumnDef::new(AgentParamValues::Param).string_len(100).not_null())
                .col(ColumnDef::new(AgentParamValues::Value).string_len(500).not_null())
                .primary_key(
                    Index::create()
                        .col(AgentParamValues::AgentId)
                        .col(AgentParamValues::Capability)
                        .col(AgentParamValues::Param)
                        .col(AgentParamValues::Value),
                )
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        grants(manager).await?;
        actions(manager).await?;
        param_values(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AgentParamValues::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Actions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Grants::Table).to_owned()).await
    }
}
