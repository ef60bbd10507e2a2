//! No way around the criteria, on SQLite and PostgreSQL: a new grant above the tier its
//! template lets grants start at is judged by the promotions it skips, on the agent's record
//! with the capability; without that record it is an override with a written justification;
//! and a grant moved to a newer template version is re-checked against that version.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::person;
use governance::action::ActionRequest;
use governance::service::accounts::ThrottlePolicy;
use governance::service::grants::GrantForm;
use governance::shadow::Verdict;
use governance::template::RuleForm;
use governance::{Accounts, Agents, Decisions, GovError, Grants, Lifecycle, Principal, Store};
use serde_json::{Value, json};

struct World {
    store: Store,
    olga: Principal,
    reviewers: [Principal; 2],
    agents: Agents,
    grants: Grants,
    template_id: i64,
    agent_id: i64,
    key: String,
}

/// A refund rule whose promotions ask little (three decided cases by two people), so a test
/// can build a record that meets them; `start_tier` as given.
fn rule(start_tier: &str) -> RuleForm {
    RuleForm {
        capability: "finance.refund.issue".into(),
        limits: "amount <= 200".into(),
        approval_expiry_minutes: "60".into(),
        to_contributor: "samples >= 3; lower_bound >= 0.2; reviewers >= 2; patterns >= 3".into(),
        to_executor: "samples >= 3; lower_bound >= 0.2; reviewers >= 2; patterns >= 3; no_open_alert".into(),
        start_tier: start_tier.into(),
        ..RuleForm::default()
    }
}

async fn world(store: &Store, start_tier: &str) -> World {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let olga = person(&acc, "olga", &["manager"]).await;
    let reviewers = [person(&acc, "rita", &["reviewer"]).await, person(&acc, "rex", &["reviewer"]).await];
    let template_id = common::refund_template(store, &olga, "Careful refunds", rule(start_tier)).await;
    let (agent, key) = common::sandbox_agent(store, &olga, "new-bot").await;
    World {
        store: store.clone(),
        olga,
        reviewers,
        agents: Agents::new(store.clone()),
        grants: Grants::new(store.clone()),
        template_id,
        agent_id: agent.id,
        key,
    }
}

impl World {
    fn form(&self, tier: &str, justification: &str) -> GrantForm {
        GrantForm {
            agent_id: self.agent_id,
            capability: "finance.refund.issue".into(),
            template_id: self.template_id,
            tier: tier.into(),
            justification: justification.into(),
        }
    }

    async fn grant(&self, tier: &str, justification: &str) -> Result<governance::records::GrantRecord, GovError> {
        self.grants.grant(&self.olga.as_manager().unwrap(), self.form(tier, justification)).await
    }

    /// The newest `grant.created` record's summary and details.
    async fn created(&self) -> (String, Value) {
        let history = self.store.evidence_about("agent", &self.agent_id.to_string(), 20).await.unwrap();
        let r = history.iter().find(|r| r.kind == "grant.created").expect("the grant is recorded");
        (r.summary.clone(), serde_json::from_str(&r.details).unwrap())
    }

