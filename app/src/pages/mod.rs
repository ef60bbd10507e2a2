//! One module per page.

pub mod account;
pub mod action_detail;
pub mod agent_copilot;
pub mod agent_detail;
pub mod agent_grants;
pub mod agent_oversight;
pub mod agent_track_record;
pub mod agents;
pub mod alerts;
pub mod audit;
pub mod audit_export;
pub mod audit_record;
pub mod capabilities;
pub mod corrections;
pub mod dashboard;
pub mod groups;
pub mod inbox;
pub mod login;
pub mod monitoring;
pub mod not_found;
pub mod notifications;
pub mod reviews;
pub mod template_detail;
pub mod template_promotion;
pub mod templates;
pub mod throttles;
pub mod users;

use crate::error::AppError;

/// The route's parameter `name` as a record number (a positive whole number), or the text it
/// had instead: `/agents/abc` is a page about nothing, not about agent 0.
pub(crate) fn number_param(name: &'static str) -> impl Fn() -> Result<i64, String> + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        let raw = leptos::prelude::Read::read(&params).get(name).unwrap_or_default();
        raw.parse::<i64>().ok().filter(|n| *n > 0).ok_or(raw)
    }
}

/// The "not found" (404) a page answers for a path whose number is not one.
pub(crate) fn not_a_number(what: &str, raw: &str) -> AppError {
    AppError::NotFound(format!("{what} '{raw}' (not a number)"))
}
