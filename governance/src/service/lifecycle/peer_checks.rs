//! Peer checks: a second agent takes the task (never seeing the primary's params, decision or
//! reasoning), answers with its own analysis, the two are compared, and a disagreement waits
//! for a reviewer to choose side by side. Every step is a lifecycle transition or a
//! compare-and-set on the check, each with its evidence record.

use crate::action::action_hash;
use crate::canonical::canonical_json;
use crate::error::GovError;
use crate::evidence::{Actor, Draft};
use crate::lifecycle::{Event, PeerPath};
use crate::peer::{Comparison, PeerDecision, Tolerance, compare};
use crate::principal::AsReviewer;
use crate::service::agents::AgentPrincipal;
use crate::service::lifecycle::{Lifecycle, Step, comment, with_comment};
use crate::store::actions::ActionRecord;
use crate::store::evidence;
use crate::store::peer_checks::{self as peer_store, PeerChange, PeerCheckRecord};
use crate::store::transitions::Changes;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What a peer is given: the task, never the primary's proposal.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeerTask {
    pub id: i64,
    pub capability: String,
    pub task_ref: String,
    /// What the primary agent based its analysis on.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Json))]
    pub inputs: Value,
    pub deadline: DateTime<Utc>,
}

/// `POST /v1/peer-checks/{id}/verdict`: the peer's own analysis.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PeerVerdict {
    /// `proceed` or `decline`.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::peer_decision))]
    pub decision: String,
    /// The params this agent would use.
    #[serde(default = "empty_object")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::JsonObject))]
    pub params: Value,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::long_text, required = false))]
    pub reasoning: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1))]
    pub confidence: f64,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

/// Which analysis a reviewer chose in a disagreement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    Primary,
    Peer,
    Neither,
}

impl Choice {
    /// Parses the form value.
    pub fn parse(s: &str) -> Result<Choice, String> {
        match s.trim() {
            "primary" => Ok(Choice::Primary),
            "peer" => Ok(Choice::Peer),
            "neither" => Ok(Choice::Neither),
            other => Err(format!("'{other}' is not a choice: choose primary, peer or neither")),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Primary => "primary",
            Choice::Peer => "peer",
            Choice::Neither => "neither",
        }
    }
}

fn pool_of(c: &PeerCheckRecord) -> Vec<i64> {
    serde_json::from_str(&c.pool).unwrap_or_default()
}

fn path_of(c: &PeerCheckRecord) -> PeerPath {
    if c.path == "allowed" { PeerPath::Allowed } else { PeerPath::NeedsApproval }
}

impl Lifecycle {
    /// Claims the oldest open check this agent may take and returns its task, if any.
    pub async fn next_peer_task(&self, who: &AgentPrincipal) -> Result<Option<PeerTask>, GovError> {
        if who.agent.status == crate::agent::AgentStatus::Suspended {
            return Err(GovError::Forbidden("a suspended agent cannot act as a peer".into()));
        }
        let now = crate::clock::now();
        for c in self.store.open_peer_checks(now, 200).await? {
            if c.primary_agent_id == who.agent.id || !pool_of(&c).contains(&who.agent.id) {
                continue;
            }
            let txn = self.store.begin_write().await?;
            evidence::lock(&txn).await?;
            if !peer_store::apply(&txn, PeerChange::Claim { id: c.id, agent_id: who.agent.id, at: now }).await? {
                txn.rollback().await?;
                continue;
            }
            let draft = Draft {
                actor: who.actor(),
                kind: "peer.claimed",
                subject_kind: "action",
                subject_id: c.action_id.to_string(),
                summary: format!("{} took the peer check of action {} ({})", who.agent.name, c.action_id, c.capability),
                details: json!({"peer_check": c.id, "deadline": c.deadline}),
            };
            evidence::append(&txn, &draft).await?;
            txn.commit().await?;
            return Ok(Some(PeerTask {
                id: c.id,
                capability: c.capability,
                task_ref: c.task_ref,
                inputs: serde_json::from_str(&c.inputs).unwrap_or(Value::Null),
                deadline: c.deadline,
            }));
        }
        Ok(None)
    }

