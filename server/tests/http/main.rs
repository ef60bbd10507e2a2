//! HTTP tests against the real router on port 0.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod actions;
mod agents;
mod alerts;
mod audit;
mod auth;
mod capabilities;
mod common;
mod csrf;
mod edits;
mod envelope;
mod grants;
mod inbox;
mod kept_forms;
mod lifecycle;
mod monitoring;
mod notifications;
mod openapi;
mod ops;
mod peer;
mod queues;
mod quorum;
mod reviews;
mod roles;
mod scorecards;
mod templates;
