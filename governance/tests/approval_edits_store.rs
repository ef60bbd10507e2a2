//! Approving with edits on SQLite and PostgreSQL: the action then holds the approved params and
//! binds to them, the trail keeps the proposal and the patch, the scorecard counts an edited
//! approval, bad edits are refused before anything is written, and of two reviewers editing
//! the same item at once exactly one wins.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::{person, refund_agent, refund_template};
use governance::action::ActionRequest;
use governance::service::accounts::ThrottlePolicy;
use governance::service::agents::AgentPrincipal;
use governance::service::execution::ResultReport;
use governance::template::RuleForm;
use governance::{Accounts, Agents, Decisions, GovError, Lifecycle, Principal, Scorecards, Store};
use serde_json::{Value, json};

struct World {
    store: Store,
    olga: Principal,
    rita: Principal,
    rex: Principal,
    agents: Agents,
    decisions: Decisions,
    lifecycle: Lifecycle,
    key: String,
    grant_id: i64,
}

async fn world(store: &Store) -> World {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let olga = person(&acc, "olga", &["manager"]).await;
    let rita = person(&acc, "rita", &["reviewer"]).await;
    let rex = person(&acc, "rex", &["reviewer"]).await;
    let rule = RuleForm {
        capability: "finance.refund.issue".into(),
        limits: "amount <= 200".into(),
        approval_expiry_minutes: "60".into(),
        ..RuleForm::default()
    };
    let template_id = refund_template(store, &olga, "Edited refunds", rule).await;
    let (_, key, grant_id) = refund_agent(store, &olga, "edit-bot", template_id, "contributor").await;
    World {
        store: store.clone(),
        olga,
        rita,
        rex,
        agents: Agents::new(store.clone()),
        decisions: Decisions::new(store.clone()),
        lifecycle: Lifecycle::new(store.clone()),
        key,
        grant_id,
    }
}

impl World {
    async fn me(&self) -> AgentPrincipal {
        self.agents.authenticate(&self.key).await.unwrap()
    }

    async fn ask(&self, amount: f64) -> (i64, String) {
        let req: ActionRequest = serde_json::from_value(json!({
            "capability": "finance.refund.issue",
            "params": {"order_id": "A-7", "amount": amount, "currency": "EUR"},
            "confidence": 0.9,
        }))
        .unwrap();
        let id = self.decisions.request(&self.me().await, req).await.unwrap().id;
        (id, self.store.action_by_id(id).await.unwrap().unwrap().action_hash)
    }

    async fn edit(&self, who: &Principal, id: i64, hash: &str, params: &str) -> Result<(), GovError> {
        self.lifecycle.approve_edited(&who.as_reviewer().unwrap(), id, hash, params, "partial refund").await.map(|_| ())
    }

    async fn approvals(&self, id: i64) -> Vec<Value> {
        let records = self.store.evidence_about("action", &id.to_string(), 100).await.unwrap();
        records
            .into_iter()
            .filter(|r| r.kind == "action.approved")
            .map(|r| serde_json::from_str(&r.details).unwrap())
            .collect()
    }
}

fn report(params: Value) -> ResultReport {
    ResultReport { status: "succeeded".into(), output: json!({}), undo: json!({}), params: Some(params) }
}

