//! Every transition of an action after its decision goes through [`Lifecycle::apply`]: the
//! pure state machine says whether it is allowed, one write transaction moves the state by
//! compare-and-set and appends the evidence record (and any alert), and a racing second actor
//! is told who got there first. This file holds that one door; each concept that uses it has
//! its own file: `reviews` (approve, reject, confirm, shadow verdicts), `execution` (the
//! agents' reports and rollback results), `corrections` (rollback requests), `peer_checks` (the
//! second opinion and its resolution), `deadlines` (expiries and ended undo windows), `alert_resolution`
//! (resolving alerts) and `action_views` (what pages read about actions).

pub mod action_views;
mod alert_resolution;
pub mod corrections;
pub mod deadlines;
mod edits;
pub mod execution;
pub mod peer_checks;
mod reviews;
pub use reviews::MOST_BATCH_APPROVALS;

use crate::error::GovError;
use crate::evidence::{Actor, Draft};
use crate::lifecycle::State;
use crate::lifecycle::{Event, next};
use crate::principal::AsReviewer;
use crate::store::actions::ActionRecord;
use crate::store::notifications::NewEvent;
use crate::store::transitions::{self, Changes};
use crate::store::{Store, alerts, evidence, scorecard_counts as counted};
use serde_json::{Value, json};

/// Longest comment or reason a person may attach.
pub const MAX_COMMENT: usize = 2000;

/// An alert to raise in the same transaction as a transition.
pub(crate) struct NewAlert {
    pub kind: &'static str,
    pub message: String,
}

/// One transition, as the use cases describe it to [`Lifecycle::apply`].
pub(crate) struct Step {
    pub event: Event,
    pub actor: Actor,
    /// The evidence record's kind, e.g. `action.approved`.
    pub kind: &'static str,
    /// One readable sentence for the trail.
    pub summary: String,
    /// Extra evidence detail (comment, reason, output); before/after are added here.
    pub details: Value,
    pub changes: Changes,
    pub alert: Option<NewAlert>,
    /// Param values the agent has now used (approved), so they are no longer "never seen".
    pub remember: Vec<(String, String)>,
    /// A change to the action's peer check that must commit with the transition.
    pub peer: Option<crate::store::peer_checks::PeerChange>,
}

/// An approval of an action that needs several people's: what judging it needs beside the
/// approvals already given (read under the lock).
pub(crate) struct QuorumCheck {
    pub required: u32,
    pub distinct_groups: bool,
    /// The agent's owner, who may not be one of them.
    pub owner: Option<i64>,
    /// The approver's reviewer groups, by name.
    pub groups: Vec<String>,
}

/// What became of each action in a bulk request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bulk {
    pub done: Vec<i64>,
    /// Actions left alone, each with why (someone else decided first, not found, ...).
    pub skipped: Vec<(i64, String)>,
}

impl Bulk {
    /// Runs `step` for each of `ids` in turn: a step refused for that one item (someone else
    /// was first, not found, not theirs) is skipped with why; a fault of the database stops
    /// the rest and is returned. `noun` names the items when none is given ("alert").
    pub(crate) async fn each<F, Fut>(ids: &[i64], noun: &str, mut step: F) -> Result<Bulk, GovError>
    where
        F: FnMut(i64) -> Fut,
        Fut: std::future::Future<Output = Result<(), GovError>>,
    {
        if ids.is_empty() {
            return Err(GovError::invalid("ids", format!("select at least one {noun}")));
        }
        let mut out = Bulk::default();
        for id in ids {
            match step(*id).await {
                Ok(()) => out.done.push(*id),
                Err(e @ (GovError::Db(_) | GovError::Unavailable(_) | GovError::Internal(_))) => return Err(e),
                Err(e) => out.skipped.push((*id, e.to_string())),
            }
        }
        Ok(out)
    }
}

/// The lifecycle use cases.
#[derive(Clone, Debug)]
pub struct Lifecycle {
    pub(crate) store: Store,
    /// Woken after every committed transition, so this instance's long-polls answer at once.
    changes: std::sync::Arc<tokio::sync::Notify>,
    /// Set when the server begins to shut down: long-polls answer at once instead of waiting.
    closing: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// How long a reviewer's claim on an item holds untouched (others cannot decide it meanwhile).
    claim_idle: chrono::Duration,
}

