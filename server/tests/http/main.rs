//! HTTP tests against the real router on port 0.

mod auth;
mod common;
mod csrf;
mod ops;
mod roles;
