//! Approving with edits: a reviewer approves a changed version of a pending action's params.
//! The change is checked against the capability's schema and the template's limits
//! ([`crate::edit`]); the action then holds the approved params and the approval binds to
//! their hash, so the agent can run only what was approved; the evidence keeps what the agent
//! proposed, the patch and the reviewer, and the scorecard counts it as an edited approval.

use super::reviews::{as_shown, not_peer_review};
use super::{Lifecycle, Step, comment, with_comment};
use crate::action::action_hash;
use crate::canonical::canonical_json;
use crate::error::GovError;
use crate::lifecycle::Event;
use crate::principal::AsReviewer;
use crate::shadow::{Agreement, Verdict};
use crate::store::actions::ActionRecord;
use crate::store::transitions::Changes;
use serde_json::{Value, json};

impl Lifecycle {
    /// Approves action `id` with the params in `params_text` instead of the agent's. Params
    /// the same as the agent's are a plain approval. Like any approval it binds to the action
    /// as shown (`shown_hash`) and keeps separation of duties.
    pub async fn approve_edited(
        &self,
        who: &AsReviewer,
        id: i64,
        shown_hash: &str,
        params_text: &str,
        text: &str,
    ) -> Result<ActionRecord, GovError> {
        let note = comment("comment", text, false)?;
        let edited = crate::edit::parse(params_text).map_err(|m| GovError::invalid("params", m))?;
        let a = self.load(id).await?;
        not_peer_review(&a)?;
        if a.state != crate::lifecycle::State::NeedsApproval {
            return Err(self.conflict(id, Event::Approve).await);
        }
        as_shown(&a, shown_hash)?;
        self.check_separation(who, &a).await?;
        if a.approvals_required > 1 {
            return Err(GovError::Conflict {
                field: "params",
                message: format!(
                    "action {id} needs {} people's approval: approve it as proposed or reject it (changed params would need every approval again)",
                    a.approvals_required
                ),
            });
        }
        if let Some(schema) = self.store.capability_by_name(&a.capability).await?.and_then(|c| c.params_schema) {
            schema
                .check(&edited)
                .map_err(|v| GovError::invalid("params", format!("params{} {}", v.pointer, v.message)))?;
        }
        let original: Value = serde_json::from_str(&a.params).unwrap_or(Value::Null);
        let limits = self.rule_of(&a).await?.map(|r| r.conditions.limits).unwrap_or_default();
        let Some(edit) = crate::edit::check(&original, &edited, &limits).map_err(|m| GovError::invalid("params", m))?
        else {
            return self.review(who, id, Verdict::Approve, shown_hash, text).await;
        };
        let hash = action_hash(&a.capability, &edit.params);
        let approved = ActionRecord { params: canonical_json(&edit.params), ..a.clone() };
        let step = Step {
            event: Event::Approve,
            actor: who.actor().clone(),
            kind: "action.approved",
            summary: with_comment(
                format!(
                    "{} approved action {id} ({}) with changes to {}",
                    who.actor().name,
                    a.capability,
                    edit.changed.join(", ")
                ),
                &note,
            ),
            details: json!({
                "comment": note,
                "action_hash": hash,
                "edited": true,
                "proposed_params": original,
                "proposed_hash": a.action_hash,
                "patch": edit.patch,
                "params": edit.params,
            }),
            remember: self.watched_values(&approved).await?,
            changes: Changes {
                params: Some(approved.params.clone()),
                action_hash: Some(hash.clone()),
                approved_hash: Some(hash),
                proposed_params: Some(a.params.clone()),
                params_edit: Some(canonical_json(&edit.patch)),
                shadow_agreement: Some(Agreement::DifferentParams.as_str().to_owned()),
                ..Changes::default()
            },
            alert: None,
            peer: None,
        };
        self.apply(&a, step).await
    }
}
