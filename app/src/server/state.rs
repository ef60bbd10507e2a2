//! The state shared by pages, server functions and the REST API.

use axum::extract::FromRef;
use governance::{Accounts, Agents, Capabilities, Decisions, Grants, Inbox, Lifecycle, Store, Templates};
use leptos::config::LeptosOptions;

/// Everything a request handler may need; leptos_axum provides it as context.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub accounts: Accounts,
    pub agents: Agents,
    pub capabilities: Capabilities,
    pub templates: Templates,
    pub grants: Grants,
    pub decisions: Decisions,
    pub lifecycle: Lifecycle,
    pub inbox: Inbox,
    pub audit: governance::service::audit::Audit,
}
