//! Whether a grant's current tier was reached without meeting its criteria (a promotion or a
//! new grant above the template's free start, justified in writing), so the inbox can mark the
//! items of such agents. Grants that exist already are taken to have earned their tier: the
//! evidence trail holds which promotions were overrides.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Grants {
    Table,
    TierOverride,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let column = ColumnDef::new(Grants::TierOverride).boolean().not_null().default(false).to_owned();
        manager.alter_table(Table::alter().table(Grants::Table).add_column(column).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Grants::Table).drop_column(Grants::TierOverride).to_owned()).await
    }
}
