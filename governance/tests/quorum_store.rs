//! Two-person approval on SQLite and PostgreSQL: a rule's quorum applies to the actions its
//! condition picks, the N-th distinct approval approves (and only it), the same person or the
//! agent's owner cannot count, distinct groups are enforced, one rejection rejects, and two
//! approvals landing together give exactly one approval of the action.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::{person, refund_agent, refund_template};
use governance::action::ActionRequest;
use governance::service::accounts::ThrottlePolicy;
use governance::service::agents::AgentPrincipal;
use governance::service::queues::Queues;
use governance::shadow::Verdict;
use governance::template::RuleForm;
use governance::{Accounts, Agents, Decisions, GovError, Lifecycle, Principal, Store};
use serde_json::json;

struct World {
    store: Store,
    olga: Principal,
    people: Vec<Principal>,
    agents: Agents,
    decisions: Decisions,
    lifecycle: Lifecycle,
    key: String,
}

async fn world(store: &Store, required: &str, distinct_groups: bool) -> World {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    // Olga manages, owns the agent and reviews too: she never counts towards a quorum.
    let olga = person(&acc, "olga", &["manager", "reviewer"]).await;
    let mut people = Vec::new();
    for name in ["rita", "rex", "ria"] {
        people.push(person(&acc, name, &["reviewer"]).await);
    }
    let rule = RuleForm {
        capability: "finance.refund.issue".into(),
        approval_expiry_minutes: "60".into(),
        approvals_required: required.into(),
        approvals_when: "context.params.amount > 100".into(),
        approvals_distinct_groups: distinct_groups,
        ..RuleForm::default()
    };
    let template_id = refund_template(store, &olga, "Four-eyes refunds", rule).await;
    let (_, key, _) = refund_agent(store, &olga, "quorum-bot", template_id, "contributor").await;
    World {
        store: store.clone(),
        olga,
        people,
        agents: Agents::new(store.clone()),
        decisions: Decisions::new(store.clone()),
        lifecycle: Lifecycle::new(store.clone()),
        key,
    }
}

impl World {
    async fn me(&self) -> AgentPrincipal {
        self.agents.authenticate(&self.key).await.unwrap()
    }

    async fn ask(&self, amount: f64) -> i64 {
        let req: ActionRequest = serde_json::from_value(json!({
            "capability": "finance.refund.issue",
            "params": {"order_id": format!("Q-{amount}"), "amount": amount, "currency": "EUR"},
            "confidence": 0.9,
        }))
        .unwrap();
        self.decisions.request(&self.me().await, req).await.unwrap().id
    }

    async fn approve(&self, who: &Principal, id: i64) -> Result<String, GovError> {
        let hash = self.store.action_by_id(id).await.unwrap().unwrap().action_hash;
        let after =
            self.lifecycle.review(&who.as_reviewer().unwrap(), id, Verdict::Approve, &hash, "looks right").await?;
        Ok(after.state.as_str().to_owned())
    }

    async fn kinds(&self, id: i64) -> Vec<String> {
        let mut v: Vec<String> = self
            .store
            .evidence_about("action", &id.to_string(), 100)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.kind)
            .collect();
        v.reverse();
        v
    }
}

