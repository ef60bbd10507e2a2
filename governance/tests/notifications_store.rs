//! The notification outbox on SQLite and PostgreSQL: events matched once to the subscriptions
//! that want them and existed when they happened; each delivery claimed by one instance at a
//! time; retries, dead letters and redelivery; a dedupe key enqueued once.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use chrono::Duration;
use common::person;
use governance::notify::{Attempt, DeliveryState, EventKind, Retry};
use governance::service::accounts::ThrottlePolicy;
use governance::service::notifications::{Notifications, SubscriptionForm};
use governance::store::notifications::{NewEvent, enqueue};
use governance::{Accounts, GovError, Store, Templates};
use serde_json::json;
use std::collections::HashSet;

fn form(name: &str, kinds: &[&str]) -> SubscriptionForm {
    SubscriptionForm {
        name: name.into(),
        url: format!("http://127.0.0.1:9/{name}"),
        format: "json".into(),
        kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
        ..SubscriptionForm::default()
    }
}

fn event(kind: EventKind, n: i64, dedupe: Option<&str>) -> NewEvent {
    NewEvent {
        kind,
        subject: format!("action:{n}"),
        agent_id: None,
        capability: Some("finance.refund.issue".into()),
        data: json!({"action_id": n}),
        dedupe_key: dedupe.map(str::to_owned),
    }
}

async fn add(store: &Store, events: Vec<NewEvent>) {
    let txn = store.begin_write().await.unwrap();
    enqueue(&txn, events, governance::clock::now()).await.unwrap();
    txn.commit().await.unwrap();
}

const NOW: Retry = Retry { base: Duration::zero(), max_attempts: 2 };

