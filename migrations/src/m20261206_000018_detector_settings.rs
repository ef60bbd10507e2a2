//! Monitoring settings: per detector, whether it runs and how sensitive it is. A detector with
//! no row runs with its defaults (on, normal sensitivity).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DetectorSettings {
    Table,
    Detector,
    Enabled,
    Sensitivity,
    UpdatedBy,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use DetectorSettings as D;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(ColumnDef::new(D::Detector).string().not_null().primary_key())
                    .col(ColumnDef::new(D::Enabled).boolean().not_null())
                    .col(ColumnDef::new(D::Sensitivity).string().not_null())
                    .col(ColumnDef::new(D::UpdatedBy).string().not_null())
                    .col(ColumnDef::new(D::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DetectorSettings::Table).to_owned()).await
    }
}
