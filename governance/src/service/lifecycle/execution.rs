//! The agent's side of the lifecycle: reporting what happened when it executed an allowed or
//! approved action, and honouring rollbacks.

use crate::action::binds;
use crate::canonical::canonical_json;
use crate::error::GovError;
use crate::lifecycle::{Event, State};
use crate::service::agents::AgentPrincipal;
use crate::service::lifecycle::{Lifecycle, NewAlert, Step};
use crate::store::actions::ActionRecord;
use crate::store::transitions::Changes;
use serde::Deserialize;
use serde_json::{Value, json};

/// Largest `output` or `undo` an agent may send, as canonical JSON bytes.
pub const MAX_REPORT_BYTES: usize = 64 * 1024;

/// `POST /v1/actions/{id}/result`.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResultReport {
    /// `succeeded` or `failed`.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::execution_status))]
    pub status: String,
    /// What happened (any JSON, at most 64 KiB).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Json))]
    pub output: Value,
    /// What the agent needs to undo it (any JSON, at most 64 KiB); returned with a rollback.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Json))]
    pub undo: Value,
    /// The params the agent executed with; when given, they must be the approved ones.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::JsonObject>))]
    pub params: Option<Value>,
}

/// `POST /v1/actions/{id}/rollback-result`.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RollbackReport {
    /// `rolled_back` or `failed`.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::rollback_status))]
    pub status: String,
    /// What happened (any JSON, at most 64 KiB).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Json))]
    pub output: Value,
}

fn bounded(field: &'static str, v: &Value) -> Result<String, GovError> {
    crate::text::storable_json(field, v).map_err(GovError::field)?;
    let text = canonical_json(v);
    if text.len() > MAX_REPORT_BYTES {
        return Err(GovError::invalid(field, format!("must be at most {MAX_REPORT_BYTES} bytes of JSON")));
    }
    Ok(text)
}

impl Lifecycle {
    /// One of the agent's own actions (another agent's is "not found").
    async fn own(&self, who: &AgentPrincipal, id: i64) -> Result<ActionRecord, GovError> {
        match self.store.action_by_id(id).await? {
            Some(a) if a.agent_id == who.agent.id => Ok(a),
            _ => Err(GovError::NotFound(format!("action {id}"))),
        }
    }

    /// Records the outcome of executing an allowed or approved action. A success makes it
    /// final, reversible until its undo window ends, or (supervised) waiting for a reviewer.
    pub async fn report_result(
        &self,
        who: &AgentPrincipal,
        id: i64,
        r: ResultReport,
    ) -> Result<ActionRecord, GovError> {
        let succeeded = match r.status.as_str() {
            "succeeded" => true,
            "failed" => false,
            other => return Err(GovError::invalid("status", format!("'{other}' is not succeeded or failed"))),
        };
        let output = bounded("output", &r.output)?;
        let undo = bounded("undo", &r.undo)?;
        if let Some(p) = &r.params {
            crate::text::storable_json("params", p).map_err(GovError::field)?;
        }
        let a = self.own(who, id).await?;
        // The approval (or the decision) covers these exact params and nothing else.
        let bound = a.approved_hash.clone().unwrap_or_else(|| a.action_hash.clone());
        if a.state == State::Approved.as_str() && bound != a.action_hash {
            return Err(GovError::Conflict {
                field: "params",
                message: format!("action {id} changed after it was approved; ask again"),
            });
        }
        if let Some(p) = &r.params
            && !binds(&bound, &a.capability, p)
        {
            return Err(GovError::Conflict {
                field: "params",
                message: format!("these params were not approved for action {id}; ask again with a new request"),
            });
        }
        let now = crate::clock::now();
        let window = self.store.capability_by_name(&a.capability).await?.and_then(|c| c.reversibility.window_minutes());
        let event = if succeeded {
            Event::Succeeded { supervised: a.supervised, reversible: window.is_some() }
        } else {
            Event::ExecutionFailed
        };
        let reversible_until = window.filter(|_| succeeded).map(|w| now + chrono::Duration::minutes(w));
        let step = Step {
            event,
            actor: who.actor(),
            kind: "action.reported",
            summary: format!("{} reported action {id} ({}) {}", who.agent.name, a.capability, r.status),
            details: json!({"status": r.status, "output": r.output, "undo": r.undo, "reversible_until": reversible_until}),
            changes: Changes {
                result_status: Some(r.status.clone()),
                output: Some(output),
                undo: Some(undo),
                reported_at: Some(now),
                reversible_until,
                ..Changes::default()
            },
            alert: None,
            remember: Vec::new(),
            peer: None,
        };
        self.apply(&a, step).await
    }

    /// The agent's actions a human asked it to undo, oldest first.
    pub async fn pending_rollbacks(&self, who: &AgentPrincipal) -> Result<Vec<ActionRecord>, GovError> {
        self.store.agent_actions_in(who.agent.id, &[State::RollbackRequested]).await
    }

    /// Records the outcome of a rollback; a failure raises an alert for a human.
    pub async fn report_rollback(
        &self,
        who: &AgentPrincipal,
        id: i64,
        r: RollbackReport,
    ) -> Result<ActionRecord, GovError> {
        let done = match r.status.as_str() {
            "rolled_back" => true,
            "failed" => false,
            other => return Err(GovError::invalid("status", format!("'{other}' is not rolled_back or failed"))),
        };
        let output = bounded("output", &r.output)?;
        let a = self.own(who, id).await?;
        let (event, kind, alert) = if done {
            (Event::RolledBack, "action.rolled_back", None)
        } else {
            let message = format!(
                "{} could not roll back action {id} ({}): a person must undo it by hand",
                who.agent.name, a.capability
            );
            (Event::RollbackFailed, "action.rollback_failed", Some(NewAlert { kind: "rollback_failed", message }))
        };
        let step = Step {
            event,
            actor: who.actor(),
            kind,
            summary: format!(
                "{} {} action {id} ({})",
                who.agent.name,
                if done { "rolled back" } else { "failed to roll back" },
                a.capability
            ),
            details: json!({"status": r.status, "output": r.output}),
            changes: Changes { rollback_output: Some(output), ..Changes::default() },
            alert,
            remember: Vec::new(),
            peer: None,
        };
        self.apply(&a, step).await
    }
}
