//! `GET /v1/agents/me`: who the key belongs to and whether the agent may act.

use crate::api::agent_auth::AgentAuth;
use axum::Json;
use serde_json::{Value, json};

/// The calling agent's identity, environment and status.
pub async fn me(AgentAuth(who): AgentAuth) -> Json<Value> {
    let a = who.agent;
    Json(json!({
        "id": a.id,
        "name": a.name,
        "environment": a.environment,
        "sandbox": a.environment == governance::agent::Environment::Sandbox,
        "status": a.status,
        "status_reason": a.status_reason,
        "key_prefix": who.key_prefix,
    }))
}
