//! People's decisions on actions: approve or reject what waits, confirm what a supervised
//! executor did, and record a shadow verdict beside an observer's recommendation.

use super::{Bulk, Lifecycle, Step, comment, with_comment};
use crate::canonical::canonical_json;
use crate::error::GovError;
use crate::lifecycle::Event;
use crate::principal::AsReviewer;
use crate::shadow::{self, Verdict};
use crate::store::actions::ActionRecord;
use crate::store::transitions::Changes;
use serde_json::{Value, json};

/// A peer disagreement is decided side by side ([`Lifecycle::resolve_disagreement`]), not here.
pub(super) fn not_peer_review(a: &ActionRecord) -> Result<(), GovError> {
    if a.peer_review {
        return Err(GovError::Conflict {
            field: "action",
            message: format!("action {} is a peer disagreement: choose between the two analyses side by side", a.id),
        });
    }
    Ok(())
}

/// An approval binds to the action as the reviewer was shown it (`shown_hash`).
pub(super) fn as_shown(a: &ActionRecord, shown_hash: &str) -> Result<(), GovError> {
    if shown_hash.trim() != a.action_hash {
        return Err(GovError::Conflict {
            field: "action_hash",
            message: format!("action {} is not the action you were shown; open it again before approving", a.id),
        });
    }
    Ok(())
}

/// Most items one batch approval may cover.
pub const MOST_BATCH_APPROVALS: usize = 25;

impl Lifecycle {
    /// Approves or rejects a pending action. An approval binds to the action as shown: if its
    /// hash is not `shown_hash` any more, nothing is approved. A template may forbid the
    /// agent's owner from approving its high-risk actions.
    pub async fn review(
        &self,
        who: &AsReviewer,
        id: i64,
        verdict: Verdict,
        shown_hash: &str,
        text: &str,
    ) -> Result<ActionRecord, GovError> {
        let note = comment("comment", text, verdict == Verdict::Reject)?;
        let a = self.load(id).await?;
        not_peer_review(&a)?;
        if verdict == Verdict::Approve {
            as_shown(&a, shown_hash)?;
            self.check_separation(who, &a).await?;
        }
        let quorum = if verdict == Verdict::Approve && a.approvals_required > 1 {
            let rule = self.rule_of(&a).await?;
            Some(super::QuorumCheck {
                required: u32::try_from(a.approvals_required).unwrap_or(2),
                distinct_groups: rule.and_then(|r| r.quorum).is_some_and(|q| q.distinct_groups),
                owner: self.store.agent_by_id(a.agent_id).await?.map(|ag| ag.owner_id),
                groups: self.store.group_names_of(who.user_id()).await?,
            })
        } else {
            None
        };
        let (event, kind, verb) = match verdict {
            Verdict::Approve => (Event::Approve, "action.approved", "approved"),
            Verdict::Reject => (Event::Reject, "action.rejected", "rejected"),
        };
        let step = Step {
            event,
            actor: who.actor().clone(),
            kind,
            summary: with_comment(format!("{} {verb} action {id} ({})", who.actor().name, a.capability), &note),
            details: json!({"comment": note, "action_hash": a.action_hash}),
            changes: Changes {
                approved_hash: (verdict == Verdict::Approve).then(|| a.action_hash.clone()),
                ..Changes::default()
            },
            alert: None,
            remember: if verdict == Verdict::Approve { self.watched_values(&a).await? } else { Vec::new() },
            peer: None,
        };
        self.apply_with(&a, step, quorum).await
    }

    /// Approves or rejects several actions with one comment. Each selection is `(id, hash
    /// shown)`; each action is its own transition, so one lost race skips only that action.
    pub async fn review_many(
        &self,
        who: &AsReviewer,
        selected: &[(i64, String)],
        verdict: Verdict,
        text: &str,
    ) -> Result<Bulk, GovError> {
        if selected.is_empty() {
            return Err(GovError::invalid("ids", "select at least one action"));
        }
        comment("comment", text, verdict == Verdict::Reject)?;
        if verdict == Verdict::Approve {
            self.alike(selected).await?;
        }
        let ids: Vec<i64> = selected.iter().map(|(id, _)| *id).collect();
        let shown = |id: i64| selected.iter().find(|(i, _)| *i == id).map_or("", |(_, h)| h.as_str());
        Bulk::each(&ids, "action", |id| async move { self.review(who, id, verdict, shown(id), text).await.map(|_| ()) })
            .await
    }