    /// Records the peer's verdict, compares it with the primary's proposal and moves the
    /// action on: agreement continues the tier's path, disagreement goes to a reviewer.
    pub async fn peer_verdict(&self, who: &AgentPrincipal, check_id: i64, v: PeerVerdict) -> Result<(), GovError> {
        let decision = PeerDecision::parse(&v.decision).map_err(|m| GovError::invalid("decision", m))?;
        if !v.params.is_object() {
            return Err(GovError::invalid("params", "must be a JSON object"));
        }
        if !(0.0..=1.0).contains(&v.confidence) {
            return Err(GovError::invalid("confidence", format!("{} is not between 0 and 1", v.confidence)));
        }
        crate::text::storable("reasoning", &v.reasoning).map_err(GovError::field)?;
        crate::text::storable_json("params", &v.params).map_err(GovError::field)?;
        if v.reasoning.chars().count() > 20_000 {
            return Err(GovError::invalid("reasoning", "must be at most 20000 characters"));
        }
        // Only the peer that took the check sees it; to anyone else it does not exist.
        let check = match self.store.peer_check_by_id(check_id).await? {
            Some(c) if c.peer_agent_id == Some(who.agent.id) => c,
            _ => return Err(GovError::NotFound(format!("peer check {check_id}"))),
        };
        if check.status != crate::peer::CheckStatus::Taken {
            return Err(GovError::Conflict {
                field: "peer_check",
                message: format!("peer check {check_id} is already {}", check.status.words()),
            });
        }
        let a = self.load(check.action_id).await?;
        let primary: Value = serde_json::from_str(&a.params).unwrap_or(Value::Null);
        let tolerances: Vec<Tolerance> = serde_json::from_str(&check.tolerances).unwrap_or_default();
        let result = compare(&primary, decision, &v.params, &tolerances);
        let now = crate::clock::now();
        let path = path_of(&check);
        let (event, to_review) = if result.agree {
            (Event::PeerAgreed { to: path }, path == PeerPath::NeedsApproval)
        } else {
            (Event::PeerDisagreed, true)
        };
        let remember =
            if result.agree && path == PeerPath::Allowed { self.watched_values(&a).await? } else { Vec::new() };
        let differing: Vec<&str> = result.differences.iter().map(|d| d.field.as_str()).collect();
        let summary = if result.agree {
            format!("{}'s independent analysis of action {} agreed", who.agent.name, a.id)
        } else {
            format!(
                "{}'s independent analysis of action {} disagreed on {}",
                who.agent.name,
                a.id,
                differing.join(", ")
            )
        };
        let step = Step {
            event,
            actor: who.actor(),
            kind: "action.peer_compared",
            summary,
            details: json!({
                "peer_check": check.id,
                "verdict": {"decision": v.decision, "params": v.params, "reasoning": v.reasoning, "confidence": v.confidence},
                "comparison": result,
            }),
            changes: Changes {
                expires_at: to_review.then(|| now + Duration::minutes(check.approval_expiry_minutes)),
                peer_review: Some(!result.agree),
                ..Changes::default()
            },
            alert: None,
            remember,
            peer: Some(PeerChange::Verdict {
                id: check.id,
                agent_id: who.agent.id,
                agreed: result.agree,
                decision: v.decision.clone(),
                params: canonical_json(&v.params),
                reasoning: v.reasoning.clone(),
                confidence: v.confidence,
                comparison: serde_json::to_string(&result).unwrap_or_default(),
                at: now,
            }),
        };
        self.apply(&a, step).await.map(|_| ())
    }

