//! The store: SeaORM over SQLite (default) or PostgreSQL, one module per concept.

pub mod actions;
pub mod agents;
pub mod alerts;
pub mod approvals;
pub mod capabilities;
pub mod checkpoints;
pub mod decision_inputs;
pub mod deliveries;
pub mod detector_settings;
pub mod evidence;
pub mod evidence_facets;
pub mod exports;
pub mod grants;
pub mod inbox;
pub mod job_leases;
pub mod notifications;
pub mod parameter_history;
pub mod peer_checks;
pub mod queues;
pub mod reviewer_decisions;
pub mod scorecard_counts;
pub mod scorecards;
pub mod sessions;
pub mod templates;
pub mod throttle;
pub mod transitions;
pub mod users;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use std::path::Path;
use std::time::Duration;

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// The URL it was opened with (none when wrapping a given connection).
    url: Option<String>,
}

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`). A SQLite file and its
    /// folder are created if missing; SQLite runs in WAL mode with foreign keys and a busy timeout.
    pub async fn connect(url: &str) -> Result<Store, DbErr> {
        Store::open(url, None).await
    }

    /// As [`Store::connect`], with SQLite's `max_page_count` set on every connection, so the
    /// database answers "database or disk is full" once it would grow past `pages` pages: for
    /// tests of what Tenure does when its disk fills up.
    pub async fn connect_with_max_pages(url: &str, pages: u64) -> Result<Store, DbErr> {
        Store::open(url, Some(pages)).await
    }

    async fn open(url: &str, max_pages: Option<u64>) -> Result<Store, DbErr> {
        let mut opts = pool_options(url);
        if url.starts_with("sqlite:") {
            if let Some(dir) = sqlite_file(url).and_then(|f| f.parent().map(Path::to_path_buf))
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(&dir)
                    .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
            }
            // WAL lets readers run beside the one writer; enough connections for busy readers.
            opts.max_connections(16).map_sqlx_sqlite_opts(move |o| {
                let o = o
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL: a committed decision survives power loss; group commit amortises the fsync.
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // The file is not memory-mapped: a writer whose transaction follows a
                    // checkpoint that grew the file unmaps and remaps it (a TLB shootdown on
                    // every core), which cost the decision writer more than mapping saved.
                    // 16 MiB of page cache per connection instead of 2.
                    .pragma("cache_size", "-16384")
                    // Checkpoint every ~40 MiB of WAL instead of ~4: pages written by every
                    // batch (the ends of the indexes) are copied back once per checkpoint.
                    .pragma("wal_autocheckpoint", "10000");
                match max_pages {
                    Some(pages) => o.pragma("max_page_count", pages.to_string()),
                    None => o,
                }
            });
        } else {
            opts.max_connections(16);
        }
        Ok(Store { db: Database::connect(opts).await?, url: Some(url.to_owned()) })
    }

    /// Closes the pool's connections (a store cloned from this one is closed with it).
    pub async fn close(self) -> Result<(), DbErr> {
        self.db.close().await
    }

    /// The decision writer's own PostgreSQL connection, opened by the runtime that uses it (a
    /// socket belongs to the runtime that opened it). Lazy: it connects on first use and again
    /// after a failure, so a database that is away for a moment costs the batches of that moment
    /// (503), not the writer.
    pub async fn connect_writer(url: &str) -> Result<Store, DbErr> {
        let mut opts = pool_options(url);
        opts.max_connections(1).connect_lazy(true);
        Ok(Store { db: Database::connect(opts).await?, url: Some(url.to_owned()) })
    }

    /// Wraps an existing connection.
    pub fn from_connection(db: DatabaseConnection) -> Store {
        Store { db, url: None }
    }

    /// The URL it was opened with, if it was.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The connection, for migrations and the session store.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.db.ping().await
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so a transaction that reads before it writes cannot fail on a stale snapshot.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.backend() == DbBackend::Sqlite).then_some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        self.db.begin_with_options(options).await
    }
}

/// Every column of a table as `alias.column AS alias_column`, for a joined raw query whose rows
/// are read back with `FromQueryResult::from_query_result(row, "alias_")`.
pub(crate) fn aliased_columns<C: sea_orm::IdenStatic + sea_orm::Iterable>(alias: &str) -> String {
    C::iter().map(|c| format!("{alias}.{col} AS {alias}_{col}", col = c.as_str())).collect::<Vec<_>>().join(", ")
}

/// The `n`th bound parameter in a raw statement for `backend` (`$n` on PostgreSQL, `?` on SQLite).
pub(crate) fn placeholder(backend: DbBackend, n: usize) -> String {
    if backend == DbBackend::Postgres { format!("${n}") } else { "?".into() }
}

/// What every pool of ours shares: no statement logging, a 10 s wait for a connection, a
/// pooled connection is not pinged before each use (a dead one fails its query instead), and
/// one still inside a transaction is never handed out again.
///
/// Why the last: when SQLite answers "database or disk is full" it may roll the whole
/// transaction back by itself. The driver's `ROLLBACK` then fails ("no transaction is
/// active") and its count of open transactions stays at 1, so the next transaction on that
/// connection became a `SAVEPOINT`, its "commit" a `RELEASE` and its rollback a
/// `ROLLBACK TO` that leaves the transaction open: decisions answered as recorded that never
/// were, and a write lock held until the process restarted (issue 13). A connection whose
/// driver still counts an open transaction when it is handed out is closed instead, and the
/// pool opens a fresh one.
fn pool_options(url: &str) -> ConnectOptions {
    use sea_orm::sqlx::{Postgres, Sqlite};
    use sqlx_core::transaction::TransactionManager as _;
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(10)).test_before_acquire(false);
    opts.map_sqlx_sqlite_before_acquire(|conn, _| {
        let depth = <Sqlite as sea_orm::sqlx::Database>::TransactionManager::get_transaction_depth(conn);
        Box::pin(async move { Ok(usable(depth)) })
    });
    opts.map_sqlx_postgres_before_acquire(|conn, _| {
        let depth = <Postgres as sea_orm::sqlx::Database>::TransactionManager::get_transaction_depth(conn);
        Box::pin(async move { Ok(usable(depth)) })
    });
    opts
}

/// Whether a pooled connection the driver counts `depth` open transactions on may be used.
fn usable(depth: usize) -> bool {
    if depth != 0 {
        tracing::warn!(depth, "a pooled connection still inside a transaction was closed, not reused");
    }
    depth == 0
}

/// The file behind a `sqlite:` URL, if it names one.
fn sqlite_file(url: &str) -> Option<&Path> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| Path::new(path))
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;
    use std::path::Path;

    #[test]
    fn finds_the_file_behind_a_sqlite_url() {
        assert_eq!(sqlite_file("sqlite://data/tenure.db?mode=rwc"), Some(Path::new("data/tenure.db")));
        assert_eq!(sqlite_file("sqlite:/tmp/x.db"), Some(Path::new("/tmp/x.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
    }
}
