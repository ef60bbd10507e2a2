//! Alerts in the console: the monitoring job's alert is listed, filtered and explained (its
//! figures, chart and the actions behind it); reviewers acknowledge and resolve, managers undo
//! what the detector did; other roles are turned away from the steps they may not take; an
//! alert about a reviewer is worked by someone else.

use crate::common::{TestApp, location, spawn_app};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};

/// Counts for the agent's grant as if it had been decided for a month: `approved` and
/// `rejected` proposals on each day `days_ago`.
async fn decided(app: &TestApp, agent: i64, days_ago: i64, approved: i64, rejected: i64) {
    let day = (chrono::Utc::now() - chrono::Duration::days(days_ago)).format("%Y-%m-%d").to_string();
    let db = app.db.db();
    let backend = db.get_database_backend();
    for (state, human, n) in [("final", 1, approved), ("rejected", 0, rejected)] {
        let sql = match backend {
            sea_orm::DatabaseBackend::Postgres => {
                "INSERT INTO scorecard_counts (agent_id, capability, day, decision, state, agreement, band, human_approved, n) \
                 VALUES ($1, 'finance.refund.issue', $2, 'needs_approval', $3, '', 3, $4, $5)"
            }
            _ => {
                "INSERT INTO scorecard_counts (agent_id, capability, day, decision, state, agreement, band, human_approved, n) \
                 VALUES (?, 'finance.refund.issue', ?, 'needs_approval', ?, '', 3, ?, ?)"
            }
        };
        let values = [agent.into(), day.clone().into(), state.into(), human.into(), n.into()];
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.unwrap();
    }
}

/// An executor whose rejections jumped today, with the rejection detector set to demote; the
/// job has run once. Returns (agent id, alert id).
async fn demoted(app: &TestApp) -> (i64, i64) {
    let (agent, _) = app.agent_with_grant("drift-bot", "finance.refund.issue", "executor").await;
    for d in 2..30 {
        decided(app, agent, d, 9, if d % 3 == 0 { 1 } else { 0 }).await;
    }
    decided(app, agent, 0, 8, 16).await;
    let mut olga = app.browser_as("olga", &["manager"]).await;
    let set =
        [("detector", "rejection_rate"), ("enabled", "on"), ("sensitivity", "normal"), ("response", "demote_grant")];
    assert_eq!(location(&app.post_form(&mut olga, "/api/monitoring/configure", &set).await), "/monitoring");
    // The server's own loop may have run its first pass; the next one sees the new records.
    let pass = app.state.monitor.run(chrono::Utc::now()).await.unwrap();
    assert_eq!((pass.raised, pass.acted), (1, 1), "{pass:?}");
    let id = app.db.open_alerts(Some(agent)).await.unwrap()[0].id;
    (agent, id)
}

