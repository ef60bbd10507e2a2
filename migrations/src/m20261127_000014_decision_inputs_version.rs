//! One counter that moves whenever anything a decision reads about its agent changes: keys
//! (issued, revoked), agents (suspended, reinstated, edited), capabilities, grants, template
//! versions and alerts. Each instance keeps those inputs in memory; the decision writer reads the
//! counter once per batch and refuses to record a decision made from older inputs, so a change
//! on any instance (the kill switch above all) holds for the very next decision everywhere.
//!
//! Triggers move the counter, so no write path can forget it. On PostgreSQL the trigger first
//! takes the evidence chain's lock (the one every decision batch holds while it commits): a
//! batch never sees a change half-made, and lock order is always the chain's lock, then rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose every change moves the counter.
const WATCHED: [&str; 6] = ["agents", "capabilities", "grants", "alerts", "templates", "template_versions"];

/// The key columns that matter to authentication (`last_used_at` does not move the counter).
const KEY_COLUMNS: &str = "agent_id, prefix, key_hash, revoked_at";

/// The evidence chain's lock (`governance::store::evidence::APPEND_LOCK`).
const APPEND_LOCK: i64 = 0x7465_6e75_7265;

const CREATE_TABLE: &str = "CREATE TABLE decision_inputs_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)";
const FIRST_ROW: &str = "INSERT INTO decision_inputs_version (id, version) VALUES (1, 1)";
const BUMP: &str = "UPDATE decision_inputs_version SET version = version + 1 WHERE id = 1";

fn sqlite_up() -> Vec<String> {
    let mut out = vec![CREATE_TABLE.to_owned(), FIRST_ROW.to_owned()];
    let mut add = |name: String, event: &str, table: &str| {
        out.push(format!("CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {BUMP}; END"));
    };
    for table in WATCHED {
        for event in ["INSERT", "UPDATE", "DELETE"] {
            add(format!("{table}_{}_moves_inputs", event.to_lowercase()), event, table);
        }
    }
    add("agent_keys_insert_moves_inputs".into(), "INSERT", "agent_keys");
    add("agent_keys_delete_moves_inputs".into(), "DELETE", "agent_keys");
    add("agent_keys_update_moves_inputs".into(), &format!("UPDATE OF {KEY_COLUMNS}"), "agent_keys");
    out
}

fn postgres_up() -> Vec<String> {
    let mut out = vec![
        CREATE_TABLE.to_owned(),
        FIRST_ROW.to_owned(),
        format!(
            "CREATE FUNCTION tenure_move_decision_inputs() RETURNS trigger AS $$ BEGIN \
             PERFORM pg_advisory_xact_lock({APPEND_LOCK}); {BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql"
        ),
    ];
    let trigger = |table: &str, events: &str| {
        format!(
            "CREATE TRIGGER {table}_moves_inputs BEFORE {events} ON {table} FOR EACH STATEMENT \
             EXECUTE FUNCTION tenure_move_decision_inputs()"
        )
    };
    for table in WATCHED {
        out.push(trigger(table, "INSERT OR UPDATE OR DELETE"));
    }
    out.push(trigger("agent_keys", &format!("INSERT OR DELETE OR UPDATE OF {KEY_COLUMNS}")));
    out
}

fn down(backend: DbBackend) -> Vec<String> {
    let mut out = Vec::new();
    match backend {
        DbBackend::Postgres => {
            for table in WATCHED.iter().chain(&["agent_keys"]) {
                out.push(format!("DROP TRIGGER IF EXISTS {table}_moves_inputs ON {table}"));
            }
            out.push("DROP FUNCTION IF EXISTS tenure_move_decision_inputs()".into());
        }
        _ => {
            for table in WATCHED {
                for event in ["insert", "update", "delete"] {
                    out.push(format!("DROP TRIGGER IF EXISTS {table}_{event}_moves_inputs"));
                }
            }
            for event in ["insert", "update", "delete"] {
                out.push(format!("DROP TRIGGER IF EXISTS agent_keys_{event}_moves_inputs"));
            }
        }
    }
    out.push("DROP TABLE IF EXISTS decision_inputs_version".into());
    out
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => postgres_up(),
            _ => sqlite_up(),
        };
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in down(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}