#[tokio::test]
async fn the_second_distinct_person_approves_and_only_then() {
    for db in common::backends().await {
        let w = world(&db.store, "2", false).await;
        let (rita, rex) = (&w.people[0], &w.people[1]);
        let small = w.ask(50.0).await;
        assert_eq!(w.store.action_by_id(small).await.unwrap().unwrap().approvals_required, 1, "{}", db.name);
        assert_eq!(w.approve(rita, small).await.unwrap(), "approved", "{}: one person suffices below 100", db.name);

        let big = w.ask(500.0).await;
        assert_eq!(w.store.action_by_id(big).await.unwrap().unwrap().approvals_required, 2, "{}", db.name);
        assert_eq!(w.approve(rita, big).await.unwrap(), "needs_approval", "{}", db.name);
        let again = w.approve(rita, big).await.unwrap_err().to_string();
        assert!(again.contains("approved it already"), "{}: {again}", db.name);
        let owner = w.approve(&w.olga, big).await.unwrap_err().to_string();
        assert!(owner.contains("own the agent"), "{}: {owner}", db.name);
        assert_eq!(w.approve(rex, big).await.unwrap(), "approved", "{}", db.name);
        let kinds = w.kinds(big).await;
        assert_eq!(kinds, ["action.decided", "action.approval_added", "action.approved"], "{}", db.name);
        let last = w.store.evidence_about("action", &big.to_string(), 1).await.unwrap().remove(0);
        assert!(last.details.contains("\"rita\"") && last.details.contains("\"rex\""), "{}: {}", db.name, last.details);
        let a = w.store.action_by_id(big).await.unwrap().unwrap();
        assert_eq!(a.approved_hash.as_deref(), Some(a.action_hash.as_str()), "{}", db.name);

        // One rejection rejects, whatever was approved before.
        let third = w.ask(600.0).await;
        w.approve(rita, third).await.unwrap();
        let hash = w.store.action_by_id(third).await.unwrap().unwrap().action_hash;
        let rejected =
            w.lifecycle.review(&rex.as_reviewer().unwrap(), third, Verdict::Reject, &hash, "too much").await.unwrap();
        assert_eq!(rejected.state.as_str(), "rejected", "{}", db.name);
        // Edits are refused for quorum actions.
        let fourth = w.ask(700.0).await;
        let hash = w.store.action_by_id(fourth).await.unwrap().unwrap().action_hash;
        let edited = w
            .lifecycle
            .approve_edited(
                &rita.as_reviewer().unwrap(),
                fourth,
                &hash,
                r#"{"order_id":"Q","amount":1,"currency":"EUR"}"#,
                "",
            )
            .await;
        assert!(matches!(edited, Err(GovError::Conflict { field: "params", .. })), "{}: {edited:?}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn distinct_groups_must_each_approve() {
    for db in common::backends().await {
        let w = world(&db.store, "2", true).await;
        let m = w.olga.as_manager().unwrap();
        let queues = Queues::new(w.store.clone());
        let finance = queues.create_group(&m, "finance").await.unwrap();
        let risk = queues.create_group(&m, "risk").await.unwrap();
        queues.add_member(&m, finance, "rita").await.unwrap();
        queues.add_member(&m, finance, "rex").await.unwrap();
        queues.add_member(&m, risk, "ria").await.unwrap();
        let (rita, rex, ria) = (&w.people[0], &w.people[1], &w.people[2]);
        let id = w.ask(900.0).await;
        assert_eq!(w.approve(rita, id).await.unwrap(), "needs_approval");
        let same = w.approve(rex, id).await.unwrap_err().to_string();
        assert!(same.contains("yours (finance) have approved already"), "{}: {same}", db.name);
        assert_eq!(w.approve(ria, id).await.unwrap(), "approved", "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn two_approvals_landing_together_approve_once() {
    for db in common::backends().await {
        let w = world(&db.store, "2", false).await;
        let (rita, rex, ria) = (&w.people[0], &w.people[1], &w.people[2]);
        for round in 0..4 {
            // The last two of three approvals race.
            let id = w.ask(200.0 + f64::from(round)).await;
            let w3 = world_again(&w);
            assert_eq!(w.approve(rita, id).await.unwrap(), "needs_approval");
            let (a, b) = tokio::join!(w.approve(rex, id), w3.approve(ria, id));
            let outcomes = [a, b];
            let approved = outcomes.iter().filter(|r| matches!(r.as_deref(), Ok("approved"))).count();
            let refused = outcomes.iter().filter(|r| r.is_err()).count();
            assert_eq!((approved, refused), (1, 1), "{} round {round}: {outcomes:?}", db.name);
            let kinds = w.kinds(id).await;
            assert_eq!(kinds.iter().filter(|k| *k == "action.approved").count(), 1, "{} round {round}", db.name);
            assert_eq!(kinds.iter().filter(|k| *k == "action.approval_added").count(), 1, "{} round {round}", db.name);
        }
        db.cleanup().await;
    }
}

/// A second handle on the same world's services, as a second instance would have.
fn world_again(w: &World) -> World {
    World {
        store: w.store.clone(),
        olga: w.olga.clone(),
        people: w.people.clone(),
        agents: Agents::new(w.store.clone()),
        decisions: Decisions::new(w.store.clone()),
        lifecycle: Lifecycle::new(w.store.clone()),
        key: w.key.clone(),
    }
}

#[tokio::test]
async fn an_approval_racing_a_rejection_never_counts_after_it() {
    for db in common::backends().await {
        let w = world(&db.store, "2", false).await;
        let (rita, rex) = (&w.people[0], &w.people[1]);
        for round in 0..4 {
            let id = w.ask(300.0 + f64::from(round)).await;
            let hash = w.store.action_by_id(id).await.unwrap().unwrap().action_hash;
            let other = world_again(&w);
            let rex_token = rex.as_reviewer().unwrap();
            let (approved, rejected) = tokio::join!(
                w.approve(rita, id),
                other.lifecycle.review(&rex_token, id, Verdict::Reject, &hash, "no"),
            );
            assert!(rejected.is_ok(), "{} round {round}: the rejection always lands: {rejected:?}", db.name);
            let a = w.store.action_by_id(id).await.unwrap().unwrap();
            assert_eq!(a.state.as_str(), "rejected", "{} round {round}", db.name);
            let kinds = w.kinds(id).await;
            let last = kinds.last().map(String::as_str);
            assert_eq!(last, Some("action.rejected"), "{} round {round}: nothing counted after it: {kinds:?}", db.name);
            // Either the approval came first (recorded, then rejected) or it was refused.
            let counted = kinds.iter().any(|k| k == "action.approval_added");
            assert_eq!(counted, approved.is_ok(), "{} round {round}: {approved:?} / {kinds:?}", db.name);
        }
        db.cleanup().await;
    }
}
