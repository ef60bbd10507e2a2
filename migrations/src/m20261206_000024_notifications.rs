//! Notifications: a durable outbox and its deliveries.
//!
//! - `outbox_events`: what happened that people should hear about (an approval requested, a
//!   peer disagreement, an alert, autonomy withdrawn, a review due, an export finished), written
//!   in the same transaction as the change that caused it. `dispatched_at` is set once the event
//!   has been matched against the subscriptions; `dedupe_key` (unique where set) keeps a
//!   recurring check (a review due) from announcing the same thing twice.
//! - `notification_subscriptions`: where to send which events, in which format, signed with
//!   which secret.
//! - `notification_deliveries`: one event to one subscription — its state (`pending`,
//!   `delivered`, `dead`), attempts, the next attempt's time, the last answer, and the lease an
//!   instance holds while it sends it (so several instances deliver each once).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OutboxEvents {
    Table,
    Id,
    Kind,
    Subject,
    AgentId,
    Capability,
    Payload,
    DedupeKey,
    CreatedAt,
    DispatchedAt,
}

#[derive(DeriveIden)]
enum NotificationSubscriptions {
    Table,
    Id,
    Name,
    Url,
    Format,
    Secret,
    Kinds,
    Capabilities,
    MinRisk,
    Active,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NotificationDeliveries {
    Table,
    Id,
    EventId,
    SubscriptionId,
    State,
    Attempts,
    NextAttemptAt,
    LastStatus,
    LastError,
    DeliveredAt,
    LeaseOwner,
    LeaseUntil,
    CreatedAt,
    UpdatedAt,
}

const UNDISPATCHED: &str =
    "CREATE INDEX idx_outbox_events_undispatched ON outbox_events (id) WHERE dispatched_at IS NULL";
const DEDUPE: &str =
    "CREATE UNIQUE INDEX idx_outbox_events_dedupe ON outbox_events (dedupe_key) WHERE dedupe_key IS NOT NULL";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use NotificationDeliveries as D;
        use NotificationSubscriptions as S;
        use OutboxEvents as E;
        manager
            .create_table(
                Table::create()
                    .table(E::Table)
                    .col(ColumnDef::new(E::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(E::Kind).string_len(64).not_null())
                    .col(ColumnDef::new(E::Subject).string().not_null())
                    .col(ColumnDef::new(E::AgentId).big_integer().null())
                    .col(ColumnDef::new(E::Capability).string().null())
                    .col(ColumnDef::new(E::Payload).text().not_null())
                    .col(ColumnDef::new(E::DedupeKey).string().null())
                    .col(ColumnDef::new(E::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(E::DispatchedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager.get_connection().execute_unprepared(UNDISPATCHED).await?;
        manager.get_connection().execute_unprepared(DEDUPE).await?;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(ColumnDef::new(S::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(S::Name).string_len(100).not_null().unique_key())
                    .col(ColumnDef::new(S::Url).text().not_null())
                    .col(ColumnDef::new(S::Format).string_len(16).not_null())
                    .col(ColumnDef::new(S::Secret).string_len(128).not_null())
                    .col(ColumnDef::new(S::Kinds).text().not_null())
                    .col(ColumnDef::new(S::Capabilities).text().not_null())
                    .col(ColumnDef::new(S::MinRisk).string_len(16).null())
                    .col(ColumnDef::new(S::Active).boolean().not_null())
                    .col(ColumnDef::new(S::CreatedBy).string_len(64).not_null())
                    .col(ColumnDef::new(S::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(S::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(ColumnDef::new(D::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(D::EventId).big_integer().not_null())
                    .col(ColumnDef::new(D::SubscriptionId).big_integer().not_null())
                    .col(ColumnDef::new(D::State).string_len(16).not_null())
                    .col(ColumnDef::new(D::Attempts).integer().not_null().default(0))
                    .col(ColumnDef::new(D::NextAttemptAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(D::LastStatus).integer().null())
                    .col(ColumnDef::new(D::LastError).text().null())
                    .col(ColumnDef::new(D::DeliveredAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(D::LeaseOwner).string().null())
                    .col(ColumnDef::new(D::LeaseUntil).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(D::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(D::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(D::Table, D::EventId)
                            .to(E::Table, E::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(D::Table, D::SubscriptionId)
                            .to(S::Table, S::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_deliveries_once")
                    .table(D::Table)
                    .col(D::EventId)
                    .col(D::SubscriptionId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_deliveries_due")
                    .table(D::Table)
                    .col(D::State)
                    .col(D::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_deliveries_of_subscription")
                    .table(D::Table)
                    .col(D::SubscriptionId)
                    .col(D::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            NotificationDeliveries::Table.into_iden(),
            NotificationSubscriptions::Table.into_iden(),
            OutboxEvents::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
