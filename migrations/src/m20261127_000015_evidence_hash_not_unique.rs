//! The evidence hash is no longer a unique key. Nothing looks a record up by its hash (the
//! chain is keyed, and kept from forking, by `seq`), and keeping a unique index of random
//! 64-character keys cost every append a B-tree insert at a random place — on SQLite a page
//! of the write-ahead log per record, and a read from disk once the index outgrew the cache
//! (decisions at 64 clients on SQLite about 10,600 -> 13,600-14,500/s with the index gone).
//!
//! SQLite cannot drop the index of a column's UNIQUE constraint, so the table is rebuilt and
//! its records copied unchanged (seq, hashes and all), then its indexes and triggers (the
//! append-only guard and the full-text feed) are created again. The full-text index is keyed
//! by `seq` and stays as it is. Runs in one transaction on both databases.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The evidence table's columns (migrations 3 and 12), with or without the hash's UNIQUE.
fn columns(unique_hash: bool) -> String {
    format!(
        "\"seq\" integer NOT NULL PRIMARY KEY, \"recorded_at\" timestamp_with_timezone_text NOT NULL, \
         \"actor_kind\" varchar(16) NOT NULL, \"actor_id\" integer NULL, \"actor_name\" varchar(200) NOT NULL, \
         \"kind\" varchar(64) NOT NULL, \"subject_kind\" varchar(32) NOT NULL, \"subject_id\" varchar(200) NOT NULL, \
         \"summary\" text NOT NULL, \"details\" text NOT NULL, \"prev_hash\" varchar(64) NOT NULL, \
         \"hash\" varchar(64) NOT NULL{}, \"agent_id\" integer NULL, \"capability\" varchar(100) NULL, \
         \"outcome\" varchar(32) NULL",
        if unique_hash { " UNIQUE" } else { "" }
    )
}

const COPIED: &str = "seq, recorded_at, actor_kind, actor_id, actor_name, kind, subject_kind, subject_id, \
                      summary, details, prev_hash, hash, agent_id, capability, outcome";

/// What the table carries besides its columns, as migrations 3, 11 and 12 created it.
const INDEXES_AND_TRIGGERS: [&str; 9] = [
    "CREATE INDEX \"idx_evidence_kind_time\" ON \"evidence\" (\"kind\", \"recorded_at\")",
    "CREATE INDEX \"idx_evidence_agent_seq\" ON \"evidence\" (\"agent_id\", \"seq\")",
    "CREATE INDEX \"idx_evidence_capability_seq\" ON \"evidence\" (\"capability\", \"seq\")",
    "CREATE INDEX \"idx_evidence_outcome_seq\" ON \"evidence\" (\"outcome\", \"seq\")",
    "CREATE INDEX \"idx_evidence_actor_seq\" ON \"evidence\" (\"actor_name\", \"seq\")",
    "CREATE INDEX \"idx_evidence_kind_seq\" ON \"evidence\" (\"kind\", \"seq\")",
    "CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END",
    "CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END",
    "CREATE TRIGGER evidence_fts_insert AFTER INSERT ON evidence BEGIN \
       INSERT INTO evidence_fts(rowid, body) VALUES (new.seq, new.summary || ' ' || new.details); END",
];

/// Rebuilds SQLite's evidence table with or without the hash's UNIQUE.
fn sqlite_rebuild(unique_hash: bool) -> Vec<String> {
    let mut out = vec![
        format!("CREATE TABLE \"evidence_rebuilt\" ( {} )", columns(unique_hash)),
        format!("INSERT INTO evidence_rebuilt ({COPIED}) SELECT {COPIED} FROM evidence ORDER BY seq"),
        // Dropping the table drops its indexes and triggers; it fires no trigger.
        "DROP TABLE evidence".to_owned(),
        "ALTER TABLE evidence_rebuilt RENAME TO evidence".to_owned(),
    ];
    out.extend(INDEXES_AND_TRIGGERS.iter().map(|s| (*s).to_owned()));
    out
}

async fn run(manager: &SchemaManager<'_>, statements: Vec<String>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in statements {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => vec!["ALTER TABLE evidence DROP CONSTRAINT evidence_hash_key".to_owned()],
            _ => sqlite_rebuild(false),
        };
        run(manager, statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => {
                vec!["ALTER TABLE evidence ADD CONSTRAINT evidence_hash_key UNIQUE (hash)".to_owned()]
            }
            _ => sqlite_rebuild(true),
        };
        run(manager, statements).await
    }
}
