//! The inbox's queues on SQLite and PostgreSQL: routing sends escalations to a group, claims
//! race to exactly one holder with one record, a live claim stops others' decisions (also
//! when both land at once), claims lapse, assignments move items between the views, and the
//! views, counts and text search agree on both databases.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::{person, refund_agent, refund_template};
use governance::action::ActionRequest;
use governance::queue::Queue;
use governance::service::accounts::ThrottlePolicy;
use governance::service::agents::AgentPrincipal;
use governance::service::claims::AssignTo;
use governance::service::inbox::{InboxQuery, View};
use governance::service::queues::{Queues, RouteForm};
use governance::shadow::Verdict;
use governance::template::RuleForm;
use governance::{Accounts, Agents, Decisions, GovError, Inbox, Lifecycle, Principal, Store};
use serde_json::json;

struct World {
    store: Store,
    olga: Principal,
    rita: Principal,
    rex: Principal,
    agents: Agents,
    decisions: Decisions,
    lifecycle: Lifecycle,
    inbox: Inbox,
    queues: Queues,
    key: String,
}

async fn world(store: &Store, idle: chrono::Duration) -> World {
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
    let template_id = refund_template(store, &olga, "Queued refunds", rule).await;
    let (_, key, _) = refund_agent(store, &olga, "queue-bot", template_id, "contributor").await;
    World {
        store: store.clone(),
        olga,
        rita,
        rex,
        agents: Agents::new(store.clone()),
        decisions: Decisions::new(store.clone()),
        lifecycle: Lifecycle::new(store.clone()).claims_lapse_after(idle),
        inbox: Inbox::new(store.clone()).claims_lapse_after(idle),
        queues: Queues::new(store.clone()),
        key,
    }
}

impl World {
    async fn me(&self) -> AgentPrincipal {
        self.agents.authenticate(&self.key).await.unwrap()
    }

    async fn ask(&self, amount: f64, reasoning: &str) -> i64 {
        let req: ActionRequest = serde_json::from_value(json!({
            "capability": "finance.refund.issue",
            "params": {"order_id": format!("A-{amount}"), "amount": amount, "currency": "EUR"},
            "reasoning": reasoning,
            "confidence": 0.9,
        }))
        .unwrap();
        self.decisions.request(&self.me().await, req).await.unwrap().id
    }

    async fn hash(&self, id: i64) -> String {
        self.store.action_by_id(id).await.unwrap().unwrap().action_hash
    }

    async fn records(&self, id: i64, kind: &str) -> usize {
        let all = self.store.evidence_about("action", &id.to_string(), 100).await.unwrap();
        all.into_iter().filter(|r| r.kind == kind).count()
    }

    async fn view(&self, who: &Principal, queue: Queue, search: Option<&str>) -> (Vec<i64>, Vec<(Queue, u64)>) {
        let q = InboxQuery {
            view: View::Approval,
            agent_id: None,
            capability: None,
            by_risk: false,
            oldest_first: true,
            queue,
            search: search.map(str::to_owned),
            page: 1,
        };
        let p = self.inbox.page(&who.as_reviewer().unwrap(), q).await.unwrap();
        (p.items.iter().map(|i| i.action.id).collect(), p.queues)
    }

    async fn finance_group(&self) -> i64 {
        let m = self.olga.as_manager().unwrap();
        let g = self.queues.create_group(&m, "finance reviewers").await.unwrap();
        self.queues.add_member(&m, g, "rex").await.unwrap();
        g
    }
}