pub(crate) fn comment(field: &'static str, text: &str, required: bool) -> Result<String, GovError> {
    let t = text.trim();
    crate::text::storable(field, t).map_err(GovError::field)?;
    if required && t.is_empty() {
        return Err(GovError::invalid(field, "say why: it goes into the evidence trail and to the agent's owner"));
    }
    if t.chars().count() > MAX_COMMENT {
        return Err(GovError::invalid(field, format!("must be at most {MAX_COMMENT} characters")));
    }
    Ok(t.to_owned())
}

impl Lifecycle {
    /// Lifecycle transitions over `store`.
    pub fn new(store: Store) -> Lifecycle {
        Lifecycle {
            store,
            changes: std::sync::Arc::default(),
            closing: std::sync::Arc::default(),
            claim_idle: chrono::Duration::minutes(crate::queue::DEFAULT_CLAIM_IDLE_MINUTES),
        }
    }

    /// The same, with claims lapsing after `idle` untouched.
    pub fn claims_lapse_after(self, idle: chrono::Duration) -> Lifecycle {
        Lifecycle { claim_idle: idle, ..self }
    }

    /// Someone else's claim stops a person's decision: who holds the item and until when.
    async fn claimed(&self, id: i64, claim: crate::queue::Claim) -> GovError {
        let name = match self.store.user_by_id(claim.by).await {
            Ok(Some(u)) => u.username,
            _ => format!("user {}", claim.by),
        };
        GovError::Conflict {
            field: "action",
            message: format!(
                "action {id} is claimed by {name} since {}; it is theirs to decide until {} unless they let go",
                claim.at.format("%H:%M UTC"),
                claim.lapses_at(self.claim_idle).format("%H:%M UTC")
            ),
        }
    }

    /// Notified after each transition this instance commits (long-polls wait on it).
    pub fn changes(&self) -> &tokio::sync::Notify {
        &self.changes
    }

    /// The server is shutting down: every long-poll answers now with what it has (the agent
    /// asks again once the server is back), so none holds the shutdown for its full wait.
    pub fn close_waits(&self) {
        self.closing.store(true, std::sync::atomic::Ordering::SeqCst);
        self.changes.notify_waiters();
    }

