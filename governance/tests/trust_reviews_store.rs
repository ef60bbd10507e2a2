//! Scheduled trust reviews on SQLite and PostgreSQL: a grant is due at its template's cadence,
//! a review records its decision with the scorecard and moves the due date (once, not twice for
//! two reviewers racing), and a review left overdue past its grace period demotes the grant
//! only where the template says so.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use chrono::{Duration, Utc};
use common::{person, refund_template};
use governance::notify::EventKind;
use governance::policy::Tier;
use governance::reliability::ReviewStatus;
use governance::service::accounts::ThrottlePolicy;
use governance::service::agents::NewAgent;
use governance::service::grants::GrantForm;
use governance::service::trust_reviews::{ReviewForm, SCHEDULE};
use governance::template::RuleForm;
use governance::{Accounts, Agents, GovError, Grants, Principal, Store, TrustReviews};
use sea_orm::{ConnectionTrait, Statement};

struct World {
    store: Store,
    olga: Principal,
    reviews: TrustReviews,
    agent_id: i64,
    grant_id: i64,
}

/// An agent holding refunds at `tier` from a template that reviews contributors every 7 days
/// and, `when_overdue`, after 3 days' grace.
async fn world(store: &Store, tier: &str, when_overdue: &str) -> World {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let olga = person(&acc, "olga", &["manager"]).await;
    let token = olga.as_manager().unwrap();
    let rule = RuleForm {
        capability: "finance.refund.issue".into(),
        approval_expiry_minutes: "60".into(),
        review_contributor_days: "7".into(),
        review_executor_days: "30".into(),
        review_grace_days: "3".into(),
        review_when_overdue: when_overdue.into(),
        ..RuleForm::default()
    };
    let template_id = refund_template(store, &olga, "Reviewed refunds", rule).await;
    let new = NewAgent {
        name: "kept-bot".into(),
        purpose: "refunds".into(),
        environment: "production".into(),
        ..NewAgent::default()
    };
    let agent = Agents::new(store.clone()).register(&token, new).await.unwrap();
    let form = GrantForm {
        agent_id: agent.id,
        capability: "finance.refund.issue".into(),
        template_id,
        tier: tier.into(),
        justification: "test setup: granted without a track record".into(),
    };
    let grant_id = Grants::new(store.clone()).grant(&token, form).await.unwrap().id;
    World { store: store.clone(), olga, reviews: TrustReviews::new(store.clone()), agent_id: agent.id, grant_id }
}

impl World {
    /// Moves the grant's due date to `days_ago` days before now (bound, so both databases store
    /// it the way the engine writes it).
    async fn due_days_ago(&self, days_ago: i64) {
        let due = Utc::now() - Duration::days(days_ago);
        let db = self.store.db();
        let sql = match db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => "UPDATE grants SET review_due_at = $1 WHERE id = $2",
            _ => "UPDATE grants SET review_due_at = ? WHERE id = ?",
        };
        let stmt = Statement::from_sql_and_values(db.get_database_backend(), sql, [due.into(), self.grant_id.into()]);
        db.execute_raw(stmt).await.unwrap();
    }

    async fn records(&self) -> Vec<governance::evidence::Record> {
        self.store.evidence_about("agent", &self.agent_id.to_string(), 20).await.unwrap()
    }

    fn form(&self, decision: &str, comment: &str, due_at: &str) -> ReviewForm {
        ReviewForm { decision: decision.into(), comment: comment.into(), due_at: due_at.into() }
    }
}

