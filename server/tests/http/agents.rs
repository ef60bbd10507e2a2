//! Agents in the console and their keys on the API.

use crate::common::{location, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;

fn agent_form<'a>(name: &'a str, purpose: &'a str) -> [(&'a str, &'a str); 5] {
    [("name", name), ("purpose", purpose), ("owner", ""), ("environment", "sandbox"), ("model_note", "model Y")]
}

#[tokio::test]
async fn a_manager_registers_an_agent_and_its_key_is_shown_exactly_once() {
    let app = spawn_app().await;
    let mut mona = app.browser_as("mona", &["manager"]).await;
    let res = app
        .post_form(&mut mona, "/api/agents/register", &agent_form("support-bot", "Replies <script>alert(1)</script>"))
        .await;
    let to = location(&res);
    assert!(to.starts_with("/agents/") && !to.contains('?'), "{to}");
    let id = to.trim_start_matches("/agents/").to_owned();

    let page = app.get(&mona, &to).await.text().await.unwrap();
    assert!(page.contains("Agent registered") && page.contains("support-bot"));
    assert!(page.contains("&lt;script&gt;alert(1)") && !page.contains("<script>alert(1)"), "agent text is escaped");

    let res = app.post_form(&mut mona, "/api/agents/keys/issue", &[("agent_id", id.as_str())]).await;
    assert_eq!(location(&res), format!("/agents/{id}"));
    let page = app.get(&mona, &format!("/agents/{id}")).await.text().await.unwrap();
    let shown = page.find(r#"data-testid="new-key""#).expect("the new key is on the page");
    let start = shown + page[shown..].find("tnr_").unwrap();
    let key: String = page[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    assert_eq!(key.len(), 56, "{key}");
    let again = app.get(&mona, &format!("/agents/{id}")).await.text().await.unwrap();
    assert!(!again.contains(&key), "the secret is never shown twice");
    assert!(again.contains(&key[..12]), "the prefix stays listed");

    let me: Value = app.api_get("/v1/agents/me", Some(&key)).await.json().await.unwrap();
    assert_eq!(
        (me["name"].as_str(), me["sandbox"].as_bool(), me["status"].as_str()),
        (Some("support-bot"), Some(true), Some("active"))
    );
}

#[tokio::test]
async fn the_api_refuses_missing_malformed_and_revoked_keys_and_reports_suspension() {
    let app = spawn_app().await;
    let mut mona = app.browser_as("mona", &["manager"]).await;
    let res = app.post_form(&mut mona, "/api/agents/register", &agent_form("refund-bot", "Issues refunds")).await;
    let id = location(&res).trim_start_matches("/agents/").to_owned();
    let token = app.db.user_by_name("mona").await.unwrap().unwrap();
    let p = app.state.accounts.principal(token.id).await.unwrap().unwrap();
    let (k, secret) = app.state.agents.issue_key(&p.as_manager().unwrap(), id.parse().unwrap()).await.unwrap();

    let res = app.api_get("/v1/agents/me", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers().get("www-authenticate").unwrap(), "Bearer");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");
    assert_eq!(app.api_get("/v1/agents/me", Some("tnr_nonsense")).await.status(), StatusCode::UNAUTHORIZED);

    let form = [("agent_id", id.as_str()), ("action", "suspend"), ("reason", "refunds to wrong accounts")];
    assert_eq!(location(&app.post_form(&mut mona, "/api/agents/status", &form).await), format!("/agents/{id}"));
    let me: Value = app.api_get("/v1/agents/me", Some(&secret)).await.json().await.unwrap();
    assert_eq!(
        (me["status"].as_str(), me["status_reason"].as_str()),
        (Some("suspended"), Some("refunds to wrong accounts"))
    );
    let res = app.post_api(&mut mona, "/api/agents/status", &form).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "already suspended");

    let key_id = k.id.to_string();
    let form = [("agent_id", id.as_str()), ("key_id", key_id.as_str())];
    assert_eq!(location(&app.post_form(&mut mona, "/api/agents/keys/revoke", &form).await), format!("/agents/{id}"));
    let page = app.get(&mona, &format!("/agents/{id}")).await.text().await.unwrap();
    assert!(page.contains("revoked: requests with it are refused from now on"), "the notice comes from the session");
    assert_eq!(app.api_get("/v1/agents/me", Some(&secret)).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn only_managers_and_admins_reach_agents_and_only_admins_stop_them_all() {
    let app = spawn_app().await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let mut mona = app.browser_as("mona", &["manager"]).await;
    let mut admin = app.admin().await;
    assert_eq!(app.get(&rita, "/agents").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&mona, "/agents").await.status(), StatusCode::OK);
    let res = app.post_api(&mut rita, "/api/agents/register", &agent_form("sneaky", "nope")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = app.post_api(&mut mona, "/api/agents/register", &agent_form("x", "too short a name")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains(r#""field":"name""#));
    app.post_form(&mut mona, "/api/agents/register", &agent_form("ops-bot", "Proposes changes")).await;

    assert_eq!(
        app.post_api(&mut mona, "/api/agents/suspend-all", &[("reason", "drill")]).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app.post_form(&mut admin, "/api/agents/suspend-all", &[("reason", "incident 12")]).await;
    assert_eq!(location(&res), "/agents");
    let page = app.get(&admin, "/agents").await.text().await.unwrap();
    assert!(page.contains("Suspended 1 active agent") && page.contains("Emergency stop"));
    let managers_page = app.get(&mona, "/agents").await.text().await.unwrap();
    assert!(!managers_page.contains("Emergency stop"), "only admins see the emergency stop");
    assert_eq!(app.get(&mona, "/agents/999").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tier_steps_are_offered_only_where_there_is_a_tier_to_go_to() {
    let app = spawn_app().await;
    let (executor, _) = app.agent_with_grant("refund-bot", "finance.refund.issue", "executor").await;
    let (observer, _) = app.agent_with_grant("shadow-bot", "finance.refund.issue", "observer").await;
    let admin = app.admin().await;
    let page = app.get(&admin, &format!("/agents/{executor}")).await.text().await.unwrap();
    assert!(!page.contains(r#"value="promote""#) && page.contains(r#"value="demote""#), "no promote at executor");
    let page = app.get(&admin, &format!("/agents/{observer}")).await.text().await.unwrap();
    assert!(page.contains(r#"value="promote""#) && !page.contains(r#"value="demote""#), "no demote at observer");
}

#[tokio::test]
async fn an_auditor_reading_an_action_is_led_back_to_a_page_they_may_open() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "executor").await;
    let body = r#"{"capability": "finance.refund.issue", "params": {"order_id": "A-1", "amount": 5, "currency": "EUR"}, "confidence": 0.9}"#;
    let id = app.api_post("/v1/actions", Some(&key), body).await.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let auditor = app.browser_as("aldo", &["auditor"]).await;
    let page = app.get(&auditor, &format!("/actions/{id}")).await.text().await.unwrap();
    let crumbs =
        page.split(r#"<p class="crumbs">"#).nth(1).unwrap_or_default().split("</p>").next().unwrap_or_default();
    assert!(crumbs.contains(r#"href="/""#) && !crumbs.contains("/inbox"), "no link to the inbox: {crumbs}");
    let reviewer = app.browser_as("rita", &["reviewer"]).await;
    let page = app.get(&reviewer, &format!("/actions/{id}")).await.text().await.unwrap();
    let crumbs =
        page.split(r#"<p class="crumbs">"#).nth(1).unwrap_or_default().split("</p>").next().unwrap_or_default();
    assert!(crumbs.contains(r#"href="/inbox""#), "a reviewer goes back to the inbox: {crumbs}");
}

#[tokio::test]
async fn refused_forms_come_back_with_what_was_typed() {
    let app = spawn_app().await;
    let mut admin = app.admin().await;
    let form = [
        ("name", "x"),
        ("purpose", "Answers <billing> questions</textarea><b>bold</b>"),
        ("owner", ""),
        ("environment", "production"),
        ("model_note", "model Z"),
    ];
    let res = app.post_form(&mut admin, "/api/agents/register", &form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let error_page = app.back_to(&res);
    assert!(error_page.starts_with("/agents?") && error_page.contains("__err="), "{error_page}");
    let page = app.get(&admin, &error_page).await.text().await.unwrap();
    let form_at = page.find("agent-name").unwrap_or(0);
    let form = &page[form_at..(form_at + 1500).min(page.len())];
    assert!(
        form.contains(r#"value="x""#) && form.contains("Answers &lt;billing&gt; questions&lt;/textarea&gt;"),
        "kept, escaped: {form}"
    );
    assert!(!form.contains("</textarea><b>"), "typed text cannot close the text area");
    assert!(page.contains(r#"value="production" selected"#) && page.contains(r#"value="model Z""#));
    // A reload of the error page shows the values with their error; the page without the
    // error shows neither.
    let reload = app.get(&admin, &error_page).await.text().await.unwrap();
    assert!(reload.contains("Answers &lt;billing&gt; questions&lt;/textarea&gt;"), "kept on a reload");
    assert!(reload.contains(r#"class="field-error""#), "with its error");
    let again = app.get(&admin, "/agents").await.text().await.unwrap();
    assert!(
        !again.contains("Answers &lt;billing&gt;") && !again.contains("Answers <billing>"),
        "not without the error"
    );

    let user = [("username", "newperson"), ("initial_password", "short"), ("role_reviewer", "on")];
    let res = app.post_form(&mut admin, "/api/users/create", &user).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let page = app.get(&admin, &app.back_to(&res)).await.text().await.unwrap();
    assert!(page.contains(r#"value="newperson""#), "the user name is kept");
    assert!(page.contains(r#"name="role_reviewer" value="on" checked"#), "the ticked role is kept");
    assert!(!page.contains("short"), "a password is never kept");
}

#[tokio::test]
async fn the_grant_form_offers_only_covered_capabilities_and_grants_move_to_a_newer_version() {
    let app = spawn_app().await;
    let (agent_id, _) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let mut mona = app.browser_as("mona", &["manager"]).await;
    let page = app.get(&mona, &format!("/agents/{agent_id}")).await.text().await.unwrap();
    let support = app.db.template_by_name("Support replies").await.unwrap().unwrap();
    let tpl = app.db.template_by_name("Test refunds").await.unwrap().unwrap();
    assert!(page.contains(&format!(r#"value="{}:support.reply.send""#, support.id)), "covered: offered");
    assert!(!page.contains(&format!(r#"value="{}:finance.refund.issue""#, support.id)), "not covered: not offered");
    assert!(!page.contains(&format!(r#"value="{}:finance.refund.issue""#, tpl.id)), "held: not offered again");
    assert!(!page.contains("Move to v"), "nothing newer yet");

    // What a forged or stale form can still send gets a field error, never a 500.
    let agent = agent_id.to_string();
    for (choice, field) in [("nonsense", "choice"), ("", "choice"), ("x:finance.refund.issue", "choice")] {
        let res = app
            .post_api(
                &mut mona,
                "/api/agents/grants/create",
                &[("agent_id", &agent), ("choice", choice), ("tier", "observer")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{choice}");
        assert!(res.text().await.unwrap().contains(&format!(r#""field":"{field}""#)), "{choice}");
    }
    let uncovered = format!("{}:finance.refund.issue", support.id);
    let res = app
        .post_api(
            &mut mona,
            "/api/agents/grants/create",
            &[("agent_id", &agent), ("choice", &uncovered), ("tier", "observer")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("has no rule for finance.refund.issue"));

    // A newer version of the template is offered, and moving keeps the tier.
    let mona_id = app.db.user_by_name("mona").await.unwrap().unwrap().id;
    let token = app.state.accounts.principal(mona_id).await.unwrap().unwrap();
    let rule = governance::template::RuleForm {
        capability: "finance.refund.issue".into(),
        limits: "amount <= 300".into(),
        approval_expiry_minutes: "60".into(),
        ..Default::default()
    };
    app.state.templates.save_rule(&token.as_manager().unwrap(), tpl.id, tpl.current_version, rule).await.unwrap();
    let page = app.get(&mona, &format!("/agents/{agent_id}")).await.text().await.unwrap();
    let next = tpl.current_version + 1;
    assert!(page.contains(&format!("Move to v{next}")), "the newer version is offered");
    let grant = app.db.grants_of(agent_id).await.unwrap().pop().unwrap();
    let (gid, from) = (grant.id.to_string(), grant.template_version.to_string());
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let form = [("agent_id", agent.as_str()), ("grant_id", gid.as_str()), ("from_version", from.as_str())];
    assert_eq!(app.post_api(&mut rita, "/api/agents/grants/move", &form).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.db.grants_of(agent_id).await.unwrap()[0].template_version, grant.template_version);
    let res = app.post_form(&mut mona, "/api/agents/grants/move", &form).await;
    assert_eq!(location(&res), format!("/agents/{agent_id}"));
    let page = app.get(&mona, &format!("/agents/{agent_id}")).await.text().await.unwrap();
    assert!(page.contains(&format!("finance.refund.issue now follows Test refunds v{next}")), "the notice");
    let moved = &app.db.grants_of(agent_id).await.unwrap()[0];
    assert_eq!((moved.template_version, moved.tier.as_str()), (next, "contributor"));
    // The same form again is stale: a conflict.
    assert_eq!(app.post_api(&mut mona, "/api/agents/grants/move", &form).await.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn long_agent_and_user_lists_come_in_pages() {
    let app = spawn_app().await;
    let mut mona = app.browser_as("mona", &["manager"]).await;
    for i in 0..55 {
        let name = format!("bot-{i:02}");
        let res = app.post_form(&mut mona, "/api/agents/register", &agent_form(&name, "paging")).await;
        assert!(location(&res).starts_with("/agents/"), "{name}");
    }
    let rows = |page: &str| page.matches("<tr data-agent=").count();
    let first = app.get(&mona, "/agents").await.text().await.unwrap();
    assert_eq!(rows(&first), 50);
    assert!(first.contains("1–50 of 55 · page 1 of 2") && first.contains(r#"href="/agents?page=2""#));
    assert!(first.contains("bot-00") && !first.contains("bot-54"), "by name");
    let second = app.get(&mona, "/agents?page=2").await.text().await.unwrap();
    assert_eq!(rows(&second), 5);
    assert!(second.contains("51–55 of 55") && second.contains("bot-54"));
    // Past the end is the last page; a page that is not a number is the first.
    assert_eq!(rows(&app.get(&mona, "/agents?page=9").await.text().await.unwrap()), 5);
    assert_eq!(rows(&app.get(&mona, "/agents?page=x").await.text().await.unwrap()), 50);

    let admin = app.admin().await;
    let users = app.get(&admin, "/users").await.text().await.unwrap();
    assert!(!users.contains("page 1 of"), "two people fit one page");
}
