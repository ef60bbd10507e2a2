//! Grants and the decision path against real databases.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use governance::action::ActionRequest;
use governance::agent::AgentStatus;
use governance::service::accounts::ThrottlePolicy;
use governance::service::agents::AgentPrincipal;
use governance::service::grants::{GrantForm, Step};
use governance::template::RuleForm;
use governance::{Accounts, Agents, Decisions, GovError, Grants, Principal, Store};
use serde_json::json;

struct World {
    manager: Principal,
    agents: Agents,
    grants: Grants,
    decisions: Decisions,
    agent_id: i64,
    key: String,
    template_id: i64,
}

async fn world(store: &Store) -> World {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let manager = common::person(&acc, "mona", &["manager"]).await;
    let rule = RuleForm {
        capability: "finance.refund.issue".into(),
        min_confidence: "0.9".into(),
        limits: "amount <= 200".into(),
        max_per_hour: "4".into(),
        new_value_params: String::new(),
        supervised: true,
        approval_expiry_minutes: "60".into(),
        condition: r#"context.params.order_id != "BLOCKED""#.into(),
        separation_of_duties: false,
        ..RuleForm::default()
    };
    let template_id = common::refund_template(store, &manager, "Refunds, no currency check", rule).await;
    let agents = Agents::new(store.clone());
    let (agent, key) = common::sandbox_agent(store, &manager, "refund-bot").await;
    World {
        manager,
        agents,
        grants: Grants::new(store.clone()),
        decisions: Decisions::new(store.clone()),
        agent_id: agent.id,
        key,
        template_id,
    }
}

fn refund(amount: f64, key: Option<&str>) -> ActionRequest {
    serde_json::from_value(json!({
        "capability": "finance.refund.issue",
        "params": {"order_id": "A-1", "amount": amount, "currency": "EUR"},
        "reasoning": "charged twice",
        "confidence": 0.95,
        "idempotency_key": key,
    }))
    .unwrap()
}

/// The world's agent granted refunds at `tier` from the world's template.
fn refund_grant(w: &World, tier: &str) -> GrantForm {
    GrantForm {
        agent_id: w.agent_id,
        capability: "finance.refund.issue".into(),
        template_id: w.template_id,
        tier: tier.into(),
        justification: "test setup: granted without a track record".into(),
    }
}

async fn me(w: &World) -> AgentPrincipal {
    w.agents.authenticate(&w.key).await.unwrap()
}