    /// Sends actions whose peer did not answer in time to mandatory review; returns how many.
    pub(crate) async fn time_out_peer_checks(&self, now: DateTime<Utc>) -> Result<u64, GovError> {
        let mut n = 0;
        for check in self.store.peer_checks_past_deadline(now, 500).await? {
            let Some(a) = self.store.action_by_id(check.action_id).await? else { continue };
            let timed_out = Comparison { agree: false, differences: Vec::new() };
            let step = Step {
                event: Event::PeerDisagreed,
                actor: Actor::system("deadline"),
                kind: "action.peer_timed_out",
                summary: format!("no peer answered on action {} ({}) in time: a reviewer decides", a.id, a.capability),
                details: json!({"peer_check": check.id, "deadline": check.deadline}),
                changes: Changes {
                    expires_at: Some(now + Duration::minutes(check.approval_expiry_minutes)),
                    peer_review: Some(true),
                    ..Changes::default()
                },
                alert: None,
                remember: Vec::new(),
                peer: Some(PeerChange::TimedOut {
                    id: check.id,
                    comparison: serde_json::to_string(&timed_out).unwrap_or_default(),
                }),
            };
            match self.apply(&a, step).await {
                Ok(_) => n += 1,
                Err(GovError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }

    /// A reviewer resolves a disagreement: the primary's proposal or the peer's proceeds as
    /// approved (with its params), or neither does (rejected).
    pub async fn resolve_disagreement(
        &self,
        who: &AsReviewer,
        action_id: i64,
        choice: Choice,
        text: &str,
    ) -> Result<ActionRecord, GovError> {
        let note = comment("comment", text, choice == Choice::Neither)?;
        let a = self.load(action_id).await?;
        let check = self
            .store
            .peer_check_of(action_id)
            .await?
            .ok_or_else(|| GovError::NotFound(format!("peer check of action {action_id}")))?;
        if !a.peer_review {
            return Err(self.conflict(action_id, Event::Approve).await);
        }
        if choice != Choice::Neither {
            self.check_separation(who, &a).await?;
        }
        let mut changes = Changes { peer_review: Some(false), ..Changes::default() };
        let (event, verb) = match choice {
            Choice::Primary => {
                changes.approved_hash = Some(a.action_hash.clone());
                (Event::Approve, format!("chose the primary's proposal for action {action_id}"))
            }
            Choice::Peer => {
                let params: Value = check
                    .verdict_params
                    .as_deref()
                    .and_then(|p| serde_json::from_str(p).ok())
                    .filter(|_| check.verdict_decision.as_deref() == Some("proceed"))
                    .ok_or_else(|| {
                        GovError::invalid("choice", "the peer proposed no action to take: choose primary or neither")
                    })?;
                let hash = action_hash(&a.capability, &params);
                changes.params = Some(canonical_json(&params));
                changes.action_hash = Some(hash.clone());
                changes.approved_hash = Some(hash);
                (Event::Approve, format!("chose the peer's analysis for action {action_id}"))
            }
            Choice::Neither => (Event::Reject, format!("rejected both analyses of action {action_id}")),
        };
        let step = Step {
            event,
            actor: who.actor().clone(),
            kind: "action.peer_resolved",
            summary: with_comment(format!("{} {verb}", who.actor().name), &note),
            details: json!({
                "choice": choice.as_str(),
                "comment": note,
                "params_before": serde_json::from_str::<Value>(&a.params).unwrap_or(Value::Null),
                "params_after": changes.params.as_deref().and_then(|p| serde_json::from_str::<Value>(p).ok()),
                "peer_check": check.id,
            }),
            remember: if event == Event::Approve {
                let approved =
                    ActionRecord { params: changes.params.clone().unwrap_or_else(|| a.params.clone()), ..a.clone() };
                self.watched_values(&approved).await?
            } else {
                Vec::new()
            },
            changes,
            alert: None,
            peer: Some(PeerChange::Resolve {
                id: check.id,
                resolution: choice.as_str().to_owned(),
                by: who.actor().name.clone(),
                at: crate::clock::now(),
            }),
        };
        self.apply(&a, step).await
    }
}
