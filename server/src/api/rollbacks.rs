//! `GET /v1/rollbacks`: the actions a human asked this agent to undo, with the undo data it
//! reported; `?wait=SECONDS` long-polls until there is at least one.

use crate::api::agent_auth::AgentAuth;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::input::ApiQuery;
use crate::api::wait::{LongPollMax, WaitQuery, long_poll};
use axum::Extension;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use governance::Services;
use governance::records::ActionRecord;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// One rollback to carry out.
#[derive(Debug, Serialize, ToSchema)]
pub struct RollbackItem {
    pub action_id: i64,
    pub capability: String,
    #[schema(value_type = Object)]
    pub params: Value,
    /// What the agent reported when it executed the action.
    #[schema(value_type = governance::openapi::Json)]
    pub output: Value,
    /// What the agent said it needs to undo it.
    #[schema(value_type = governance::openapi::Json)]
    pub undo: Value,
    pub reason: String,
    pub requested_by: String,
    #[schema(required = true)]
    pub requested_at: Option<DateTime<Utc>>,
}

/// The answer.
#[derive(Debug, Serialize, ToSchema)]
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

/// Actions a person asked this agent to undo, with the undo data it reported
///
/// Pending rollbacks of the calling agent; with `wait`, answers as soon as there is one.
#[utoipa::path(get, path = "/v1/rollbacks", operation_id = "listRollbacks",
    params(("wait" = Option<u64>, Query, minimum = 0, description = "Seconds to wait for one to arrive")),
    responses(
        (status = 200, description = "Pending rollbacks, oldest first (empty when none arrived in time)", body = Rollbacks),
        (status = 401, description = "Missing, malformed, unknown or revoked key", body = ErrorBody),
        (status = 422, description = "`wait` is not a whole number", body = ErrorBody),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ))]
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