#[tokio::test]
async fn tiers_conditions_and_refusals_decide_as_the_template_says() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let token = w.manager.as_manager().unwrap();
        let who = me(&w).await;

        let a = w.decisions.request(&who, refund(50.0, None)).await.unwrap();
        assert_eq!((a.decision.as_str(), a.rule.as_str()), ("denied", "no grant for this capability"), "{}", db.name);
        assert!(a.sandbox);

        let form = refund_grant(&w, "executor");
        let g = w.grants.grant(&token, form.clone()).await.unwrap();
        assert_eq!(g.template_version, 2);
        assert!(
            matches!(w.grants.grant(&token, form).await, Err(GovError::Conflict { field: "capability", .. })),
            "one grant per capability"
        );

        let a = w.decisions.request(&who, refund(50.0, None)).await.unwrap();
        assert_eq!(a.decision, "allowed", "{}: {}", db.name, a.rule);
        assert!(a.supervised && a.rule.contains("template Refunds, no currency check v2"));
        let a = w.decisions.request(&who, refund(500.0, None)).await.unwrap();
        assert_eq!(a.decision, "needs_approval");
        assert!(a.rule.contains("exceeds the limit 200") && a.expires_at.is_some());

        let blocked = ActionRequest {
            params: json!({"order_id": "BLOCKED", "amount": 5, "currency": "EUR"}),
            ..refund(1.0, None)
        };
        let a = w.decisions.request(&who, blocked).await.unwrap();
        assert!(a.decision == "needs_approval" && a.rule.contains("template condition does not hold"), "{}", a.rule);
        let low = ActionRequest { confidence: 0.5, ..refund(10.0, None) };
        assert!(w.decisions.request(&who, low).await.unwrap().rule.contains("below the minimum 0.9"));
        // Four non-denied requests this hour reach the rate limit.
        let a = w.decisions.request(&who, refund(10.0, None)).await.unwrap();
        assert!(a.rule.contains("rate limit"), "{}", a.rule);

        w.grants.step(&token, g.id, Step::Demote, "too many escalations").await.unwrap();
        let a = w.decisions.request(&who, refund(10.0, None)).await.unwrap();
        assert!(a.decision == "needs_approval" && a.rule.contains("contributor tier"));
        assert!(matches!(
            w.grants.step(&token, g.id, Step::Promote, "").await,
            Err(GovError::Invalid { field: "reason", .. })
        ));

        let unknown = ActionRequest { capability: "no.such.thing".into(), ..refund(1.0, None) };
        assert_eq!(w.decisions.request(&who, unknown).await.unwrap().rule, "unknown capability");
        let bad =
            ActionRequest { params: json!({"order_id": "A-1", "amount": -5, "currency": "EUR"}), ..refund(1.0, None) };
        match w.decisions.request(&who, bad).await {
            Err(GovError::Invalid { field: "params", message }) => {
                assert!(message.starts_with("params/amount"), "{message}")
            }
            other => panic!("expected a schema refusal, got {other:?}"),
        }

        w.agents.set_status(&token, w.agent_id, AgentStatus::Suspended, "incident").await.unwrap();
        let who = me(&w).await;
        assert_eq!(w.decisions.request(&who, refund(1.0, None)).await.unwrap().rule, "agent is suspended");
        assert!(db.store.verify_evidence().await.unwrap().is_ok());
        let history = db.store.evidence_about("agent", &w.agent_id.to_string(), 50).await.unwrap();
        assert!(history.iter().any(|r| r.kind == "grant.demoted"), "tier history is on the agent");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn idempotency_keys_replay_the_answer_and_refuse_another_body() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let who = me(&w).await;
        let first = w.decisions.request(&who, refund(50.0, Some("k-1"))).await.unwrap();
        let again = w.decisions.request(&who, refund(50.0, Some("k-1"))).await.unwrap();
        assert_eq!(first, again, "{}", db.name);
        assert!(matches!(
            w.decisions.request(&who, refund(51.0, Some("k-1"))).await,
            Err(GovError::Conflict { field: "idempotency_key", .. })
        ));
        let stored = db.store.action_by_id(first.id).await.unwrap().unwrap();
        assert_eq!(stored.evidence_hash, first.evidence_hash);
        assert_eq!(w.decisions.get(&who, first.id).await.unwrap().decision, "denied");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn concurrent_decisions_from_several_instances_keep_one_intact_chain() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let token = w.manager.as_manager().unwrap();
        let form = refund_grant(&w, "observer");
        w.grants.grant(&token, form).await.unwrap();
        // Two "instances": two writers over the same database.
        let instances = [Decisions::new(db.store.clone()), Decisions::new(db.store.clone())];
        let who = me(&w).await;
        let mut tasks = Vec::new();
        for i in 0..60 {
            let d = instances[i % 2].clone();
            let who = who.clone();
            // Every third request repeats the key of the one before it, across instances.
            let key = format!("k-{}", if i % 3 == 2 { i - 1 } else { i });
            tasks.push(tokio::spawn(async move { d.request(&who, refund(10.0, Some(&key))).await }));
        }
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.unwrap().unwrap());
        }
        assert!(answers.iter().all(|a| a.decision == "shadow"), "{}", db.name);
        let mut ids: Vec<i64> = answers.iter().map(|a| a.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 40, "repeated keys got the first answer ({})", db.name);
        assert!(db.store.verify_evidence().await.unwrap().is_ok(), "{}", db.name);
        db.cleanup().await;
    }
}

