//! A tower-sessions store over Tenure's own database, so sessions survive restarts and are
//! shared by every instance on one PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use governance::Sessions;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// Sessions in the `sessions` table.
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    sessions: Sessions,
}

impl DbSessionStore {
    /// A session store over the engine's `sessions`.
    pub fn new(sessions: Sessions) -> DbSessionStore {
        DbSessionStore { sessions }
    }
}

fn backend<E: std::fmt::Display>(e: E) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn expiry(t: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or_default().trunc_subsecs(6)
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = encode(record)?;
        // A colliding id is astronomically unlikely; draw a new one rather than overwrite.
        while !self.sessions.create(&record.id.to_string(), &data, expiry(record.expiry_date)).await.map_err(backend)? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.sessions.save(&record.id.to_string(), &encode(record)?, expiry(record.expiry_date)).await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(data) = self.sessions.load(&id.to_string(), governance::clock::now()).await.map_err(backend)? else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        // The layer recomputes the expiry from the configured idle timeout on every request.
        Ok(Some(Record { id: *id, data, expiry_date: OffsetDateTime::now_utc() }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.sessions.delete(&id.to_string()).await.map_err(backend)
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.sessions.delete_expired(governance::clock::now()).await.map_err(backend)?;
        Ok(())
    }
}