#[tokio::test]
async fn routing_sends_matching_escalations_to_the_group() {
    for db in common::backends().await {
        let w = world(&db.store, chrono::Duration::minutes(30)).await;
        let g = w.finance_group().await;
        let m = w.olga.as_manager().unwrap();
        let form = RouteForm {
            capability: "finance.refund.issue".into(),
            condition: "context.params.amount > 100".into(),
            group_id: g,
        };
        w.queues.add_route(&m, form).await.unwrap();
        let big = w.ask(150.0, "big").await;
        let small = w.ask(50.0, "small").await;
        assert_eq!(w.store.action_by_id(big).await.unwrap().unwrap().assigned_group_id, Some(g), "{}", db.name);
        assert_eq!(w.store.action_by_id(small).await.unwrap().unwrap().assigned_group_id, None, "{}", db.name);

        let (groups, counts) = w.view(&w.rex, Queue::MyGroups, None).await;
        assert_eq!(groups, vec![big], "{}: rex is in finance reviewers", db.name);
        assert!(counts.contains(&(Queue::MyGroups, 1)) && counts.contains(&(Queue::All, 2)), "{}: {counts:?}", db.name);
        let (rita_groups, _) = w.view(&w.rita, Queue::MyGroups, None).await;
        assert!(rita_groups.is_empty(), "{}: rita is in no group", db.name);
        let (unassigned, _) = w.view(&w.rita, Queue::Unassigned, None).await;
        assert_eq!(unassigned, vec![small], "{}", db.name);

        // Bad rules are refused with their field.
        let bad = RouteForm {
            capability: "finance.refund.issue".into(),
            condition: "context.params.amount >".into(),
            group_id: g,
        };
        assert!(matches!(w.queues.add_route(&m, bad).await, Err(GovError::Invalid { field: "condition", .. })));
        let unknown = RouteForm { capability: "no.such.thing".into(), condition: String::new(), group_id: g };
        assert!(matches!(w.queues.add_route(&m, unknown).await, Err(GovError::Invalid { field: "capability", .. })));
        let nowhere = RouteForm { capability: "finance.refund.issue".into(), condition: String::new(), group_id: 9999 };
        assert!(matches!(w.queues.add_route(&m, nowhere).await, Err(GovError::Invalid { field: "group_id", .. })));
        assert!(matches!(w.queues.create_group(&m, "finance reviewers").await, Err(GovError::Conflict { .. })));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn of_two_reviewers_claiming_at_once_exactly_one_holds_it() {
    for db in common::backends().await {
        let w = world(&db.store, chrono::Duration::minutes(30)).await;
        for round in 0..5 {
            let id = w.ask(10.0 + f64::from(round), "race").await;
            let (rita, rex) = (w.rita.as_reviewer().unwrap(), w.rex.as_reviewer().unwrap());
            let (a, b) = tokio::join!(w.inbox.claim(&rita, id), w.inbox.claim(&rex, id));
            assert!(a.is_ok() != b.is_ok(), "{} round {round}: {a:?} / {b:?}", db.name);
            let lost = if a.is_ok() { b } else { a };
            match lost {
                Err(GovError::Conflict { message, .. }) => assert!(message.contains("is claimed by"), "{message}"),
                other => panic!("{}: {other:?}", db.name),
            }
            assert_eq!(w.records(id, "action.claimed").await, 1, "{} round {round}", db.name);
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_live_claim_stops_other_decisions_even_when_both_land_at_once() {
    for db in common::backends().await {
        let w = world(&db.store, chrono::Duration::minutes(30)).await;
        let (rita, rex) = (w.rita.as_reviewer().unwrap(), w.rex.as_reviewer().unwrap());
        let id = w.ask(20.0, "claimed").await;
        w.inbox.claim(&rita, id).await.unwrap();
        let hash = w.hash(id).await;
        match w.lifecycle.review(&rex, id, Verdict::Approve, &hash, "").await {
            Err(GovError::Conflict { message, .. }) => {
                assert!(message.contains("claimed by rita"), "{}: {message}", db.name)
            }
            other => panic!("{}: {other:?}", db.name),
        }
        assert_eq!(w.records(id, "action.approved").await, 0, "{}", db.name);
        // The holder decides; the item shows in "mine" until then.
        let (mine, _) = w.view(&w.rita, Queue::Mine, None).await;
        assert_eq!(mine, vec![id], "{}", db.name);
        w.lifecycle.review(&rita, id, Verdict::Approve, &hash, "").await.unwrap();

        // A claim and another reviewer's approval at once: exactly one of them happens.
        for round in 0..5 {
            let id = w.ask(30.0 + f64::from(round), "claim vs approve").await;
            let hash = w.hash(id).await;
            let (claimed, approved) =
                tokio::join!(w.inbox.claim(&rita, id), w.lifecycle.review(&rex, id, Verdict::Approve, &hash, ""));
            assert!(claimed.is_ok() != approved.is_ok(), "{} round {round}: {claimed:?} / {approved:?}", db.name);
            let records = (w.records(id, "action.claimed").await, w.records(id, "action.approved").await);
            assert_eq!(records, if claimed.is_ok() { (1, 0) } else { (0, 1) }, "{} round {round}", db.name);
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_claim_lapses_and_can_be_let_go() {
    for db in common::backends().await {
        // Claims that lapse at once: anyone may take a claimed item.
        let w = world(&db.store, chrono::Duration::zero()).await;
        let (rita, rex) = (w.rita.as_reviewer().unwrap(), w.rex.as_reviewer().unwrap());
        let id = w.ask(40.0, "lapsing").await;
        w.inbox.claim(&rita, id).await.unwrap();
        w.inbox.claim(&rex, id).await.unwrap();
        let details = w.store.evidence_about("action", &id.to_string(), 1).await.unwrap().remove(0).details;
        assert!(details.contains("took_lapsed_claim_of"), "{}: {details}", db.name);
        let hash = w.hash(id).await;
        w.lifecycle.review(&rita, id, Verdict::Reject, &hash, "lapsed claims stop no one").await.unwrap();

        let inbox = Inbox::new(w.store.clone()).claims_lapse_after(chrono::Duration::minutes(30));
        let id = w.ask(41.0, "let go").await;
        inbox.claim(&rita, id).await.unwrap();
        assert!(matches!(inbox.claim(&rex, id).await, Err(GovError::Conflict { .. })), "{}: rita holds it", db.name);
        assert!(matches!(inbox.release(&rex, id).await, Err(GovError::Conflict { .. })), "not rex's to let go");
        inbox.release(&rita, id).await.unwrap();
        inbox.claim(&rex, id).await.unwrap();
        db.cleanup().await;
    }
}

#[tokio::test]
async fn assignments_move_items_between_views_and_search_finds_them() {
    for db in common::backends().await {
        let w = world(&db.store, chrono::Duration::minutes(30)).await;
        let g = w.finance_group().await;
        let rita_id = w.rita.user_id;
        let rex = w.rex.as_reviewer().unwrap();
        let a = w.ask(60.0, "Customer charged TWICE for order 100%").await;
        let b = w.ask(70.0, "late delivery, Überweisung").await;
        let c = w.ask(80.0, "under_score").await;
        w.inbox.assign(&rex, a, AssignTo::User(rita_id)).await.unwrap();
        w.inbox.assign(&rex, b, AssignTo::Group(g)).await.unwrap();
        assert_eq!(w.view(&w.rita, Queue::Mine, None).await.0, vec![a], "{}", db.name);
        assert_eq!(w.view(&w.rex, Queue::MyGroups, None).await.0, vec![b], "{}", db.name);
        assert_eq!(w.view(&w.rex, Queue::Unassigned, None).await.0, vec![c], "{}", db.name);
        assert_eq!(w.records(a, "action.assigned").await, 1, "{}", db.name);
        // Back to no one.
        w.inbox.assign(&rex, b, AssignTo::NoOne).await.unwrap();
        assert_eq!(w.view(&w.rex, Queue::Unassigned, None).await.0, vec![b, c], "{}", db.name);
        // Only reviewers can be assigned; a decided item cannot be.
        let olga = w.olga.user_id;
        assert!(matches!(w.inbox.assign(&rex, c, AssignTo::User(olga)).await, Err(GovError::Invalid { .. })));

        // Search: any case for ASCII, literal % and _, the same on both databases.
        assert_eq!(w.view(&w.rex, Queue::All, Some("twice")).await.0, vec![a], "{}", db.name);
        assert_eq!(w.view(&w.rex, Queue::All, Some("100%")).await.0, vec![a], "{}", db.name);
        assert_eq!(w.view(&w.rex, Queue::All, Some("under_")).await.0, vec![c], "{}", db.name);
        assert_eq!(
            w.view(&w.rex, Queue::All, Some("e_d")).await.0,
            Vec::<i64>::new(),
            "{}: _ is literal (\"late delivery\" has e d)",
            db.name
        );
        assert_eq!(w.view(&w.rex, Queue::All, Some("Über")).await.0, vec![b], "{}", db.name);
        assert_eq!(w.view(&w.rex, Queue::All, Some("A-70")).await.0, vec![b], "{}: params are searched", db.name);
        let hash = w.hash(c).await;
        w.lifecycle.review(&rex, c, Verdict::Approve, &hash, "").await.unwrap();
        assert!(matches!(w.inbox.assign(&rex, c, AssignTo::Group(g)).await, Err(GovError::Conflict { .. })));
        db.cleanup().await;
    }
}
