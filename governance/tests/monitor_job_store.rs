//! The monitoring job on SQLite and PostgreSQL: a burst of rejections against a quiet month
//! raises one alert and demotes the grant once, with its evidence; a second instance does
//! nothing while the first holds the lease and takes over after it expires (resuming where it
//! stopped); a manager's undo restores the tier once; a resolved alert keeps the detector quiet
//! about that grant. Migration 22 (alerts about reviewers) keeps every alert and its guards.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use chrono::{Duration, NaiveTime, Utc};
use common::{person, refund_template, sandbox_agent};
use governance::action::ActionRequest;
use governance::policy::Tier;
use governance::service::accounts::ThrottlePolicy;
use governance::service::alerts::AlertState;
use governance::service::grants::GrantForm;
use governance::service::monitor_job::{LEASE_SECONDS, MonitorJob};
use governance::service::monitoring::{Monitoring, SettingForm};
use governance::shadow::Verdict;
use governance::template::RuleForm;
use governance::{Accounts, Agents, Decisions, GovError, Grants, Lifecycle, Principal, Store};
use migrations::MigratorTrait;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

struct World {
    store: Store,
    olga: Principal,
    rita: Principal,
    key: String,
    grant_id: i64,
}

async fn world(store: &Store) -> World {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let olga = person(&acc, "olga", &["manager"]).await;
    let rita = person(&acc, "rita", &["reviewer"]).await;
    let rule = RuleForm {
        capability: "finance.refund.issue".into(),
        approval_expiry_minutes: "600".into(),
        ..RuleForm::default()
    };
    let template_id = refund_template(store, &olga, "Watched refunds", rule).await;
    let (agent, key) = sandbox_agent(store, &olga, "drift-bot").await;
    let form = GrantForm {
        agent_id: agent.id,
        capability: "finance.refund.issue".into(),
        template_id,
        tier: "contributor".into(),
        justification: "test setup: granted without a track record".into(),
    };
    let grant_id = Grants::new(store.clone()).grant(&olga.as_manager().unwrap(), form).await.unwrap().id;
    World { store: store.clone(), olga, rita, key, grant_id }
}

impl World {
    /// One proposal, approved or rejected by rita; backdated `days_ago` days.
    async fn decided(&self, n: u32, approve: bool, days_ago: i64) {
        self.decided_as(&self.key.clone(), n, approve, days_ago).await;
    }

    /// As [`World::decided`], by the agent holding `key`.
    async fn decided_as(&self, key: &str, n: u32, approve: bool, days_ago: i64) {
        self.refund(key, &format!("A-{n}"), approve, days_ago).await;
    }

    /// A refund of order `order` by the agent holding `key`, approved or rejected by rita.
    async fn refund(&self, key: &str, order: &str, approve: bool, days_ago: i64) {
        let me = Agents::new(self.store.clone()).authenticate(key).await.unwrap();
        let req: ActionRequest = serde_json::from_value(json!({
            "capability": "finance.refund.issue",
            "params": {"order_id": order, "amount": 20, "currency": "EUR"},
            "confidence": 0.9,
        }))
        .unwrap();
        let id = Decisions::new(self.store.clone()).request(&me, req).await.unwrap().id;
        let hash = self.store.action_by_id(id).await.unwrap().unwrap().action_hash;
        let verdict = if approve { Verdict::Approve } else { Verdict::Reject };
        let lifecycle = Lifecycle::new(self.store.clone());
        lifecycle.review(&self.rita.as_reviewer().unwrap(), id, verdict, &hash, "looked at it").await.unwrap();
        if days_ago > 0 {
            let at = Utc::now().date_naive().and_time(NaiveTime::MIN).and_utc() - Duration::days(days_ago)
                + Duration::hours(10);
            let backend = self.store.db().get_database_backend();
            let sql = match backend {
                sea_orm::DbBackend::Postgres => "UPDATE actions SET created_at = $1 WHERE id = $2",
                _ => "UPDATE actions SET created_at = ? WHERE id = ?",
            };
            let stmt = sea_orm::Statement::from_sql_and_values(backend, sql, [at.into(), id.into()]);
            self.store.db().execute_raw(stmt).await.unwrap();
        }
    }

    /// Switches the volume detector off (many today against few a day would fire it), and
    /// rubber-stamping (rita approves at once, all day).
    async fn volume_off(&self) {
        for detector in ["volume", "rubber_stamping"] {
            let off = SettingForm { detector: detector.into(), enabled: false, ..SettingForm::default() };
            Monitoring::new(self.store.clone()).configure(&self.olga.as_manager().unwrap(), off).await.unwrap();
        }
    }

