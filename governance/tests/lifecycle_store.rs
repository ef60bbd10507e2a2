//! The action lifecycle after the decision, against real databases: reviews bound to the
//! action, races, deadlines, execution reports, rollbacks, shadow comparisons and alerts.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use chrono::Duration;
use governance::action::ActionRequest;
use governance::service::accounts::ThrottlePolicy;
use governance::service::agents::{AgentPrincipal, NewAgent};
use governance::service::execution::{ResultReport, RollbackReport};
use governance::service::grants::GrantForm;
use governance::service::inbox::View;
use governance::shadow::Verdict;
use governance::template::RuleForm;
use governance::{Accounts, Agents, Decisions, GovError, Grants, Inbox, Lifecycle, Principal, Store, Templates};
use serde_json::{Value, json};

struct World {
    store: Store,
    /// Manager and owner of the agent, also a reviewer (for separation of duties).
    olga: Principal,
    rita: Principal,
    rex: Principal,
    agents: Agents,
    grants: Grants,
    decisions: Decisions,
    lifecycle: Lifecycle,
    inbox: Inbox,
    agent_id: i64,
    key: String,
    template_id: i64,
}

use common::person;

async fn world(store: &Store) -> World {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let olga = person(&acc, "olga", &["manager", "reviewer"]).await;
    let rita = person(&acc, "rita", &["reviewer"]).await;
    let rex = person(&acc, "rex", &["reviewer"]).await;
    let token = olga.as_manager().unwrap();
    let templates = Templates::new(store.clone());
    templates.ensure_builtins().await.unwrap();
    let finance = store.template_by_name("Finance analysis and refunds").await.unwrap().unwrap();
    let mine = templates.copy(&token, finance.id, "Refunds with four eyes").await.unwrap();
    let rule = RuleForm {
        capability: "finance.refund.issue".into(),
        limits: "amount <= 200".into(),
        new_value_params: "currency".into(),
        approval_expiry_minutes: "60".into(),
        separation_of_duties: true,
        ..RuleForm::default()
    };
    templates.save_rule(&token, mine.id, 1, rule).await.unwrap();
    let agents = Agents::new(store.clone());
    let new = NewAgent {
        name: "refund-bot".into(),
        purpose: "refunds".into(),
        owner: "olga".into(),
        environment: "production".into(),
        ..NewAgent::default()
    };
    let agent = agents.register(&token, new).await.unwrap();
    let (_, key) = agents.issue_key(&token, agent.id).await.unwrap();
    World {
        store: store.clone(),
        olga,
        rita,
        rex,
        agents,
        grants: Grants::new(store.clone()),
        decisions: Decisions::new(store.clone()),
        lifecycle: Lifecycle::new(store.clone()),
        inbox: Inbox::new(store.clone()),
        agent_id: agent.id,
        key,
        template_id: mine.id,
    }
}

impl World {
    async fn grant(&self, capability: &str, tier: &str) {
        let token = self.olga.as_manager().unwrap();
        let form = GrantForm {
            agent_id: self.agent_id,
            capability: capability.into(),
            template_id: self.template_id,
            tier: tier.into(),
            justification: "test setup: granted without a track record".into(),
        };
        self.grants.grant(&token, form).await.unwrap();
    }

    async fn me(&self) -> AgentPrincipal {
        self.agents.authenticate(&self.key).await.unwrap()
    }

    async fn ask(&self, amount: f64, currency: &str) -> i64 {
        let req: ActionRequest = serde_json::from_value(json!({
            "capability": "finance.refund.issue",
            "params": {"order_id": "A-1", "amount": amount, "currency": currency},
            "reasoning": "charged twice",
            "confidence": 0.95,
        }))
        .unwrap();
        self.decisions.request(&self.me().await, req).await.unwrap().id
    }

    async fn state(&self, id: i64) -> governance::lifecycle::State {
        self.store.action_by_id(id).await.unwrap().unwrap().state
    }

