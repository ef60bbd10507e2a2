//! Scheduled trust reviews: every grant is due for a person's look at a cadence set by its
//! template rule (by tier). Managers work a list of the reviews due, overdue first (with the
//! ones further ahead, paged, and the reviews recorded lately beside it); a review
//! records keep, promote, demote or revoke with a comment and the scorecard it was based on,
//! and sets the next due date. A review left overdue past its grace period is flagged, or —
//! where the rule says so — the grant is demoted one tier by the schedule itself.

use crate::error::GovError;
use crate::evidence::Actor;
use crate::principal::AsManager;
use crate::reliability::{ReviewCadence, ReviewStatus, WhenOverdue};
use crate::service::grants::{Grants, Step, basis_of, cadence, draft, justified, revoke_in};
use crate::service::scorecards::Scorecards;
use crate::store::grants::{self as grant_store, GrantRecord};
use crate::store::notifications::NewEvent;
use crate::store::{Store, evidence};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// How far ahead the list of reviews due looks.
pub const LOOK_AHEAD_DAYS: i64 = 14;

/// Who the schedule acts as when it demotes a grant nobody reviewed.
pub const SCHEDULE: &str = "trust review schedule";

/// One grant in the list of reviews due.
#[derive(Clone, Debug, PartialEq)]
pub struct DueReview {
    pub grant: GrantRecord,
    pub agent_name: String,
    pub status: ReviewStatus,
    pub cadence: ReviewCadence,
}

/// A review someone recorded (from its evidence record).
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedReview {
    pub seq: i64,
    pub recorded_at: DateTime<Utc>,
    pub reviewer: String,
    pub agent_id: i64,
    pub agent_name: String,
    pub grant_id: i64,
    pub capability: String,
    pub decision: String,
    pub tier_before: String,
    pub tier_after: String,
    pub comment: String,
}

/// What a review decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewDecision {
    Keep,
    Promote,
    Demote,
    Revoke,
}

impl ReviewDecision {
    pub fn parse(s: &str) -> Result<ReviewDecision, GovError> {
        match s.trim() {
            "keep" => Ok(ReviewDecision::Keep),
            "promote" => Ok(ReviewDecision::Promote),
            "demote" => Ok(ReviewDecision::Demote),
            "revoke" => Ok(ReviewDecision::Revoke),
            "" => Err(GovError::invalid("decision", "choose keep, promote, demote or revoke")),
            other => Err(GovError::invalid("decision", format!("'{other}' is not keep, promote, demote or revoke"))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewDecision::Keep => "keep",
            ReviewDecision::Promote => "promote",
            ReviewDecision::Demote => "demote",
            ReviewDecision::Revoke => "revoke",
        }
    }
}

/// A review as entered: the decision, the comment and the due date the reviewer saw (so two
/// people reviewing the same grant at once do not both count).
#[derive(Clone, Debug, Default)]
pub struct ReviewForm {
    pub decision: String,
    pub comment: String,
    pub due_at: String,
}

/// Agents' names, each read once.
#[derive(Default)]
struct Names(std::collections::HashMap<i64, String>);

impl Names {
    async fn of(&mut self, store: &Store, agent_id: i64) -> Result<String, GovError> {
        if let Some(n) = self.0.get(&agent_id) {
            return Ok(n.clone());
        }
        let n = store.agent_by_id(agent_id).await?.map(|a| a.name).unwrap_or_default();
        self.0.insert(agent_id, n.clone());
        Ok(n)
    }
}

/// The trust reviews use cases.
#[derive(Clone, Debug)]
pub struct TrustReviews {
    store: Store,
}

impl TrustReviews {
    pub fn new(store: Store) -> TrustReviews {
        TrustReviews { store }
    }

    /// Live grants due for review within [`LOOK_AHEAD_DAYS`], most overdue first.
    pub async fn due(&self, _by: &AsManager) -> Result<Vec<DueReview>, GovError> {
        let now = crate::clock::now();
        let grants = self.store.grants_due_by(now + Duration::days(LOOK_AHEAD_DAYS)).await?;
        self.with_names(grants, now).await
    }