#[tokio::test]
async fn an_edited_approval_binds_to_the_edit_and_the_trail_keeps_the_proposal() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let (id, hash) = w.ask(180.0).await;
        w.edit(&w.rita, id, &hash, r#"{"order_id": "A-7", "amount": 120, "currency": "EUR", "reason": "partial"}"#)
            .await
            .unwrap();

        let a = w.store.action_by_id(id).await.unwrap().unwrap();
        assert_eq!(a.state.as_str(), "approved", "{}", db.name);
        let approved: Value = serde_json::from_str(&a.params).unwrap();
        assert_eq!(approved["amount"], json!(120), "{}", db.name);
        assert_ne!(a.action_hash, hash, "{}: the hash follows the params", db.name);
        assert_eq!(a.approved_hash.as_deref(), Some(a.action_hash.as_str()), "{}", db.name);
        let proposed: Value = serde_json::from_str(a.proposed_params.as_deref().unwrap()).unwrap();
        assert_eq!(proposed["amount"], json!(180.0), "{}", db.name);

        // The agent is told what was approved and what it had asked.
        let told = w.decisions.get(&w.me().await, id).await.unwrap();
        assert_eq!(told.params["amount"], json!(120), "{}", db.name);
        assert_eq!(told.proposed_params.as_ref().unwrap()["amount"], json!(180.0), "{}", db.name);
        assert!(told.edit.as_ref().unwrap().as_array().unwrap().iter().any(|op| op["path"] == "/amount"));

        // The evidence: proposal, patch and reviewer; the patch rebuilds the approved params.
        let details = w.approvals(id).await;
        assert_eq!(details.len(), 1, "{}", db.name);
        let d = &details[0];
        assert_eq!(d["edited"], json!(true), "{}", db.name);
        assert_eq!(d["proposed_hash"], json!(hash), "{}", db.name);
        assert_eq!(governance::edit::apply(&d["proposed_params"], &d["patch"]).unwrap(), approved, "{}", db.name);
        let record = w.store.evidence_about("action", &id.to_string(), 1).await.unwrap().remove(0);
        assert_eq!(record.actor_name, "rita", "{}", db.name);
        assert!(record.summary.contains("with changes to amount, reason"), "{}: {}", db.name, record.summary);

        // The original binding is gone: running the proposal is refused, the edit is accepted.
        let refused = w.lifecycle.report_result(&w.me().await, id, report(proposed.clone())).await;
        assert!(matches!(refused, Err(GovError::Conflict { field: "params", .. })), "{}: {refused:?}", db.name);
        w.lifecycle.report_result(&w.me().await, id, report(approved)).await.unwrap();

        // The scorecard: decided once, not approved as proposed.
        let card = Scorecards::new(w.store.clone()).of_grant(&w.olga.as_member().unwrap(), w.grant_id).await.unwrap();
        let t = card.at_tier;
        assert_eq!((t.approved, t.edited, t.shadow_different), (1, 1, 0), "{}: {t:?}", db.name);
        assert_eq!((t.approval().hits, t.approval().n), (0, 1), "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn bad_edits_are_refused_and_leave_the_item_waiting() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let (id, hash) = w.ask(150.0).await;
        let refused = [
            (r#"{"order_id": "A-7", "amount": "120", "currency": "EUR"}"#, "/amount"),
            (r#"{"order_id": "A-7", "amount": 120, "currency": "euro"}"#, "/currency"),
            (r#"{"order_id": "A-7", "amount": 250, "currency": "EUR"}"#, "limit 200"),
            (r#"{"order_id": "A-7", "currency": "EUR"}"#, "amount"),
            (r#"["not", "an", "object"]"#, "JSON object"),
            ("{\"order_id\": \"A\\u0000\", \"amount\": 1, \"currency\": \"EUR\"}", "U+0000"),
        ];
        for (params, says) in refused {
            match w.edit(&w.rita, id, &hash, params).await {
                Err(GovError::Invalid { field: "params", message }) => {
                    assert!(message.contains(says), "{}: {params} → {message}", db.name)
                }
                other => panic!("{}: {params} gave {other:?}", db.name),
            }
        }
        let stale =
            w.edit(&w.rita, id, "not-what-was-shown", r#"{"order_id":"A-7","amount":1,"currency":"EUR"}"#).await;
        assert!(matches!(stale, Err(GovError::Conflict { field: "action_hash", .. })), "{}: {stale:?}", db.name);
        let a = w.store.action_by_id(id).await.unwrap().unwrap();
        assert_eq!((a.state.as_str(), a.action_hash.as_str()), ("needs_approval", hash.as_str()), "{}", db.name);
        assert!(w.approvals(id).await.is_empty(), "{}", db.name);

        // The same params are a plain approval: nothing is marked edited.
        w.edit(&w.rita, id, &hash, r#"{"currency": "EUR", "amount": 150, "order_id": "A-7"}"#).await.unwrap();
        let a = w.store.action_by_id(id).await.unwrap().unwrap();
        assert_eq!((a.proposed_params, a.shadow_agreement, a.action_hash), (None, None, hash), "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn of_two_reviewers_editing_at_once_exactly_one_wins() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        for round in 0..5 {
            let (id, hash) = w.ask(100.0 + f64::from(round)).await;
            let (a, b) = tokio::join!(
                w.edit(&w.rita, id, &hash, r#"{"order_id": "A-7", "amount": 50, "currency": "EUR"}"#),
                w.edit(&w.rex, id, &hash, r#"{"order_id": "A-7", "amount": 60, "currency": "EUR"}"#),
            );
            assert!(a.is_ok() != b.is_ok(), "{} round {round}: {a:?} / {b:?}", db.name);
            let lost = if a.is_ok() { b } else { a };
            assert!(matches!(lost, Err(GovError::Conflict { .. })), "{}: {lost:?}", db.name);
            assert_eq!(w.approvals(id).await.len(), 1, "{} round {round}", db.name);
        }
        db.cleanup().await;
    }
}
