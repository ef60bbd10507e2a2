//! The evidence table refuses updates and deletes: the database itself keeps the trail
//! append-only, whatever code runs against it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: [&str; 2] = [
    "CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END",
    "CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END",
];

const POSTGRES_UP: [&str; 2] = [
    "CREATE FUNCTION tenure_evidence_append_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'evidence is append-only'; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER evidence_append_only BEFORE UPDATE OR DELETE ON evidence FOR EACH ROW EXECUTE FUNCTION tenure_evidence_append_only()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &POSTGRES_UP,
            _ => &SQLITE_UP,
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &[
                "DROP TRIGGER IF EXISTS evidence_append_only ON evidence",
                "DROP FUNCTION IF EXISTS tenure_evidence_append_only()",
            ],
            _ => &["DROP TRIGGER IF EXISTS evidence_no_update", "DROP TRIGGER IF EXISTS evidence_no_delete"],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