    /// One page (`per` to a page, the first is 0) of the live grants whose review is further
    /// ahead than [`LOOK_AHEAD_DAYS`], soonest first, and how many there are in all.
    pub async fn upcoming(&self, _by: &AsManager, page: u64, per: u64) -> Result<(Vec<DueReview>, u64), GovError> {
        let now = crate::clock::now();
        let (grants, total) =
            self.store.grants_due_after(now + Duration::days(LOOK_AHEAD_DAYS), page * per, per).await?;
        Ok((self.with_names(grants, now).await?, total))
    }

    /// The `limit` reviews recorded last, newest first.
    pub async fn recent(&self, _by: &AsManager, limit: u64) -> Result<Vec<RecordedReview>, GovError> {
        let records = self.store.evidence_of_kind("grant.reviewed", limit).await?;
        let mut names = Names::default();
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            let d: serde_json::Value = serde_json::from_str(&r.details).unwrap_or_default();
            let text = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
            let agent_id = r.subject_id.parse().unwrap_or_default();
            out.push(RecordedReview {
                seq: r.seq,
                recorded_at: r.recorded_at,
                reviewer: r.actor_name,
                agent_name: names.of(&self.store, agent_id).await?,
                agent_id,
                grant_id: d["grant"].as_i64().unwrap_or_default(),
                capability: text("capability"),
                decision: text("decision"),
                tier_before: text("tier"),
                tier_after: text("after"),
                comment: text("comment"),
            });
        }
        Ok(out)
    }

    async fn with_names(&self, grants: Vec<GrantRecord>, now: DateTime<Utc>) -> Result<Vec<DueReview>, GovError> {
        let mut names = Names::default();
        let mut out = Vec::with_capacity(grants.len());
        for g in grants {
            let agent_name = names.of(&self.store, g.agent_id).await?;
            let cadence = cadence(self.store.db(), &g).await?;
            out.push(DueReview { agent_name, status: cadence.status(g.review_due_at, now), cadence, grant: g });
        }
        Ok(out)
    }

    /// How many live grants are past their review date (the navigation shows it).
    pub async fn overdue_count(&self, _by: &AsManager) -> Result<u64, GovError> {
        self.store.grants_overdue_count(crate::clock::now()).await
    }

    /// One grant as the review page shows it, due or not (a manager may review early).
    pub async fn of_grant(&self, _by: &AsManager, grant_id: i64) -> Result<DueReview, GovError> {
        let g = grant_store::by_id(self.store.db(), grant_id)
            .await?
            .ok_or_else(|| GovError::NotFound(format!("grant {grant_id}")))?;
        let agent_name = self.store.agent_by_id(g.agent_id).await?.map(|a| a.name).unwrap_or_default();
        let cadence = cadence(self.store.db(), &g).await?;
        Ok(DueReview { agent_name, status: cadence.status(g.review_due_at, crate::clock::now()), cadence, grant: g })
    }

