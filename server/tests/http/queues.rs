//! The inbox's queues over HTTP: a claim seen by the other reviewer and stopping their
//! approval, letting go, assignment into "mine", groups and routing on /groups, search, and
//! the role checks on each form.

use crate::common::{TestApp, location, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn ask(app: &TestApp, key: &str, amount: f64, reasoning: &str) -> (i64, String) {
    let body = json!({"capability": "finance.refund.issue", "confidence": 0.9, "reasoning": reasoning,
        "params": {"order_id": format!("Q-{amount}"), "amount": amount, "currency": "EUR"}});
    let a: Value = app.api_post("/v1/actions", Some(key), &body.to_string()).await.json().await.unwrap();
    let id = a["id"].as_i64().unwrap();
    (id, app.db.action_by_id(id).await.unwrap().unwrap().action_hash)
}

#[tokio::test]
async fn a_claim_shows_to_others_and_stops_their_decision_until_let_go() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let (id, hash) = ask(&app, &key, 40.0, "claimed item").await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let mut rex = app.browser_as("rex", &["reviewer"]).await;
    let sid = id.to_string();

    let res = app.post_form(&mut rita, "/api/inbox/claim", &[("id", sid.as_str()), ("back", "/inbox")]).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::FOUND, "/inbox".to_owned()));
    let mine = app.get(&rita, "/inbox?view=approval&queue=mine").await.text().await.unwrap();
    assert!(mine.contains("Claimed by you") && mine.contains(&format!(r#"data-action="{id}""#)));
    let theirs = app.get(&rex, "/inbox").await.text().await.unwrap();
    assert!(theirs.contains("Claimed by rita"), "the other reviewer sees who works on it");

    // Rex's approval is refused while the claim holds; an API-style caller gets the 409.
    let form = [
        ("id", sid.as_str()),
        ("action_hash", hash.as_str()),
        ("verdict", "approve"),
        ("comment", ""),
        ("back", "/inbox"),
    ];
    let res = app.post_api(&mut rex, "/api/inbox/review", &form).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("claimed by rita"));
    let res = app.post_api(&mut rex, "/api/inbox/claim", &[("id", sid.as_str()), ("back", "/inbox")]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Rita lets go; rex may now decide.
    let res = app.post_form(&mut rita, "/api/inbox/release", &[("id", sid.as_str()), ("back", "/inbox")]).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let res = app.post_form(&mut rex, "/api/inbox/review", &form).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::FOUND, "/inbox".to_owned()));
    assert_eq!(app.db.action_by_id(id).await.unwrap().unwrap().state.as_str(), "approved");
    let kinds: Vec<String> =
        app.db.evidence_about("action", &sid, 10).await.unwrap().into_iter().map(|r| r.kind).collect();
    assert!(kinds.contains(&"action.claimed".to_owned()) && kinds.contains(&"action.released".to_owned()));
}

