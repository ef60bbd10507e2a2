//! SeaORM entities: the tables as the store sees them. Only the store uses these.

pub mod actions;
pub mod agent_keys;
pub mod agent_param_values;
pub mod agents;
pub mod alerts;
pub mod audit_exports;
pub mod capabilities;
pub mod checkpoints;
pub mod detector_settings;
pub mod evidence;
pub mod grants;
pub mod job_leases;
pub mod login_failures;
pub mod notification_deliveries;
pub mod notification_subscriptions;
pub mod outbox_events;
pub mod parameter_history;
pub mod peer_checks;
pub mod scorecard_counts;
pub mod scorecard_reviewers;
pub mod scorecard_sketches;
pub mod sessions;
pub mod template_versions;
pub mod templates;
pub mod user_roles;
pub mod users;
