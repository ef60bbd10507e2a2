//! Scorecards counted from what is recorded, on SQLite and PostgreSQL: every outcome lands in
//! its counter, windows start where the tier began, and the next step says what is missing.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::person;
use governance::action::ActionRequest;
use governance::policy::Tier;
use governance::service::accounts::ThrottlePolicy;
use governance::service::agents::{AgentPrincipal, NewAgent};
use governance::service::execution::{ResultReport, RollbackReport};
use governance::service::grants::{GrantForm, Step};
use governance::shadow::Verdict;
use governance::template::RuleForm;
use governance::{Accounts, Agents, Decisions, Grants, Lifecycle, Principal, Scorecards, Store, Templates};
use migrations::MigratorTrait;
use sea_orm::ConnectionTrait;
use serde_json::json;

struct World {
    store: Store,
    olga: Principal,
    rita: Principal,
    rex: Principal,
    agents: Agents,
    grants: Grants,
    decisions: Decisions,
    lifecycle: Lifecycle,
    scorecards: Scorecards,
    key: String,
    grant_id: i64,
}

async fn world(store: &Store, tier: &str) -> World {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let olga = person(&acc, "olga", &["manager"]).await;
    let rita = person(&acc, "rita", &["reviewer"]).await;
    let rex = person(&acc, "rex", &["reviewer"]).await;
    let token = olga.as_manager().unwrap();
    let templates = Templates::new(store.clone());
    templates.ensure_builtins().await.unwrap();
    let finance = store.template_by_name("Finance analysis and refunds").await.unwrap().unwrap();
    let mine = templates.copy(&token, finance.id, "Scored refunds").await.unwrap();
    let rule = RuleForm {
        capability: "finance.refund.issue".into(),
        limits: "amount <= 200".into(),
        approval_expiry_minutes: "60".into(),
        ..RuleForm::default()
    };
    templates.save_rule(&token, mine.id, 1, rule).await.unwrap();
    let agents = Agents::new(store.clone());
    let new = NewAgent {
        name: "score-bot".into(),
        purpose: "refunds".into(),
        environment: "production".into(),
        ..NewAgent::default()
    };
    let agent = agents.register(&token, new).await.unwrap();
    let (_, key) = agents.issue_key(&token, agent.id).await.unwrap();
    let grants = Grants::new(store.clone());
    let form = GrantForm {
        agent_id: agent.id,
        capability: "finance.refund.issue".into(),
        template_id: mine.id,
        tier: tier.into(),
        justification: "test setup: granted without a track record".into(),
    };
    let grant_id = grants.grant(&token, form).await.unwrap().id;
    World {
        store: store.clone(),
        olga,
        rita,
        rex,
        agents,
        grants,
        decisions: Decisions::new(store.clone()),
        lifecycle: Lifecycle::new(store.clone()),
        scorecards: Scorecards::new(store.clone()),
        key,
        grant_id,
    }
}

impl World {
    async fn me(&self) -> AgentPrincipal {
        self.agents.authenticate(&self.key).await.unwrap()
    }

    async fn ask(&self, order: u32, amount: f64, confidence: f64) -> i64 {
        let req: ActionRequest = serde_json::from_value(json!({
            "capability": "finance.refund.issue",
            "params": {"order_id": format!("A-{order}"), "amount": amount, "currency": "EUR"},
            "confidence": confidence,
        }))
        .unwrap();
        self.decisions.request(&self.me().await, req).await.unwrap().id
    }

    async fn decide(&self, who: &Principal, id: i64, verdict: Verdict) {
        let hash = self.store.action_by_id(id).await.unwrap().unwrap().action_hash;
        self.lifecycle.review(&who.as_reviewer().unwrap(), id, verdict, &hash, "checked").await.unwrap();
    }