/// Each instance keeps what decisions read in memory; a change made anywhere (here through the
/// services of neither instance, as another server would) must hold for the very next decision
/// on every instance, however warm its cache.
#[tokio::test]
async fn a_change_holds_for_the_next_decision_on_every_instance() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let token = w.manager.as_manager().unwrap();
        let form = refund_grant(&w, "executor");
        let grant = w.grants.grant(&token, form).await.unwrap();
        let instances = [Decisions::new(db.store.clone()), Decisions::new(db.store.clone())];
        let mut who = Vec::new();
        for d in &instances {
            // Authenticated through each instance's memory, and each cache warmed by a decision.
            who.push(d.authenticate(&w.key).await.unwrap());
            assert_eq!(d.request(&who[0], refund(10.0, None)).await.unwrap().decision, "allowed", "{}", db.name);
        }
        let before = db.store.decision_inputs_version().await.unwrap();
        instances[0].request(&who[0], refund(10.0, None)).await.unwrap();
        assert_eq!(db.store.decision_inputs_version().await.unwrap(), before, "decisions do not move the counter");

        w.agents.set_status(&token, w.agent_id, AgentStatus::Suspended, "incident").await.unwrap();
        assert!(db.store.decision_inputs_version().await.unwrap() > before, "a suspension moves it");
        for (d, who) in instances.iter().zip(&who) {
            let a = d.request(who, refund(10.0, None)).await.unwrap();
            assert_eq!((a.decision.as_str(), a.rule.as_str()), ("denied", "agent is suspended"), "{}", db.name);
        }
        w.agents.set_status(&token, w.agent_id, AgentStatus::Active, "resolved").await.unwrap();
        assert_eq!(instances[1].request(&who[1], refund(10.0, None)).await.unwrap().decision, "allowed");

        w.grants.step(&token, grant.id, Step::Demote, "one step down").await.unwrap();
        let a = instances[0].request(&who[0], refund(10.0, None)).await.unwrap();
        assert!(a.decision == "needs_approval" && a.rule.contains("contributor tier"), "{}: {}", db.name, a.rule);

        let keys = w.agents.detail(&token, w.agent_id).await.unwrap().keys;
        w.agents.revoke_key(&token, w.agent_id, keys[0].id).await.unwrap();
        for (d, who) in instances.iter().zip(&who) {
            // Refused before the writer (params that break the schema, a bad confidence): still
            // 401, not a description of what was wrong with the request.
            assert!(
                matches!(d.request(who, refund(-5.0, None)).await, Err(GovError::Unauthenticated(_))),
                "{}",
                db.name
            );
            let mut unsure = refund(10.0, None);
            unsure.confidence = 7.0;
            assert!(matches!(d.request(who, unsure).await, Err(GovError::Unauthenticated(_))), "{}", db.name);
            assert!(matches!(d.request(who, refund(10.0, None)).await, Err(GovError::Unauthenticated(_))));
            assert!(matches!(d.authenticate(&w.key).await, Err(GovError::Unauthenticated(_))), "{}", db.name);
        }
        assert!(db.store.verify_evidence().await.unwrap().is_ok());
        db.cleanup().await;
    }
}

/// A rate limit holds under concurrency: requests decided at the same moment on two instances
/// cannot all slip under it.
#[tokio::test]
async fn a_rate_limit_holds_for_concurrent_requests() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let token = w.manager.as_manager().unwrap();
        let form = refund_grant(&w, "executor");
        w.grants.grant(&token, form).await.unwrap();
        let instances = [Decisions::new(db.store.clone()), Decisions::new(db.store.clone())];
        let who = me(&w).await;
        let mut tasks = Vec::new();
        for i in 0..24 {
            let (d, who) = (instances[i % 2].clone(), who.clone());
            tasks.push(tokio::spawn(async move { d.request(&who, refund(10.0, None)).await }));
        }
        let mut allowed = 0;
        for t in tasks {
            let a = t.await.unwrap().unwrap();
            if a.decision == "allowed" {
                allowed += 1;
            } else {
                assert!(a.decision == "needs_approval" && a.rule.contains("rate limit: 4 per hour"), "{}", a.rule);
            }
        }
        assert_eq!(allowed, 4, "the template allows 4 an hour ({})", db.name);
        db.cleanup().await;
    }
}

