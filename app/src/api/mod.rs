//! Server functions: each one gets the state, checks the caller, calls one service method and
//! converts the answer to a UI type. They run on the server; the browser posts plain forms.

pub mod actions;
#[cfg(feature = "ssr")]
pub(crate) mod agent_page;
pub mod agents;
pub mod alerts;
pub mod audit;
pub mod auth;
pub mod capabilities;
#[cfg(feature = "ssr")]
pub(crate) mod cards;
pub mod copilots;
pub mod dashboard;
pub mod exports;
pub mod groups;
pub mod inbox;
pub mod monitoring;
pub mod notifications;
pub mod reviews;
#[cfg(feature = "ssr")]
pub(crate) mod scorecard_rows;
pub mod templates;
pub mod users;

/// Formats a UTC time the way every page shows it.
#[cfg(feature = "ssr")]
pub(crate) fn show_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// An evidence record as the pages list it.
#[cfg(feature = "ssr")]
pub(crate) fn evidence_row(r: governance::evidence::Record) -> crate::model::EvidenceRow {
    crate::model::EvidenceRow {
        seq: r.seq,
        recorded_at: show_time(&r.recorded_at),
        actor: r.actor_name,
        kind: r.kind,
        summary: r.summary,
        hash_prefix: r.hash.chars().take(12).collect(),
    }
}

/// The role names ticked on a form, from its one-checkbox-per-role fields.
#[cfg(feature = "ssr")]
pub(crate) fn ticked_roles(
    admin: &Option<String>,
    manager: &Option<String>,
    reviewer: &Option<String>,
    auditor: &Option<String>,
) -> Vec<String> {
    [("admin", admin), ("manager", manager), ("reviewer", reviewer), ("auditor", auditor)]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(name, _)| name.to_owned())
        .collect()
}
