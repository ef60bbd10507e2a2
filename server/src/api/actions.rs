//! `POST /v1/actions` (ask before acting), `GET /v1/actions/{id}` (its state, optionally
//! waiting for it to change), and the execution and rollback reports on an action.

use crate::api::agent_auth::{AgentAuth, BearerKey};
use crate::api::error::ApiError;
use crate::api::input::{ApiPath, ApiQuery, Body, json_body};
use crate::api::wait::{LongPollMax, WaitQuery, long_poll};
use axum::Extension;
use axum::Json;
use axum::extract::State;
use governance::Services;
use governance::action::ActionRequest;
use governance::service::decisions::ActionAnswer;
use governance::service::execution::{ResultReport, RollbackReport};

/// Decides one request. The key is checked before the body is read.
pub async fn create(
    State(state): State<Services>,
    BearerKey(key): BearerKey,
    Body(body): Body,
) -> Result<Json<ActionAnswer>, ApiError> {
    let who = state.decisions.authenticate(&key).await?;
    let req: ActionRequest = match json_body(&body) {
        Ok(req) => req,
        Err(e) => {
            state.decisions.confirm_key(&who).await?;
            return Err(e);
        }
    };
    Ok(Json(state.decisions.request(&who, req).await?))
}

/// The action's current state; with `wait`, answers as soon as the state changes or the time is up.
pub async fn get(
    State(state): State<Services>,
    AgentAuth(who): AgentAuth,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<WaitQuery>,
    Extension(max): Extension<LongPollMax>,
) -> Result<Json<ActionAnswer>, ApiError> {
    let wait = q.duration(max)?;
    let first = state.decisions.get(&who, id).await?;
    if wait.is_zero() {
        return Ok(Json(first));
    }
    let answer = long_poll(&state.lifecycle, wait, |last| {
        let (state, who, first_state) = (state.clone(), who.clone(), first.state.clone());
        async move {
            let now = state.decisions.get(&who, id).await?;
            Ok((last || now.state != first_state).then_some(now))
        }
    })
    .await?;
    Ok(Json(answer))
}

/// Reports the outcome of executing an allowed or approved action.
pub async fn result(
    State(state): State<Services>,
    AgentAuth(who): AgentAuth,
    ApiPath(id): ApiPath<i64>,
    Body(body): Body,
) -> Result<Json<ActionAnswer>, ApiError> {
    let report: ResultReport = json_body(&body)?;
    let after = state.lifecycle.report_result(&who, id, report).await?;
    Ok(Json(ActionAnswer::from(&after)))
}

/// Reports the outcome of a rollback a human asked for.
pub async fn rollback_result(
    State(state): State<Services>,
    AgentAuth(who): AgentAuth,
    ApiPath(id): ApiPath<i64>,
    Body(body): Body,
) -> Result<Json<ActionAnswer>, ApiError> {
    let report: RollbackReport = json_body(&body)?;
    let after = state.lifecycle.report_rollback(&who, id, report).await?;
    Ok(Json(ActionAnswer::from(&after)))
}