    /// Approving several at once is for alike items only — one capability under one template
    /// rule (template and version), at most [`MOST_BATCH_APPROVALS`] — so a batch is one
    /// judgement applied to cases that share it, not a way to clear the queue.
    async fn alike(&self, selected: &[(i64, String)]) -> Result<(), GovError> {
        if selected.len() > MOST_BATCH_APPROVALS {
            return Err(GovError::invalid(
                "ids",
                format!("approve at most {MOST_BATCH_APPROVALS} items at once ({} ticked)", selected.len()),
            ));
        }
        let ids: Vec<i64> = selected.iter().map(|(id, _)| *id).collect();
        let mut kinds: Vec<(String, Option<(i64, i64)>)> = Vec::new();
        for a in self.store.actions_by_ids(&ids).await? {
            let rule = match a.grant_id {
                Some(g) => {
                    crate::store::grants::by_id(self.store.db(), g).await?.map(|g| (g.template_id, g.template_version))
                }
                None => None,
            };
            if !kinds.contains(&(a.capability.clone(), rule)) {
                kinds.push((a.capability, rule));
            }
        }
        if kinds.len() > 1 {
            let names: Vec<&str> = kinds.iter().map(|(c, _)| c.as_str()).collect();
            return Err(GovError::invalid(
                "ids",
                format!(
                    "approve together only alike items — one capability under one template rule; these are {} kinds ({}): tick one kind, or decide them one by one",
                    kinds.len(),
                    names.join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// Confirms a supervised action: it becomes final.
    pub async fn confirm(&self, who: &AsReviewer, id: i64, text: &str) -> Result<ActionRecord, GovError> {
        let note = comment("comment", text, false)?;
        let a = self.load(id).await?;
        let step = Step {
            event: Event::Confirm,
            actor: who.actor().clone(),
            kind: "action.confirmed",
            summary: with_comment(format!("{} confirmed action {id} ({})", who.actor().name, a.capability), &note),
            details: json!({"comment": note}),
            changes: Changes::default(),
            alert: None,
            remember: Vec::new(),
            peer: None,
        };
        self.apply(&a, step).await
    }

    /// Records what the reviewer decides on an observer's recommendation, optionally with the
    /// params they would have used (a JSON object; empty means the agent's own).
    pub async fn record_shadow(
        &self,
        who: &AsReviewer,
        id: i64,
        verdict: Verdict,
        params_text: &str,
        text: &str,
    ) -> Result<ActionRecord, GovError> {
        let note = comment("comment", text, false)?;
        let a = self.load(id).await?;
        let recommended: Value = serde_json::from_str(&a.params).unwrap_or(Value::Null);
        let human: Option<Value> = match params_text.trim() {
            "" => None,
            t => {
                let v: Value =
                    serde_json::from_str(t).map_err(|e| GovError::invalid("params", format!("not valid JSON: {e}")))?;
                if !v.is_object() {
                    return Err(GovError::invalid("params", "must be a JSON object, like the agent's params"));
                }
                Some(v)
            }
        };
        // Blind review: approving says with which params; "the agent's" is not an answer, or
        // every lazy approval would count as agreement.
        if verdict == Verdict::Approve && human.is_none() {
            return Err(GovError::invalid(
                "params",
                "enter the params you would have used: the agent's are shown only after you record yours",
            ));
        }
        if let (Verdict::Approve, Some(p)) = (verdict, &human)
            && let Some(schema) = self.store.capability_by_name(&a.capability).await?.and_then(|c| c.params_schema)
        {
            schema.check(p).map_err(|v| GovError::invalid("params", format!("params{} {}", v.pointer, v.message)))?;
        }
        let agreement = shadow::compare(&recommended, verdict, human.as_ref());
        let step = Step {
            event: Event::RecordShadow,
            actor: who.actor().clone(),
            kind: "action.shadow_recorded",
            summary: format!(
                "{} would {} action {id} ({}): {}",
                who.actor().name,
                verdict.as_str(),
                a.capability,
                agreement.as_str().replace('_', " ")
            ),
            details: json!({"verdict": verdict, "params": human, "agreement": agreement, "comment": note}),
            changes: Changes {
                shadow_verdict: Some(verdict.as_str().to_owned()),
                shadow_params: human.as_ref().map(canonical_json),
                shadow_agreement: Some(agreement.as_str().to_owned()),
                ..Changes::default()
            },
            alert: None,
            remember: Vec::new(),
            peer: None,
        };
        self.apply(&a, step).await
    }
}
