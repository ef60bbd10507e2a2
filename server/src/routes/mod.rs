//! Plain axum routes beside the Leptos pages: probes and static assets.

pub mod assets;
pub mod audit;
pub mod health;