/// A refund request with `field` carrying a NUL (U+0000), which PostgreSQL cannot store.
fn with_nul(field: &str, n: usize) -> ActionRequest {
    let mut body = json!({
        "capability": "finance.refund.issue",
        "params": {"order_id": format!("N-{n}"), "amount": 5, "currency": "EUR"},
        "reasoning": "charged twice",
        "confidence": 0.95,
        "task_ref": "T-1",
        "idempotency_key": format!("nul-{n}"),
        "inputs": {"ticket": "T-1"},
    });
    match field {
        "params" => body["params"]["note"] = json!("a\u{0}b"),
        "inputs" => body["inputs"]["ticket"] = json!("T\u{0}1"),
        "capability" => body["capability"] = json!("finance.refund.issue\u{0}"),
        other => body[other] = json!(format!("x\u{0}y-{n}")),
    }
    serde_json::from_value(body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_request_with_text_a_database_cannot_store_fails_alone_and_the_same_on_both() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let token = w.manager.as_manager().unwrap();
        w.grants.grant(&token, refund_grant(&w, "executor")).await.unwrap();
        let who = me(&w).await;
        for (i, field) in
            ["reasoning", "task_ref", "idempotency_key", "capability", "params", "inputs"].iter().enumerate()
        {
            let mut tasks = Vec::new();
            for n in 0..200 {
                let (decisions, who) = (w.decisions.clone(), who.clone());
                let key = format!("good-{i}-{n}");
                tasks.push(tokio::spawn(async move { decisions.request(&who, refund(10.0, Some(&key))).await }));
            }
            let bad = {
                let (decisions, who, field) = (w.decisions.clone(), who.clone(), field.to_string());
                tokio::spawn(async move { decisions.request(&who, with_nul(&field, i)).await })
            };
            let mut failed = Vec::new();
            for t in tasks {
                if let Err(e) = t.await.unwrap() {
                    failed.push(e.to_string());
                }
            }
            assert!(
                failed.is_empty(),
                "{}: {} good requests failed beside a bad {field}: {:?}",
                db.name,
                failed.len(),
                &failed[..1]
            );
            match bad.await.unwrap() {
                Err(GovError::Invalid { field: named, message }) => {
                    assert_eq!(named, *field, "{}", db.name);
                    assert!(message.contains("U+0000"), "{message}");
                }
                other => panic!("{}: a NUL in {field} must be refused naming it, got {other:?}", db.name),
            }
        }
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_member_the_database_refuses_fails_alone() {
    use governance::evidence::{Actor, Draft, Prepared};
    use governance::service::group_commit::{Committed, GroupCommit, Job};
    use governance::store::actions::ActionInsert;
    for db in common::backends().await {
        let w = world(&db.store).await;
        let writer = GroupCommit::start(db.store.clone());
        let version = db.store.decision_inputs_version().await.unwrap();
        let job = |agent_id: i64, n: usize| Job {
            insert: ActionInsert {
                agent_id,
                capability: "finance.refund.issue".into(),
                params: "{}".into(),
                reasoning: String::new(),
                confidence: 0.9,
                inputs: "{}".into(),
                alternatives: "[]".into(),
                task_ref: String::new(),
                idempotency_key: Some(format!("batch-{n}")),
                request_hash: format!("r{n}"),
                action_hash: format!("a{n}"),
                decision: governance::policy::Decision::Denied,
                rule: "test".into(),
                tier: None,
                grant_id: None,
                sandbox: true,
                supervised: false,
                separation_of_duties: false,
                expires_at: None,
                created_at: chrono::Utc::now(),
                assigned_group_id: None,
                approvals_required: 1,
                assigned_user_id: None,
                assigned_until: None,
            },
            draft: Prepared::new(Draft {
                actor: Actor::system("test"),
                kind: "action.decided",
                subject_kind: "action",
                subject_id: String::new(),
                summary: format!("job {n}"),
                details: json!({"n": n}),
            }),
            remember: Vec::new(),
            peer: None,
            inputs_version: version,
            rate_limit: None,
        };
        // Submitted together, so they share batches; one names an agent that does not exist.
        let mut tasks = Vec::new();
        for n in 0..40 {
            let agent = if n == 17 { 987_654 } else { w.agent_id };
            let (writer, job) = (writer.clone(), job(agent, n));
            tasks.push(tokio::spawn(async move { writer.submit(job).await }));
        }
        let mut recorded = 0;
        let mut refused = Vec::new();
        for (n, t) in tasks.into_iter().enumerate() {
            match t.await.unwrap() {
                Ok(Committed::New { .. }) => recorded += 1,
                Ok(other) => panic!("{}: job {n}: {other:?}", db.name),
                Err(e) => refused.push((n, e.is_transient())),
            }
        }
        assert_eq!(
            (recorded, refused),
            (39, vec![(17, false)]),
            "{}: only the refused member fails, for good",
            db.name
        );
        assert!(!writer.failing(), "a refusal is not an outage");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_grant_moves_to_its_templates_newest_version_keeping_its_tier() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let token = w.manager.as_manager().unwrap();
        let templates = governance::Templates::new(db.store.clone());
        let g = w.grants.grant(&token, refund_grant(&w, "executor")).await.unwrap();
        let choices = w.grants.choices(&token).await.unwrap();
        let mine = choices.iter().find(|c| c.template_id == w.template_id).expect("the template is offered");
        assert_eq!((mine.version, mine.capabilities.contains(&"finance.refund.issue".to_owned())), (2, true));
        let support = choices.iter().find(|c| c.template == "Support replies").expect("built in");
        assert!(!support.capabilities.contains(&"finance.refund.issue".to_owned()), "{}: only covered ones", db.name);

        // Nothing newer yet: a conflict, not a silent no-op.
        assert!(matches!(
            w.grants.move_to_current(&token, g.id, 2).await,
            Err(GovError::Conflict { field: "template_version", .. })
        ));
        let who = me(&w).await;
        assert_eq!(w.decisions.request(&who, refund(300.0, None)).await.unwrap().decision, "needs_approval");

        let looser = RuleForm {
            capability: "finance.refund.issue".into(),
            min_confidence: "0.9".into(),
            limits: "amount <= 500".into(),
            approval_expiry_minutes: "60".into(),
            ..RuleForm::default()
        };
        assert_eq!(templates.save_rule(&token, w.template_id, 2, looser).await.unwrap(), 3);
        // Saving a version does not move grants on its own: the agent still gets v2's limit.
        let who = me(&w).await;
        let a = w.decisions.request(&who, refund(300.0, None)).await.unwrap();
        assert!(a.decision == "needs_approval" && a.rule.contains("v2"), "{}: {}", db.name, a.rule);

        // A stale form (the version it saw is not the grant's) is a conflict.
        assert!(matches!(
            w.grants.move_to_current(&token, g.id, 1).await,
            Err(GovError::Conflict { field: "template_version", .. })
        ));
        let moved = w.grants.move_to_current(&token, g.id, 2).await.unwrap();
        assert_eq!((moved.grant.template_version, moved.grant.tier.as_str()), (3, "executor"), "{}", db.name);
        let who = me(&w).await;
        let a = w.decisions.request(&who, refund(300.0, None)).await.unwrap();
        assert!(a.decision == "allowed" && a.rule.contains("v3"), "{}: {}", db.name, a.rule);

        let history = db.store.evidence_about("agent", &w.agent_id.to_string(), 10).await.unwrap();
        let record = history.iter().find(|r| r.kind == "grant.template_moved").expect("the move is recorded");
        assert!(record.summary.contains("from Refunds, no currency check v2 to v3"), "{}", record.summary);
        let details: serde_json::Value = serde_json::from_str(&record.details).unwrap();
        let fields: Vec<&str> =
            details["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"limits") && fields.contains(&"max_per_hour"), "{fields:?}");

        // A version without the capability's rule cannot be moved to.
        assert_eq!(templates.remove_rule(&token, w.template_id, 3, "finance.refund.issue").await.unwrap(), 4);
        match w.grants.move_to_current(&token, g.id, 3).await {
            Err(GovError::Invalid { field: "template_version", message }) => {
                assert!(message.contains("v4 has no rule for finance.refund.issue"), "{message}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        w.grants.revoke(&token, g.id, "done").await.unwrap();
        assert!(matches!(
            w.grants.move_to_current(&token, g.id, 3).await,
            Err(GovError::Conflict { field: "grant", .. })
        ));
        assert!(db.store.verify_evidence().await.unwrap().is_ok());
        db.cleanup().await;
    }
}
