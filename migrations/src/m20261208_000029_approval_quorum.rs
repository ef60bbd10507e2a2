//! Two-person approval: how many approvals from distinct people an action needs (set when it
//! is decided, from its template rule's quorum), and each approval given so far — bound to the
//! action hash it approved, with the reviewer group it counted for.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Actions {
    Table,
    Id,
    ApprovalsRequired,
}

#[derive(DeriveIden)]
enum ActionApprovals {
    Table,
    ActionId,
    UserId,
    Username,
    GroupName,
    ActionHash,
    ApprovedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let column = ColumnDef::new(Actions::ApprovalsRequired).integer().not_null().default(1).to_owned();
        manager.alter_table(Table::alter().table(Actions::Table).add_column(column).to_owned()).await?;
        manager
            .create_table(
                Table::create()
                    .table(ActionApprovals::Table)
                    .col(ColumnDef::new(ActionApprovals::ActionId).big_integer().not_null())
                    .col(ColumnDef::new(ActionApprovals::UserId).big_integer().not_null())
                    .col(ColumnDef::new(ActionApprovals::Username).string_len(64).not_null())
                    .col(ColumnDef::new(ActionApprovals::GroupName).string_len(64).null())
                    .col(ColumnDef::new(ActionApprovals::ActionHash).string_len(64).not_null())
                    .col(ColumnDef::new(ActionApprovals::ApprovedAt).timestamp_with_time_zone().not_null())
                    .primary_key(Index::create().col(ActionApprovals::ActionId).col(ActionApprovals::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ActionApprovals::Table, ActionApprovals::ActionId)
                            .to(Actions::Table, Actions::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ActionApprovals::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Actions::Table).drop_column(Actions::ApprovalsRequired).to_owned())
            .await
    }
}