    async fn executed(&self, id: i64, ok: bool) {
        let status = if ok { "succeeded" } else { "failed" };
        let report = ResultReport { status: status.into(), output: json!({}), undo: json!({"r": id}), params: None };
        self.lifecycle.report_result(&self.me().await, id, report).await.unwrap();
    }
}

#[tokio::test]
async fn every_outcome_is_counted_once_in_its_window() {
    for db in common::backends().await {
        let w = world(&db.store, "contributor").await;
        // Six proposals: four approved (by two people), one rejected, one still waiting.
        let ids: Vec<i64> = futures_ids(&w).await;
        w.decide(&w.rita, ids[0], Verdict::Approve).await;
        w.decide(&w.rita, ids[1], Verdict::Approve).await;
        w.decide(&w.rex, ids[2], Verdict::Approve).await;
        w.decide(&w.rex, ids[3], Verdict::Approve).await;
        w.decide(&w.rita, ids[4], Verdict::Reject).await;
        // Three run well, one fails; one of the good ones is rolled back.
        w.executed(ids[0], true).await;
        w.executed(ids[1], true).await;
        w.executed(ids[2], true).await;
        w.executed(ids[3], false).await;
        w.lifecycle.request_rollback(&w.rex.as_corrector().unwrap(), ids[0], "wrong order").await.unwrap();
        let undone = RollbackReport { status: "rolled_back".into(), output: json!({}) };
        w.lifecycle.report_rollback(&w.me().await, ids[0], undone).await.unwrap();

        let member = w.olga.as_member().unwrap();
        let card = w.scorecards.of_grant(&member, w.grant_id).await.unwrap();
        let t = card.at_tier;
        assert_eq!((t.proposals, t.escalated, t.approved, t.rejected), (6, 6, 4, 1), "{}: {t:?}", db.name);
        assert_eq!((t.executed_ok, t.failed, t.rolled_back, t.rollback_failed), (3, 1, 1, 0), "{}", db.name);
        assert_eq!((t.reviewers, t.patterns), (2, 6), "{}", db.name);
        assert_eq!(card.all_time, t, "{}: the tier began with the grant", db.name);
        let rejection = &card.monitoring[0];
        assert_eq!(rejection.detector, governance::monitor::Detector::RejectionRate);
        assert_eq!(rejection.judgement, governance::monitor::Judgement::TooFew { n: 5, min: 20 }, "{}", db.name);
        assert_eq!(card.last_30_days, t);
        assert_eq!(t.approval().n, 5);
        assert_eq!(card.calibration.rate(3).n, 3, "{}: three decided at 0.95", db.name);
        assert_eq!(card.calibration.rate(1).n, 2, "{}: two decided at 0.6", db.name);
        assert_eq!(card.weekly.len(), 12);
        assert_eq!(card.weekly[11].proposals, 6);
        assert!(card.weekly[..11].iter().all(|wk| wk.proposals == 0));
        assert!(card.weekly[11].tier_changed);
        let next = card.readiness.unwrap();
        assert_eq!(next.to, Tier::Executor);
        assert!(!next.ready());
        assert!(next.missing().contains(&"needs 195 more decided proposals (5 of 200)"), "{:?}", next.missing());

        // Promoting without meeting the criteria is an override: it needs a justification,
        // and its record says so, with the criteria and the scorecard it was based on.
        let manager = w.olga.as_manager().unwrap();
        let short = w.grants.step(&manager, w.grant_id, Step::Promote, "trial").await;
        match short {
            Err(governance::GovError::Invalid { field: "reason", message }) => {
                assert!(message.contains("needs 195 more decided proposals"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        let why = "quarter-end backlog; every refund is audited daily";
        w.grants.step(&manager, w.grant_id, Step::Promote, why).await.unwrap();
        let agent_id = w.me().await.agent.id.to_string();
        let records = w.store.evidence_about("agent", &agent_id, 10).await.unwrap();
        let promoted = records.iter().find(|r| r.kind == "grant.promoted").unwrap();
        assert!(promoted.summary.contains("without meeting its criteria (override)"), "{}", promoted.summary);
        let details: serde_json::Value = serde_json::from_str(&promoted.details).unwrap();
        assert_eq!(details["override"], true);
        assert_eq!(details["scorecard"]["at_tier"]["approved"], 4);
        assert_eq!(details["criteria"]["step"]["min_samples"], 200);
        assert!(details["missing"].as_array().unwrap().iter().any(|m| m.as_str().unwrap().starts_with("needs 195")));
        let card = w.scorecards.of_grant(&member, w.grant_id).await.unwrap();
        assert_eq!((card.tier, card.at_tier.proposals, card.all_time.proposals), (Tier::Executor, 0, 6), "{}", db.name);
        assert!(card.readiness.is_none(), "nothing above executor");
        // The agent reads its own cards.
        let own = w.scorecards.own(&w.me().await).await.unwrap();
        assert_eq!(own.len(), 1);
        assert_eq!((own[0].grant_id, own[0].agent_id), (w.grant_id, w.me().await.agent.id));
        // What was counted as it happened is what counting everything again finds.
        let kept = counted(&w).await;
        migrations::recount_scorecards(w.store.db()).await.unwrap();
        assert_eq!(counted(&w).await, kept, "{}: kept counts differ from a recount", db.name);
        db.cleanup().await;
    }
}

/// The grant's counts per day and group, with its distinct parameter sets and reviewers.
async fn counted(w: &World) -> (Vec<(chrono::NaiveDate, governance::store::scorecards::Group)>, u64, u64) {
    let agent = w.me().await.agent.id;
    let mut days = w.store.daily_groups(agent, "finance.refund.issue").await.unwrap();
    days.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    let patterns = w.store.patterns_since(agent, "finance.refund.issue", None).await.unwrap();
    let reviewers = w.store.reviewers_since(agent, "finance.refund.issue", None).await.unwrap();
    (days, patterns, reviewers)
}

/// Moves action `id` (or the grant's tier start) to `at`, as if it had happened then.
async fn backdate(w: &World, table: &str, column: &str, id: i64, at: chrono::DateTime<chrono::Utc>) {
    let backend = w.store.db().get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => format!("UPDATE {table} SET {column} = $1 WHERE id = $2"),
        _ => format!("UPDATE {table} SET {column} = ? WHERE id = ?"),
    };
    let stmt = sea_orm::Statement::from_sql_and_values(backend, sql, [at.into(), id.into()]);
    w.store.db().execute_raw(stmt).await.unwrap();
}

#[tokio::test]
async fn a_tier_that_began_at_noon_counts_from_noon_and_old_days_fall_out_of_the_month() {
    for db in common::backends().await {
        let w = world(&db.store, "contributor").await;
        let mut ids = Vec::new();
        for i in 0..4 {
            let id = w.ask(i, 40.0, 0.95).await;
            w.decide(&w.rita, id, Verdict::Approve).await;
            ids.push(id);
        }
        let today = governance::clock::now().date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
        let at = |days: i64, hour: i64| today - chrono::Duration::days(days) + chrono::Duration::hours(hour);
        backdate(&w, "actions", "created_at", ids[0], at(3, 9)).await;
        backdate(&w, "actions", "created_at", ids[1], at(3, 15)).await;
        backdate(&w, "actions", "created_at", ids[2], at(1, 10)).await;
        backdate(&w, "actions", "created_at", ids[3], at(40, 10)).await;
        backdate(&w, "grants", "tier_since", w.grant_id, at(3, 12)).await;
        // Rows changed behind the engine's back are counted again, as the migration does.
        migrations::recount_scorecards(w.store.db()).await.unwrap();
        // A transition after that moves a past day's action between groups.
        w.executed(ids[2], true).await;

        let card = w.scorecards.of_grant(&w.rita.as_member().unwrap(), w.grant_id).await.unwrap();
        let (t, m, all) = (card.at_tier, card.last_30_days, card.all_time);
        assert_eq!((t.proposals, t.approved, t.executed_ok, t.patterns), (2, 2, 1, 2), "{}: {t:?}", db.name);
        assert_eq!((m.proposals, m.approved), (3, 3), "{}: the 40-day-old one is out of the month", db.name);
        assert_eq!((all.proposals, all.approved, all.executed_ok), (4, 4, 1), "{}", db.name);
        let weeks: Vec<u64> = card.weekly.iter().map(|wk| wk.proposals).collect();
        assert_eq!(weeks, [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 3], "{}", db.name);
        assert!(card.weekly[11].tier_changed && !card.weekly[10].tier_changed, "{}", db.name);
        db.cleanup().await;
    }
}

async fn futures_ids(w: &World) -> Vec<i64> {
    let mut ids = Vec::new();
    for (i, confidence) in [0.95, 0.95, 0.6, 0.6, 0.95, 0.8].into_iter().enumerate() {
        ids.push(w.ask(i as u32, 40.0, confidence).await);
    }
    ids
}

#[tokio::test]
async fn an_observer_is_judged_on_shadow_agreement() {
    for db in common::backends().await {
        let w = world(&db.store, "observer").await;
        let rita = w.rita.as_reviewer().unwrap();
        let a = w.ask(1, 40.0, 0.9).await;
        let b = w.ask(2, 40.0, 0.9).await;
        let c = w.ask(3, 40.0, 0.9).await;
        let same = w.store.action_by_id(a).await.unwrap().unwrap().params;
        w.lifecycle.record_shadow(&rita, a, Verdict::Approve, &same, "same").await.unwrap();
        let edited = r#"{"order_id": "A-2", "amount": 15, "currency": "EUR"}"#;
        w.lifecycle.record_shadow(&rita, b, Verdict::Approve, edited, "").await.unwrap();
        w.lifecycle.record_shadow(&rita, c, Verdict::Reject, "", "").await.unwrap();
        let card = w.scorecards.of_grant(&w.olga.as_member().unwrap(), w.grant_id).await.unwrap();
        let t = card.at_tier;
        assert_eq!((t.shadow_same, t.shadow_different, t.shadow_opposite, t.reviewers), (1, 1, 1, 1), "{}", db.name);
        assert_eq!((t.escalated, t.approved), (0, 0), "a recommendation is not an approval");
        let next = card.readiness.unwrap();
        assert_eq!(next.to, Tier::Contributor);
        assert!(next.missing().contains(&"needs 47 more shadow comparisons (3 of 50)"), "{:?}", next.missing());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_grant_without_actions_has_empty_rates_not_zero_rates() {
    for db in common::backends().await {
        let w = world(&db.store, "contributor").await;
        let card = w.scorecards.of_grant(&w.olga.as_member().unwrap(), w.grant_id).await.unwrap();
        assert_eq!(card.all_time.proposals, 0);
        assert_eq!(card.all_time.approval().value(), None, "{}", db.name);
        assert!(!card.overconfident);
        let missing = w.scorecards.of_grant(&w.olga.as_member().unwrap(), 999_999).await;
        assert!(matches!(missing, Err(governance::GovError::NotFound(_))));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_observer_that_earned_it_heads_the_promotion_queue() {
    for db in common::backends().await {
        let w = world(&db.store, "observer").await;
        let manager = w.olga.as_manager().unwrap();
        let queue = w.scorecards.promotion_queue(&manager).await.unwrap();
        assert_eq!(queue.len(), 1);
        assert!(!queue[0].readiness.as_ref().unwrap().ready(), "{}: nothing shown yet", db.name);
        // Sixty recommendations a reviewer would have made the same, decided by two people,
        // on twelve different cases, over more than a week at the tier.
        for i in 0..60u32 {
            let id = w.ask(i % 12, 40.0, 0.9).await;
            let who = if i % 2 == 0 { &w.rita } else { &w.rex };
            let same = w.store.action_by_id(id).await.unwrap().unwrap().params;
            w.lifecycle.record_shadow(&who.as_reviewer().unwrap(), id, Verdict::Approve, &same, "same").await.unwrap();
        }
        let queue = w.scorecards.promotion_queue(&manager).await.unwrap();
        let missing = queue[0].readiness.as_ref().unwrap().missing().join("; ");
        assert_eq!(missing, "needs 7 more days at this tier (0 of 7)", "{}: time is the only thing left", db.name);
        let week_ago = (chrono::Utc::now() - chrono::Duration::days(8)).to_rfc3339();
        let backdate = format!("UPDATE grants SET tier_since = '{week_ago}' WHERE id = {}", w.grant_id);
        sea_orm::ConnectionTrait::execute_unprepared(db.store.db(), &backdate).await.unwrap();
        // Its actions must fall inside the window that now starts a week earlier: they do.
        let queue = w.scorecards.promotion_queue(&manager).await.unwrap();
        let next = queue[0].readiness.as_ref().unwrap();
        assert!(next.ready(), "{}: {:?}", db.name, next.missing());
        assert_eq!(next.to, Tier::Contributor);
        assert!(queue[0].weekly.is_empty(), "the queue skips the series");
        // Promoted with its criteria met: no override, and it leaves the observer queue.
        w.grants.step(&manager, w.grant_id, Step::Promote, "earned it").await.unwrap();
        let records = w.store.evidence_about("agent", &w.me().await.agent.id.to_string(), 5).await.unwrap();
        let details: serde_json::Value = serde_json::from_str(&records[0].details).unwrap();
        assert_eq!((records[0].kind.as_str(), &details["override"]), ("grant.promoted", &json!(false)));
        let queue = w.scorecards.promotion_queue(&manager).await.unwrap();
        assert_eq!(queue[0].tier, Tier::Contributor);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn grants_from_before_tier_since_count_from_when_they_were_granted() {
    let before_16 = migrations::Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261203_000016_grant_tier_since")
        .unwrap() as u32;
    for db in common::backends_migrated(Some(before_16)).await {
        // A grant as the previous release wrote it, without tier_since.
        let acc = Accounts::new(db.store.clone(), ThrottlePolicy::default());
        let olga = person(&acc, "olga", &["manager"]).await;
        Templates::new(db.store.clone()).ensure_builtins().await.unwrap();
        let finance = db.store.template_by_name("Finance analysis and refunds").await.unwrap().unwrap();
        // The agent as that release wrote it too (today's agent rows have later columns).
        let agent_row = format!(
            "INSERT INTO agents (name, purpose, owner_id, environment, model_note, status, status_reason, created_at, updated_at) \
             VALUES ('old-bot', 'refunds', {}, 'production', '', 'active', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            olga.user_id
        );
        sea_orm::ConnectionTrait::execute_unprepared(db.store.db(), &agent_row).await.unwrap();
        let stmt = sea_orm::Statement::from_string(db.store.backend(), "SELECT id FROM agents WHERE name = 'old-bot'");
        let row = sea_orm::ConnectionTrait::query_one_raw(db.store.db(), stmt).await.unwrap().unwrap();
        let agent_id: i64 = row.try_get_by_index(0).unwrap();
        let insert = format!(
            "INSERT INTO grants (agent_id, capability_id, template_id, template_version, tier, granted_by, granted_at, review_due_at) \
             SELECT {}, id, {}, 1, 'contributor', 'olga', '2026-11-01T10:00:00+00:00', '2026-12-01T10:00:00+00:00' \
             FROM capabilities WHERE name = 'finance.refund.issue'",
            agent_id, finance.id
        );
        sea_orm::ConnectionTrait::execute_unprepared(db.store.db(), &insert).await.unwrap();
        migrations::Migrator::up(db.store.db(), None).await.unwrap();
        let cards = Scorecards::new(db.store.clone()).of_agent(&olga.as_member().unwrap(), agent_id).await.unwrap();
        assert_eq!(cards.len(), 1, "{}", db.name);
        assert_eq!(cards[0].tier_since.to_rfc3339(), "2026-11-01T10:00:00+00:00", "{}", db.name);
        assert!(cards[0].days_at_tier >= 30, "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_agents_list_reads_every_live_grants_twelve_weeks_at_once() {
    for db in common::backends().await {
        let w = world(&db.store, "contributor").await;
        let ids = futures_ids(&w).await;
        w.decide(&w.rita, ids[0], Verdict::Approve).await;
        w.decide(&w.rex, ids[1], Verdict::Approve).await;
        w.decide(&w.rita, ids[2], Verdict::Reject).await;
        let agent = w.me().await.agent.id;
        let manager = w.olga.as_manager().unwrap();

        let trends = w.scorecards.trends(&manager, &[agent, 999_999]).await.unwrap();
        assert_eq!(trends.len(), 1, "{}: one live grant, an unknown agent has none", db.name);
        let t = &trends[0];
        assert_eq!((t.capability.as_str(), t.tier, t.weekly.len()), ("finance.refund.issue", Tier::Contributor, 12));
        assert_eq!((t.approval.hits, t.approval.n), (2, 3), "{}", db.name);
        let this_week = t.weekly.last().unwrap();
        assert_eq!((this_week.proposals, this_week.approval.n), (6, 3), "{}", db.name);
        assert!(t.weekly[..11].iter().all(|w| w.proposals == 0 && w.approval.n == 0), "no cases, no rate");
        // The same weeks as the grant's own card.
        let card = w.scorecards.of_grant(&w.olga.as_member().unwrap(), w.grant_id).await.unwrap();
        assert_eq!(card.weekly.last().unwrap().approval, this_week.approval);

        w.grants.revoke(&manager, w.grant_id, "desk closed").await.unwrap();
        assert!(w.scorecards.trends(&manager, &[agent]).await.unwrap().is_empty(), "{}: revoked, not drawn", db.name);
        assert!(w.scorecards.trends(&manager, &[]).await.unwrap().is_empty());
        db.cleanup().await;
    }
}

/// A day's sketch another instance wrote after this process last did: this process's
/// compare-and-set misses, so it reads the row again and merges into it instead of writing
/// over what the other instance added.
#[tokio::test]
async fn a_sketch_another_instance_changed_is_merged_not_overwritten() {
    use migrations::distinct_sketch::Sketch;
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    for db in common::backends().await {
        let w = world(&db.store, "executor").await;
        w.ask(1, 10.0, 0.9).await;
        w.ask(2, 10.0, 0.9).await;
        assert_eq!(counted(&w).await.1, 2, "{}", db.name);
        // Another instance adds a set this process has not seen.
        let conn = w.store.db();
        let backend = conn.get_database_backend();
        let sql = "SELECT registers FROM scorecard_sketches";
        let row = conn.query_one_raw(Statement::from_string(backend, sql)).await.unwrap().unwrap();
        let mut other = Sketch::decode(&row.try_get::<Vec<u8>>("", "registers").unwrap()).unwrap();
        other.insert_hex(&"ab".repeat(32));
        let sql = match backend {
            DbBackend::Postgres => "UPDATE scorecard_sketches SET registers = $1",
            _ => "UPDATE scorecard_sketches SET registers = ?",
        };
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, [other.encode().into()])).await.unwrap();
        w.ask(3, 10.0, 0.9).await;
        assert_eq!(counted(&w).await.1, 4, "{}: the other instance's set and the new one", db.name);
        w.ask(4, 10.0, 0.9).await;
        assert_eq!(counted(&w).await.1, 5, "{}: and the next write is a compare-and-set again", db.name);
        db.cleanup().await;
    }
}