#[tokio::test]
async fn groups_route_escalations_into_their_members_queue() {
    let app = spawn_app().await;
    let mut olga = app.browser_as("olga", &["manager"]).await;
    let rex = app.browser_as("rex", &["reviewer"]).await;
    let res = app.post_form(&mut olga, "/api/groups/create", &[("name", "finance reviewers")]).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::FOUND, "/groups".to_owned()));
    let group = app.db.groups().await.unwrap().remove(0).id.to_string();
    let res =
        app.post_form(&mut olga, "/api/groups/members/add", &[("group_id", group.as_str()), ("username", "rex")]).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    // A broken condition comes back under its field with what was typed.
    let bad = [
        ("capability", "finance.refund.issue"),
        ("condition", "context.params.amount >>"),
        ("group_id", group.as_str()),
    ];
    let res = app.post_form_on(&mut olga, "/groups", "/api/groups/routes/add", &bad).await;
    let page = app.get(&olga, &app.back_to(&res)).await.text().await.unwrap();
    assert!(page.contains(r#"data-field="condition""#) && page.contains("context.params.amount &gt;&gt;</textarea>"));
    let good = [
        ("capability", "finance.refund.issue"),
        ("condition", "context.params.amount > 100"),
        ("group_id", group.as_str()),
    ];
    let res = app.post_form(&mut olga, "/api/groups/routes/add", &good).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let page = app.get(&olga, "/groups").await.text().await.unwrap();
    assert!(
        page.contains("finance reviewers") && page.contains("context.params.amount &gt; 100") && page.contains(">rex<")
    );

    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let (big, _) = ask(&app, &key, 150.0, "big one").await;
    let (small, _) = ask(&app, &key, 50.0, "small one").await;
    let groups = app.get(&rex, "/inbox?view=approval&queue=groups").await.text().await.unwrap();
    assert!(
        groups.contains(&format!(r#"data-action="{big}""#)) && !groups.contains(&format!(r#"data-action="{small}""#))
    );
    assert!(groups.contains("Assigned to group finance reviewers"));
    assert!(groups.contains(r#"data-queue="groups""#) && groups.contains(r#"data-queue="unassigned""#));
    // Text search.
    let found = app.get(&rex, "/inbox?view=approval&q=SMALL").await.text().await.unwrap();
    assert!(
        found.contains(&format!(r#"data-action="{small}""#)) && !found.contains(&format!(r#"data-action="{big}""#))
    );
}

#[tokio::test]
async fn queue_forms_check_roles() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let (id, _) = ask(&app, &key, 10.0, "x").await;
    let sid = id.to_string();
    let mut auditor = app.browser_as("aud", &["auditor"]).await;
    let mut rex = app.browser_as("rex", &["reviewer"]).await;
    for path in ["/api/inbox/claim", "/api/inbox/release"] {
        let res = app.post_api(&mut auditor, path, &[("id", sid.as_str()), ("back", "/inbox")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let res = app
        .post_api(&mut auditor, "/api/inbox/assign", &[("id", sid.as_str()), ("assignee", ""), ("back", "/inbox")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.post_api(&mut rex, "/api/groups/create", &[("name", "mine")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "only managers form groups");
    assert_eq!(app.get(&rex, "/groups").await.status(), StatusCode::FORBIDDEN);
    // A bad assignee is a 422 naming the field.
    let res = app
        .post_api(&mut rex, "/api/inbox/assign", &[("id", sid.as_str()), ("assignee", "team:1"), ("back", "/inbox")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("assignee"));
}

#[tokio::test]
async fn a_copilots_proposals_reach_its_persons_queue_with_its_record() {
    let app = spawn_app().await;
    let (agent, key) = app.agent_with_grant("rita-bot", "finance.refund.issue", "contributor").await;
    let mut olga = app.browser_as("olga", &["manager"]).await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let rex = app.browser_as("rex", &["reviewer"]).await;
    let rita_id = app.db.user_by_name("rita").await.unwrap().unwrap().id;
    let (aid, person) = (agent.to_string(), format!("user:{rita_id}"));
    // A bad fallback comes back under its field, with the choice kept.
    let form = [("agent_id", aid.as_str()), ("person", person.as_str()), ("fallback_minutes", "0")];
    let res = app.post_form_on(&mut olga, &format!("/agents/{agent}"), "/api/agents/copilot", &form).await;
    let page = app.get(&olga, &app.back_to(&res)).await.text().await.unwrap();
    assert!(page.contains(r#"data-field="fallback_minutes""#));
    assert!(
        page.contains(&format!(r#"value="{person}" selected"#))
            || page.contains(&format!(r#"selected value="{person}""#))
    );
    let form = [("agent_id", aid.as_str()), ("person", person.as_str()), ("fallback_minutes", "45")];
    let res = app.post_form(&mut olga, "/api/agents/copilot", &form).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::FOUND, format!("/agents/{agent}")));
    let page = app.get(&olga, &format!("/agents/{agent}")).await.text().await.unwrap();
    assert!(page.contains("Copilot of rita"), "the agent page says whose copilot it is");
    // Reviewers cannot make copilots.
    let res = app.post_api(&mut rita, "/api/agents/copilot", &form).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let (id, _) = ask(&app, &key, 30.0, "copilot proposal").await;
    let mine = app.get(&rita, "/inbox?view=approval&queue=mine").await.text().await.unwrap();
    assert!(mine.contains(&format!(r#"data-action="{id}""#)) && mine.contains("Assigned to rita until"));
    assert!(mine.contains(r#"data-testid="copilots""#) && mine.contains("rita-bot"), "rita sees her copilot's record");
    let shared = app.get(&rex, "/inbox?view=approval&queue=unassigned").await.text().await.unwrap();
    assert!(!shared.contains(&format!(r#"data-action="{id}""#)), "not in the shared queue before the fallback");
}

#[tokio::test]
async fn managers_see_each_reviewers_figures_and_load() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let olga = app.browser_as("olga", &["manager"]).await;
    for amount in [10.0, 11.0] {
        let (id, hash) = ask(&app, &key, amount, "figures").await;
        let sid = id.to_string();
        let form = [
            ("id", sid.as_str()),
            ("action_hash", hash.as_str()),
            ("verdict", "approve"),
            ("comment", ""),
            ("back", "/inbox"),
        ];
        app.post_form(&mut rita, "/api/inbox/review", &form).await;
    }
    let (claimed, _) = ask(&app, &key, 12.0, "claimed").await;
    let sid = claimed.to_string();
    app.post_form(&mut rita, "/api/inbox/claim", &[("id", sid.as_str()), ("back", "/inbox")]).await;
    let page = app.get(&olga, "/monitoring").await.text().await.unwrap();
    let at = page.find(r#"data-reviewer="rita""#).expect("rita's row");
    let row = &page[at..at + page[at..].find("</tr>").unwrap()];
    assert!(row.contains(r#"data-label="Decided">2<"#), "{row}");
    assert!(row.contains("100% of 2"), "the approval share with its cases: {row}");
    assert!(row.contains(r#"data-label="Load">1<"#), "one claimed item waits: {row}");
    let mut rex = app.browser_as("rex", &["reviewer"]).await;
    let res = app.post_api(&mut rex, "/api/monitoring/reviewers", &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
