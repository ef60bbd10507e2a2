//! Peer checks against real databases: independent verdicts, comparison, disagreement review,
//! time-outs and statistics.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use chrono::Duration;
use governance::action::ActionRequest;
use governance::service::accounts::ThrottlePolicy;
use governance::service::agents::{AgentPrincipal, NewAgent};
use governance::service::grants::GrantForm;
use governance::service::peer_checks::{Choice, PeerVerdict};
use governance::template::RuleForm;
use governance::{Accounts, Agents, Decisions, GovError, Grants, Inbox, Lifecycle, Principal, Store, Templates};
use serde_json::json;

struct World {
    olga: Principal,
    rita: Principal,
    templates: Templates,
    template_id: i64,
    agents: Agents,
    decisions: Decisions,
    lifecycle: Lifecycle,
    inbox: Inbox,
    keys: [String; 3],
}

async fn world(store: &Store) -> World {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let mut people = Vec::new();
    for (name, role) in [("olga", "manager"), ("rita", "reviewer")] {
        let (_, temp) = acc.add_user_cli(name, &[role.into()]).await.unwrap();
        let p = acc.login(name, &temp, "t").await.unwrap();
        let own = format!("{name}'s own password");
        acc.change_own_password(&p, &temp, &own, &own).await.unwrap();
        people.push(acc.principal(p.user_id).await.unwrap().unwrap());
    }
    let token = people[0].as_manager().unwrap();
    let agents = Agents::new(store.clone());
    let mut keys = Vec::new();
    let mut ids = Vec::new();
    for (name, model) in [("refund-bot", "model-a"), ("check-bot", "model-a"), ("other-bot", "model-b")] {
        let new = NewAgent {
            name: name.into(),
            purpose: "test".into(),
            environment: "production".into(),
            model_note: model.into(),
            ..NewAgent::default()
        };
        let a = agents.register(&token, new).await.unwrap();
        keys.push(agents.issue_key(&token, a.id).await.unwrap().1);
        ids.push(a.id);
    }
    let templates = Templates::new(store.clone());
    templates.ensure_builtins().await.unwrap();
    let finance = store.template_by_name("Finance analysis and refunds").await.unwrap().unwrap();
    let mine = templates.copy(&token, finance.id, "Refunds with a second opinion").await.unwrap();
    let unknown = RuleForm {
        capability: "finance.refund.issue".into(),
        peer_mode: "always".into(),
        peer_pool: "ghost-bot".into(),
        ..RuleForm::default()
    };
    assert!(matches!(
        templates.save_rule(&token, mine.id, 1, unknown).await,
        Err(GovError::Invalid { field: "peer_pool", .. })
    ));
    let rule = RuleForm {
        capability: "finance.refund.issue".into(),
        limits: "amount <= 200".into(),
        peer_mode: "always".into(),
        // The primary itself is in the pool too: it must never check its own work.
        peer_pool: "check-bot, refund-bot".into(),
        peer_tolerances: "amount: 1".into(),
        peer_deadline_minutes: "30".into(),
        ..RuleForm::default()
    };
    templates.save_rule(&token, mine.id, 1, rule).await.unwrap();
    Grants::new(store.clone()).grant(&token, refunds_from(ids[0], mine.id)).await.unwrap();
    World {
        rita: people.remove(1),
        olga: people.remove(0),
        templates,
        template_id: mine.id,
        agents,
        decisions: Decisions::new(store.clone()),
        lifecycle: Lifecycle::new(store.clone()),
        inbox: Inbox::new(store.clone()),
        keys: [keys[0].clone(), keys[1].clone(), keys[2].clone()],
    }
}

/// Refunds at executor for `agent_id` from the template's current version.
fn refunds_from(agent_id: i64, template_id: i64) -> GrantForm {
    GrantForm {
        agent_id,
        capability: "finance.refund.issue".into(),
        template_id,
        tier: "executor".into(),
        justification: "test setup: granted without a track record".into(),
    }
}

impl World {
    async fn agent(&self, i: usize) -> AgentPrincipal {
        self.agents.authenticate(&self.keys[i]).await.unwrap()
    }

