//! The state shared by pages, server functions and the REST API: the engine's services and
//! the Leptos options. It holds no store: the services are the only way to the data.

use axum::extract::FromRef;
use governance::Services;
use leptos::config::LeptosOptions;

/// Everything a request handler may need; leptos_axum provides it as context.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
}

/// `state.accounts`, `state.decisions`, …: the services are read through the state.
impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}
