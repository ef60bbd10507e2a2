//! Searching the evidence trail: index columns derived from each record when it is appended
//! (the agent it concerns, the capability, the decision or resulting state — not covered by
//! the hash, which covers the record itself), and full-text search over summary and details:
//! SQLite FTS5, PostgreSQL a `tsvector` with a GIN index. Existing records are back-filled
//! with the append-only guard lifted for the duration of this migration only.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Evidence {
    Table,
    Seq,
    AgentId,
    Capability,
    Outcome,
    ActorName,
    Kind,
}

const SQLITE: [&str; 6] = [
    "DROP TRIGGER evidence_no_update",
    "UPDATE evidence SET \
       capability = json_extract(details, '$.capability'), \
       agent_id = CASE WHEN actor_kind = 'agent' THEN actor_id \
                       WHEN subject_kind = 'agent' THEN CAST(subject_id AS INTEGER) \
                       ELSE json_extract(details, '$.agent_id') END, \
       outcome = CASE WHEN kind = 'action.decided' THEN json_extract(details, '$.decision') \
                      ELSE json_extract(details, '$.after') END",
    "CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END",
    "CREATE VIRTUAL TABLE evidence_fts USING fts5(body, content='')",
    "INSERT INTO evidence_fts(rowid, body) SELECT seq, summary || ' ' || details FROM evidence",
    "CREATE TRIGGER evidence_fts_insert AFTER INSERT ON evidence BEGIN \
       INSERT INTO evidence_fts(rowid, body) VALUES (new.seq, new.summary || ' ' || new.details); END",
];

const POSTGRES: [&str; 5] = [
    "ALTER TABLE evidence DISABLE TRIGGER evidence_append_only",
    "UPDATE evidence SET \
       capability = details::jsonb ->> 'capability', \
       agent_id = CASE WHEN actor_kind = 'agent' THEN actor_id \
                       WHEN subject_kind = 'agent' THEN subject_id::bigint \
                       ELSE (details::jsonb ->> 'agent_id')::bigint END, \
       outcome = CASE WHEN kind = 'action.decided' THEN details::jsonb ->> 'decision' \
                      ELSE details::jsonb ->> 'after' END",
    "ALTER TABLE evidence ENABLE TRIGGER evidence_append_only",
    "ALTER TABLE evidence ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', summary || ' ' || details)) STORED",
    "CREATE INDEX idx_evidence_search ON evidence USING GIN (search)",
];

fn index(name: &str, col: Evidence) -> IndexCreateStatement {
    Index::create().name(name).table(Evidence::Table).col(col).col(Evidence::Seq).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut cols = [
            ColumnDef::new(Evidence::AgentId).big_integer().null().to_owned(),
            ColumnDef::new(Evidence::Capability).string_len(100).null().to_owned(),
            ColumnDef::new(Evidence::Outcome).string_len(32).null().to_owned(),
        ];
        for col in &mut cols {
            manager.alter_table(Table::alter().table(Evidence::Table).add_column(col).to_owned()).await?;
        }
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                for sql in POSTGRES {
                    db.execute_unprepared(sql).await?;
                }
            }
            // One batch on one connection: lifting and restoring the guard must not be split
            // across pooled connections.
            _ => {
                db.execute_unprepared(&SQLITE.join(";\n")).await?;
            }
        }
        // Newest-first keyset pages per filter.
        manager.create_index(index("idx_evidence_agent_seq", Evidence::AgentId)).await?;
        manager.create_index(index("idx_evidence_capability_seq", Evidence::Capability)).await?;
        manager.create_index(index("idx_evidence_outcome_seq", Evidence::Outcome)).await?;
        manager.create_index(index("idx_evidence_actor_seq", Evidence::ActorName)).await?;
        manager.create_index(index("idx_evidence_kind_seq", Evidence::Kind)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for name in [
            "idx_evidence_agent_seq",
            "idx_evidence_capability_seq",
            "idx_evidence_outcome_seq",
            "idx_evidence_actor_seq",
            "idx_evidence_kind_seq",
        ] {
            manager.drop_index(Index::drop().name(name).table(Evidence::Table).to_owned()).await?;
        }
        let statements: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => {
                &["DROP INDEX IF EXISTS idx_evidence_search", "ALTER TABLE evidence DROP COLUMN search"]
            }
            _ => &["DROP TRIGGER IF EXISTS evidence_fts_insert", "DROP TABLE IF EXISTS evidence_fts"],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        for col in [Evidence::AgentId, Evidence::Capability, Evidence::Outcome] {
            manager.alter_table(Table::alter().table(Evidence::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