    async fn hash(&self, id: i64) -> String {
        self.store.action_by_id(id).await.unwrap().unwrap().action_hash
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

fn succeeded(undo: Value) -> ResultReport {
    ResultReport { status: "succeeded".into(), output: json!({"refund": "R-1"}), undo, params: None }
}

#[tokio::test]
async fn approve_execute_roll_back_with_a_record_of_each_step() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        w.grant("finance.refund.issue", "contributor").await;
        let rita = w.rita.as_reviewer().unwrap();
        let id = w.ask(30.0, "EUR").await;
        assert_eq!(w.state(id).await, "needs_approval", "{}", db.name);

        // Nothing executes before approval.
        let early = w.lifecycle.report_result(&w.me().await, id, succeeded(json!({}))).await;
        assert!(matches!(early, Err(GovError::Conflict { .. })), "{early:?}");
        // An approval binds to the action shown.
        let stale = w.lifecycle.review(&rita, id, Verdict::Approve, "not-the-hash", "").await;
        assert!(matches!(stale, Err(GovError::Conflict { field: "action_hash", .. })), "{stale:?}");
        assert!(matches!(
            w.lifecycle.review(&rita, id, Verdict::Reject, &w.hash(id).await, " ").await,
            Err(GovError::Invalid { field: "comment", .. })
        ));
        let approved = w.lifecycle.review(&rita, id, Verdict::Approve, &w.hash(id).await, "ok").await.unwrap();
        assert_eq!(approved.state, "approved");

        // Execution must use the approved params.
        let other = ResultReport {
            params: Some(json!({"order_id": "A-1", "amount": 300, "currency": "EUR"})),
            ..succeeded(json!({}))
        };
        assert!(matches!(
            w.lifecycle.report_result(&w.me().await, id, other).await,
            Err(GovError::Conflict { field: "params", .. })
        ));
        let same = ResultReport {
            params: Some(json!({"currency": "EUR", "amount": 30.0, "order_id": "A-1"})),
            ..succeeded(json!({"refund_id": "R-1"}))
        };
        let done = w.lifecycle.report_result(&w.me().await, id, same).await.unwrap();
        assert_eq!(done.state, "reversible");
        let until = done.reversible_until.unwrap();
        assert!(until > done.reported_at.unwrap() + Duration::hours(23), "refunds are reversible for a day");

        // A reviewer asks for a rollback; the agent sees it with its undo data.
        let corrector = w.rex.as_corrector().unwrap();
        assert!(matches!(
            w.lifecycle.request_rollback(&corrector, id, "").await,
            Err(GovError::Invalid { field: "reason", .. })
        ));
        w.lifecycle.request_rollback(&corrector, id, "wrong order").await.unwrap();
        let pending = w.lifecycle.pending_rollbacks(&w.me().await).await.unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].undo.as_deref(), Some(r#"{"refund_id":"R-1"}"#));
        assert_eq!(pending[0].rollback_reason.as_deref(), Some("wrong order"));
        let report = RollbackReport { status: "rolled_back".into(), output: json!({"reverted": true}) };
        assert_eq!(w.lifecycle.report_rollback(&w.me().await, id, report.clone()).await.unwrap().state, "rolled_back");
        assert!(
            matches!(w.lifecycle.report_rollback(&w.me().await, id, report).await, Err(GovError::Conflict { .. })),
            "reported once only"
        );
        assert!(w.lifecycle.pending_rollbacks(&w.me().await).await.unwrap().is_empty());

        assert_eq!(
            w.kinds(id).await,
            ["action.decided", "action.approved", "action.reported", "action.rollback_requested", "action.rolled_back"]
        );
        assert!(db.store.verify_evidence().await.unwrap().is_ok());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn batch_approval_is_for_at_most_25_alike_items() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        w.grant("finance.refund.issue", "contributor").await;
        w.grant("finance.report.generate", "contributor").await;
        let rita = w.rita.as_reviewer().unwrap();
        let mut refunds = Vec::new();
        for _ in 0..26 {
            let id = w.ask(30.0, "EUR").await;
            refunds.push((id, w.hash(id).await));
        }
        let too_many = w.lifecycle.review_many(&rita, &refunds, Verdict::Approve, "").await;
        assert!(
            matches!(&too_many, Err(GovError::Invalid { field: "ids", message }) if message.contains("at most 25")),
            "{too_many:?}"
        );
        let req: ActionRequest = serde_json::from_value(json!({
            "capability": "finance.report.generate", "params": {"period": "2026-11"}, "confidence": 0.9,
        }))
        .unwrap();
        let report = w.decisions.request(&w.me().await, req).await.unwrap().id;
        let mixed = vec![refunds[0].clone(), (report, w.hash(report).await)];
        let refused = w.lifecycle.review_many(&rita, &mixed, Verdict::Approve, "").await;
        assert!(
            matches!(&refused, Err(GovError::Invalid { field: "ids", message }) if message.contains("alike")),
            "{refused:?}"
        );
        assert_eq!(w.state(report).await, "needs_approval", "{}: nothing approved", db.name);
        // Rejecting a mixed batch is still one judgement about each: allowed.
        let out = w.lifecycle.review_many(&rita, &mixed, Verdict::Reject, "not now").await.unwrap();
        assert_eq!(out.done.len(), 2, "{}", db.name);
        let out = w.lifecycle.review_many(&rita, &refunds[1..], Verdict::Approve, "").await.unwrap();
        assert_eq!(out.done.len(), 25, "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn two_reviewers_racing_on_200_items_make_one_transition_each() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        w.grant("finance.refund.issue", "contributor").await;
        let mut picks = Vec::new();
        for _ in 0..200 {
            let id = w.ask(30.0, "EUR").await;
            picks.push((id, w.hash(id).await));
        }
        let (a, b) = (w.lifecycle.clone(), w.lifecycle.clone());
        let (pa, pb) = (picks.clone(), picks.clone());
        let (ra, rb) = (w.rita.clone(), w.rex.clone());
        let first = tokio::spawn(async move {
            // Approvals go in batches of at most 25 alike items.
            let mut all = governance::service::lifecycle::Bulk::default();
            for chunk in pa.chunks(governance::service::lifecycle::MOST_BATCH_APPROVALS) {
                let out =
                    a.review_many(&ra.as_reviewer().unwrap(), chunk, Verdict::Approve, "looks right").await.unwrap();
                all.done.extend(out.done);
                all.skipped.extend(out.skipped);
            }
            all
        });
        let second = tokio::spawn(async move {
            // The other reviewer goes through the list from the end.
            let rev: Vec<_> = pb.into_iter().rev().collect();
            b.review_many(&rb.as_reviewer().unwrap(), &rev, Verdict::Reject, "not convinced").await.unwrap()
        });
        let (x, y) = (first.await.unwrap(), second.await.unwrap());
        assert_eq!(x.done.len() + y.done.len(), 200, "{}: every item decided once", db.name);
        assert_eq!(x.skipped.len() + y.skipped.len(), 200, "{}: every loser told", db.name);
        assert!(
            x.skipped.iter().chain(&y.skipped).all(|(_, why)| why.contains("already")),
            "the loser sees who decided: {:?}",
            x.skipped.first()
        );
        for (id, _) in &picks {
            let decided: Vec<String> =
                w.kinds(*id).await.into_iter().filter(|k| k == "action.approved" || k == "action.rejected").collect();
            assert_eq!(decided.len(), 1, "{}: action {id} has exactly one decision record", db.name);
            let state = w.state(*id).await;
            assert_eq!(state, if decided[0] == "action.approved" { "approved" } else { "rejected" });
        }
        assert!(db.store.verify_evidence().await.unwrap().is_ok());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn deadlines_expire_approvals_and_end_undo_windows_exactly_once() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        w.grant("finance.refund.issue", "contributor").await;
        let pending: Vec<i64> = {
            let mut v = Vec::new();
            for _ in 0..30 {
                v.push(w.ask(10.0, "EUR").await);
            }
            v
        };
        let executed = pending[0];
        let rita = w.rita.as_reviewer().unwrap();
        w.lifecycle.review(&rita, executed, Verdict::Approve, &w.hash(executed).await, "").await.unwrap();
        w.lifecycle.report_result(&w.me().await, executed, succeeded(json!({}))).await.unwrap();

        // Nothing is due yet.
        let now = governance::clock::now();
        assert_eq!(w.lifecycle.apply_deadlines(now).await.unwrap().expired, 0);
        // Two instances run the loop at the same later moment.
        let later = now + Duration::hours(2);
        let (a, b) = (Lifecycle::new(db.store.clone()), Lifecycle::new(db.store.clone()));
        let (x, y) = tokio::join!(a.apply_deadlines(later), b.apply_deadlines(later));
        let (x, y) = (x.unwrap(), y.unwrap());
        assert_eq!(x.expired + y.expired, 29, "{}: each approval expired once", db.name);
        assert_eq!(x.finalised + y.finalised, 0, "the undo window lasts a day");
        for id in &pending[1..] {
            assert_eq!(w.state(*id).await, "expired");
            assert_eq!(w.kinds(*id).await.iter().filter(|k| *k == "action.expired").count(), 1);
        }
        let day_later = now + Duration::hours(25);
        assert_eq!(w.lifecycle.apply_deadlines(day_later).await.unwrap().finalised, 1);
        assert_eq!(w.state(executed).await, "final");
        let corrector = w.rita.as_corrector().unwrap();
        let late = w.lifecycle.request_rollback(&corrector, executed, "too late").await;
        assert!(matches!(late, Err(GovError::Conflict { .. })), "{late:?}");
        assert!(db.store.verify_evidence().await.unwrap().is_ok());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_owner_may_not_approve_high_risk_actions_of_their_own_agent() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        w.grant("finance.refund.issue", "contributor").await;
        let id = w.ask(30.0, "EUR").await;
        let hash = w.hash(id).await;
        let olga = w.olga.as_reviewer().unwrap();
        let refused = w.lifecycle.review(&olga, id, Verdict::Approve, &hash, "mine").await;
        assert!(matches!(refused, Err(GovError::Forbidden(ref m)) if m.contains("another reviewer")), "{refused:?}");
        assert_eq!(w.state(id).await, "needs_approval", "{}", db.name);
        // Rejecting is always allowed; another reviewer may approve.
        let id2 = w.ask(31.0, "EUR").await;
        w.lifecycle.review(&olga, id2, Verdict::Reject, &w.hash(id2).await, "no").await.unwrap();
        w.lifecycle.review(&w.rita.as_reviewer().unwrap(), id, Verdict::Approve, &hash, "").await.unwrap();
        db.cleanup().await;
    }
}

#[tokio::test]
async fn supervised_actions_wait_for_confirmation_and_approval_teaches_new_values() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let token = w.olga.as_manager().unwrap();
        let supervised = RuleForm {
            capability: "finance.refund.issue".into(),
            limits: "amount <= 200".into(),
            new_value_params: "currency".into(),
            supervised: true,
            ..RuleForm::default()
        };
        Templates::new(db.store.clone()).save_rule(&token, w.template_id, 2, supervised).await.unwrap();
        w.grant("finance.refund.issue", "executor").await;
        // A currency never used before escalates; once approved, it is known.
        let first = w.ask(20.0, "EUR").await;
        assert_eq!(w.state(first).await, "needs_approval", "{}", db.name);
        w.lifecycle
            .review(&w.rita.as_reviewer().unwrap(), first, Verdict::Approve, &w.hash(first).await, "")
            .await
            .unwrap();
        let id = w.ask(25.0, "EUR").await;
        assert_eq!(w.state(id).await, "allowed", "{}: EUR was approved before", db.name);
        let after = w.lifecycle.report_result(&w.me().await, id, succeeded(json!({"r": 1}))).await.unwrap();
        assert_eq!(after.state, "awaiting_confirmation");
        let waiting = w.inbox.counts(&w.rex.as_reviewer().unwrap()).await.unwrap();
        assert_eq!((waiting.supervised, waiting.approval), (1, 0));
        let confirmed = w.lifecycle.confirm(&w.rex.as_reviewer().unwrap(), id, "fine").await.unwrap();
        assert_eq!(confirmed.state, "final");
        let again = w.lifecycle.confirm(&w.rita.as_reviewer().unwrap(), id, "").await;
        match again {
            Err(GovError::Conflict { message, .. }) => assert!(message.contains("rex"), "{message}"),
            other => panic!("expected a conflict naming rex, got {other:?}"),
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn shadow_comparisons_are_recorded_and_tallied() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        w.grant("finance.refund.issue", "observer").await;
        let rita = w.rita.as_reviewer().unwrap();
        let ids = [w.ask(10.0, "EUR").await, w.ask(20.0, "EUR").await, w.ask(30.0, "EUR").await];
        assert_eq!(w.state(ids[0]).await, "shadow");
        let waiting = w.inbox.counts(&rita).await.unwrap();
        assert_eq!((waiting.shadow, waiting.approval, waiting.total()), (3, 0, 3), "{}", db.name);
        // The depth /metrics shows: the section's count and when its oldest was proposed.
        let depth = w.inbox.depth().await.unwrap();
        let section = |v: View| *depth.iter().find(|d| d.view == v).unwrap();
        let shadow = section(View::Shadow);
        assert_eq!(shadow.waiting, 3, "{}", db.name);
        let oldest = shadow.oldest.expect("the oldest shadow case's time");
        let first = w.store.action_by_id(ids[0]).await.unwrap().unwrap().created_at;
        assert_eq!(
            oldest.timestamp_millis(),
            first.timestamp_millis(),
            "{}: the first proposal is the oldest",
            db.name
        );
        assert_eq!((section(View::Approval).waiting, section(View::Approval).oldest), (0, None), "{}", db.name);
        // Blind review: approving names the params the reviewer would use.
        assert!(matches!(
            w.lifecycle.record_shadow(&rita, ids[0], Verdict::Approve, "", "same").await,
            Err(GovError::Invalid { field: "params", .. })
        ));
        let same = w.store.action_by_id(ids[0]).await.unwrap().unwrap().params;
        w.lifecycle.record_shadow(&rita, ids[0], Verdict::Approve, &same, "same").await.unwrap();
        let edited = r#"{"order_id": "A-1", "amount": 15, "currency": "EUR"}"#;
        let a = w.lifecycle.record_shadow(&rita, ids[1], Verdict::Approve, edited, "").await.unwrap();
        assert_eq!(a.shadow_agreement.as_deref(), Some("different_params"));
        assert!(matches!(
            w.lifecycle.record_shadow(&rita, ids[2], Verdict::Approve, "{not json", "").await,
            Err(GovError::Invalid { field: "params", .. })
        ));
        assert!(
            matches!(
                w.lifecycle
                    .record_shadow(
                        &rita,
                        ids[2],
                        Verdict::Approve,
                        r#"{"order_id": "A-1", "amount": -1, "currency": "EUR"}"#,
                        ""
                    )
                    .await,
                Err(GovError::Invalid { field: "params", .. })
            ),
            "edited params must fit the capability's schema"
        );
        w.lifecycle.record_shadow(&rita, ids[2], Verdict::Reject, "", "").await.unwrap();
        assert_eq!(w.inbox.counts(&rita).await.unwrap().shadow, 0, "recorded cases leave the inbox");
        let tallies = w.inbox.shadow_tallies(&w.olga.as_manager().unwrap(), w.agent_id).await.unwrap();
        assert_eq!(tallies.len(), 1, "{}", db.name);
        let t = &tallies[0].1;
        assert_eq!((t.same, t.different_params, t.opposite, t.agreement_percent()), (1, 1, 1, Some(33)));
        // A shadow action never executes.
        let run = w.lifecycle.report_result(&w.me().await, ids[0], succeeded(json!({}))).await;
        assert!(matches!(run, Err(GovError::Conflict { .. })));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_failed_rollback_raises_an_alert_that_sends_everything_to_approval() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        w.grant("finance.refund.issue", "executor").await;
        let first = w.ask(20.0, "EUR").await;
        let rita = w.rita.as_reviewer().unwrap();
        w.lifecycle.review(&rita, first, Verdict::Approve, &w.hash(first).await, "").await.unwrap();
        let id = w.ask(20.0, "EUR").await;
        assert_eq!(w.state(id).await, "allowed", "{}", db.name);
        w.lifecycle.report_result(&w.me().await, id, succeeded(json!({"r": 1}))).await.unwrap();
        w.lifecycle.request_rollback(&w.olga.as_corrector().unwrap(), id, "duplicate").await.unwrap();
        let failed = RollbackReport { status: "failed".into(), output: json!({"error": "already paid out"}) };
        assert_eq!(w.lifecycle.report_rollback(&w.me().await, id, failed).await.unwrap().state, "rollback_failed");
        let alerts = db.store.open_alerts(Some(w.agent_id)).await.unwrap();
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].action_id, Some(id));
        let next = w.ask(20.0, "EUR").await;
        assert_eq!(w.state(next).await, "needs_approval", "an open alert escalates everything");
        w.lifecycle.resolve_alert(&w.rita.as_corrector().unwrap(), alerts[0].id, "refunded by hand").await.unwrap();
        assert!(matches!(
            w.lifecycle.resolve_alert(&w.rita.as_corrector().unwrap(), alerts[0].id, "again").await,
            Err(GovError::Conflict { .. })
        ));
        assert_eq!(w.state(w.ask(20.0, "EUR").await).await, "allowed");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn corrections_roll_back_what_can_be_undone_and_list_the_rest() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        w.grant("finance.refund.issue", "contributor").await;
        let rita = w.rita.as_reviewer().unwrap();
        let mut executed = Vec::new();
        for amount in [10.0, 11.0, 12.0] {
            let id = w.ask(amount, "EUR").await;
            w.lifecycle.review(&rita, id, Verdict::Approve, &w.hash(id).await, "").await.unwrap();
            w.lifecycle.report_result(&w.me().await, id, succeeded(json!({"n": amount}))).await.unwrap();
            executed.push(id);
        }
        let pending = w.ask(13.0, "EUR").await;
        let corrector = w.olga.as_corrector().unwrap();
        let (reversible, other) = w.lifecycle.correction_preview(&corrector, w.agent_id, 2).await.unwrap();
        let mut ids: Vec<i64> = reversible.iter().map(|a| a.id).collect();
        ids.sort_unstable();
        assert_eq!(ids, executed, "{}", db.name);
        assert!(other.iter().any(|a| a.id == pending));
        assert!(matches!(
            w.lifecycle.correction_preview(&corrector, w.agent_id, 0).await,
            Err(GovError::Invalid { field: "hours", .. })
        ));
        let out = w.lifecycle.correct(&corrector, w.agent_id, 2, "policy misread").await.unwrap();
        assert_eq!(out.done.len(), 3);
        assert_eq!(w.lifecycle.pending_rollbacks(&w.me().await).await.unwrap().len(), 3);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn agents_only_report_on_their_own_actions() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        w.grant("finance.refund.issue", "executor").await;
        let id = w.ask(500.0, "EUR").await;
        let token = w.olga.as_manager().unwrap();
        let other = NewAgent {
            name: "other-bot".into(),
            purpose: "x".into(),
            owner: "olga".into(),
            environment: "sandbox".into(),
            ..NewAgent::default()
        };
        let other = w.agents.register(&token, other).await.unwrap();
        let (_, key) = w.agents.issue_key(&token, other.id).await.unwrap();
        let stranger = w.agents.authenticate(&key).await.unwrap();
        assert!(matches!(
            w.lifecycle.report_result(&stranger, id, succeeded(json!({}))).await,
            Err(GovError::NotFound(_))
        ));
        let bad = ResultReport { status: "done".into(), ..succeeded(json!({})) };
        assert!(matches!(
            w.lifecycle.report_result(&w.me().await, id, bad).await,
            Err(GovError::Invalid { field: "status", .. })
        ));
        db.cleanup().await;
    }
}
