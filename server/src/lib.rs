//! The `tenure` server: settings, router, security layers, background loops and the CLI.
//! It only wires things; use cases live in `governance`, pages in `app`.
#![forbid(unsafe_code)]

pub mod api;
pub mod background;
pub mod cli;
pub mod deliveries;
pub mod routes;
pub mod security;
pub mod serve;
pub mod session_store;
pub mod settings;
pub mod startup;
pub mod telemetry;

pub use settings::Settings;
pub use startup::{launch_with_listener, prepare, router};