    /// A quiet month (2 of 40 rejected), then a burst today (14 of 20 rejected). The volume
    /// detector is off: twenty today against fewer than two a day would fire it too.
    async fn drifting(&self) {
        self.volume_off().await;
        for i in 0..40 {
            self.decided(i, i % 20 != 0, 3 + i64::from(i % 25)).await;
        }
        migrations::recount_scorecards(self.store.db()).await.unwrap();
        for i in 40..60 {
            self.decided(i, i % 10 < 3, 0).await;
        }
    }

    async fn tier(&self) -> Tier {
        governance::store::grants::by_id(self.store.db(), self.grant_id).await.unwrap().unwrap().tier
    }

    async fn respond_with(&self, response: &str) {
        let form = SettingForm {
            detector: "rejection_rate".into(),
            enabled: true,
            sensitivity: "normal".into(),
            response: response.into(),
        };
        Monitoring::new(self.store.clone()).configure(&self.olga.as_manager().unwrap(), form).await.unwrap();
    }
}

#[tokio::test]
async fn a_burst_of_rejections_demotes_the_grant_once_and_a_manager_undoes_it() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        w.drifting().await;
        w.respond_with("demote_grant").await;
        let a = MonitorJob::new(db.store.clone(), "instance-a".into());
        let b = MonitorJob::new(db.store.clone(), "instance-b".into());
        let now = Utc::now();

        let (pa, pb) = tokio::join!(a.run(now), b.run(now));
        let (pa, pb) = (pa.unwrap(), pb.unwrap());
        assert!(pa.held != pb.held, "{}: exactly one instance runs a pass: {pa:?} {pb:?}", db.name);
        let (first, other) = if pa.held { (&a, &b) } else { (&b, &a) };
        let done = if pa.held { pa } else { pb };
        assert_eq!((done.judged, done.raised, done.acted), (1, 1, 1), "{}: {done:?}", db.name);
        assert_eq!(w.tier().await, Tier::Observer, "{}: demoted one tier", db.name);
        // Both are announced from the pass's transaction: the alert, and the authority withdrawn.
        use governance::notify::EventKind;
        let raised = db.store.events_of_kind(EventKind::AlertRaised, 10).await.unwrap();
        let withdrawn = db.store.events_of_kind(EventKind::AutonomyWithdrawn, 10).await.unwrap();
        assert_eq!((raised.len(), withdrawn.len()), (1, 1), "{}", db.name);
        assert_eq!(raised[0].capability.as_deref(), Some("finance.refund.issue"));
        let what: serde_json::Value = serde_json::from_str(&withdrawn[0].payload).unwrap();
        assert_eq!(what["response"], "demote_grant");
        assert!(what["what"].as_str().unwrap().contains("demoted the grant one tier"), "{what}");

        let member = w.olga.as_member().unwrap();
        let alerts = governance::service::alerts::Alerts::new(db.store.clone());
        let list = alerts.list(&member, &Default::default()).await.unwrap();
        assert_eq!(list.items.len(), 1, "{}", db.name);
        let alert = &list.items[0];
        assert_eq!(alert.state, AlertState::Open);
        assert_eq!(alert.alert.response.as_deref(), Some("demote_grant"));
        assert!(alert.alert.message.starts_with("Rejection rate: 0.70 rejected (14 of 20)"), "{}", alert.alert.message);
        let figures = alert.figures.as_ref().unwrap();
        assert_eq!(figures.series.len(), 30, "{}", db.name);
        assert_eq!(figures.series.last().unwrap().k, 14);
        assert!(figures.finding.test.contains("binomial"), "{}", figures.finding.test);
        let detail = alerts.detail(&member, alert.alert.id).await.unwrap();
        assert_eq!(detail.causes.len(), 14, "{}: the rejected actions of the recent window", db.name);

        let fired = db.store.evidence_about("agent", &alert.alert.agent_id.unwrap().to_string(), 20).await.unwrap();
        let kinds: Vec<&str> = fired.iter().map(|r| r.kind.as_str()).collect();
        assert!(kinds.contains(&"monitor.fired") && kinds.contains(&"grant.demoted"), "{}: {kinds:?}", db.name);
        let demoted = fired.iter().find(|r| r.kind == "grant.demoted").unwrap();
        assert_eq!(demoted.actor_name, "monitor (rejection_rate)");

        // The holder's next passes change nothing: the alert is open, its figures the same.
        let again = first.run(now + Duration::seconds(5)).await.unwrap();
        assert_eq!((again.held, again.raised, again.refreshed, again.acted), (true, 0, 0, 0), "{}", db.name);
        let idle = first.run(now + Duration::seconds(10)).await.unwrap();
        assert!(idle.unchanged, "{}: nothing new in the trail: {idle:?}", db.name);
        assert!(!other.run(now + Duration::seconds(10)).await.unwrap().held, "{}", db.name);

        // A restarted instance waits for the lease to expire, then resumes where it stopped.
        let restarted = MonitorJob::new(db.store.clone(), "instance-a-restarted".into());
        assert!(!restarted.run(now + Duration::seconds(20)).await.unwrap().held);
        let later = now + Duration::seconds(LEASE_SECONDS + 20);
        let resumed = restarted.run(later).await.unwrap();
        // A day's first pass judges everyone again, so "unchanged" holds only within one UTC day
        // (this test, run just before midnight, crosses it).
        let same_day = later.date_naive() == now.date_naive();
        assert!(resumed.held && (resumed.unchanged || !same_day), "{}: {resumed:?}", db.name);

        // Undo: a manager restores the tier, once.
        let manager = w.olga.as_manager().unwrap();
        let undone = first.undo(&manager, alert.alert.id, "the rejections were a reviewer's mistake").await.unwrap();
        assert_eq!(undone.undone_by.as_deref(), Some("olga"));
        assert_eq!(w.tier().await, Tier::Contributor, "{}: restored", db.name);
        let err = first.undo(&manager, alert.alert.id, "again").await.unwrap_err();
        assert!(matches!(err, GovError::Conflict { .. }), "{}: {err:?}", db.name);
        let err = first.undo(&manager, alert.alert.id + 1000, "none").await.unwrap_err();
        assert!(matches!(err, GovError::NotFound(_)), "{err:?}");

        // Acknowledged, then resolved: the detector stays quiet about the grant for a while.
        alerts.acknowledge(&w.rita.as_corrector().unwrap(), alert.alert.id, "").await.unwrap();
        let err = alerts.acknowledge(&w.rita.as_corrector().unwrap(), alert.alert.id, "").await.unwrap_err();
        assert!(matches!(err, GovError::Conflict { .. }), "{err:?}");
        Lifecycle::new(db.store.clone())
            .resolve_alert(&w.rita.as_corrector().unwrap(), alert.alert.id, "reviewer retrained")
            .await
            .unwrap();
        w.decided(99, false, 0).await;
        let quiet = restarted.run(later + Duration::seconds(5)).await.unwrap();
        assert_eq!((quiet.judged, quiet.raised), (1, 0), "{}: {quiet:?}", db.name);
        assert_eq!(w.tier().await, Tier::Contributor, "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_suspension_refuses_the_grant_until_undone_and_an_alert_only_detector_changes_nothing() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        w.drifting().await;
        let job = MonitorJob::new(db.store.clone(), "solo".into());
        let pass = job.run(Utc::now()).await.unwrap();
        assert_eq!((pass.raised, pass.acted), (1, 0), "{}: alert only by default: {pass:?}", db.name);
        assert_eq!(w.tier().await, Tier::Contributor);
        let member = w.olga.as_member().unwrap();
        let alerts = governance::service::alerts::Alerts::new(db.store.clone());
        let id = alerts.list(&member, &Default::default()).await.unwrap().items[0].alert.id;
        let err = job.undo(&w.olga.as_manager().unwrap(), id, "nothing to undo").await.unwrap_err();
        assert!(matches!(err, GovError::Conflict { .. }), "{err:?}");
        Lifecycle::new(db.store.clone()).resolve_alert(&w.rita.as_corrector().unwrap(), id, "seen").await.unwrap();

        // Suspending: with the first alert resolved over two days ago, the next one suspends.
        w.respond_with("suspend_grant").await;
        let backend = db.store.db().get_database_backend();
        let sql = "UPDATE alerts SET resolved_at = created_at - INTERVAL '3 days'";
        let sql = if backend == sea_orm::DbBackend::Postgres {
            sql.to_owned()
        } else {
            "UPDATE alerts SET resolved_at = datetime(created_at, '-3 days')".to_owned()
        };
        db.store.db().execute_unprepared(&sql).await.unwrap();
        w.decided(100, false, 0).await;
        let pass = job.run(Utc::now()).await.unwrap();
        assert_eq!((pass.raised, pass.acted), (1, 1), "{}: {pass:?}", db.name);
        let me = Agents::new(db.store.clone()).authenticate(&w.key).await.unwrap();
        let req: ActionRequest = serde_json::from_value(json!({
            "capability": "finance.refund.issue", "confidence": 0.9,
            "params": {"order_id": "S-1", "amount": 5, "currency": "EUR"},
        }))
        .unwrap();
        let refused = Decisions::new(db.store.clone()).request(&me, req.clone()).await.unwrap();
        assert!(refused.rule.contains("suspended by monitoring"), "{}: {}", db.name, refused.rule);
        let open = alerts.list(&member, &Default::default()).await.unwrap();
        let id = open.items.iter().find(|a| a.state == AlertState::Open).unwrap().alert.id;
        job.undo(&w.olga.as_manager().unwrap(), id, "lifting it to look closer").await.unwrap();
        let req = ActionRequest { idempotency_key: Some("after-undo".into()), ..req };
        let asked = Decisions::new(db.store.clone()).request(&me, req).await.unwrap();
        assert!(!asked.rule.contains("suspended"), "{}: {}", db.name, asked.rule);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_later_pass_judges_only_the_agents_with_something_new() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let template = db.store.template_by_name("Watched refunds").await.unwrap().unwrap();
        let (steady, key) = sandbox_agent(&db.store, &w.olga, "steady-bot").await;
        let form = GrantForm {
            agent_id: steady.id,
            capability: "finance.refund.issue".into(),
            template_id: template.id,
            tier: "contributor".into(),
            justification: "test setup: granted without a track record".into(),
        };
        Grants::new(db.store.clone()).grant(&w.olga.as_manager().unwrap(), form).await.unwrap();
        w.decided(1, true, 0).await;
        w.decided_as(&key, 2, true, 0).await;
        let job = MonitorJob::new(db.store.clone(), "solo".into());
        let now = Utc::now();
        assert_eq!(job.run(now).await.unwrap().judged, 2, "{}: the first pass of the day judges all", db.name);
        w.decided_as(&key, 3, true, 0).await;
        let pass = job.run(now + Duration::seconds(1)).await.unwrap();
        assert_eq!(pass.judged, 1, "{}: only steady-bot asked since: {pass:?}", db.name);
        w.respond_with("alert").await;
        let pass = job.run(now + Duration::seconds(2)).await.unwrap();
        assert_eq!(pass.judged, 2, "{}: a settings change judges all again: {pass:?}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_burst_of_never_seen_parameter_sets_raises_an_alert_naming_the_new_actions() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        w.volume_off().await;
        // A month of refunds of the same three orders, then twenty orders never seen today.
        let key = w.key.clone();
        for i in 0..40 {
            w.refund(&key, &format!("A-{}", i % 3), true, 3 + i64::from(i % 25)).await;
        }
        migrations::recount_scorecards(db.store.db()).await.unwrap();
        for i in 0..20 {
            w.refund(&key, &format!("B-{i}"), true, 0).await;
        }
        let job = MonitorJob::new(db.store.clone(), "solo".into());
        let now = Utc::now();
        let pass = job.run(now).await.unwrap();
        assert_eq!((pass.judged, pass.raised), (1, 1), "{}: {pass:?}", db.name);
        let member = w.olga.as_member().unwrap();
        let alerts = governance::service::alerts::Alerts::new(db.store.clone());
        let alert = alerts.list(&member, &Default::default()).await.unwrap().items.remove(0);
        assert_eq!(alert.alert.detector.as_deref(), Some("new_parameters"), "{}", db.name);
        assert!(
            alert.alert.message.starts_with("New parameter sets: 1.00 never seen before (20 of 20)"),
            "{}: {}",
            db.name,
            alert.alert.message
        );
        let series = &alert.figures.as_ref().unwrap().series;
        assert_eq!(series.iter().map(|p| p.k).sum::<u64>(), 23, "{}: 3 sets in the month, 20 today", db.name);
        let detail = alerts.detail(&member, alert.alert.id).await.unwrap();
        assert_eq!(detail.causes.len(), 20, "{}: the actions with a set first seen today", db.name);

        // Reading the same actions again changes nothing; known orders again are not new.
        for i in 0..5 {
            w.refund(&key, &format!("B-{i}"), true, 0).await;
        }
        let again = job.run(now + Duration::seconds(1)).await.unwrap();
        assert_eq!((again.raised, again.refreshed), (0, 1), "{}: {again:?}", db.name);
        // The alert keeps what it fired with; what the later pass saw is beside it, "since then".
        let alert = alerts.list(&member, &Default::default()).await.unwrap().items.remove(0);
        assert!(alert.alert.message.contains("(20 of 20)"), "{}: frozen: {}", db.name, alert.alert.message);
        assert!(alert.figures.as_ref().unwrap().finding.observed.contains("(20 of 20)"), "{}", db.name);
        let since = alert.since_then.as_ref().expect("the later figures are kept beside");
        assert!(since.finding.observed.contains("(20 of 25)"), "{}: {}", db.name, since.finding.observed);
        let detail = alerts.detail(&member, alert.alert.id).await.unwrap();
        assert_eq!(detail.causes.len(), 20, "{}: the actions behind it are those it fired on", db.name);
        // The same figures again write nothing.
        let same = job.run(now + Duration::seconds(2)).await.unwrap();
        assert_eq!(same.refreshed, 0, "{}: {same:?}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_reviewer_approving_everything_at_once_is_alerted_about_and_cannot_close_it() {
    for db in common::backends().await {
        let w = world(&db.store).await;
        let key = w.key.clone();
        // rita approves forty refunds, each within a second of its arrival.
        for i in 0..40 {
            w.refund(&key, &format!("R-{i}"), true, 0).await;
        }
        let job = MonitorJob::new(db.store.clone(), "solo".into());
        let now = Utc::now();
        let pass = job.run(now).await.unwrap();
        assert_eq!((pass.reviewers, pass.raised, pass.acted), (1, 1, 0), "{}: {pass:?}", db.name);
        let member = w.olga.as_member().unwrap();
        let alerts = governance::service::alerts::Alerts::new(db.store.clone());
        let alert = alerts.list(&member, &Default::default()).await.unwrap().items.remove(0);
        assert_eq!(alert.alert.reviewer.as_deref(), Some("rita"), "{}", db.name);
        assert_eq!(alert.alert.agent_id, None, "{}: about a person, not an agent", db.name);
        assert!(
            alert.alert.message.starts_with("Rubber-stamping: rita — 40 of 40 approved"),
            "{}",
            alert.alert.message
        );
        let figures = alert.figures.as_ref().unwrap();
        assert_eq!(figures.series.last().unwrap().k, 40, "{}: forty quick approvals today", db.name);
        assert!(figures.threshold.is_some());
        let detail = alerts.detail(&member, alert.alert.id).await.unwrap();
        assert_eq!(detail.causes.len(), 40, "{}: the quick approvals", db.name);

        // The agent's requests are not held for it: it is about rita, not drift-bot.
        let agent = db.store.action_by_id(detail.causes[0].id).await.unwrap().unwrap().agent_id;
        let inputs = db.store.decision_inputs(agent, "finance.refund.issue").await.unwrap().unwrap();
        assert!(!inputs.open_alert, "{}", db.name);

        // rita may neither acknowledge nor resolve it; another reviewer does.
        let rita = w.rita.as_corrector().unwrap();
        let err = alerts.acknowledge(&rita, alert.alert.id, "").await.unwrap_err();
        assert!(matches!(err, GovError::Forbidden(_)), "{}: {err:?}", db.name);
        let lifecycle = Lifecycle::new(db.store.clone());
        let err = lifecycle.resolve_alert(&rita, alert.alert.id, "I was careful").await.unwrap_err();
        assert!(matches!(err, GovError::Forbidden(_)), "{err:?}");
        let fired = db.store.evidence_about("user", "rita", 5).await.unwrap();
        assert_eq!(fired[0].kind, "monitor.fired", "{}: filed under the reviewer", db.name);
        let acc = Accounts::new(db.store.clone(), ThrottlePolicy::default());
        let vera = common::person(&acc, "vera", &["reviewer"]).await;
        let list = alerts.list(&member, &Default::default()).await.unwrap();
        assert_eq!(list.counts, [1, 0, 0], "{}: open, acknowledged, resolved", db.name);
        alerts.acknowledge(&vera.as_corrector().unwrap(), alert.alert.id, "").await.unwrap();
        assert_eq!(alerts.list(&member, &Default::default()).await.unwrap().counts, [0, 1, 0], "{}", db.name);
        lifecycle
            .resolve_alert(&vera.as_corrector().unwrap(), alert.alert.id, "talked it through with rita")
            .await
            .unwrap();
        assert_eq!(alerts.list(&member, &Default::default()).await.unwrap().counts, [0, 0, 1], "{}", db.name);

        // More of the same stays quiet for a while after a person resolved it.
        w.refund(&key, "R-40", true, 0).await;
        let quiet = job.run(now + Duration::seconds(1)).await.unwrap();
        assert_eq!((quiet.reviewers, quiet.raised), (1, 0), "{}: {quiet:?}", db.name);
        db.cleanup().await;
    }
}

/// The first column of the first row of `sql`.
async fn count(db: &impl ConnectionTrait, sql: &str) -> i64 {
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned())).await.unwrap();
    row.unwrap().try_get_by_index::<i64>(0).unwrap()
}

