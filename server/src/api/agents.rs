//! `GET /v1/agents/me`: who the key belongs to and whether the agent may act.

use crate::api::agent_auth::AgentAuth;
use crate::api::error::ErrorBody;
use axum::Json;
use governance::agent::{AgentStatus, Environment};
use serde::Serialize;
use utoipa::ToSchema;

/// The calling agent.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentMe {
    pub id: i64,
    pub name: String,
    pub environment: Environment,
    /// Whether every answer this agent gets is a sandbox answer.
    pub sandbox: bool,
    pub status: AgentStatus,
    /// Why it is suspended (empty when active).
    pub status_reason: String,
    /// The prefix of the key that called (`tnr_<prefix>_…`).
    pub key_prefix: String,
}

/// The calling agent: identity, environment and status
#[utoipa::path(get, path = "/v1/agents/me", operation_id = "getMe",
    responses(
        (status = 200, description = "The agent", body = AgentMe),
        (status = 401, description = "Missing, malformed, unknown or revoked key", body = ErrorBody),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ))]
pub async fn me(AgentAuth(who): AgentAuth) -> Json<AgentMe> {
    let a = who.agent;
    Json(AgentMe {
        id: a.id,
        name: a.name,
        environment: a.environment,
        sandbox: a.environment == Environment::Sandbox,
        status: a.status,
        status_reason: a.status_reason,
        key_prefix: who.key_prefix,
    })
}
