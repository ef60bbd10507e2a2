//! The one door into the engine: every service over one store, built together. Pages, server
//! functions, the agent API and the CLI hold a `Services` and call its services' methods with
//! the caller's role token; none of them holds the store.

use crate::error::GovError;
use crate::principal::{AsAuditor, AsMember};
use crate::service::accounts::ThrottlePolicy;
use crate::service::audit::{Audit, Signer};
use crate::service::dashboard::Figures;
use crate::store::Store;
use crate::{Accounts, Agents, Capabilities, Decisions, Grants, Inbox, Lifecycle, Scorecards, Templates, TrustReviews};
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// Every service, sharing one store (cheap to clone: clones share everything).
#[derive(Clone, Debug)]
pub struct Services {
    store: Store,
    pub accounts: Accounts,
    pub agents: Agents,
    pub capabilities: Capabilities,
    pub templates: Templates,
    pub grants: Grants,
    pub decisions: Decisions,
    pub lifecycle: Lifecycle,
    pub inbox: Inbox,
    /// Reviewer groups and routing rules.
    pub queues: crate::service::queues::Queues,
    pub scorecards: Scorecards,
    pub trust_reviews: TrustReviews,
    pub monitoring: crate::service::monitoring::Monitoring,
    /// The monitoring job, as this instance (its lease holder name is unique to it).
    pub monitor: crate::service::monitor_job::MonitorJob,
    pub alerts: crate::service::alerts::Alerts,
    /// Notification subscriptions and deliveries, as this instance (it leases what it sends).
    pub notifications: crate::service::notifications::Notifications,
    pub audit: Audit,
    pub sessions: Sessions,
}

/// How the services are set up beyond the store.
pub struct Setup {
    pub throttle: ThrottlePolicy,
    pub signer: Signer,
    /// Where prepared export files are kept.
    pub exports_dir: PathBuf,
    /// How long a reviewer's claim on an inbox item holds untouched.
    pub claim_idle: chrono::Duration,
}

/// The schema when the services opened the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schema {
    /// Migrations applied in all.
    pub applied: usize,
    /// Of those, applied just now.
    pub new: usize,
}

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open the database: {0}")]
    Connect(String),
    #[error("cannot apply migrations: {0}")]
    Migrate(String),
}

impl Services {
    /// Opens the database at `url` (SQLite or PostgreSQL), brings its schema up to date and
    /// builds every service over it.
    pub async fn open(url: &str, setup: Setup) -> Result<(Services, Schema), OpenError> {
        use migrations::{Migrator, MigratorTrait};
        let store = Store::connect(url).await.map_err(|e| OpenError::Connect(e.to_string()))?;
        let new = Migrator::get_pending_migrations(store.db()).await.map(|p| p.len()).unwrap_or(0);
        Migrator::up(store.db(), None).await.map_err(|e| OpenError::Migrate(e.to_string()))?;
        let applied = Migrator::get_applied_migrations(store.db()).await.map(|a| a.len()).unwrap_or(0);
        Ok((Services::new(store, setup), Schema { applied, new }))
    }

    /// Every service over `store`.
    pub fn new(store: Store, setup: Setup) -> Services {
        let instance = instance_name();
        Services {
            accounts: Accounts::new(store.clone(), setup.throttle),
            agents: Agents::new(store.clone()),
            capabilities: Capabilities::new(store.clone()),
            templates: Templates::new(store.clone()),
            grants: Grants::new(store.clone()),
            decisions: Decisions::new(store.clone()),
            lifecycle: Lifecycle::new(store.clone()).claims_lapse_after(setup.claim_idle),
            inbox: Inbox::new(store.clone()).claims_lapse_after(setup.claim_idle),
            queues: crate::service::queues::Queues::new(store.clone()),
            scorecards: Scorecards::new(store.clone()),
            trust_reviews: TrustReviews::new(store.clone()),
            monitoring: crate::service::monitoring::Monitoring::new(store.clone()),
            monitor: crate::service::monitor_job::MonitorJob::new(store.clone(), instance.clone()),
            notifications: crate::service::notifications::Notifications::new(store.clone(), instance),
            alerts: crate::service::alerts::Alerts::new(store.clone()),
            audit: Audit::new(store.clone(), setup.signer, setup.exports_dir),
            sessions: Sessions { store: store.clone() },
            store,
        }
    }

    /// The store under the services, for the demo's and the benchmarks' seeding only (the
    /// server is built without `store-access`).
    #[cfg(feature = "store-access")]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// `sqlite` or `postgresql`, for logs.
    pub fn database_kind(&self) -> String {
        format!("{:?}", self.store.backend()).to_lowercase()
    }

    /// Whether the database answers (the readiness probe).
    pub async fn ping(&self) -> Result<(), GovError> {
        self.store.ping().await.map_err(GovError::from)
    }

    /// What `/metrics` reads from the database at each scrape: inbox depth and age, open
    /// alerts, the pool's connections. No role token: the server guards `/metrics` itself.
    pub async fn gauges(&self) -> Result<crate::service::gauges::Gauges, GovError> {
        crate::service::gauges::read(&self.store, &self.inbox).await
    }

    /// Closes the database connections: every later call fails as unavailable.
    pub async fn close(&self) -> Result<(), GovError> {
        self.store.db().clone().close().await.map_err(GovError::from)
    }

    /// The dashboard's console-wide figures (any signed-in role).
    pub async fn dashboard(&self, by: &AsMember) -> Result<Figures, GovError> {
        crate::service::dashboard::figures(&self.store, by).await
    }

    /// The evidence trail's newest sequence number (auditors and admins).
    pub async fn evidence_head(&self, _by: &AsAuditor) -> Result<i64, GovError> {
        Ok(self.store.evidence_head().await?.0)
    }

    /// One housekeeping pass: expired sessions and sign-in failures older than `window` go;
    /// returns how many sessions were removed. Idempotent, so several instances may run it.
    pub async fn housekeeping(&self, now: DateTime<Utc>, window: chrono::Duration) -> Result<u64, GovError> {
        let removed = self.store.session_delete_expired(now).await?;
        self.store.prune_failures(now - window).await?;
        Ok(removed)
    }
}

/// A name for this process among the instances sharing a database: the host's name where
/// known, and a random part.
fn instance_name() -> String {
    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "tenure".to_owned());
    format!("{host}-{:016x}", rand::random::<u64>())
}

/// Console sessions in the database (before anyone is signed in, so no role token).
#[derive(Clone, Debug)]
pub struct Sessions {
    store: Store,
}

impl Sessions {
    /// Stores a new session; false if the id is taken.
    pub async fn create(&self, id: &str, data: &str, expires_at: DateTime<Utc>) -> Result<bool, GovError> {
        self.store.session_create(id, data, expires_at).await
    }

    /// Stores a session, replacing what was there.
    pub async fn save(&self, id: &str, data: &str, expires_at: DateTime<Utc>) -> Result<(), GovError> {
        self.store.session_save(id, data, expires_at).await
    }

    /// A session's data, unless it has expired by `now`.
    pub async fn load(&self, id: &str, now: DateTime<Utc>) -> Result<Option<String>, GovError> {
        self.store.session_load(id, now).await
    }

    /// Ends a session.
    pub async fn delete(&self, id: &str) -> Result<(), GovError> {
        self.store.session_delete(id).await
    }

    /// Removes sessions expired by `now`; returns how many.
    pub async fn delete_expired(&self, now: DateTime<Utc>) -> Result<u64, GovError> {
        self.store.session_delete_expired(now).await
    }
}
