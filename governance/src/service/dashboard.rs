//! Console-wide figures for the dashboard, read straight from the database.

use crate::error::GovError;
use crate::evidence::Record;
use crate::principal::AsMember;
use crate::roles::Role;
use crate::store::Store;
use chrono::Duration;

/// What the dashboard shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figures {
    /// Users in all, and how many are active.
    pub users_total: u64,
    pub users_active: u64,
    /// Active users per role, in role order.
    pub active_by_role: Vec<(Role, u64)>,
    /// Sign-ins and failed sign-ins over the last 24 hours.
    pub sign_ins_24h: u64,
    pub failed_sign_ins_24h: u64,
    /// Length of the evidence trail.
    pub evidence_records: u64,
    /// The newest evidence records.
    pub recent: Vec<Record>,
    /// Alerts open (nobody acknowledged them), acknowledged, and resolved.
    pub alerts: [u64; 3],
}

/// Reads the dashboard figures (any signed-in role).
pub async fn figures(store: &Store, _by: &AsMember) -> Result<Figures, GovError> {
    let users = store.list_users().await?;
    let active: Vec<_> = users.iter().filter(|u| u.active).collect();
    let active_by_role =
        Role::ALL.into_iter().map(|r| (r, active.iter().filter(|u| u.roles.contains(r)).count() as u64)).collect();
    let since = crate::clock::now() - Duration::hours(24);
    Ok(Figures {
        users_total: users.len() as u64,
        users_active: active.len() as u64,
        active_by_role,
        sign_ins_24h: store.evidence_count_since("auth.login", since).await?,
        failed_sign_ins_24h: store.evidence_count_since("auth.login_failed", since).await?,
        evidence_records: store.evidence_count().await?,
        recent: store.recent_evidence(8).await?,
        alerts: store.alert_state_counts().await?,
    })
}