    async fn ask(&self, amount: f64) -> (i64, String) {
        let req: ActionRequest = serde_json::from_value(json!({
            "capability": "finance.refund.issue",
            "params": {"order_id": "A-9", "amount": amount, "currency": "EUR"},
            "reasoning": "the primary's secret reasoning",
            "confidence": 0.9,
            "inputs": {"ticket": "T-9"},
            "task_ref": "T-9",
        }))
        .unwrap();
        let a = self.decisions.request(&self.agent(0).await, req).await.unwrap();
        (a.id, a.decision.as_str().to_owned())
    }

    async fn verdict(&self, check: i64, decision: &str, amount: f64) -> Result<(), GovError> {
        let v = PeerVerdict {
            decision: decision.into(),
            params: json!({"order_id": "A-9", "amount": amount, "currency": "EUR"}),
            reasoning: "my own look at the ticket".into(),
            confidence: 0.8,
        };
        self.lifecycle.peer_verdict(&self.agent(1).await, check, v).await
    }

    async fn take(&self) -> i64 {
        self.lifecycle.next_peer_task(&self.agent(1).await).await.unwrap().unwrap().id
    }
}

#[tokio::test]
async fn agreement_within_tolerance_continues_the_tier_path() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let (id, decision) = w.ask(50.0).await;
        assert_eq!(decision, "awaiting_peer", "{}", db.name);
        assert!(w.lifecycle.next_peer_task(&w.agent(2).await).await.unwrap().is_none(), "not in the pool");
        assert!(w.lifecycle.next_peer_task(&w.agent(0).await).await.unwrap().is_none(), "never its own check");
        let task = w.lifecycle.next_peer_task(&w.agent(1).await).await.unwrap().unwrap();
        assert_eq!((task.capability.as_str(), task.task_ref.as_str()), ("finance.refund.issue", "T-9"));
        assert_eq!(task.inputs, json!({"ticket": "T-9"}));
        assert!(w.lifecycle.next_peer_task(&w.agent(1).await).await.unwrap().is_none(), "taken once");
        // Another agent cannot answer a check it did not take.
        let other =
            PeerVerdict { decision: "proceed".into(), params: json!({}), reasoning: String::new(), confidence: 1.0 };
        assert!(matches!(
            w.lifecycle.peer_verdict(&w.agent(2).await, task.id, other).await,
            Err(GovError::NotFound(_))
        ));
        assert!(matches!(w.verdict(task.id, "maybe", 50.0).await, Err(GovError::Invalid { field: "decision", .. })));
        w.verdict(task.id, "proceed", 50.8).await.unwrap();
        let a = db.store.action_by_id(id).await.unwrap().unwrap();
        assert_eq!((a.state.as_str(), a.peer_review), ("allowed", false), "{}", db.name);
        assert!(matches!(w.verdict(task.id, "proceed", 50.0).await, Err(GovError::Conflict { .. })), "answered once");
        let kinds: Vec<String> = db
            .store
            .evidence_about("action", &id.to_string(), 10)
            .await
            .unwrap()
            .into_iter()
            .rev()
            .map(|r| r.kind)
            .collect();
        assert_eq!(kinds, ["action.decided", "peer.claimed", "action.peer_compared"]);
        assert!(db.store.verify_evidence().await.unwrap().is_ok());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_disagreement_waits_for_a_reviewer_who_may_choose_the_peer() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let (id, _) = w.ask(120.0).await;
        let check = w.take().await;
        w.verdict(check, "proceed", 80.0).await.unwrap();
        let a = db.store.action_by_id(id).await.unwrap().unwrap();
        assert_eq!((a.state.as_str(), a.peer_review), ("needs_approval", true), "{}", db.name);
        assert!(a.expires_at.is_some());
        let rita = w.rita.as_reviewer().unwrap();
        let counts = w.inbox.counts(&rita).await.unwrap();
        assert_eq!((counts.disagreements, counts.approval), (1, 0));
        // Reviewers hear of it from the transaction that sent it to them.
        let told = db.store.events_of_kind(governance::notify::EventKind::PeerDisagreement, 10).await.unwrap();
        assert_eq!(told.len(), 1, "{}", db.name);
        assert_eq!(told[0].subject, format!("action:{id}"));
        let data: serde_json::Value = serde_json::from_str(&told[0].payload).unwrap();
        assert_eq!(data["differing"], "amount", "{data}");
        // The plain approval path is closed: the choice is made side by side.
        assert!(matches!(
            w.lifecycle.review(&rita, id, governance::shadow::Verdict::Approve, &a.action_hash, "").await,
            Err(GovError::Conflict { .. })
        ));
        assert!(matches!(
            w.lifecycle.resolve_disagreement(&rita, id, Choice::Neither, "").await,
            Err(GovError::Invalid { field: "comment", .. })
        ));
        let after =
            w.lifecycle.resolve_disagreement(&rita, id, Choice::Peer, "the peer read the ticket right").await.unwrap();
        assert_eq!(after.state, "approved");
        assert!(after.params.contains("\"amount\":80"), "{}", after.params);
        assert_eq!(after.approved_hash.as_deref(), Some(after.action_hash.as_str()));
        let answer = w.decisions.get(&w.agent(0).await, id).await.unwrap();
        assert_eq!(answer.params["amount"], 80.0);
        assert!(matches!(
            w.lifecycle.resolve_disagreement(&rita, id, Choice::Primary, "").await,
            Err(GovError::Conflict { .. })
        ));
        let stats = w
            .inbox
            .peer_stats(&w.olga.as_manager().unwrap(), db.store.action_by_id(id).await.unwrap().unwrap().agent_id)
            .await
            .unwrap();
        assert_eq!((stats[0].peer.as_str(), stats[0].answered, stats[0].chose_peer), ("check-bot", 1, 1));
        assert!(db.store.verify_evidence().await.unwrap().is_ok());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn no_verdict_in_time_goes_to_mandatory_review() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let (id, _) = w.ask(40.0).await;
        let check = w.take().await;
        let later = governance::clock::now() + Duration::minutes(31);
        let (a, b) = (Lifecycle::new(db.store.clone()), Lifecycle::new(db.store.clone()));
        let (x, y) = tokio::join!(a.apply_deadlines(later), b.apply_deadlines(later));
        assert_eq!(x.unwrap().peer_timed_out + y.unwrap().peer_timed_out, 1, "{}: exactly once", db.name);
        let action = db.store.action_by_id(id).await.unwrap().unwrap();
        assert_eq!((action.state.as_str(), action.peer_review), ("needs_approval", true));
        assert!(matches!(w.verdict(check, "proceed", 40.0).await, Err(GovError::Conflict { .. })), "too late");
        let rita = w.rita.as_reviewer().unwrap();
        assert!(matches!(
            w.lifecycle.resolve_disagreement(&rita, id, Choice::Peer, "").await,
            Err(GovError::Invalid { field: "choice", .. })
        ));
        assert_eq!(w.lifecycle.resolve_disagreement(&rita, id, Choice::Primary, "").await.unwrap().state, "approved");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_pool_with_nobody_but_the_primary_sends_the_action_to_a_person() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let alone = RuleForm {
            capability: "finance.refund.issue".into(),
            limits: "amount <= 200".into(),
            peer_mode: "always".into(),
            peer_pool: "refund-bot".into(),
            ..RuleForm::default()
        };
        let olga = w.olga.as_manager().unwrap();
        w.templates.save_rule(&olga, w.template_id, 2, alone).await.unwrap();
        // A grant keeps the version it was made from: grant again from the new one.
        let grants = Grants::new(db.store.clone());
        let agent_id = w.agent(0).await.agent.id;
        let old = grants.of_agent(&olga, agent_id).await.unwrap().remove(0);
        grants.revoke(&olga, old.id, "the pool changed").await.unwrap();
        grants.grant(&olga, refunds_from(agent_id, w.template_id)).await.unwrap();
        let (id, decision) = w.ask(50.0).await;
        assert_eq!(decision, "needs_approval", "{}", db.name);
        let rule = db.store.action_by_id(id).await.unwrap().unwrap().rule;
        assert!(rule.ends_with("no other agent in its pool can take it"), "{rule}");
        let waiting = w.inbox.counts(&w.rita.as_reviewer().unwrap()).await.unwrap();
        assert_eq!((waiting.approval, waiting.disagreements), (1, 0), "{}", db.name);
        assert!(w.lifecycle.next_peer_task(&w.agent(1).await).await.unwrap().is_none(), "no check was made");
        db.cleanup().await;
    }
}
