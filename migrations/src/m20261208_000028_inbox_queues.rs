//! Queues in the inbox: reviewer groups and their members, routing rules that send a
//! capability's escalations (all, or those matching a Cedar condition) to a group, and on each
//! action the person or group it is assigned to and who claimed it since when.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReviewerGroups {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReviewerGroupMembers {
    Table,
    GroupId,
    UserId,
}

#[derive(DeriveIden)]
enum RoutingRules {
    Table,
    Id,
    Capability,
    Condition,
    GroupId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Actions {
    Table,
    State,
    AssignedUserId,
    AssignedGroupId,
    ClaimedBy,
    ClaimedAt,
    CreatedAt,
}

const ACTION_COLUMNS: [Actions; 4] =
    [Actions::AssignedUserId, Actions::AssignedGroupId, Actions::ClaimedBy, Actions::ClaimedAt];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReviewerGroups::Table)
                    .col(ColumnDef::new(ReviewerGroups::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(ReviewerGroups::Name).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(ReviewerGroups::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReviewerGroupMembers::Table)
                    .col(ColumnDef::new(ReviewerGroupMembers::GroupId).big_integer().not_null())
                    .col(ColumnDef::new(ReviewerGroupMembers::UserId).big_integer().not_null())
                    .primary_key(Index::create().col(ReviewerGroupMembers::GroupId).col(ReviewerGroupMembers::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReviewerGroupMembers::Table, ReviewerGroupMembers::GroupId)
                            .to(ReviewerGroups::Table, ReviewerGroups::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReviewerGroupMembers::Table, ReviewerGroupMembers::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reviewer_group_members_user")
                    .table(ReviewerGroupMembers::Table)
                    .col(ReviewerGroupMembers::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoutingRules::Table)
                    .col(ColumnDef::new(RoutingRules::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(RoutingRules::Capability).string_len(100).not_null())
                    .col(ColumnDef::new(RoutingRules::Condition).text().not_null())
                    .col(ColumnDef::new(RoutingRules::GroupId).big_integer().not_null())
                    .col(ColumnDef::new(RoutingRules::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(RoutingRules::Table, RoutingRules::GroupId)
                            .to(ReviewerGroups::Table, ReviewerGroups::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for col in ACTION_COLUMNS {
            let def = match col {
                Actions::ClaimedAt => ColumnDef::new(col).timestamp_with_time_zone().null().to_owned(),
                _ => ColumnDef::new(col).big_integer().null().to_owned(),
            };
            manager.alter_table(Table::alter().table(Actions::Table).add_column(def).to_owned()).await?;
        }
        // The queues are read per state: a group's items, a person's items.
        for (name, col) in [
            ("idx_actions_state_group", Actions::AssignedGroupId),
            ("idx_actions_state_assignee", Actions::AssignedUserId),
            // "Oldest first".
            ("idx_actions_state_created", Actions::CreatedAt),
        ] {
            let index = Index::create().name(name).table(Actions::Table).col(Actions::State).col(col).to_owned();
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["idx_actions_state_group", "idx_actions_state_assignee", "idx_actions_state_created"] {
            manager.drop_index(Index::drop().name(name).table(Actions::Table).to_owned()).await?;
        }
        for col in ACTION_COLUMNS {
            manager.alter_table(Table::alter().table(Actions::Table).drop_column(col).to_owned()).await?;
        }
        manager.drop_table(Table::drop().table(RoutingRules::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ReviewerGroupMembers::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ReviewerGroups::Table).to_owned()).await
    }
}
