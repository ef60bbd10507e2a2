//! Copilots on SQLite and PostgreSQL: a copilot's escalations go to its person's queue first,
//! fall back to the shared inbox after the set time, feed the same scorecard when the person
//! decides them, and a copilot granted executor by override still waits for its person.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::{person, refund_template};
use governance::action::ActionRequest;
use governance::queue::Queue;
use governance::service::accounts::ThrottlePolicy;
use governance::service::agents::NewAgent;
use governance::service::claims::AssignTo;
use governance::service::grants::GrantForm;
use governance::service::inbox::{InboxQuery, View};
use governance::shadow::Verdict;
use governance::template::RuleForm;
use governance::{Accounts, Agents, Decisions, GovError, Grants, Inbox, Lifecycle, Principal, Scorecards, Store};
use sea_orm::ConnectionTrait;
use serde_json::json;

struct World {
    store: Store,
    olga: Principal,
    rita: Principal,
    rex: Principal,
    agents: Agents,
    decisions: Decisions,
    inbox: Inbox,
    template_id: i64,
}

async fn world(store: &Store) -> World {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let olga = person(&acc, "olga", &["manager"]).await;
    let rita = person(&acc, "rita", &["reviewer"]).await;
    let rex = person(&acc, "rex", &["reviewer"]).await;
    let rule = RuleForm {
        capability: "finance.refund.issue".into(),
        approval_expiry_minutes: "600".into(),
        ..RuleForm::default()
    };
    let template_id = refund_template(store, &olga, "Copilot refunds", rule).await;
    World {
        store: store.clone(),
        olga,
        rita,
        rex,
        agents: Agents::new(store.clone()),
        decisions: Decisions::new(store.clone()),
        inbox: Inbox::new(store.clone()),
        template_id,
    }
}

impl World {
    /// A copilot of rita granted `tier`; its key and grant.
    async fn copilot(&self, name: &str, tier: &str) -> (String, i64) {
        let token = self.olga.as_manager().unwrap();
        let new = NewAgent {
            name: name.into(),
            purpose: "rita's refunds".into(),
            owner: "olga".into(),
            environment: "production".into(),
            ..NewAgent::default()
        };
        let agent = self.agents.register(&token, new).await.unwrap();
        let (_, key) = self.agents.issue_key(&token, agent.id).await.unwrap();
        self.agents.set_copilot(&token, agent.id, AssignTo::User(self.rita.user_id), "30").await.unwrap();
        let form = GrantForm {
            agent_id: agent.id,
            capability: "finance.refund.issue".into(),
            template_id: self.template_id,
            tier: tier.into(),
            justification: "test setup: granted without a track record".into(),
        };
        let grant = Grants::new(self.store.clone()).grant(&token, form).await.unwrap().id;
        (key, grant)
    }

    async fn ask(&self, key: &str, amount: f64) -> (i64, String) {
        let me = self.agents.authenticate(key).await.unwrap();
        let req: ActionRequest = serde_json::from_value(json!({
            "capability": "finance.refund.issue",
            "params": {"order_id": format!("C-{amount}"), "amount": amount, "currency": "EUR"},
            "confidence": 0.9,
        }))
        .unwrap();
        let a = self.decisions.request(&me, req).await.unwrap();
        (a.id, a.decision.as_str().to_owned())
    }

    async fn queue(&self, who: &Principal, queue: Queue) -> Vec<i64> {
        let q = InboxQuery {
            view: View::Approval,
            agent_id: None,
            capability: None,
            by_risk: false,
            oldest_first: true,
            queue,
            search: None,
            page: 1,
        };
        self.inbox.page(&who.as_reviewer().unwrap(), q).await.unwrap().items.iter().map(|i| i.action.id).collect()
    }
}

#[tokio::test]
async fn a_copilots_escalations_go_to_its_person_first_then_to_everyone() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let (key, grant) = w.copilot("rita-copilot", "contributor").await;
        let (id, decision) = w.ask(&key, 80.0).await;
        assert_eq!(decision, "needs_approval", "{}", db.name);
        let a = w.store.action_by_id(id).await.unwrap().unwrap();
        assert_eq!(a.assigned_user_id, Some(w.rita.user_id), "{}", db.name);
        assert!(a.assigned_until.is_some(), "{}", db.name);
        assert_eq!(w.queue(&w.rita, Queue::Mine).await, vec![id], "{}: rita's queue", db.name);
        assert!(w.queue(&w.rex, Queue::Unassigned).await.is_empty(), "{}: not in the shared queue yet", db.name);
        let page = w
            .inbox
            .page(
                &w.rita.as_reviewer().unwrap(),
                InboxQuery {
                    view: View::Approval,
                    agent_id: None,
                    capability: None,
                    by_risk: false,
                    oldest_first: false,
                    queue: Queue::Mine,
                    search: None,
                    page: 1,
                },
            )
            .await
            .unwrap();
        assert!(page.items[0].assigned.as_deref().is_some_and(|s| s.starts_with("rita until")), "{}", db.name);

        // Past the fallback it is everyone's.
        let (late, _) = w.ask(&key, 90.0).await;
        db.store
            .db()
            .execute_unprepared(&format!("UPDATE actions SET assigned_until = created_at WHERE id = {late}"))
            .await
            .unwrap();
        assert_eq!(w.queue(&w.rex, Queue::Unassigned).await, vec![late], "{}: fell back", db.name);
        assert_eq!(w.queue(&w.rita, Queue::Mine).await, vec![id], "{}", db.name);

        // Rita's decisions count on the copilot's scorecard like anyone's.
        let hash = w.store.action_by_id(id).await.unwrap().unwrap().action_hash;
        Lifecycle::new(w.store.clone())
            .review(&w.rita.as_reviewer().unwrap(), id, Verdict::Approve, &hash, "")
            .await
            .unwrap();
        let card = Scorecards::new(w.store.clone()).of_grant(&w.olga.as_member().unwrap(), grant).await.unwrap();
        assert_eq!(card.at_tier.approved, 1, "{}", db.name);
        let record = w.store.evidence_about("agent", "1", 50).await.unwrap();
        assert!(record.iter().any(|r| r.kind == "agent.copilot_set"), "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_copilot_granted_executor_by_override_waits_for_its_person() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let (key, _) = w.copilot("bold-copilot", "executor").await;
        let (id, decision) = w.ask(&key, 20.0).await;
        assert_eq!(decision, "needs_approval", "{}: an executor by override still asks its person", db.name);
        let a = w.store.action_by_id(id).await.unwrap().unwrap();
        assert!(a.rule.contains("by override"), "{}: {}", db.name, a.rule);
        assert_eq!(a.assigned_user_id, Some(w.rita.user_id), "{}", db.name);
        // Only reviewers can have copilots; fallbacks are bounded.
        let token = w.olga.as_manager().unwrap();
        let bad = w.agents.set_copilot(&token, a.agent_id, AssignTo::User(w.olga.user_id), "").await;
        assert!(matches!(bad, Err(GovError::Invalid { field: "person", .. })), "{}: {bad:?}", db.name);
        let bad = w.agents.set_copilot(&token, a.agent_id, AssignTo::User(w.rex.user_id), "0").await;
        assert!(matches!(bad, Err(GovError::Invalid { field: "fallback_minutes", .. })), "{}: {bad:?}", db.name);
        // No longer a copilot: the override grant acts alone, as for any agent.
        w.agents.set_copilot(&token, a.agent_id, AssignTo::NoOne, "").await.unwrap();
        assert_eq!(w.ask(&key, 21.0).await.1, "allowed", "{}", db.name);
        db.cleanup().await;
    }
}
