//! `GET /v1/rollbacks`: the actions a human asked this agent to undo, with the undo data it
//! reported; `?wait=SECONDS` long-polls until there is at least one.

use crate::api::agent_auth::AgentAuth;
use crate::api::error::ApiError;
use crate::api::input::ApiQuery;
use crate::api::wait::{LongPollMax, WaitQuery, long_poll};
use axum::Extension;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use governance::Services;
use governance::store::actions::ActionRecord;
use serde::Serialize;
use serde_json::Value;

/// One rollback to carry out.
#[derive(Debug, Serialize)]
pub struct RollbackItem {
    pub action_id: i64,
    pub capability: String,
    pub params: Value,
    pub output: Value,
    pub undo: Value,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: Option<DateTime<Utc>>,
}

/// The answer.
#[derive(Debug, Serialize)]
pub struct Rollbacks {
    pub rollbacks: Vec<RollbackItem>,
}

fn json(text: Option<&str>) -> Value {
    text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null)
}

fn item(a: ActionRecord) -> RollbackItem {
    RollbackItem {
        action_id: a.id,
        params: json(Some(&a.params)),
        output: json(a.output.as_deref()),
        undo: json(a.undo.as_deref()),
        capability: a.capability,
        reason: a.rollback_reason.unwrap_or_default(),
        requested_by: a.rollback_requested_by.unwrap_or_default(),
        requested_at: a.rollback_requested_at,
    }
}

/// Pending rollbacks of the calling agent.
pub async fn list(
    State(state): State<Services>,
    AgentAuth(who): AgentAuth,
    ApiQuery(q): ApiQuery<WaitQuery>,
    Extension(max): Extension<LongPollMax>,
) -> Result<Json<Rollbacks>, ApiError> {
    let wait = q.duration(max)?;
    let pending = long_poll(&state.lifecycle, wait, |last| {
        let (state, who) = (state.clone(), who.clone());
        async move {
            let pending = state.lifecycle.pending_rollbacks(&who).await?;
            Ok((last || !pending.is_empty()).then_some(pending))
        }
    })
    .await?;
    Ok(Json(Rollbacks { rollbacks: pending.into_iter().map(item).collect() }))
}
