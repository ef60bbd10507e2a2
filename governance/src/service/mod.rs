//! Services: the one place each use case lives. Pages, server functions, the REST API and the
//! CLI all call these methods, so the browser and the API can never disagree.

pub mod accounts;
pub mod agents;
pub mod alerts;
pub mod audit;
pub mod busy;
pub mod capabilities;
pub mod claims;
pub mod copilots;
pub mod dashboard;
pub mod decisions;
pub mod exports;
pub mod gauges;
pub mod grants;
pub mod group_commit;
pub mod inbox;
pub mod inbox_figures;
pub mod inputs_cache;
pub mod lifecycle;
pub mod scorecards;
pub mod standings;
// The lifecycle's parts keep their short paths (`service::execution::ResultReport`, …).
pub use lifecycle::{action_views, corrections, deadlines, execution, peer_checks};
pub mod monitor_job;
pub mod monitoring;
pub mod notifications;
pub(crate) mod peer_routing;
pub mod queues;
pub(crate) mod template_cache;
pub mod templates;
pub mod trust_reviews;