/// An open alert of `detector` about grant 7 of the agent (or a failed rollback, without one).
fn alert(backend: DbBackend, agent: &str, detector: Option<&str>) -> String {
    let now = if backend == DbBackend::Postgres { "now()" } else { "'2026-12-06T08:00:00+00:00'" };
    let (grant, detector) = match detector {
        Some(d) => ("7".to_owned(), format!("'{d}'")),
        None => ("NULL".to_owned(), "NULL".to_owned()),
    };
    format!(
        "INSERT INTO alerts (agent_id, kind, message, created_at, grant_id, detector) \
         VALUES ({agent}, 'monitor', 'm', {now}, {grant}, {detector})"
    )
}

#[tokio::test]
async fn alerts_and_their_guards_survive_the_reviewer_alerts_migration() {
    let all = migrations::Migrator::migrations();
    let before_22 = all.iter().position(|m| m.name() == "m20261206_000022_reviewer_alerts").unwrap() as u32;
    for db in common::backends_migrated(Some(before_22)).await {
        let store = &db.store;
        let conn = store.db();
        let backend = conn.get_database_backend();
        let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
        let olga = person(&acc, "olga", &["manager"]).await;
        // The agent is written as the schema before migration 22 had it (today's agent rows
        // have columns that schema lacks).
        let insert = format!(
            "INSERT INTO agents (name, purpose, owner_id, environment, model_note, status, status_reason, created_at, updated_at) \
             VALUES ('watched-bot', 'test', {}, 'sandbox', '', 'active', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            olga.user_id
        );
        conn.execute_unprepared(&insert).await.unwrap();
        let agent = count(conn, "SELECT id FROM agents WHERE name = 'watched-bot'").await.to_string();
        conn.execute_unprepared(&alert(backend, &agent, Some("volume"))).await.unwrap();
        conn.execute_unprepared(&alert(backend, &agent, None)).await.unwrap();

        migrations::Migrator::up(conn, None).await.unwrap();
        assert_eq!(count(conn, "SELECT COUNT(*) FROM alerts").await, 2, "{}: rows kept", db.name);
        let version = store.decision_inputs_version().await.unwrap();
        conn.execute_unprepared(&alert(backend, "NULL", None)).await.unwrap();
        assert!(store.decision_inputs_version().await.unwrap() > version, "{}: the trigger is back", db.name);
        let twice = conn.execute_unprepared(&alert(backend, &agent, Some("volume"))).await;
        assert!(twice.is_err(), "{}: still one open alert per grant and detector", db.name);
        let stamped = "INSERT INTO alerts (kind, message, created_at, detector, reviewer) \
             VALUES ('monitor.rubber_stamping', 'm', CURRENT_TIMESTAMP, 'rubber_stamping', 'rita')";
        conn.execute_unprepared(stamped).await.unwrap();
        assert!(conn.execute_unprepared(stamped).await.is_err(), "{}: one open per reviewer", db.name);

        // Back down past 22: the alerts about nobody's agent go, the others stay.
        let after_21 = u32::try_from(all.len()).unwrap() - before_22;
        migrations::Migrator::down(conn, Some(after_21)).await.unwrap();
        assert_eq!(count(conn, "SELECT COUNT(*) FROM alerts").await, 2, "{}", db.name);
        assert!(conn.execute_unprepared(&alert(backend, "NULL", None)).await.is_err(), "{}: NOT NULL again", db.name);
        db.cleanup().await;
    }
}