    /// Whether [`Lifecycle::close_waits`] was called.
    pub fn closing(&self) -> bool {
        self.closing.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// One action, or not found.
    pub(crate) async fn load(&self, id: i64) -> Result<ActionRecord, GovError> {
        self.store.action_by_id(id).await?.ok_or_else(|| GovError::NotFound(format!("action {id}")))
    }

    /// The rule of the action's template version for its capability, if it still has one.
    pub(crate) async fn rule_of(&self, a: &ActionRecord) -> Result<Option<crate::template::Rule>, GovError> {
        let Some(grant_id) = a.grant_id else { return Ok(None) };
        let Some(g) = crate::store::grants::by_id(self.store.db(), grant_id).await? else { return Ok(None) };
        let v = crate::store::templates::version_of(self.store.db(), g.template_id, g.template_version).await?;
        Ok(v.and_then(|v| v.body.rule(&a.capability).cloned()))
    }

    /// The values of the params the action's template watches for "never seen before".
    pub(crate) async fn watched_values(&self, a: &ActionRecord) -> Result<Vec<(String, String)>, GovError> {
        let Some(rule) = self.rule_of(a).await? else { return Ok(Vec::new()) };
        let params: Value = serde_json::from_str(&a.params).unwrap_or(Value::Null);
        let watched = &rule.conditions.new_value_params;
        Ok(watched.iter().filter_map(|p| params.get(p).map(|val| (p.clone(), crate::policy::value_key(val)))).collect())
    }

    /// Separation of duties: the agent's owner may not approve the action when its template
    /// rule forbids it (high-risk capabilities).
    pub(crate) async fn check_separation(&self, who: &AsReviewer, a: &ActionRecord) -> Result<(), GovError> {
        if a.separation_of_duties {
            let owner = self.store.agent_by_id(a.agent_id).await?.map(|ag| ag.owner_id);
            if owner == Some(who.user_id()) {
                return Err(GovError::Forbidden(format!(
                    "you own the agent behind action {}: its high-risk actions need another reviewer's approval",
                    a.id
                )));
            }
        }
        Ok(())
    }

    /// The conflict a late actor gets: the state now, and who moved it there and how.
    pub(crate) async fn conflict(&self, id: i64, tried: Event) -> GovError {
        let now = match self.store.action_by_id(id).await {
            Ok(Some(a)) => a.state.as_str(),
            _ => "gone",
        };
        let last =
            self.store.evidence_about("action", &id.to_string(), 1).await.ok().and_then(|v| v.into_iter().next());
        let how = last.map_or_else(String::new, |r| {
            format!(" — {} ({}, {})", r.summary, r.actor_name, r.recorded_at.format("%Y-%m-%d %H:%M UTC"))
        });
        GovError::Conflict {
            field: "action",
            message: format!("cannot {} action {id}: it is already {now}{how}", tried.verb()),
        }
    }

    /// Applies one transition to `action` (as loaded by the caller): allowed by the state
    /// machine, compare-and-set on the state, evidence appended, all in one transaction.
    pub(crate) async fn apply(&self, action: &ActionRecord, step: Step) -> Result<ActionRecord, GovError> {
        self.apply_with(action, step, None).await
    }

    /// [`Lifecycle::apply`], for an approval that may be one of several: unless it is the last
    /// one needed, it is recorded (with its own evidence record) and the action keeps waiting.
    pub(crate) async fn apply_with(
        &self,
        action: &ActionRecord,
        mut step: Step,
        quorum: Option<QuorumCheck>,
    ) -> Result<ActionRecord, GovError> {
        let from = action.state;
        let Ok(to) = next(from, step.event) else {
            return Err(self.conflict(action.id, step.event).await);
        };
        let now = crate::clock::now();
        let txn = self.store.begin_write().await?;
        // The chain lock first: every transition appends, so they serialise on it anyway.
        evidence::lock(&txn).await?;
        // The row as it is under the lock: the scorecard group it leaves.
        let before = transitions::by_id(&txn, action.id).await?;
        // A person's decision waits for someone else's live claim (read under the lock, so a
        // claim and a decision landing together are ordered).
        let decides = matches!(step.event, Event::Approve | Event::Reject | Event::Confirm | Event::RecordShadow);
        if decides
            && step.actor.kind == "user"
            && let (Some(row), Some(me)) = (&before, step.actor.id)
            && let Some(claim) = crate::queue::Claim::stored(row.claimed_by, row.claimed_at)
            && crate::queue::held_by_other(Some(claim), me, now, self.claim_idle).is_some()
        {
            txn.rollback().await?;
            return Err(self.claimed(action.id, claim).await);
        }
        if let (Some(q), Some(row)) = (quorum, &before) {
            // Decided by someone else since it was loaded: no approval to count. The row is
            // held by a compare-and-set, as a transition would, not only read.
            if row.state != from || !transitions::still_in(&txn, action.id, from, now).await? {
                txn.rollback().await?;
                return Err(self.conflict(action.id, step.event).await);
            }
            match self.count_approval(&txn, row, &step, q, now).await? {
                Some(approvers) => {
                    if let Value::Object(m) = &mut step.details {
                        m.insert("approvers".into(), json!(approvers));
                    }
                }
                None => {
                    txn.commit().await?;
                    self.changes.notify_waiters();
                    return transitions::by_id(self.store.db(), action.id)
                        .await?
                        .ok_or_else(|| GovError::NotFound(format!("action {}", action.id)));
                }
            }
        }
        let disagreed = to == State::NeedsApproval && step.changes.peer_review == Some(true);
        let review_by = step.changes.expires_at;
        if !transitions::transition(&txn, action.id, from, to, step.changes, now).await? {
            txn.rollback().await?;
            return Err(self.conflict(action.id, step.event).await);
        }
        let mut details = step.details;
        if let Value::Object(m) = &mut details {
            m.insert("before".into(), json!(from.as_str()));
            m.insert("after".into(), json!(to.as_str()));
            m.insert("agent_id".into(), json!(action.agent_id));
            m.insert("capability".into(), json!(action.capability));
        }
        if let Some(change) = step.peer
            && !crate::store::peer_checks::apply(&txn, change).await?
        {
            txn.rollback().await?;
            return Err(self.conflict(action.id, step.event).await);
        }
        crate::store::actions::remember_values(&txn, action.agent_id, &action.capability, &step.remember).await?;
        if let Some(alert) = step.alert {
            let alert_id = alerts::raise(
                &txn,
                action.agent_id,
                Some((action.id, &action.capability)),
                alert.kind,
                &alert.message,
                now,
            )
            .await?;
            if let Value::Object(m) = &mut details {
                m.insert("alert_id".into(), json!(alert_id));
            }
        }
        if disagreed {
            let differing = details.pointer("/comparison/differences").and_then(Value::as_array).map(|d| {
                d.iter().filter_map(|x| x.get("field").and_then(Value::as_str)).collect::<Vec<_>>().join(", ")
            });
            let event = NewEvent::peer_disagreement(action, differing.unwrap_or_default(), review_by);
            crate::store::notifications::enqueue(&txn, vec![event], now).await?;
        }
        let draft = Draft {
            actor: step.actor,
            kind: step.kind,
            subject_kind: "action",
            subject_id: action.id.to_string(),
            summary: step.summary,
            details,
        };
        evidence::append(&txn, &draft).await?;
        let after = transitions::by_id(&txn, action.id)
            .await?
            .ok_or_else(|| GovError::NotFound(format!("action {}", action.id)))?;
        counted::count_move(&txn, before.as_ref().unwrap_or(action), &after).await?;
        if draft.actor.kind == "user" && counted::DECIDING_KINDS.contains(&draft.kind) {
            counted::count_reviewer(&txn, action.agent_id, &action.capability, &draft.actor.name, now).await?;
        }
        txn.commit().await?;
        self.changes.notify_waiters();
        Ok(after)
    }
}

impl Lifecycle {
    /// Counts one approval of an action that needs several, inside the caller's transaction
    /// (under the evidence lock, so two approvals landing together are counted one after the
    /// other). `None`: recorded, more are needed (its record is appended, the approver's claim
    /// let go). `Some(approvers)`: it was the last one; the caller moves the action on.
    async fn count_approval(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        row: &ActionRecord,
        step: &Step,
        q: QuorumCheck,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Vec<Value>>, GovError> {
        use crate::quorum::{Counted, Given};
        use crate::store::approvals;
        let me = step.actor.id.unwrap_or_default();
        let given = approvals::given(txn, row.id, &row.action_hash).await?;
        let judged: Vec<Given> =
            given.iter().map(|g| Given { user_id: g.user_id, group: g.group_name.clone() }).collect();
        let counted =
            crate::quorum::judge(q.required, q.distinct_groups, &judged, q.owner, me, &q.groups).map_err(|m| {
                GovError::Conflict { field: "action", message: format!("cannot approve action {}: {m}", row.id) }
            })?;
        let group = match &counted {
            Counted::Partial { group, .. } | Counted::Reached { group } => group.clone(),
        };
        approvals::add(txn, row.id, (me, &step.actor.name), group.clone(), &row.action_hash, now).await?;
        let mut approvers: Vec<Value> =
            given.iter().map(|g| json!({"user": g.username, "group": g.group_name, "at": g.approved_at})).collect();
        approvers.push(json!({"user": step.actor.name, "group": group, "at": now}));
        let Counted::Partial { missing, .. } = counted else { return Ok(Some(approvers)) };
        crate::store::queues::release(txn, row.id, me).await?;
        let n = approvers.len();
        let draft = Draft {
            actor: step.actor.clone(),
            kind: "action.approval_added",
            subject_kind: "action",
            subject_id: row.id.to_string(),
            summary: format!(
                "{} approved action {} ({}): {n} of {} approvals, {missing} more needed",
                step.actor.name, row.id, row.capability, q.required
            ),
            details: json!({
                "comment": step.details.get("comment"),
                "action_hash": row.action_hash,
                "approvals": n,
                "required": q.required,
                "group": group,
                "approvers": approvers,
                "agent_id": row.agent_id,
                "capability": row.capability,
            }),
        };
        evidence::append(txn, &draft).await?;
        counted::count_reviewer(txn, row.agent_id, &row.capability, &step.actor.name, now).await?;
        Ok(None)
    }
}

pub(crate) fn with_comment(summary: String, note: &str) -> String {
    if note.is_empty() { summary } else { format!("{summary}: “{}”", note.chars().take(200).collect::<String>()) }
}