#[tokio::test]
async fn deliveries_are_claimed_once_across_instances_then_retried_dead_and_sent_again() {
    for db in common::backends().await {
        let accounts = Accounts::new(db.store.clone(), ThrottlePolicy::default());
        let admin = person(&accounts, "ada", &["admin"]).await;
        let token = admin.as_admin().unwrap();
        Templates::new(db.store.clone()).ensure_builtins().await.unwrap();
        let (a, b) =
            (Notifications::new(db.store.clone(), "a".into()), Notifications::new(db.store.clone(), "b".into()));
        let (everything, secret) = a.create(&token, form("everything", &[])).await.unwrap();
        assert!(secret.starts_with("whsec_"));
        assert!(!format!("{everything:?}").contains(&secret), "the secret stays out of logs");
        a.create(&token, form("alerts", &["alert.raised"])).await.unwrap();
        let dup = a.create(&token, form("alerts", &[])).await;
        assert!(matches!(dup, Err(GovError::Conflict { field: "name", .. })), "{}: {dup:?}", db.name);

        // A dedupe key is enqueued once, however often it is offered.
        add(&db.store, vec![event(EventKind::ApprovalRequested, 1, None), event(EventKind::ReviewDue, 2, Some("r:2"))])
            .await;
        add(&db.store, vec![event(EventKind::ReviewDue, 2, Some("r:2")), event(EventKind::ApprovalRequested, 3, None)])
            .await;

        // Two instances ask at once: every delivery goes to one of them.
        let (mine, theirs) = tokio::join!(a.next_batch("http://console", 2), b.next_batch("http://console", 10));
        let (mine, theirs) = (mine.unwrap(), theirs.unwrap());
        let ids: Vec<i64> = mine.iter().chain(&theirs).map(|o| o.delivery.id).collect();
        assert_eq!(ids.len(), 3, "{}: three events for 'everything', none for 'alerts'", db.name);
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 3, "{}: nothing claimed twice", db.name);
        assert!(mine.iter().chain(&theirs).all(|o| o.url.ends_with("/everything")));
        assert!(a.next_batch("http://console", 10).await.unwrap().is_empty(), "leased deliveries wait");

        // Signed bodies with the console link.
        let out = &mine.iter().chain(&theirs).next().unwrap();
        let body: serde_json::Value = serde_json::from_str(&out.body).unwrap();
        assert_eq!(body["risk"], "high", "the capability's risk, from the catalogue");
        let stamp: i64 = out.headers.iter().find(|(h, _)| *h == "x-tenure-timestamp").unwrap().1.parse().unwrap();
        let sig = &out.headers.iter().find(|(h, _)| *h == "x-tenure-signature").unwrap().1;
        assert_eq!(governance::notify::signature::verify(&secret, stamp, &out.body, sig, stamp), Ok(()));

        // Each instance records what it sent (one delivered, the others failed: tried again,
        // then dead). Which instance took which depends on who asked first.
        let failed = Attempt::Failed { status: Some(503), error: "the receiver answered 503".into() };
        let mut held: Vec<(&Notifications, &governance::service::notifications::Outgoing)> =
            mine.iter().map(|o| (&a, o)).chain(theirs.iter().map(|o| (&b, o))).collect();
        let (first_owner, first) = held.remove(0);
        assert_eq!(
            first_owner.record(first, Attempt::Delivered { status: 204 }, NOW).await.unwrap(),
            DeliveryState::Delivered
        );
        for (owner, o) in &held {
            assert_eq!(owner.record(o, failed.clone(), NOW).await.unwrap(), DeliveryState::Pending, "{}", db.name);
        }
        // An instance cannot record what it does not hold.
        let (holder, o) = held[0];
        let other = if std::ptr::eq(holder, &a) { &b } else { &a };
        let stolen = other.record(o, Attempt::Delivered { status: 200 }, NOW).await;
        assert!(matches!(stolen, Err(GovError::Conflict { field: "delivery", .. })), "{stolen:?}");
        let again = b.next_batch("http://console", 10).await.unwrap();
        assert_eq!(again.len(), 2, "{}: the failed ones are still pending, due again", db.name);
        assert!(again.iter().all(|o| o.delivery.attempts == 1));
        for o in &again {
            assert_eq!(b.record(o, failed.clone(), NOW).await.unwrap(), DeliveryState::Dead, "{}", db.name);
        }

        let page = a.page(&token, Some(DeliveryState::Dead)).await.unwrap();
        let sub = page.subscriptions.iter().find(|s| s.subscription.id == everything.id).unwrap();
        assert_eq!((sub.delivered, sub.pending, sub.dead), (1, 0, 2), "{}", db.name);
        let dead = &page.deliveries[0];
        assert_eq!(page.deliveries.len(), 2, "only dead letters: {:?}", page.deliveries);
        assert_eq!(dead.delivery.last_error.as_deref(), Some("the receiver answered 503"));
        assert_eq!(dead.delivery.attempts, 2);

        // Sent again from its first attempt; a pending one cannot be.
        a.redeliver(&token, dead.delivery.id).await.unwrap();
        assert!(matches!(a.redeliver(&token, dead.delivery.id).await, Err(GovError::Conflict { .. })));
        let back = a.next_batch("http://console", 10).await.unwrap();
        assert_eq!((back.len(), back[0].delivery.attempts), (1, 0), "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_subscription_hears_only_what_happens_after_it_and_only_while_active() {
    for db in common::backends().await {
        let accounts = Accounts::new(db.store.clone(), ThrottlePolicy::default());
        let token = person(&accounts, "ada", &["admin"]).await.as_admin().unwrap();
        Templates::new(db.store.clone()).ensure_builtins().await.unwrap();
        let n = Notifications::new(db.store.clone(), "a".into());
        add(&db.store, vec![event(EventKind::ApprovalRequested, 1, None)]).await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let (late, _) = n.create(&token, form("late", &[])).await.unwrap();
        assert!(n.next_batch("http://c", 10).await.unwrap().is_empty(), "{}: before it existed", db.name);

        n.set_active(&token, late.id, false).await.unwrap();
        add(&db.store, vec![event(EventKind::ApprovalRequested, 2, None)]).await;
        assert!(n.next_batch("http://c", 10).await.unwrap().is_empty(), "{}: paused", db.name);
        n.set_active(&token, late.id, true).await.unwrap();
        add(&db.store, vec![event(EventKind::ApprovalRequested, 3, None)]).await;
        let got = n.next_batch("http://c", 10).await.unwrap();
        assert_eq!(got.len(), 1, "{}", db.name);
        assert!(got[0].body.contains("\"action_id\":3"), "{}", got[0].body);

        // A test goes to its one subscription, whatever the filters.
        let (_, _) = n.create(&token, form("alerts", &["alert.raised"])).await.unwrap();
        let alerts = db.store.subscriptions().await.unwrap().into_iter().find(|s| s.name == "alerts").unwrap();
        n.send_test(&token, alerts.id).await.unwrap();
        let test = n.next_batch("http://c", 10).await.unwrap();
        assert_eq!(test.len(), 1);
        assert!(test[0].url.ends_with("/alerts") && test[0].body.contains("\"kind\":\"test\""));

        // Removing a subscription removes its deliveries.
        n.delete(&token, alerts.id).await.unwrap();
        assert!(db.store.subscription_by_id(alerts.id).await.unwrap().is_none());
        assert!(matches!(n.delete(&token, alerts.id).await, Err(GovError::NotFound(_))));
        db.cleanup().await;
    }
}
