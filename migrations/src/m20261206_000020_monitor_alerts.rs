//! The monitoring job's tables and columns:
//!
//! - `alerts` learns which grant and detector raised it, its figures (`details`, JSON: the
//!   finding, the window, the daily series), when it was last updated and acknowledged, what it
//!   did on its own (`response`, with what undoing it restores in `undo`) and whether that was
//!   undone. One open alert per grant and detector, by a partial unique index, so two instances
//!   can never raise the same one twice.
//! - `grants.suspended_at`: a grant a detector suspended (refused until a manager undoes it).
//! - `detector_settings.response`: what a detector does when it fires.
//! - `job_leases`: which instance runs a background job until when, and how far it got.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Alerts {
    Table,
    GrantId,
    Capability,
    Detector,
    Details,
    UpdatedAt,
    AcknowledgedAt,
    AcknowledgedBy,
    Response,
    Undo,
    UndoneAt,
    UndoneBy,
}

#[derive(DeriveIden)]
enum Grants {
    Table,
    SuspendedAt,
}

#[derive(DeriveIden)]
enum DetectorSettings {
    Table,
    Response,
}

#[derive(DeriveIden)]
enum JobLeases {
    Table,
    Job,
    Holder,
    ExpiresAt,
    Watermark,
    LastRunAt,
    Runs,
}

const OPEN_ONCE: &str = "CREATE UNIQUE INDEX idx_alerts_open_per_detector ON alerts (grant_id, detector) \
     WHERE resolved_at IS NULL AND detector IS NOT NULL";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        let columns = [
            ColumnDef::new(Alerts::GrantId).big_integer().null().to_owned(),
            ColumnDef::new(Alerts::Capability).string().null().to_owned(),
            ColumnDef::new(Alerts::Detector).string().null().to_owned(),
            ColumnDef::new(Alerts::Details).text().null().to_owned(),
            ColumnDef::new(Alerts::UpdatedAt).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(Alerts::AcknowledgedAt).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(Alerts::AcknowledgedBy).string().null().to_owned(),
            ColumnDef::new(Alerts::Response).string().null().to_owned(),
            ColumnDef::new(Alerts::Undo).text().null().to_owned(),
            ColumnDef::new(Alerts::UndoneAt).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(Alerts::UndoneBy).string().null().to_owned(),
        ];
        for mut column in columns {
            manager.alter_table(Table::alter().table(Alerts::Table).add_column(&mut column).to_owned()).await?;
        }
        manager.get_connection().execute_unprepared(OPEN_ONCE).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Grants::Table)
                    .add_column(ColumnDef::new(Grants::SuspendedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DetectorSettings::Table)
                    .add_column(ColumnDef::new(DetectorSettings::Response).string().not_null().default("alert"))
                    .to_owned(),
            )
            .await?;
        use JobLeases as J;
        manager
            .create_table(
                Table::create()
                    .table(J::Table)
                    .col(ColumnDef::new(J::Job).string().not_null().primary_key())
                    .col(ColumnDef::new(J::Holder).string().not_null())
                    .col(ColumnDef::new(J::ExpiresAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(J::Watermark).big_integer().not_null())
                    .col(ColumnDef::new(J::LastRunAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(J::Runs).big_integer().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(JobLeases::Table).to_owned()).await?;
        manager
            .alter_table(
                Table::alter().table(DetectorSettings::Table).drop_column(DetectorSettings::Response).to_owned(),
            )
            .await?;
        manager.alter_table(Table::alter().table(Grants::Table).drop_column(Grants::SuspendedAt).to_owned()).await?;
        manager.get_connection().execute_unprepared("DROP INDEX idx_alerts_open_per_detector").await?;
        for column in [
            Alerts::UndoneBy,
            Alerts::UndoneAt,
            Alerts::Undo,
            Alerts::Response,
            Alerts::AcknowledgedBy,
            Alerts::AcknowledgedAt,
            Alerts::UpdatedAt,
            Alerts::Details,
            Alerts::Detector,
            Alerts::Capability,
            Alerts::GrantId,
        ] {
            manager.alter_table(Table::alter().table(Alerts::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
