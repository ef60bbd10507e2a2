//! Working alerts on SQLite and PostgreSQL: managers acknowledge (with a note) and resolve as
//! reviewers do, several at once with one note (one already resolved is skipped, the others
//! go ahead), never the reviewer an alert is about; and a resolved detector's quiet period is
//! told with its end.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::person;
use governance::service::accounts::ThrottlePolicy;
use governance::service::alerts::Alerts;
use governance::service::grants::GrantForm;
use governance::store::alerts::{About, Detected, raise_detected};
use governance::template::RuleForm;
use governance::{Accounts, GovError, Grants, Lifecycle, Principal, Store};

struct World {
    store: Store,
    mona: Principal,
    rita: Principal,
    agent_id: i64,
    grant_id: i64,
    alerts: Alerts,
    lifecycle: Lifecycle,
}

async fn world(store: &Store) -> World {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let mona = person(&acc, "mona", &["manager"]).await;
    let rita = person(&acc, "rita", &["reviewer"]).await;
    let rule = RuleForm {
        capability: "finance.refund.issue".into(),
        approval_expiry_minutes: "60".into(),
        ..RuleForm::default()
    };
    let template_id = common::refund_template(store, &mona, "Watched refunds", rule).await;
    let (agent, _) = common::sandbox_agent(store, &mona, "watched-bot").await;
    let form = GrantForm {
        agent_id: agent.id,
        capability: "finance.refund.issue".into(),
        template_id,
        tier: "observer".into(),
        justification: String::new(),
    };
    let grant_id = Grants::new(store.clone()).grant(&mona.as_manager().unwrap(), form).await.unwrap().id;
    World {
        store: store.clone(),
        mona,
        rita,
        agent_id: agent.id,
        grant_id,
        alerts: Alerts::new(store.clone()),
        lifecycle: Lifecycle::new(store.clone()),
    }
}

impl World {
    /// Raises an alert of `detector` about the grant, or about `reviewer`; its id.
    async fn raise(&self, detector: &str, reviewer: Option<&str>) -> i64 {
        let about = match reviewer {
            Some(name) => About::Reviewer(name),
            None => {
                About::Grant { agent_id: self.agent_id, grant_id: self.grant_id, capability: "finance.refund.issue" }
            }
        };
        let details = r#"{"finding":{"observed":"0.70","baseline":"0.10","test":"binomial","p_value":0.0001,"n":20},"window":{"baseline_from":"2026-11-05","baseline_to":"2026-12-02","recent_from":"2026-12-03","recent_to":"2026-12-04"},"series":[]}"#;
        let d = Detected { about, detector, message: format!("{detector} fired"), details: details.into() };
        let txn = self.store.begin_write().await.unwrap();
        let id = raise_detected(&txn, d, chrono::Utc::now()).await.unwrap().expect("raised");
        txn.commit().await.unwrap();
        id
    }
}

