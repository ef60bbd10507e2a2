//! Alerts about a person: the rubber-stamping detector watches reviewers, not agents, so an
//! alert may name a `reviewer` instead of an agent (`agent_id` becomes nullable), with one open
//! alert per reviewer and detector by a partial unique index.
//!
//! SQLite cannot drop a NOT NULL constraint: the table is rebuilt as SQLite documents it (a
//! new table from the stored definition with the constraint removed, the rows copied, the old
//! table dropped, the new one renamed), and its indexes and triggers — the decision inputs'
//! version triggers among them — are created again from their stored definitions.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Alerts {
    Table,
    Reviewer,
}

const OPEN_ONCE: &str = "CREATE UNIQUE INDEX idx_alerts_open_per_reviewer ON alerts (reviewer, detector) \
     WHERE resolved_at IS NULL AND reviewer IS NOT NULL";

/// The stored definitions (`sql`) of `kind` objects of table `alerts`.
async fn definitions(db: &impl ConnectionTrait, kind: &str) -> Result<Vec<String>, DbErr> {
    let sql = format!(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'alerts' AND type = '{kind}' AND sql IS NOT NULL ORDER BY name"
    );
    let rows = db.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql)).await?;
    rows.iter().map(|r| r.try_get::<String>("", "sql")).collect()
}

/// Rebuilds `alerts` on SQLite with `agent_id` nullable (`nullable` true) or not.
async fn rebuild_sqlite(db: &impl ConnectionTrait, nullable: bool) -> Result<(), DbErr> {
    let table = definitions(db, "table").await?.pop().ok_or_else(|| DbErr::Migration("no table alerts".into()))?;
    let (from, to) = if nullable {
        ("\"agent_id\" integer NOT NULL", "\"agent_id\" integer NULL")
    } else {
        ("\"agent_id\" integer NULL", "\"agent_id\" integer NOT NULL")
    };
    if !table.contains(from) {
        return Err(DbErr::Migration(format!("alerts is not as expected: {table}")));
    }
    let create = table.replacen(from, to, 1).replacen("CREATE TABLE \"alerts\"", "CREATE TABLE \"alerts_rebuilt\"", 1);
    let mut later = definitions(db, "index").await?;
    later.extend(definitions(db, "trigger").await?);
    let mut steps = vec![
        create,
        "INSERT INTO alerts_rebuilt SELECT * FROM alerts".to_owned(),
        "DROP TABLE alerts".to_owned(),
        "ALTER TABLE alerts_rebuilt RENAME TO alerts".to_owned(),
    ];
    steps.extend(later);
    // One batch on one connection.
    db.execute_unprepared(&steps.join(";\n")).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared("ALTER TABLE alerts ALTER COLUMN agent_id DROP NOT NULL").await?;
            }
            _ => rebuild_sqlite(db, true).await?,
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alerts::Table)
                    .add_column(ColumnDef::new(Alerts::Reviewer).string().null())
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(OPEN_ONCE).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX idx_alerts_open_per_reviewer").await?;
        db.execute_unprepared("DELETE FROM alerts WHERE agent_id IS NULL").await?;
        manager.alter_table(Table::alter().table(Alerts::Table).drop_column(Alerts::Reviewer).to_owned()).await?;
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared("ALTER TABLE alerts ALTER COLUMN agent_id SET NOT NULL").await?;
            }
            _ => rebuild_sqlite(db, false).await?,
        }
        Ok(())
    }
}
