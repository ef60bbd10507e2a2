//! The action lifecycle after the decision: approval binding, execution reports, the undo
//! window, rollbacks and shadow comparisons on `actions`; and `alerts` for what needs a human.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Actions {
    Table,
    State,
    ExpiresAt,
    AgentId,
    ApprovedHash,
    SeparationOfDuties,
    ResultStatus,
    Output,
    Undo,
    ReportedAt,
    ReversibleUntil,
    RollbackReason,
    RollbackRequestedBy,
    RollbackRequestedAt,
    RollbackOutput,
    ShadowVerdict,
    ShadowParams,
    ShadowAgreement,
}

#[derive(DeriveIden)]
enum Alerts {
    Table,
    Id,
    AgentId,
    ActionId,
    Kind,
    Message,
    CreatedAt,
    ResolvedAt,
    ResolvedBy,
    Resolution,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
}

fn columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::new(Actions::ApprovedHash).string_len(64).null().to_owned(),
        ColumnDef::new(Actions::SeparationOfDuties).boolean().not_null().default(false).to_owned(),
        ColumnDef::new(Actions::ResultStatus).string_len(16).null().to_owned(),
        ColumnDef::new(Actions::Output).text().null().to_owned(),
        ColumnDef::new(Actions::Undo).text().null().to_owned(),
        ColumnDef::new(Actions::ReportedAt).timestamp_with_time_zone().null().to_owned(),
        ColumnDef::new(Actions::ReversibleUntil).timestamp_with_time_zone().null().to_owned(),
        ColumnDef::new(Actions::RollbackReason).text().null().to_owned(),
        ColumnDef::new(Actions::RollbackRequestedBy).string_len(200).null().to_owned(),
        ColumnDef::new(Actions::RollbackRequestedAt).timestamp_with_time_zone().null().to_owned(),
        ColumnDef::new(Actions::RollbackOutput).text().null().to_owned(),
        ColumnDef::new(Actions::ShadowVerdict).string_len(16).null().to_owned(),
        ColumnDef::new(Actions::ShadowParams).text().null().to_owned(),
        ColumnDef::new(Actions::ShadowAgreement).string_len(32).null().to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for mut col in columns() {
            manager.alter_table(Table::alter().table(Actions::Table).add_column(&mut col).to_owned()).await?;
        }
        // The inbox and the deadline loops look actions up by state and time.
        manager
            .create_index(
                Index::create()
                    .name("idx_actions_state_expires")
                    .table(Actions::Table)
                    .col(Actions::State)
                    .col(Actions::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_actions_state_reversible")
                    .table(Actions::Table)
                    .col(Actions::State)
                    .col(Actions::ReversibleUntil)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_actions_agent_state")
                    .table(Actions::Table)
                    .col(Actions::AgentId)
                    .col(Actions::State)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alerts::Table)
                    .col(ColumnDef::new(Alerts::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Alerts::AgentId).big_integer().not_null())
                    .col(ColumnDef::new(Alerts::ActionId).big_integer().null())
                    .col(ColumnDef::new(Alerts::Kind).string_len(64).not_null())
                    .col(ColumnDef::new(Alerts::Message).text().not_null())
                    .col(ColumnDef::new(Alerts::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Alerts::ResolvedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Alerts::ResolvedBy).string_len(200).null())
                    .col(ColumnDef::new(Alerts::Resolution).text().null())
                    .foreign_key(
                        ForeignKey::create().from(Alerts::Table, Alerts::AgentId).to(Agents::Table, Agents::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_alerts_agent_open")
                    .table(Alerts::Table)
                    .col(Alerts::AgentId)
                    .col(Alerts::ResolvedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alerts::Table).to_owned()).await?;
        for name in ["idx_actions_state_expires", "idx_actions_state_reversible", "idx_actions_agent_state"] {
            manager.drop_index(Index::drop().name(name).table(Actions::Table).to_owned()).await?;
        }
        for col in columns() {
            let name = col.get_column_name();
            manager.alter_table(Table::alter().table(Actions::Table).drop_column(Alias::new(name)).to_owned()).await?;
        }
        Ok(())
    }
}