#[tokio::test]
async fn an_automatic_demotion_is_listed_explained_and_undone_by_a_manager() {
    let app = spawn_app().await;
    let (agent, id) = demoted(&app).await;
    let mut mona = app.browser_as("mona", &["manager"]).await;

    let list = app.get(&mona, "/alerts").await.text().await.unwrap();
    assert!(list.contains("Rejection rate") && list.contains("drift-bot"), "listed");
    assert!(list.contains("demoted the grant one tier"), "says what it did");
    assert!(list.contains("1 open") && list.contains("1 match."));
    let filtered = app.get(&mona, "/alerts?detector=volume").await.text().await.unwrap();
    assert!(filtered.contains("No alert matches.") && filtered.contains("0 match."));
    let bad = app.get(&mona, "/alerts?state=sleeping").await.text().await.unwrap();
    assert!(bad.contains("&#x27;sleeping&#x27; is not open") || bad.contains("'sleeping' is not open"), "named");
    let dash = app.get(&mona, "/").await.text().await.unwrap();
    assert!(dash.contains("alerts open"), "the dashboard counts them");

    let page = app.get(&mona, &format!("/alerts/{id}")).await.text().await.unwrap();
    assert!(page.contains("0.67 rejected (16 of 24)"), "the observed figure");
    assert!(page.contains("binomial"), "the test");
    assert!(page.contains("<dt>Baseline<!></dt>"), "judged against the grant's baseline");
    assert!(page.contains(r#"data-testid="alert-chart""#), "the series as a chart");
    let legend = page.split(r#"data-testid="chart-legend""#).nth(1).expect("the chart has a legend");
    assert!(legend.contains("the recent days that were judged") && legend.contains("the recent window"), "{legend}");
    assert!(page.contains("Undo: the detector demoted the grant one tier"));
    let grant = app.db.grants_of(agent).await.unwrap().remove(0);
    assert_eq!(grant.tier.as_str(), "contributor", "demoted from executor");

    // Undo needs a note; then it restores the tier once.
    let res = app.post_api(&mut mona, "/api/alerts/undo", &[("id", &id.to_string()), ("note", "")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let undo = [("id", id.to_string()), ("note", "the reviewer was wrong".to_owned())];
    let form: Vec<(&str, &str)> = undo.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(location(&app.post_form(&mut mona, "/api/alerts/undo", &form).await), format!("/alerts/{id}"));
    let page = app.get(&mona, &format!("/alerts/{id}")).await.text().await.unwrap();
    assert!(page.contains("The alert stays open until someone resolves it."), "the notice");
    assert!(page.contains("Undone by mona"));
    assert!(!page.contains("undo-form"), "undo is offered once");
    assert_eq!(app.db.grants_of(agent).await.unwrap().remove(0).tier.as_str(), "executor");
    assert_eq!(app.post_api(&mut mona, "/api/alerts/undo", &form).await.status(), StatusCode::CONFLICT);
    let records = app.db.evidence_about("agent", &agent.to_string(), 10).await.unwrap();
    assert!(records.iter().any(|r| r.kind == "monitor.undone" && r.actor_name == "mona"));
}

#[tokio::test]
async fn reviewers_work_alerts_and_only_managers_undo() {
    let app = spawn_app().await;
    let (_, id) = demoted(&app).await;
    let sid = id.to_string();
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let page = app.get(&rita, &format!("/alerts/{id}")).await.text().await.unwrap();
    assert!(page.contains("Acknowledge") && page.contains("resolve-form") && !page.contains("undo-form"));
    let undo = [("id", sid.as_str()), ("note", "not mine to undo")];
    assert_eq!(app.post_api(&mut rita, "/api/alerts/undo", &undo).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        location(&app.post_form(&mut rita, "/api/alerts/acknowledge", &[("id", &sid)]).await),
        format!("/alerts/{id}")
    );
    assert_eq!(
        app.post_api(&mut rita, "/api/alerts/acknowledge", &[("id", &sid)]).await.status(),
        StatusCode::CONFLICT
    );

    // An auditor reads alerts but takes no step.
    let mut aldo = app.browser_as("aldo", &["auditor"]).await;
    assert_eq!(app.get(&aldo, "/alerts").await.status(), StatusCode::OK);
    let page = app.get(&aldo, &format!("/alerts/{id}")).await.text().await.unwrap();
    assert!(!page.contains("Work this alert"), "no steps offered");
    for path in ["/api/alerts/acknowledge", "/api/alerts/resolve"] {
        let form = [("id", sid.as_str()), ("note", "auditors look only")];
        assert_eq!(app.post_api(&mut aldo, path, &form).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(app.get(&aldo, "/alerts/99999").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&aldo, "/alerts/abc").await.status(), StatusCode::NOT_FOUND);

    let resolve = [("id", sid.as_str()), ("note", "reviewer retrained")];
    assert_eq!(location(&app.post_form(&mut rita, "/api/alerts/resolve", &resolve).await), format!("/alerts/{id}"));
    let page = app.get(&rita, "/alerts?state=resolved").await.text().await.unwrap();
    assert!(page.contains("drift-bot") && page.contains(">resolved<!></span>") && page.contains("1 resolved"));
    assert_eq!(app.post_api(&mut rita, "/api/alerts/resolve", &resolve).await.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_alert_about_a_reviewer_is_worked_by_someone_else() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    // rita approves thirty-two requests in two batches (at most 25 each), seconds after they arrive.
    let mut picks = Vec::new();
    for i in 0..32 {
        let body = serde_json::json!({
            "capability": "finance.refund.issue",
            "params": {"order_id": format!("Q-{i}"), "amount": 10, "currency": "EUR"},
            "confidence": 0.9,
        });
        let a: serde_json::Value =
            app.api_post("/v1/actions", Some(&key), &body.to_string()).await.json().await.unwrap();
        let id = a["id"].as_i64().unwrap();
        let hash = app.db.action_by_id(id).await.unwrap().unwrap().action_hash;
        picks.push(format!("{id}:{hash}"));
    }
    for batch in picks.chunks(16) {
        let mut form: Vec<(String, String)> =
            batch.iter().enumerate().map(|(i, p)| (format!("selected[{i}]"), p.clone())).collect();
        form.push(("verdict".into(), "approve".into()));
        form.push(("comment".into(), "fine".into()));
        form.push(("back".into(), "/inbox".into()));
        let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let res = app.post_form(&mut rita, "/api/inbox/review_selected", &refs).await;
        assert_eq!(location(&res), "/inbox", "the batch approved at once");
    }
    let pass = app.state.monitor.run(chrono::Utc::now()).await.unwrap();
    assert_eq!((pass.reviewers, pass.raised), (1, 1), "{pass:?}");
    let id = app.db.open_alerts(None).await.unwrap()[0].id;
    let sid = id.to_string();

    let mut vera = app.browser_as("vera", &["reviewer"]).await;
    let list = app.get(&vera, "/alerts?detector=rubber_stamping").await.text().await.unwrap();
    assert!(list.contains("Rubber-stamping"), "listed");
    assert!(list.contains(r#"data-testid="alert-reviewer">rita<"#), "names the reviewer");
    let page = app.get(&vera, &format!("/alerts/{id}")).await.text().await.unwrap();
    assert!(page.contains("32 of 32 approved") && page.contains("no baseline"), "figures and window");
    assert!(page.contains("<dt>Threshold<!></dt>") && !page.contains("<dt>Baseline"), "judged against thresholds");
    assert!(page.contains(r#"data-testid="alert-chart""#) && page.contains("the threshold"), "the chart");
    assert!(page.contains("resolve-form") && !page.contains("The agent's page"), "vera may work it");

    // rita sees it but takes no step on it.
    let own = app.get(&rita, &format!("/alerts/{id}")).await.text().await.unwrap();
    assert!(own.contains("another reviewer works it") && !own.contains("resolve-form"), "no steps for rita");
    let ack = app.post_api(&mut rita, "/api/alerts/acknowledge", &[("id", &sid)]).await;
    assert_eq!(ack.status(), StatusCode::FORBIDDEN);
    let resolve = [("id", sid.as_str()), ("note", "I read every one")];
    assert_eq!(app.post_api(&mut rita, "/api/alerts/resolve", &resolve).await.status(), StatusCode::FORBIDDEN);
    let resolve = [("id", sid.as_str()), ("note", "talked it through")];
    assert_eq!(location(&app.post_form(&mut vera, "/api/alerts/resolve", &resolve).await), format!("/alerts/{id}"));
}

#[tokio::test]
async fn a_manager_works_alerts_in_bulk_and_sees_what_later_passes_saw() {
    let app = spawn_app().await;
    let (agent, id) = demoted(&app).await;
    let sid = id.to_string();
    // A manager who is no reviewer acknowledges with a note, shown on the alert's page.
    let mut mona = app.browser_as("mona", &["manager"]).await;
    let page = app.get(&mona, &format!("/alerts/{id}")).await.text().await.unwrap();
    assert!(page.contains("acknowledge-form") && page.contains("resolve-form"), "a manager may work it");
    assert!(page.contains(r#"data-testid="frozen""#), "the figures are said to be those it fired with");
    let ack = [("id", sid.as_str()), ("note", "checking the <b>rejected</b> refunds")];
    assert_eq!(location(&app.post_form(&mut mona, "/api/alerts/acknowledge", &ack).await), format!("/alerts/{id}"));
    let page = app.get(&mona, &format!("/alerts/{id}")).await.text().await.unwrap();
    assert!(page.contains("Acknowledged by mona") && page.contains("checking the &lt;b&gt;rejected&lt;/b&gt; refunds"));

    // A later pass's figures are shown beside the frozen ones, never over them.
    let db = app.db.db();
    let backend = db.get_database_backend();
    let latest = r#"{"finding":{"observed":"0.90 rejected (18 of 20)","baseline":"0.03","test":"binomial","p_value":0.0001,"n":20},"window":{"baseline_from":"2026-11-05","baseline_to":"2026-12-02","recent_from":"2026-12-03","recent_to":"2026-12-04"},"series":[]}"#;
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => "UPDATE alerts SET latest_details = $1 WHERE id = $2",
        _ => "UPDATE alerts SET latest_details = ? WHERE id = ?",
    };
    db.execute_raw(Statement::from_sql_and_values(backend, sql, [latest.into(), id.into()])).await.unwrap();
    let page = app.get(&mona, &format!("/alerts/{id}")).await.text().await.unwrap();
    let since = page.split(r#"id="alert-since""#).nth(1).expect("a since-then section");
    assert!(since.contains("0.90 rejected (18 of 20)"), "{since}");
    let frozen = page.split(r#"id="alert-figures""#).nth(1).unwrap().split(r#"id="alert-since""#).next().unwrap();
    assert!(!frozen.contains("18 of 20") && frozen.contains("rejected"), "the firing figures stay");

    // Bulk from the list: ticks and a note; a refused one (no note to resolve) keeps both.
    let list = app.get(&mona, "/alerts?state=acknowledged").await.text().await.unwrap();
    assert!(list.contains(&format!(r#"value="{id}""#)) && list.contains("Resolve ticked"), "ticks and the bulk form");
    let back = "/alerts?state=acknowledged";
    let refused = [("selected[0]", sid.as_str()), ("step", "resolve"), ("note", ""), ("back", back)];
    let res = app.post_form_on(&mut mona, back, "/api/alerts/bulk", &refused).await;
    let page = app.get(&mona, &app.back_to(&res)).await.text().await.unwrap();
    assert!(page.contains(r#"data-field="note""#), "the error sits under the note");
    assert!(page.contains(&format!(r#"value="{id}" checked"#)), "the tick is kept");
    let mut aldo = app.browser_as("aldo", &["auditor"]).await;
    let bulk = [("selected[0]", sid.as_str()), ("step", "resolve"), ("note", "retrained"), ("back", back)];
    assert_eq!(app.post_api(&mut aldo, "/api/alerts/bulk", &bulk).await.status(), StatusCode::FORBIDDEN);
    let res = app.post_form_on(&mut mona, back, "/api/alerts/bulk", &bulk).await;
    assert_eq!(location(&res), back, "back to the list as it was filtered");
    let page = app.get(&mona, back).await.text().await.unwrap();
    assert!(page.contains("1 alert(s) resolved."), "the notice counts them");
    assert!(app.db.open_alerts(Some(agent)).await.unwrap().is_empty());

    // The agent's page says the detector is quiet now, and until when.
    let agent_page = app.get(&mona, &format!("/agents/{agent}")).await.text().await.unwrap();
    let quiet = agent_page.split(r#"data-testid="quiet-detectors""#).nth(1).expect("quiet detectors listed");
    assert!(quiet.contains("Rejection rate") && quiet.contains("quiet until") && quiet.contains("resolved by mona"));
}

#[tokio::test]
async fn a_detectors_new_response_reaches_open_alerts_only_when_asked() {
    let app = spawn_app().await;
    let (agent, _) = app.agent_with_grant("drift-bot", "finance.refund.issue", "executor").await;
    for d in 2..30 {
        decided(&app, agent, d, 9, if d % 3 == 0 { 1 } else { 0 }).await;
    }
    decided(&app, agent, 0, 8, 16).await;
    // Alert only at first.
    let pass = app.state.monitor.run(chrono::Utc::now()).await.unwrap();
    assert_eq!((pass.raised, pass.acted), (1, 0), "{pass:?}");
    let mut olga = app.browser_as("olga", &["manager"]).await;
    let page = app.get(&olga, "/monitoring").await.text().await.unwrap();
    assert!(page.contains("Also apply the response to the 1 open alert(s)"), "the page offers it");
    let set =
        [("detector", "rejection_rate"), ("enabled", "on"), ("sensitivity", "normal"), ("response", "demote_grant")];
    app.post_form(&mut olga, "/api/monitoring/configure", &set).await;
    let page = app.get(&olga, "/monitoring").await.text().await.unwrap();
    assert!(page.contains("It applies to new alerts; the 1 open alert(s) it raised before keep what they did."));
    assert_eq!(app.db.grants_of(agent).await.unwrap()[0].tier.as_str(), "executor");
    let apply = [set[0], set[1], set[2], set[3], ("apply_open", "on")];
    app.post_form(&mut olga, "/api/monitoring/configure", &apply).await;
    let page = app.get(&olga, "/monitoring").await.text().await.unwrap();
    assert!(page.contains("Applied to 1 open alert(s)."), "the notice says so");
    assert_eq!(app.db.grants_of(agent).await.unwrap()[0].tier.as_str(), "contributor", "demoted now");
}
