//! The `tenure` server: settings, router, security layers, background loops and the CLI.
//! It only wires things; use cases live in `governance`, pages in `app`.
#![forbid(unsafe_code)]

pub mod api;
pub mod background;
pub mod bench;
pub mod bench_audit;
pub mod bench_floor;
pub mod cli;
pub mod demo;
pub mod routes;
pub mod security;
pub mod seed;
pub mod serve;
pub mod session_store;
pub mod settings;
pub mod startup;
pub mod telemetry;

pub use settings::Settings;
pub use startup::{launch_with_listener, prepare, router};
