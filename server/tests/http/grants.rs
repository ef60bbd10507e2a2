//! The grant form through the real router: a grant above where its template lets grants start
//! is an override with a justification, the form keeps what was chosen and typed (also on a
//! reload of the error page), a tier step keeps its reason, and only managers may grant.

use crate::common::{Browser, TestApp, location, spawn_app};
use reqwest::StatusCode;

/// An agent of its own (no grant yet) and the grant form's value for refunds from the test
/// template: (agent id, choice).
async fn new_agent(app: &TestApp) -> (i64, String) {
    // `agent_with_grant` sets up the template; the agent under test is a second one.
    app.agent_with_grant("setup-bot", "finance.report.generate", "observer").await;
    let tpl = app.db.template_by_name("Test refunds").await.unwrap().unwrap();
    let (agent_id, _) = app.agent_with_grant("fresh-bot", "finance.report.generate", "observer").await;
    (agent_id, format!("{}:finance.refund.issue", tpl.id))
}

async fn grant(
    app: &TestApp,
    who: &mut Browser,
    agent_id: i64,
    choice: &str,
    tier: &str,
    why: &str,
) -> reqwest::Response {
    let agent = agent_id.to_string();
    let form = [("agent_id", agent.as_str()), ("choice", choice), ("tier", tier), ("justification", why)];
    app.post_form_on(who, &format!("/agents/{agent_id}"), "/api/agents/grants/create", &form).await
}

#[tokio::test]
async fn granting_above_the_free_start_without_a_record_needs_a_justification() {
    let app = spawn_app().await;
    let (agent_id, choice) = new_agent(&app).await;
    let mut mona = app.browser_as("mona", &["manager"]).await;

    // An API-style caller gets the status and the field.
    let agent = agent_id.to_string();
    let form = [("agent_id", agent.as_str()), ("choice", choice.as_str()), ("tier", "executor")];
    let res = app.post_api(&mut mona, "/api/agents/grants/create", &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains(r#""field":"justification""#), "{body}");
    assert!(body.contains("to executor: needs 200 more decided proposals (0 of 200)"), "{body}");

    // A browser comes back to the agent's page with the error under the field and the form
    // as it was sent; a reload of that page shows the same.
    let res = grant(&app, &mut mona, agent_id, &choice, "executor", "<b>soon</b>").await;
    let error_page = app.back_to(&res);
    assert!(error_page.starts_with(&format!("/agents/{agent_id}?")), "{error_page}");
    for _ in 0..2 {
        let page = app.get(&mona, &error_page).await.text().await.unwrap();
        assert!(page.contains(r#"data-field="justification""#), "the error sits under its field");
        assert!(page.contains(&format!(r#"value="{choice}" selected"#)), "the choice is kept");
        assert!(page.contains(r#"value="executor" selected"#), "the tier is kept");
        assert!(page.contains("&lt;b&gt;soon&lt;/b&gt;</textarea>"), "the justification is kept, escaped");
    }
    let page = app.get(&mona, &format!("/agents/{agent_id}")).await.text().await.unwrap();
    assert!(
        !page.contains("&lt;b&gt;soon") && !page.contains(r#"data-field="justification""#),
        "not without the error"
    );
    assert!(app.db.grants_of(agent_id).await.unwrap().iter().all(|g| g.capability != "finance.refund.issue"));

    // Observer needs nothing; the option says which template and version it comes from.
    assert!(page.contains("finance.refund.issue — Test refunds v2"), "template and capability in each option");
    let why = "Pilot agreed with finance: refunds under 100 EUR";
    let res = grant(&app, &mut mona, agent_id, &choice, "executor", why).await;
    assert_eq!(location(&res), format!("/agents/{agent_id}"));
    let page = app.get(&mona, &location(&res)).await.text().await.unwrap();
    assert!(page.contains("Granted finance.refund.issue at executor."), "the notice");
    let record = &app.db.evidence_about("agent", &agent, 5).await.unwrap()[0];
    assert_eq!(record.kind, "grant.created");
    assert!(record.summary.contains("(override): Pilot agreed with finance"), "{}", record.summary);
    let details: serde_json::Value = serde_json::from_str(&record.details).unwrap();
    assert_eq!(details["override"], serde_json::json!(true));
    assert!(details["scorecard"]["checks"].is_array(), "the record it was judged on: {details}");
}

#[tokio::test]
async fn only_managers_grant_and_a_refused_tier_step_keeps_its_reason() {
    let app = spawn_app().await;
    let (agent_id, choice) = new_agent(&app).await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let agent = agent_id.to_string();
    let form = [("agent_id", agent.as_str()), ("choice", choice.as_str()), ("tier", "observer")];
    assert_eq!(app.post_api(&mut rita, "/api/agents/grants/create", &form).await.status(), StatusCode::FORBIDDEN);
    assert!(app.db.grants_of(agent_id).await.unwrap().iter().all(|g| g.capability != "finance.refund.issue"));

    let mut mona = app.browser_as("mona", &["manager"]).await;
    let res = grant(&app, &mut mona, agent_id, &choice, "observer", "").await;
    assert_eq!(location(&res), format!("/agents/{agent_id}"), "observer needs no justification");
    let g =
        app.db.grants_of(agent_id).await.unwrap().into_iter().find(|g| g.capability == "finance.refund.issue").unwrap();

    // Promoting without the record needs 20 characters; the short reason comes back.
    let gid = g.id.to_string();
    let step =
        [("agent_id", agent.as_str()), ("grant_id", gid.as_str()), ("step", "promote"), ("reason", "looks fine")];
    let res = app.post_form_on(&mut mona, &format!("/agents/{agent_id}"), "/api/agents/grants/step", &step).await;
    let page = app.get(&mona, &app.back_to(&res)).await.text().await.unwrap();
    assert!(page.contains(&format!(r#"data-field="{gid}/reason""#)), "the error sits under the reason");
    assert!(page.contains(r#"value="looks fine""#), "the reason is kept");
    assert_eq!(
        app.db.grants_of(agent_id).await.unwrap().iter().find(|x| x.id == g.id).unwrap().tier.as_str(),
        "observer"
    );
    // The review date links to the grant's review.
    assert!(page.contains(&format!(r#"href="/reviews/{gid}""#)), "the due date leads to the review");
}
