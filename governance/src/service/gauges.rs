//! What the operations team watches right now, read from the database when `/metrics` is
//! scraped (the counters and histograms of [`crate::telemetry`] are kept as things happen).

use crate::error::GovError;
use crate::service::inbox::{Inbox, SectionDepth};
use crate::store::Store;
use sea_orm::DbBackend;

/// The figures of one scrape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gauges {
    /// Per inbox section: how many actions wait, and since when the oldest.
    pub inbox: Vec<SectionDepth>,
    /// Alerts nobody has acknowledged yet.
    pub open_alerts: u64,
    /// The database pool of this instance.
    pub pool: PoolUse,
}

/// Connections of this instance's database pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUse {
    /// Open now, idle or in use.
    pub open: u32,
    /// Open and idle.
    pub idle: u32,
    /// The most it opens.
    pub max: u32,
}

impl PoolUse {
    /// Connections in use.
    pub fn busy(&self) -> u32 {
        self.open.saturating_sub(self.idle)
    }
}

/// Reads the gauges.
pub async fn read(store: &Store, inbox: &Inbox) -> Result<Gauges, GovError> {
    Ok(Gauges { inbox: inbox.depth().await?, open_alerts: store.open_alert_count(None).await?, pool: pool_use(store) })
}

fn pool_use(store: &Store) -> PoolUse {
    let db = store.db();
    let (open, idle, max) = match store.backend() {
        DbBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        _ => {
            let p = db.get_postgres_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
    };
    PoolUse { open, idle: u32::try_from(idle).unwrap_or(u32::MAX), max }
}
