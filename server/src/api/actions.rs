//! `POST /v1/actions` (ask before acting), `GET /v1/actions/{id}` (its state, optionally
//! waiting for it to change), and the execution and rollback reports on an action.

use crate::api::agent_auth::{AgentAuth, BearerKey};
use crate::api::error::{ApiError, ErrorBody};
use crate::api::input::{ApiPath, ApiQuery, Body, json_body};
use crate::api::wait::{LongPollMax, WaitQuery, long_poll};
use axum::Extension;
use axum::Json;
use axum::extract::State;
use governance::Services;
use governance::action::ActionRequest;
use governance::service::decisions::ActionAnswer;
use governance::service::execution::{ResultReport, RollbackReport};

/// Ask for a decision before acting
///
/// Decides one request. The key is checked before the body is read.
#[utoipa::path(post, path = "/v1/actions", operation_id = "requestAction", request_body = ActionRequest,
    responses(
        (status = 200, description = "The decision (also for a replayed idempotency key)", body = ActionAnswer,
            links(
                ("GetAction" = (operation_id = "getAction", parameters(("id" = "$response.body#/id")))),
                ("ReportResult" = (operation_id = "reportResult", parameters(("id" = "$response.body#/id")))),
                ("ReportRollback" = (operation_id = "reportRollback", parameters(("id" = "$response.body#/id")))),
            )),
        (status = 400, description = "The body is not JSON, or an object in it has a key twice", body = ErrorBody),
        (status = 413, description = "The body is larger than 2 MiB", body = ErrorBody),
        (status = 401, description = "Missing, malformed, unknown or revoked key", body = ErrorBody),
        (status = 409, description = "The idempotency key was used for a different request", body = ErrorBody),
        (status = 422, description = "A field is invalid; `field` names it (for params, the message starts with the JSON pointer)", body = ErrorBody),
        (status = 503, description = "The decision could not be recorded; nothing was decided", body = ErrorBody),
    ))]
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

/// An action's current state; with `wait`, answers when it changes
///
/// Answers at once, or with `wait` as soon as the state changes or the time is up.
#[utoipa::path(get, path = "/v1/actions/{id}", operation_id = "getAction",
    params(("id" = i64, Path, minimum = 1, maximum = 9223372036854775807i64, description = "The action's id"), ("wait" = Option<u64>, Query, minimum = 0, description = "Seconds to wait for a change")),
    responses(
        (status = 200, description = "The action", body = ActionAnswer),
        (status = 401, description = "Missing, malformed, unknown or revoked key", body = ErrorBody),
        (status = 404, description = "No such action of this agent", body = ErrorBody),
        (status = 422, description = "`id` or `wait` is not a whole number; `field` names which", body = ErrorBody),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ))]
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
        let (state, who, first_state) = (state.clone(), who.clone(), first.state);
        async move {
            let now = state.decisions.get(&who, id).await?;
            Ok((last || now.state != first_state).then_some(now))
        }
    })
    .await?;
    Ok(Json(answer))
}

/// Report the outcome of executing an allowed or approved action
#[utoipa::path(post, path = "/v1/actions/{id}/result", operation_id = "reportResult",
    params(("id" = i64, Path, minimum = 1, maximum = 9223372036854775807i64, description = "The action's id")), request_body = ResultReport,
    responses(
        (status = 200, description = "The action after the report: final, reversible (with `reversible_until`), awaiting_confirmation (supervised) or failed", body = ActionAnswer),
        (status = 400, description = "The body is not JSON, or an object in it has a key twice", body = ErrorBody),
        (status = 413, description = "The body is larger than 2 MiB", body = ErrorBody),
        (status = 401, description = "Missing, malformed, unknown or revoked key", body = ErrorBody),
        (status = 404, description = "No such action of this agent", body = ErrorBody),
        (status = 409, description = "The action is not allowed or approved (any more), or `params` differ from what was approved", body = ErrorBody),
        (status = 422, description = "A field, or the id in the path, is invalid; `field` names it", body = ErrorBody),
        (status = 503, description = "The report could not be recorded; nothing changed", body = ErrorBody),
    ))]
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

/// Report the outcome of a rollback a human asked for
#[utoipa::path(post, path = "/v1/actions/{id}/rollback-result", operation_id = "reportRollback",
    params(("id" = i64, Path, minimum = 1, maximum = 9223372036854775807i64, description = "The action's id")), request_body = RollbackReport,
    responses(
        (status = 200, description = "The action: rolled_back, or rollback_failed (an alert is raised for a person)", body = ActionAnswer),
        (status = 400, description = "The body is not JSON, or an object in it has a key twice", body = ErrorBody),
        (status = 413, description = "The body is larger than 2 MiB", body = ErrorBody),
        (status = 401, description = "Missing, malformed, unknown or revoked key", body = ErrorBody),
        (status = 404, description = "No such action of this agent", body = ErrorBody),
        (status = 409, description = "No rollback was requested for this action (or it was already reported)", body = ErrorBody),
        (status = 422, description = "A field, or the id in the path, is invalid; `field` names it", body = ErrorBody),
        (status = 503, description = "The report could not be recorded; nothing changed", body = ErrorBody),
    ))]
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