#[tokio::test]
async fn a_manager_acknowledges_with_a_note_and_resolves_several_at_once() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let manager = w.mona.as_corrector().expect("a manager works alerts");
        let a = w.raise("rejection_rate", None).await;
        let b = w.raise("failure_rate", None).await;
        let c = w.raise("rollback_rate", None).await;

        w.alerts.acknowledge(&manager, a, "  looking at the rejected refunds  ").await.unwrap();
        let acked = db.store.alert_by_id(a).await.unwrap().unwrap();
        assert_eq!(
            (acked.acknowledged_by.as_deref(), acked.acknowledgement.as_deref()),
            (Some("mona"), Some("looking at the rejected refunds")),
            "{}",
            db.name
        );
        let trail = db.store.evidence_about("agent", &w.agent_id.to_string(), 1).await.unwrap();
        assert!(trail[0].summary.contains("mona acknowledged alert") && trail[0].summary.contains("looking at"));

        // Resolving c first; then the three with one note: c is skipped, saying why.
        w.lifecycle.resolve_alert(&manager, c, "a reviewer's mistake").await.unwrap();
        let err = w.lifecycle.resolve_alerts(&manager, &[a, b, c], "  ").await.unwrap_err();
        assert!(matches!(err, GovError::Invalid { field: "note", .. }), "{}: a note is needed: {err:?}", db.name);
        let out = w.lifecycle.resolve_alerts(&manager, &[a, b, c], "fixed upstream, see ticket 42").await.unwrap();
        assert_eq!(out.done, [a, b], "{}", db.name);
        assert_eq!(out.skipped.len(), 1);
        assert!(out.skipped[0].0 == c && out.skipped[0].1.contains("already resolved"), "{:?}", out.skipped);
        for id in [a, b] {
            let r = db.store.alert_by_id(id).await.unwrap().unwrap();
            assert_eq!(
                (r.resolved_by.as_deref(), r.resolution.as_deref()),
                (Some("mona"), Some("fixed upstream, see ticket 42"))
            );
        }
        assert!(w.lifecycle.resolve_alerts(&manager, &[], "x").await.is_err(), "nothing ticked");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_reviewer_an_alert_is_about_is_skipped_in_bulk_and_others_go_ahead() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let rita = w.rita.as_corrector().unwrap();
        let about_rita = w.raise("rubber_stamping", Some("rita")).await;
        let about_grant = w.raise("rejection_rate", None).await;
        let out = w.alerts.acknowledge_many(&rita, &[about_rita, about_grant], "").await.unwrap();
        assert_eq!(out.done, [about_grant], "{}", db.name);
        assert!(out.skipped[0].1.contains("your own reviewing"), "{:?}", out.skipped);
        assert!(db.store.alert_by_id(about_rita).await.unwrap().unwrap().acknowledged_at.is_none());
        // A manager may.
        w.lifecycle.resolve_alert(&w.mona.as_corrector().unwrap(), about_rita, "talked it through").await.unwrap();
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_resolved_detector_is_quiet_until_a_time_the_agent_page_can_tell() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let member = w.mona.as_member().unwrap();
        assert!(w.alerts.quiet_periods(&member, w.agent_id).await.unwrap().is_empty());
        let id = w.raise("rejection_rate", None).await;
        assert!(
            w.alerts.quiet_periods(&member, w.agent_id).await.unwrap().is_empty(),
            "{}: open is not quiet",
            db.name
        );
        w.lifecycle.resolve_alert(&w.rita.as_corrector().unwrap(), id, "retrained the agent").await.unwrap();
        let quiet = w.alerts.quiet_periods(&member, w.agent_id).await.unwrap();
        assert_eq!(quiet.len(), 1, "{}", db.name);
        let q = &quiet[0];
        assert_eq!(
            (q.capability.as_str(), q.detector.as_str(), q.alert_id),
            ("finance.refund.issue", "rejection_rate", id)
        );
        assert_eq!(q.resolved_by, "rita");
        let resolved = db.store.alert_by_id(id).await.unwrap().unwrap().resolved_at.unwrap();
        assert_eq!(q.until, resolved + chrono::Duration::hours(48), "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_new_response_reaches_open_alerts_only_when_asked_and_is_undone_like_any() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let manager = w.mona.as_manager().unwrap();
        let grants = Grants::new(db.store.clone());
        grants.revoke(&manager, w.grant_id, "regranted higher for this test").await.unwrap();
        let g = grants
            .grant(
                &manager,
                GrantForm {
                    agent_id: w.agent_id,
                    capability: "finance.refund.issue".into(),
                    template_id: db.store.template_by_name("Watched refunds").await.unwrap().unwrap().id,
                    tier: "contributor".into(),
                    justification: "test setup: granted without a track record".into(),
                },
            )
            .await
            .unwrap();
        let alert = w.raise("rejection_rate", None).await;
        let job = governance::service::monitor_job::MonitorJob::new(db.store.clone(), "t".into());
        assert_eq!(job.open_without_response(&manager, governance::monitor::Detector::RejectionRate).await.unwrap(), 1);
        let monitoring = governance::service::monitoring::Monitoring::new(db.store.clone());
        let form = governance::service::monitoring::SettingForm {
            detector: "rejection_rate".into(),
            enabled: true,
            sensitivity: "normal".into(),
            response: "demote_grant".into(),
        };
        monitoring.configure(&manager, form).await.unwrap();
        let tier = |db: &Store| {
            let db = db.clone();
            async move { db.grants_of(w.agent_id).await.unwrap().into_iter().find(|x| x.id == g.id).unwrap().tier }
        };
        assert_eq!(
            tier(&db.store).await.as_str(),
            "contributor",
            "{}: changing the setting alone reaches no open alert",
            db.name
        );

        let detector = governance::monitor::Detector::RejectionRate;
        let done = job.apply_to_open(&manager, detector, governance::monitor::Response::DemoteGrant).await.unwrap();
        assert_eq!((done.applied.clone(), done.skipped.len()), (vec![alert], 0), "{}", db.name);
        assert_eq!(tier(&db.store).await.as_str(), "observer", "{}: demoted", db.name);
        let row = db.store.alert_by_id(alert).await.unwrap().unwrap();
        assert_eq!(row.response.as_deref(), Some("demote_grant"));
        let trail = db.store.evidence_about("agent", &w.agent_id.to_string(), 3).await.unwrap();
        assert!(trail.iter().any(|r| r.kind == "monitor.applied" && r.actor_name == "mona"), "{}", db.name);
        // Applied once: asked again, nothing is left to apply.
        let again = job.apply_to_open(&manager, detector, governance::monitor::Response::DemoteGrant).await.unwrap();
        assert!(again.applied.is_empty() && again.skipped.is_empty(), "{}: {again:?}", db.name);
        // Undone like a detector's own response.
        job.undo(&manager, alert, "the reviewer was wrong, not the agent").await.unwrap();
        assert_eq!(tier(&db.store).await.as_str(), "contributor", "{}: restored", db.name);
        db.cleanup().await;
    }
}