    /// Records a review of one grant: its decision and comment, the scorecard it was based on,
    /// and the next due date — one transaction with the tier change or revocation it decides.
    pub async fn record(&self, by: &AsManager, grant_id: i64, form: ReviewForm) -> Result<GrantRecord, GovError> {
        let decision = ReviewDecision::parse(&form.decision)?;
        let comment = crate::agent::parse_reason(&form.comment).map_err(|m| GovError::invalid("comment", m))?;
        let seen = DateTime::parse_from_rfc3339(form.due_at.trim())
            .map_err(|_| GovError::invalid("due_at", "reload the page: the review's due date is missing"))?
            .with_timezone(&Utc);
        let (g, card) = Scorecards::new(self.store.clone()).for_promotion(grant_id).await?;
        if g.revoked_at.is_some() {
            return Err(GovError::Conflict {
                field: "grant",
                message: "this grant is revoked: nothing to review".into(),
            });
        }
        let grants = Grants::new(self.store.clone());
        let step = match decision {
            ReviewDecision::Promote => Some(Step::Promote),
            ReviewDecision::Demote => Some(Step::Demote),
            _ => None,
        };
        // The scorecard read above is the promotion's basis too: one read, not two.
        let basis = match step {
            Some(Step::Promote) => justified(Some(basis_of(&g, &card)), &comment, "comment")?,
            _ => None,
        };
        let txn = self.store.begin_write().await?;
        let now = crate::clock::now();
        let stale = || GovError::Conflict {
            field: "grant",
            message: "someone reviewed or changed this grant meanwhile; reload to see their decision".into(),
        };
        let current = grant_store::by_id(&txn, grant_id).await?.ok_or_else(stale)?;
        if current.review_due_at != seen || current.tier != g.tier {
            return Err(stale());
        }
        let reason = format!("trust review: {comment}");
        let after = match (decision, step) {
            (_, Some(s)) => grants.change_tier(&txn, by.actor(), grant_id, s, &reason, basis).await?,
            (ReviewDecision::Revoke, _) => {
                revoke_in(&txn, by.actor(), grant_id, &reason).await?;
                GrantRecord { revoked_at: Some(now), ..current.clone() }
            }
            _ => {
                let due = cadence(&txn, &current).await?.next_due(current.tier, now);
                if !grant_store::set_review_due(&txn, grant_id, seen, due).await? {
                    return Err(stale());
                }
                GrantRecord { review_due_at: due, ..current.clone() }
            }
        };
        let summary = format!(
            "{} reviewed {} at {}: {}{} — “{}”",
            by.actor().name,
            g.capability,
            g.tier.as_str(),
            decision.as_str(),
            if after.revoked_at.is_some() {
                String::new()
            } else {
                format!("; next review {}", after.review_due_at.format("%Y-%m-%d"))
            },
            comment.chars().take(200).collect::<String>()
        );
        let details = json!({
            "grant": g.id, "capability": g.capability, "decision": decision.as_str(), "comment": comment,
            "tier": g.tier, "after": after.tier, "was_due_at": seen, "review_due_at": after.review_due_at,
            "scorecard": {"at_tier": card.at_tier, "approval": card.at_tier.approval(), "days_at_tier": card.days_at_tier,
                          "open_alerts": card.open_alerts,
                          "missing": card.readiness.as_ref().map(|r| r.missing())},
        });
        evidence::append(&txn, &draft(by.actor(), "grant.reviewed", g.agent_id, summary, details)).await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Applies the rules' "when overdue" setting at `now`: each live grant whose review is past
    /// its grace period and whose rule says demote is moved down one tier by the schedule (and
    /// is due again at the new tier's cadence). Others stay as they are, flagged in the list.
    /// Each change is a compare-and-set, so several instances may run this. Returns how many
    /// grants were demoted.
    pub async fn enforce_overdue(&self, now: DateTime<Utc>) -> Result<u64, GovError> {
        let mut demoted = 0;
        let due = self.store.grants_due_by(now).await?;
        // Each review due is announced once (its dedupe key names the grant and the due date).
        let announced: Vec<NewEvent> = due.iter().map(NewEvent::review_due).collect();
        if !announced.is_empty() {
            let txn = self.store.begin_write().await?;
            crate::store::notifications::enqueue(&txn, announced, now).await?;
            txn.commit().await?;
        }
        for g in due {
            let cadence = cadence(self.store.db(), &g).await?;
            let ReviewStatus::PastGrace(late) = cadence.status(g.review_due_at, now) else { continue };
            if cadence.when_overdue != WhenOverdue::Demote || g.tier.demoted().is_none() {
                continue;
            }
            let reason = format!(
                "review overdue by {late} days, past the {} days' grace its template allows (due {})",
                cadence.grace_days,
                g.review_due_at.format("%Y-%m-%d")
            );
            let txn = self.store.begin_write().await?;
            let actor = Actor::system(SCHEDULE);
            match Grants::new(self.store.clone()).change_tier(&txn, &actor, g.id, Step::Demote, &reason, None).await {
                Ok(after) => {
                    let what = format!("demoted from {} to {}: {reason}", g.tier.as_str(), after.tier.as_str());
                    let event = NewEvent::autonomy_withdrawn(&g, "demote", what, None);
                    crate::store::notifications::enqueue(&txn, vec![event], now).await?;
                    txn.commit().await?;
                    demoted += 1;
                }
                // Another instance (or a manager) got there first.
                Err(GovError::Conflict { .. }) => txn.rollback().await?,
                Err(e) => return Err(e),
            }
        }
        Ok(demoted)
    }
}
