//! Schema migrations, one file per change; each runs unchanged on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_accounts;
mod m20261125_000002_sessions;
mod m20261125_000003_evidence;
mod m20261125_000004_agents;
mod m20261125_000005_capabilities;
mod m20261125_000006_templates;
mod m20261125_000007_grants_actions;
mod m20261126_000008_lifecycle;
mod m20261126_000009_peer_checks;
mod m20261126_000010_checkpoints;
mod m20261126_000011_evidence_append_only;
mod m20261126_000012_evidence_search;
mod m20261126_000013_audit_exports;
mod m20261127_000014_decision_inputs_version;
mod m20261127_000015_evidence_hash_not_unique;
mod m20261203_000016_grant_tier_since;
mod m20261204_000017_scorecard_counts;
mod m20261206_000018_detector_settings;
mod m20261206_000019_scorecard_sketches;
mod m20261206_000020_monitor_alerts;
mod m20261206_000021_parameter_history;
mod m20261206_000022_reviewer_alerts;
mod m20261206_000023_parameter_history_days;
mod m20261206_000024_notifications;
mod m20261207_000025_alert_latest_figures;
mod m20261208_000026_grant_tier_override;
mod m20261208_000027_approval_edits;
mod m20261208_000028_inbox_queues;
mod m20261208_000029_approval_quorum;
mod m20261208_000030_copilots;

pub mod distinct_sketch;

/// The UTC day an action was proposed, as `YYYY-MM-DD`, in the backend's SQL.
pub use m20261204_000017_scorecard_counts::day_of_created;
/// The `job_leases` row of the parameter history (how far it has read the actions).
pub use m20261206_000021_parameter_history::LEASE as PARAMETER_HISTORY_LEASE;
/// Counts scorecards again from the actions and evidence (after rows were written directly).
pub use m20261206_000023_parameter_history_days::recount as recount_scorecards;

/// All of Tenure's migrations, in the order they apply.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_accounts::Migration),
            Box::new(m20261125_000002_sessions::Migration),
            Box::new(m20261125_000003_evidence::Migration),
            Box::new(m20261125_000004_agents::Migration),
            Box::new(m20261125_000005_capabilities::Migration),
            Box::new(m20261125_000006_templates::Migration),
            Box::new(m20261125_000007_grants_actions::Migration),
            Box::new(m20261126_000008_lifecycle::Migration),
            Box::new(m20261126_000009_peer_checks::Migration),
            Box::new(m20261126_000010_checkpoints::Migration),
            Box::new(m20261126_000011_evidence_append_only::Migration),
            Box::new(m20261126_000012_evidence_search::Migration),
            Box::new(m20261126_000013_audit_exports::Migration),
            Box::new(m20261127_000014_decision_inputs_version::Migration),
            Box::new(m20261127_000015_evidence_hash_not_unique::Migration),
            Box::new(m20261203_000016_grant_tier_since::Migration),
            Box::new(m20261204_000017_scorecard_counts::Migration),
            Box::new(m20261206_000018_detector_settings::Migration),
            Box::new(m20261206_000019_scorecard_sketches::Migration),
            Box::new(m20261206_000020_monitor_alerts::Migration),
            Box::new(m20261206_000021_parameter_history::Migration),
            Box::new(m20261206_000022_reviewer_alerts::Migration),
            Box::new(m20261206_000023_parameter_history_days::Migration),
            Box::new(m20261206_000024_notifications::Migration),
            Box::new(m20261207_000025_alert_latest_figures::Migration),
            Box::new(m20261208_000026_grant_tier_override::Migration),
            Box::new(m20261208_000027_approval_edits::Migration),
            Box::new(m20261208_000028_inbox_queues::Migration),
            Box::new(m20261208_000029_approval_quorum::Migration),
            Box::new(m20261208_000030_copilots::Migration),
        ]
    }
}
