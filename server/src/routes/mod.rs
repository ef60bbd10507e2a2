//! Plain axum routes beside the Leptos pages: probes, metrics, static assets, audit downloads, and the
//! status of server functions' errors.

pub mod assets;
pub mod audit;
pub mod form_status;
pub mod health;
pub mod metrics;
