//! Permission templates and their immutable versions.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Templates {
    Table,
    Id,
    Name,
    Description,
    Builtin,
    CurrentVersion,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TemplateVersions {
    Table,
    Id,
    TemplateId,
    Version,
    Body,
    Note,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Templates::Table)
                    .col(ColumnDef::new(Templates::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Templates::Name).string_len(100).not_null().unique_key())
                    .col(ColumnDef::new(Templates::Description).text().not_null())
                    .col(ColumnDef::new(Templates::Builtin).boolean().not_null().default(false))
                    .col(ColumnDef::new(Templates::CurrentVersion).big_integer().not_null())
                    .col(ColumnDef::new(Templates::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TemplateVersions::Table)
                    .col(ColumnDef::new(TemplateVersions::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(TemplateVersions::TemplateId).big_integer().not_null())
                    .col(ColumnDef::new(TemplateVersions::Version).big_integer().not_null())
                    .col(ColumnDef::new(TemplateVersions::Body).text().not_null())
                    .col(ColumnDef::new(TemplateVersions::Note).text().not_null())
                    .col(ColumnDef::new(TemplateVersions::CreatedBy).string_len(200).not_null())
                    .col(ColumnDef::new(TemplateVersions::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(TemplateVersions::Table, TemplateVersions::TemplateId)
                            .to(Templates::Table, Templates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_template_versions_unique")
                    .table(TemplateVersions::Table)
                    .col(TemplateVersions::TemplateId)
                    .col(TemplateVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TemplateVersions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Templates::Table).to_owned()).await
    }
}