#[tokio::test]
async fn a_grant_is_due_at_its_cadence_and_a_review_moves_the_date_once() {
    for db in common::backends().await {
        let w = world(&db.store, "contributor", "flag").await;
        let token = w.olga.as_manager().unwrap();
        let due = w.reviews.due(&token).await.unwrap();
        assert_eq!(due.len(), 1, "{}: due in 7 days, inside the two weeks looked ahead", db.name);
        assert!(matches!(due[0].status, ReviewStatus::Upcoming(6 | 7)), "{}: {:?}", db.name, due[0].status);
        assert_eq!((due[0].agent_name.as_str(), due[0].grant.tier), ("kept-bot", Tier::Contributor));

        w.due_days_ago(2).await;
        let row = w.reviews.of_grant(&token, w.grant_id).await.unwrap();
        assert_eq!(row.status, ReviewStatus::Overdue(2), "{}", db.name);
        let seen = row.grant.review_due_at.to_rfc3339();

        // Mistakes name their field and change nothing.
        let err = w.reviews.record(&token, w.grant_id, w.form("", "fine", &seen)).await.unwrap_err();
        assert!(matches!(err, GovError::Invalid { field: "decision", .. }), "{err:?}");
        let err = w.reviews.record(&token, w.grant_id, w.form("keep", "   ", &seen)).await.unwrap_err();
        assert!(matches!(err, GovError::Invalid { field: "comment", .. }), "{err:?}");

        let kept = w.reviews.record(&token, w.grant_id, w.form("keep", "steady, no complaints", &seen)).await.unwrap();
        assert_eq!(kept.tier, Tier::Contributor);
        let next = kept.review_due_at - Utc::now();
        assert!(next > Duration::days(6) && next <= Duration::days(7), "{}: due again in 7 days, {next}", db.name);
        let records = w.records().await;
        assert_eq!(records[0].kind, "grant.reviewed", "{}", db.name);
        assert!(records[0].summary.contains("olga reviewed finance.refund.issue at contributor: keep"));
        let details: serde_json::Value = serde_json::from_str(&records[0].details).unwrap();
        assert_eq!(details["comment"], "steady, no complaints");
        assert_eq!(details["scorecard"]["at_tier"]["proposals"], 0, "the record it was based on");

        // A second reviewer who opened the page before the first one saved gets a conflict.
        let late = w.reviews.record(&token, w.grant_id, w.form("keep", "me too", &seen)).await.unwrap_err();
        assert!(matches!(late, GovError::Conflict { field: "grant", .. }), "{}: {late:?}", db.name);
        assert_eq!(w.records().await.len(), records.len(), "nothing recorded for the loser");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_review_may_promote_with_its_criteria_or_a_justification_and_may_revoke() {
    for db in common::backends().await {
        let w = world(&db.store, "contributor", "flag").await;
        let token = w.olga.as_manager().unwrap();
        let seen = w.reviews.of_grant(&token, w.grant_id).await.unwrap().grant.review_due_at.to_rfc3339();
        // No approved proposals yet: promoting is an override that needs its reason.
        let err = w.reviews.record(&token, w.grant_id, w.form("promote", "looks ok", &seen)).await.unwrap_err();
        match err {
            GovError::Invalid { field: "comment", message } => assert!(message.contains("needs 200 more"), "{message}"),
            other => panic!("{}: {other:?}", db.name),
        }
        let why = "migrated from the old system with a clean year of refunds";
        let g = w.reviews.record(&token, w.grant_id, w.form("promote", why, &seen)).await.unwrap();
        assert_eq!(g.tier, Tier::Executor);
        let next = g.review_due_at - Utc::now();
        assert!(next > Duration::days(29) && next <= Duration::days(30), "{}: executors every 30 days", db.name);
        let kinds: Vec<String> = w.records().await.iter().take(2).map(|r| r.kind.clone()).collect();
        assert_eq!(kinds, ["grant.reviewed", "grant.promoted"], "{}: one transaction, both records", db.name);
        let promoted = &w.records().await[1];
        assert!(promoted.summary.contains("override") && promoted.summary.contains("trust review: migrated"));

        let seen = g.review_due_at.to_rfc3339();
        let err = w.reviews.record(&token, w.grant_id, w.form("promote", why, &seen)).await.unwrap_err();
        assert!(
            matches!(err, GovError::Conflict { field: "tier", .. }),
            "{}: nothing above executor: {err:?}",
            db.name
        );
        let g = w.reviews.record(&token, w.grant_id, w.form("revoke", "the refunds desk closes", &seen)).await.unwrap();
        assert!(g.revoked_at.is_some());
        assert!(w.reviews.due(&token).await.unwrap().is_empty(), "{}: a revoked grant is never due", db.name);
        let err = w.reviews.record(&token, w.grant_id, w.form("keep", "again", &seen)).await.unwrap_err();
        assert!(matches!(err, GovError::Conflict { .. }), "{err:?}");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_overdue_review_demotes_only_where_the_template_says_so_and_only_once() {
    for db in common::backends().await {
        // Demote: past the grace period the schedule moves the grant down one tier.
        let w = world(&db.store, "contributor", "demote").await;
        let token = w.olga.as_manager().unwrap();
        w.due_days_ago(2).await;
        assert_eq!(w.reviews.enforce_overdue(Utc::now()).await.unwrap(), 0, "{}: still within grace", db.name);
        // The review due is announced once per due date, however often the schedule looks.
        assert_eq!(w.reviews.enforce_overdue(Utc::now()).await.unwrap(), 0);
        let due = db.store.events_of_kind(EventKind::ReviewDue, 10).await.unwrap();
        assert_eq!(due.len(), 1, "{}", db.name);
        assert_eq!(
            (due[0].subject.as_str(), due[0].capability.as_deref()),
            (format!("grant:{}", w.grant_id).as_str(), Some("finance.refund.issue"))
        );
        w.due_days_ago(5).await;
        assert_eq!(w.reviews.of_grant(&token, w.grant_id).await.unwrap().status, ReviewStatus::PastGrace(5));
        assert_eq!(w.reviews.enforce_overdue(Utc::now()).await.unwrap(), 1, "{}", db.name);
        let g = w.reviews.of_grant(&token, w.grant_id).await.unwrap();
        assert_eq!(g.grant.tier, Tier::Observer, "{}", db.name);
        assert!(matches!(g.status, ReviewStatus::Upcoming(_)), "due again at the observer cadence");
        let demoted = &w.records().await[0];
        assert_eq!((demoted.kind.as_str(), demoted.actor_name.as_str()), ("grant.demoted", SCHEDULE));
        assert!(demoted.summary.contains("review overdue by 5 days, past the 3 days' grace"), "{}", demoted.summary);
        assert_eq!(w.reviews.enforce_overdue(Utc::now()).await.unwrap(), 0, "{}: once", db.name);
        // People hear that the schedule withdrew authority, from the demotion's transaction.
        let withdrawn = db.store.events_of_kind(EventKind::AutonomyWithdrawn, 10).await.unwrap();
        assert_eq!(withdrawn.len(), 1, "{}", db.name);
        let data: serde_json::Value = serde_json::from_str(&withdrawn[0].payload).unwrap();
        assert_eq!(data["response"], "demote");
        assert!(data["what"].as_str().unwrap().starts_with("demoted from contributor to observer"), "{data}");
        // An observer cannot go lower: it stays flagged.
        w.due_days_ago(40).await;
        assert_eq!(w.reviews.enforce_overdue(Utc::now()).await.unwrap(), 0);
        assert_eq!(w.reviews.of_grant(&token, w.grant_id).await.unwrap().grant.tier, Tier::Observer);
        db.cleanup().await;
    }
    for db in common::backends().await {
        // Flag: it stays where it is, shown past its grace at the top of the list.
        let w = world(&db.store, "contributor", "flag").await;
        let token = w.olga.as_manager().unwrap();
        w.due_days_ago(30).await;
        assert_eq!(w.reviews.enforce_overdue(Utc::now()).await.unwrap(), 0, "{}", db.name);
        let due = w.reviews.due(&w.olga.as_manager().unwrap()).await.unwrap();
        assert_eq!((due[0].grant.tier, due[0].status), (Tier::Contributor, ReviewStatus::PastGrace(30)));
        assert_eq!(w.reviews.of_grant(&token, w.grant_id).await.unwrap().grant.tier, Tier::Contributor);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn reviews_further_ahead_come_in_pages_and_recorded_ones_are_listed_newest_first() {
    for db in common::backends().await {
        // An executor is due in 30 days: beyond the two weeks, so "later".
        let w = world(&db.store, "executor", "flag").await;
        let token = w.olga.as_manager().unwrap();
        assert!(w.reviews.due(&token).await.unwrap().is_empty(), "{}", db.name);
        let (later, total) = w.reviews.upcoming(&token, 0, 20).await.unwrap();
        assert_eq!((later.len(), total), (1, 1), "{}", db.name);
        assert_eq!((later[0].agent_name.as_str(), later[0].grant.id), ("kept-bot", w.grant_id));
        assert!(matches!(later[0].status, ReviewStatus::Upcoming(29 | 30)), "{:?}", later[0].status);
        let (past_end, total) = w.reviews.upcoming(&token, 1, 20).await.unwrap();
        assert_eq!((past_end.len(), total), (0, 1), "{}: a page past the end is empty, the total holds", db.name);

        // Nothing recorded yet; then two reviews, newest first.
        assert!(w.reviews.recent(&token, 10).await.unwrap().is_empty());
        let seen = w.reviews.of_grant(&token, w.grant_id).await.unwrap().grant.review_due_at.to_rfc3339();
        let kept = w.reviews.record(&token, w.grant_id, w.form("keep", "steady, no complaints", &seen)).await.unwrap();
        let seen = kept.review_due_at.to_rfc3339();
        w.reviews.record(&token, w.grant_id, w.form("demote", "two wrong refunds this month", &seen)).await.unwrap();
        let recent = w.reviews.recent(&token, 10).await.unwrap();
        let seen: Vec<(&str, &str, &str, &str)> = recent
            .iter()
            .map(|r| (r.decision.as_str(), r.tier_before.as_str(), r.tier_after.as_str(), r.comment.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("demote", "executor", "contributor", "two wrong refunds this month"),
                ("keep", "executor", "executor", "steady, no complaints")
            ],
            "{}",
            db.name
        );
        assert_eq!((recent[0].agent_name.as_str(), recent[0].reviewer.as_str()), ("kept-bot", "olga"));
        assert_eq!((recent[0].grant_id, recent[0].capability.as_str()), (w.grant_id, "finance.refund.issue"));
        assert_eq!(w.reviews.recent(&token, 1).await.unwrap().len(), 1, "at most the limit");
        db.cleanup().await;
    }
}
