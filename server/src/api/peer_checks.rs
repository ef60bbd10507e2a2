//! The peer's side of a peer check: `GET /v1/peer-checks/next` hands out a task (long-poll
//! with `?wait=SECONDS`) and `POST /v1/peer-checks/{id}/verdict` takes the peer's own analysis.
//! Neither ever carries the primary's params, decision or reasoning.

use crate::api::agent_auth::AgentAuth;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::input::{ApiPath, ApiQuery, Body, json_body};
use crate::api::wait::{LongPollMax, WaitQuery, long_poll};
use axum::Extension;
use axum::Json;
use axum::extract::State;
use governance::Services;
use governance::service::peer_checks::{PeerTask, PeerVerdict};
use serde::Serialize;
use utoipa::ToSchema;

/// The next task, or none when nothing arrived in time.
#[derive(Debug, Serialize, ToSchema)]
pub struct Next {
    #[schema(required = true)]
    pub task: Option<PeerTask>,
}

/// The verdict was recorded; the peer is not told how it compared.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recorded {
    pub id: i64,
    pub status: RecordedStatus,
}

/// Always `recorded`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordedStatus {
    Recorded,
}

/// Take the next task this agent may check as a peer (never the primary's params, decision or reasoning)
///
/// Claims the oldest check this agent may take; with `wait`, answers as soon as there is one.
#[utoipa::path(get, path = "/v1/peer-checks/next", operation_id = "nextPeerCheck",
    params(("wait" = Option<u64>, Query, minimum = 0, description = "Seconds to wait for one to arrive")),
    responses(
        (status = 200, description = "The task (now taken by this agent), or `task: null` when none arrived in time", body = Next),
        (status = 401, description = "Missing, malformed, unknown or revoked key", body = ErrorBody),
        (status = 403, description = "The agent is suspended", body = ErrorBody),
        (status = 422, description = "`wait` is not a whole number", body = ErrorBody),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ))]
pub async fn next(
    State(state): State<Services>,
    AgentAuth(who): AgentAuth,
    ApiQuery(q): ApiQuery<WaitQuery>,
    Extension(max): Extension<LongPollMax>,
) -> Result<Json<Next>, ApiError> {
    let wait = q.duration(max)?;
    let task = long_poll(&state.lifecycle, wait, |last| {
        let (state, who) = (state.clone(), who.clone());
        async move {
            let task = state.lifecycle.next_peer_task(&who).await?;
            Ok((last || task.is_some()).then_some(task))
        }
    })
    .await?;
    Ok(Json(Next { task }))
}

/// Answer a taken peer check with this agent's own analysis
#[utoipa::path(post, path = "/v1/peer-checks/{id}/verdict", operation_id = "peerVerdict",
    params(("id" = i64, Path, minimum = 1, maximum = 9223372036854775807i64, description = "The check's id")),
    request_body = PeerVerdict,
    responses(
        (status = 200, description = "Recorded (how it compared is not told)", body = Recorded),
        (status = 400, description = "The body is not JSON, or an object in it has a key twice", body = ErrorBody),
        (status = 413, description = "The body is larger than 2 MiB", body = ErrorBody),
        (status = 401, description = "Missing, malformed, unknown or revoked key", body = ErrorBody),
        (status = 404, description = "No such check taken by this agent", body = ErrorBody),
        (status = 409, description = "The check was already answered or timed out", body = ErrorBody),
        (status = 422, description = "A field, or the id in the path, is invalid; `field` names it", body = ErrorBody),
        (status = 503, description = "The verdict could not be recorded; nothing changed", body = ErrorBody),
    ))]
pub async fn verdict(
    State(state): State<Services>,
    AgentAuth(who): AgentAuth,
    ApiPath(id): ApiPath<i64>,
    Body(body): Body,
) -> Result<Json<Recorded>, ApiError> {
    let v: PeerVerdict = json_body(&body)?;
    state.lifecycle.peer_verdict(&who, id, v).await?;
    Ok(Json(Recorded { id, status: RecordedStatus::Recorded }))
}
