//! Tenure's engine: domain types and pure decisions (no I/O), plus the SeaORM store and the
//! services that the console and the agent API both call. No web framework lives here.
#![forbid(unsafe_code)]

pub mod action;
pub mod agent;
pub mod api_key;
pub mod builtin;
pub mod canonical;
pub mod capability;
pub mod checkpoint;
pub mod clock;
pub mod condition;
pub mod copilot;
pub mod edit;
pub(crate) mod entity;
pub mod error;
pub mod evidence;
pub mod export;
pub mod monitor;
pub mod notify;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod password;
pub mod peer;
pub mod peer_stats;
pub mod policy;
pub mod principal;
pub mod queue;
pub mod quorum;
pub mod records;
pub mod reliability;
pub mod roles;
pub mod search;
pub mod service;
pub mod services;
pub mod shadow;
#[cfg(feature = "store-access")]
pub mod store;
#[cfg(not(feature = "store-access"))]
pub(crate) mod store;
pub mod telemetry;
pub mod template;
pub mod text;
pub mod throttle;
pub mod username;

pub use error::GovError;
pub use principal::Principal;
pub use roles::{Role, RoleSet};
pub use service::accounts::Accounts;
pub use service::agents::Agents;
pub use service::capabilities::Capabilities;
pub use service::decisions::Decisions;
pub use service::grants::Grants;
pub use service::inbox::Inbox;
pub use service::lifecycle::Lifecycle;
pub use service::scorecards::Scorecards;
pub use service::templates::Templates;
pub use service::trust_reviews::TrustReviews;
pub use services::{OpenError, Schema, Services, Sessions, Setup};
#[cfg(feature = "store-access")]
pub use store::Store;
pub use username::Username;
/// The action lifecycle: states, events, who sends each, and the pure `next` (in `vocab`, so
/// the console can match on states without the engine).
pub use vocab::lifecycle;