    /// `n` proposals with distinct params as a contributor, each approved by one of two people.
    async fn approved_record(&self, n: u32) {
        let me = self.agents.authenticate(&self.key).await.unwrap();
        let decisions = Decisions::new(self.store.clone());
        let lifecycle = Lifecycle::new(self.store.clone());
        for i in 0..n {
            let req: ActionRequest = serde_json::from_value(json!({
                "capability": "finance.refund.issue",
                "params": {"order_id": format!("A-{i}"), "amount": 10 + i, "currency": "EUR"},
                "confidence": 0.9,
            }))
            .unwrap();
            let id = decisions.request(&me, req).await.unwrap().id;
            let hash = self.store.action_by_id(id).await.unwrap().unwrap().action_hash;
            let who = self.reviewers[i as usize % 2].as_reviewer().unwrap();
            lifecycle.review(&who, id, Verdict::Approve, &hash, "fine").await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_new_agent_cannot_start_at_executor_without_a_written_justification() {
    for db in common::backends().await {
        let w = world(&db.store, "").await;
        for short in ["", "trust me"] {
            match w.grant("executor", short).await {
                Err(GovError::Invalid { field: "justification", message }) => {
                    assert!(message.contains("to contributor: needs 3 more shadow comparisons (0 of 3)"), "{message}");
                    assert!(message.contains("to executor: needs 3 more decided proposals (0 of 3)"), "{message}");
                    assert!(message.contains("granting finance.refund.issue at executor anyway"), "{message}");
                }
                other => panic!("{}: {short:?} should be refused, got {other:?}", db.name),
            }
        }
        assert!(
            w.grants.of_agent(&w.olga.as_manager().unwrap(), w.agent_id).await.unwrap().is_empty(),
            "nothing granted"
        );

        let g = w.grant("executor", "  Pilot agreed with finance for one week  ").await.unwrap();
        assert_eq!(g.tier.as_str(), "executor", "{}", db.name);
        let (summary, details) = w.created().await;
        assert!(
            summary.ends_with("without meeting its criteria (override): Pilot agreed with finance for one week"),
            "{}: {summary}",
            db.name
        );
        assert_eq!(details["override"], json!(true));
        assert_eq!(details["start_tier"], json!("observer"));
        assert_eq!(details["justification"], json!("Pilot agreed with finance for one week"));
        assert_eq!(details["criteria"]["steps"], json!(["contributor", "executor"]));
        assert_eq!(details["scorecard"]["record"]["proposals"], json!(0));
        assert_eq!(details["scorecard"]["days_of_record"], json!(0));
        assert!(details["missing"].as_array().unwrap().len() >= 4, "{details}");
        assert!(db.store.verify_evidence().await.unwrap().is_ok());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn observer_needs_nothing_and_a_template_may_let_grants_start_higher() {
    for db in common::backends().await {
        let w = world(&db.store, "contributor").await;
        // Up to the rule's start tier, nothing is skipped: no override, no justification.
        let g = w.grant("contributor", "").await.unwrap();
        let (summary, details) = w.created().await;
        assert!(!summary.contains("override"), "{}: {summary}", db.name);
        assert_eq!((details["override"].clone(), details["start_tier"].clone()), (json!(false), json!("contributor")));
        assert!(details.get("criteria").is_none(), "nothing was judged: {details}");
        w.grants.revoke(&w.olga.as_manager().unwrap(), g.id, "start again").await.unwrap();
        // Above it, only the step beyond it is judged.
        match w.grant("executor", "").await {
            Err(GovError::Invalid { field: "justification", message }) => {
                assert!(!message.contains("to contributor"), "{message}");
                assert!(message.contains("to executor: needs 3 more decided proposals"), "{message}");
            }
            other => panic!("{}: expected a refusal, got {other:?}", db.name),
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_record_that_meets_the_skipped_criteria_needs_no_justification() {
    for db in common::backends().await {
        let w = world(&db.store, "contributor").await;
        let token = w.olga.as_manager().unwrap();
        let g = w.grant("contributor", "").await.unwrap();
        w.approved_record(4).await;
        w.grants.revoke(&token, g.id, "moved to another team for a week").await.unwrap();
        // Its record with the capability (4 approved by 2 people, 4 parameter sets) meets the
        // executor step, so starting there again is no override.
        let again = w.grant("executor", "").await.unwrap();
        assert_eq!((again.id, again.tier.as_str()), (g.id, "executor"), "{}: the same grant row", db.name);
        let (summary, details) = w.created().await;
        assert!(!summary.contains("override"), "{}: {summary}", db.name);
        assert_eq!(details["override"], json!(false));
        assert_eq!(details["criteria"]["steps"], json!(["executor"]));
        assert_eq!(details["scorecard"]["record"]["approved"], json!(4));
        assert_eq!(details["missing"], json!([]));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_grant_moved_to_a_stricter_version_keeps_its_tier_and_says_what_it_lacks() {
    for db in common::backends().await {
        let w = world(&db.store, "").await;
        let token = w.olga.as_manager().unwrap();
        let templates = governance::Templates::new(db.store.clone());
        let g = w.grant("contributor", "Supervised pilot: every refund is approved").await.unwrap();
        w.approved_record(4).await;
        // v3 asks for more than the record holds before contributor.
        let stricter = RuleForm { to_contributor: "samples >= 3; reviewers >= 5".into(), ..rule("") };
        assert_eq!(templates.save_rule(&token, w.template_id, 2, stricter).await.unwrap(), 3);
        let moved = w.grants.move_to_current(&token, g.id, 2).await.unwrap();
        assert_eq!((moved.grant.template_version, moved.grant.tier.as_str()), (3, "contributor"), "{}", db.name);
        assert!(moved.check.judged() && !moved.check.ready(), "{}: {:?}", db.name, moved.check);
        let verdict = moved.verdict();
        assert!(verdict.contains("does not meet v3's criteria for contributor"), "{verdict}");
        assert!(verdict.contains("to contributor: needs 3 more shadow comparisons (0 of 3)"), "{verdict}");
        let history = db.store.evidence_about("agent", &w.agent_id.to_string(), 20).await.unwrap();
        let r = history.iter().find(|r| r.kind == "grant.template_moved").expect("recorded");
        assert!(r.summary.contains("does not meet v3's criteria"), "{}", r.summary);
        let details: Value = serde_json::from_str(&r.details).unwrap();
        assert_eq!((details["tier"].clone(), details["meets_criteria"].clone()), (json!("contributor"), json!(false)));

        // A version that lets grants start at contributor: the tier is within it.
        assert_eq!(templates.save_rule(&token, w.template_id, 3, rule("contributor")).await.unwrap(), 4);
        let moved = w.grants.move_to_current(&token, g.id, 3).await.unwrap();
        assert!(!moved.check.judged(), "{}", db.name);
        assert_eq!(moved.verdict(), "v4 lets a grant start at contributor");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_standing_beside_an_item_tells_the_tier_its_record_and_an_override() {
    for db in common::backends().await {
        let w = world(&db.store, "").await;
        let token = w.olga.as_manager().unwrap();
        let member = w.olga.as_member().unwrap();
        let scorecards = governance::Scorecards::new(db.store.clone());
        let g = w.grant("contributor", "Supervised pilot: every refund is approved").await.unwrap();
        assert!(g.tier_override, "{}: a start without the record is marked", db.name);
        w.approved_record(4).await;
        let pairs = [(w.agent_id, "finance.refund.issue".to_owned()), (w.agent_id, "support.reply.send".to_owned())];
        let s = scorecards.standings(&member, &pairs).await.unwrap();
        assert_eq!(s.len(), 1, "{}: only live grants have a standing", db.name);
        let s = &s[0];
        assert_eq!((s.grant_id, s.tier.as_str(), s.by_override, s.open_alerts), (g.id, "contributor", true, 0));
        let (measure, rate) = s.measured();
        assert_eq!((measure, rate.hits, rate.n), ("approval", 4, 4), "{}", db.name);

        // A demotion is no override: the mark goes with the tier it was on.
        let grants = Grants::new(db.store.clone());
        grants.step(&token, g.id, governance::service::grants::Step::Demote, "back to shadow").await.unwrap();
        let s = scorecards.standings(&member, &pairs).await.unwrap().remove(0);
        assert_eq!((s.tier.as_str(), s.by_override), ("observer", false), "{}", db.name);
        assert_eq!(s.measured().0, "agreement", "an observer is judged by its shadow agreement");
        db.cleanup().await;
    }
}
