//! The peer's side of a peer check: `GET /v1/peer-checks/next` hands out a task (long-poll
//! with `?wait=SECONDS`) and `POST /v1/peer-checks/{id}/verdict` takes the peer's own analysis.
//! Neither ever carries the primary's params, decision or reasoning.

use crate::api::agent_auth::AgentAuth;
use crate::api::error::ApiError;
use crate::api::input::{ApiPath, ApiQuery, Body, json_body};
use crate::api::wait::{LongPollMax, WaitQuery, long_poll};
use axum::Extension;
use axum::Json;
use axum::extract::State;
use governance::Services;
use governance::service::peer_checks::{PeerTask, PeerVerdict};
use serde::Serialize;

/// The next task, or none when nothing arrived in time.
#[derive(Debug, Serialize)]
pub struct Next {
    pub task: Option<PeerTask>,
}

/// The verdict was recorded; the peer is not told how it compared.
#[derive(Debug, Serialize)]
pub struct Recorded {
    pub id: i64,
    pub status: &'static str,
}

/// Claims the oldest check this agent may take.
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

/// Records the peer's verdict.
pub async fn verdict(
    State(state): State<Services>,
    AgentAuth(who): AgentAuth,
    ApiPath(id): ApiPath<i64>,
    Body(body): Body,
) -> Result<Json<Recorded>, ApiError> {
    let v: PeerVerdict = json_body(&body)?;
    state.lifecycle.peer_verdict(&who, id, v).await?;
    Ok(Json(Recorded { id, status: "recorded" }))
}
