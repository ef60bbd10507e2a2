//! Peer checks: a second agent's independent verdict on an action, its comparison with the
//! primary's proposal, and the human resolution of a disagreement; `actions.peer_review` marks
//! an action that waits for that side-by-side review.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Actions {
    Table,
    PeerReview,
}

#[derive(DeriveIden)]
enum PeerChecks {
    Table,
    Id,
    ActionId,
    PrimaryAgentId,
    Capability,
    TaskRef,
    Inputs,
    Pool,
    Tolerances,
    Path,
    ApprovalExpiryMinutes,
    Status,
    PeerAgentId,
    TakenAt,
    Deadline,
    VerdictDecision,
    VerdictParams,
    VerdictReasoning,
    VerdictConfidence,
    AnsweredAt,
    Comparison,
    Resolution,
    ResolvedBy,
    ResolvedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Actions::Table)
                    .add_column(ColumnDef::new(Actions::PeerReview).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PeerChecks::Table)
                    .col(ColumnDef::new(PeerChecks::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(PeerChecks::ActionId).big_integer().not_null().unique_key())
                    .col(ColumnDef::new(PeerChecks::PrimaryAgentId).big_integer().not_null())
                    .col(ColumnDef::new(PeerChecks::Capability).string_len(100).not_null())
                    .col(ColumnDef::new(PeerChecks::TaskRef).string_len(200).not_null())
                    .col(ColumnDef::new(PeerChecks::Inputs).text().not_null())
                    .col(ColumnDef::new(PeerChecks::Pool).text().not_null())
                    .col(ColumnDef::new(PeerChecks::Tolerances).text().not_null())
                    .col(ColumnDef::new(PeerChecks::Path).string_len(32).not_null())
                    .col(ColumnDef::new(PeerChecks::ApprovalExpiryMinutes).big_integer().not_null())
                    .col(ColumnDef::new(PeerChecks::Status).string_len(16).not_null())
                    .col(ColumnDef::new(PeerChecks::PeerAgentId).big_integer().null())
                    .col(ColumnDef::new(PeerChecks::TakenAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(PeerChecks::Deadline).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(PeerChecks::VerdictDecision).string_len(16).null())
                    .col(ColumnDef::new(PeerChecks::VerdictParams).text().null())
                    .col(ColumnDef::new(PeerChecks::VerdictReasoning).text().null())
                    .col(ColumnDef::new(PeerChecks::VerdictConfidence).double().null())
                    .col(ColumnDef::new(PeerChecks::AnsweredAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(PeerChecks::Comparison).text().null())
                    .col(ColumnDef::new(PeerChecks::Resolution).string_len(16).null())
                    .col(ColumnDef::new(PeerChecks::ResolvedBy).string_len(200).null())
                    .col(ColumnDef::new(PeerChecks::ResolvedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(PeerChecks::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(PeerChecks::Table, PeerChecks::PrimaryAgentId)
                            .to(Agents::Table, Agents::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_peer_checks_status_deadline")
                    .table(PeerChecks::Table)
                    .col(PeerChecks::Status)
                    .col(PeerChecks::Deadline)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PeerChecks::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Actions::Table).drop_column(Actions::PeerReview).to_owned()).await?;
        Ok(())
    }
}
