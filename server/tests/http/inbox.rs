//! The inbox in the console: what reviewers see, one and several decisions, races, denials.

use crate::common::{location, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn ask(app: &crate::common::TestApp, key: &str, amount: f64, reasoning: &str) -> (i64, String) {
    let body = json!({
        "capability": "finance.refund.issue",
        "params": {"order_id": "A-1", "amount": amount, "currency": "EUR"},
        "reasoning": reasoning,
        "confidence": 0.9,
        "alternatives": ["<i>store credit</i>"],
    });
    let a: Value = app.api_post("/v1/actions", Some(key), &body.to_string()).await.json().await.unwrap();
    let id = a["id"].as_i64().unwrap();
    (id, app.db.action_by_id(id).await.unwrap().unwrap().action_hash)
}

fn fields(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

fn refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn the_inbox_shows_waiting_items_escaped_with_a_count_and_filters() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let (_, other) = app.agent_with_grant("audit-bot", "finance.refund.issue", "contributor").await;
    ask(&app, &key, 10.0, "charged <script>alert(1)</script> twice").await;
    ask(&app, &key, 20.0, "second").await;
    ask(&app, &other, 30.0, "from the other agent").await;
    let rita = app.browser_as("rita", &["reviewer"]).await;
    let res = app.get(&rita, "/inbox").await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"class="nav-count">3<"#), "the navigation counts waiting items");
    assert!(page.contains("charged &lt;script&gt;alert(1)&lt;/script&gt; twice") && !page.contains("<script>alert(1)"));
    assert!(page.contains("&lt;i&gt;store credit&lt;/i&gt;"), "alternatives are escaped too");
    assert!(page.contains("exceeds") || page.contains("contributor tier"), "the rule that sent it here is shown");
    assert_eq!(page.matches(r#"class="item panel""#).count(), 3);
    let agent_id = app.db.list_agents().await.unwrap().into_iter().find(|a| a.name == "audit-bot").unwrap().id;
    let filtered = app.get(&rita, &format!("/inbox?view=approval&agent={agent_id}")).await.text().await.unwrap();
    assert_eq!(filtered.matches(r#"class="item panel""#).count(), 1);
    assert!(filtered.contains("from the other agent"));
    let empty = app.get(&rita, "/inbox?view=shadow").await.text().await.unwrap();
    assert!(empty.contains("No shadow recommendation is waiting"));
}

#[tokio::test]
async fn several_actions_are_decided_with_one_comment_and_a_late_reviewer_gets_409() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let mut rex = app.browser_as("rex", &["reviewer"]).await;
    let picks = [ask(&app, &key, 10.0, "a").await, ask(&app, &key, 11.0, "b").await, ask(&app, &key, 12.0, "c").await];
    let form = fields(&[
        ("selected[0]", format!("{}:{}", picks[0].0, picks[0].1)),
        ("selected[2]", format!("{}:{}", picks[2].0, picks[2].1)),
        ("verdict", "approve".into()),
        ("comment", "batch of duplicates".into()),
        ("back", "/inbox?view=approval&page=2".into()),
    ]);
    let res = app.post_form(&mut rita, "/api/inbox/review_selected", &refs(&form)).await;
    assert_eq!(location(&res), "/inbox?view=approval");
    for (i, want) in [(0, "approved"), (1, "needs_approval"), (2, "approved")] {
        assert_eq!(app.db.action_by_id(picks[i].0).await.unwrap().unwrap().state, want);
    }
    // Rex was looking at the same item: he learns who decided, and how.
    let form = fields(&[
        ("id", picks[0].0.to_string()),
        ("action_hash", picks[0].1.clone()),
        ("verdict", "reject".into()),
        ("comment", "too much".into()),
        ("back", "/inbox".into()),
    ]);
    let res = app.post_api(&mut rex, "/api/inbox/review", &refs(&form)).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body = res.text().await.unwrap();
    assert!(body.contains("already approved") && body.contains("rita"), "{body}");
    // In the browser the same refusal comes back to the page, next to the item.
    let res = app.post_form(&mut rex, "/api/inbox/review", &refs(&form)).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let back = location(&res);
    assert!(back.contains("/inbox?__path=%2Fapi%2Finbox%2Freview&__err="), "{back}");
    // The item left the inbox, so there is no card to show the error under: it shows above.
    let page = app.get(&rex, back.trim_start_matches(app.base.as_str())).await.text().await.unwrap();
    let said = format!("Action #{}: ", picks[0].0);
    assert!(page.contains(&said) && page.contains("already approved"), "the refusal is on the page");
    // A form missing a field (stale, or made by hand) is named, not a 500.
    let partial = fields(&[("id", picks[1].0.to_string()), ("verdict", "approve".into())]);
    let res = app.post_api(&mut rex, "/api/inbox/review", &refs(&partial)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("missing from the form"));
    // Rejecting without a comment names the field.
    let form = fields(&[
        ("id", picks[1].0.to_string()),
        ("action_hash", picks[1].1.clone()),
        ("verdict", "reject".into()),
        ("comment", "".into()),
        ("back", "/inbox".into()),
    ]);
    let res = app.post_api(&mut rex, "/api/inbox/review", &refs(&form)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains(&format!("{}/comment", picks[1].0)));
    // Nothing ticked is a clear error, not a silent no-op.
    let form = fields(&[("verdict", "approve".into()), ("comment", "".into()), ("back", "/inbox".into())]);
    let res = app.post_api(&mut rex, "/api/inbox/review_selected", &refs(&form)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("bulk/ids"));
}

#[tokio::test]
async fn only_reviewers_decide_and_shadow_decisions_are_recorded() {
    let app = spawn_app().await;
    let (agent_id, key) = app.agent_with_grant("trial-bot", "finance.refund.issue", "observer").await;
    let (id, hash) = ask(&app, &key, 10.0, "recommend a refund").await;
    let form = fields(&[
        ("id", id.to_string()),
        ("action_hash", hash),
        ("verdict", "approve".into()),
        ("comment", "".into()),
        ("back", "/inbox".into()),
    ]);
    for (name, role) in [("mona", "manager"), ("aldo", "auditor")] {
        let mut b = app.browser_as(name, &[role]).await;
        let res = app.post_api(&mut b, "/api/inbox/review", &refs(&form)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} may not decide");
        assert_eq!(app.get(&b, "/inbox").await.status(), StatusCode::FORBIDDEN);
    }
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let page = app.get(&rita, "/inbox?view=shadow").await.text().await.unwrap();
    // Blind: the form, not the recommendation (not even in the page's data), and no choice made.
    assert!(page.contains("Record my decision") && page.contains(r#"data-testid="blind""#));
    assert!(!page.contains("recommend a refund"), "the agent's reasoning is not sent before the decision");
    assert!(!page.contains(r#"value="approve" checked"#) && !page.contains(r#"value="reject" checked"#));
    let action_page = app.get(&rita, &format!("/actions/{id}")).await.text().await.unwrap();
    assert!(!action_page.contains("recommend a refund"), "nor on the action's page");
    let lazy = fields(&[
        ("id", id.to_string()),
        ("verdict", "approve".into()),
        ("params", "".into()),
        ("comment", "".into()),
        ("back", "/inbox?view=shadow".into()),
    ]);
    let res = app.post_api(&mut rita, "/api/inbox/shadow", &refs(&lazy)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "approving needs the reviewer's own params");
    let shadow = fields(&[
        ("id", id.to_string()),
        ("verdict", "approve".into()),
        ("params", r#"{"order_id": "A-1", "amount": 8, "currency": "EUR"}"#.into()),
        ("comment", "a partial refund is enough".into()),
        ("back", "/inbox?view=shadow".into()),
    ]);
    let res = app.post_form(&mut rita, "/api/inbox/shadow", &refs(&shadow)).await;
    assert_eq!(location(&res), "/inbox?view=shadow");
    let action_page = app.get(&rita, &format!("/actions/{id}")).await.text().await.unwrap();
    assert!(action_page.contains("recommend a refund"), "recorded: the recommendation is shown beside it");
    let mona = app.browser_as("mona2", &["manager"]).await;
    let agent_page = app.get(&mona, &format!("/agents/{agent_id}")).await.text().await.unwrap();
    let table = agent_page.split(r#"id="shadow-table""#).nth(1).expect("shadow stats on the agent page");
    let row = table.split("</tr>").nth(1).unwrap_or_default();
    assert!(row.contains("finance.refund.issue") && row.contains(">0%<"), "1 comparison, different params: {row}");
}

#[tokio::test]
async fn agent_text_cannot_close_the_text_area_it_is_shown_in() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("shadow-bot", "finance.refund.issue", "observer").await;
    let body = serde_json::json!({"capability": "finance.refund.issue", "confidence": 0.9,
        "params": {"order_id": "A-1</textarea><b id=\"injected\">x</b>", "amount": 5, "currency": "EUR"}});
    let res = app.api_post("/v1/actions", Some(&key), &body.to_string()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let rita = app.browser_as("rita", &["reviewer"]).await;
    let page = app.get(&rita, "/inbox?view=shadow").await.text().await.unwrap();
    assert!(page.contains("shadow-params-"), "the shadow form with its params is on the page");
    assert!(
        !page.contains(r#"<b id="injected">"#) && !page.contains(r#"<b id=\"injected\">"#),
        "no markup from the agent"
    );
}

#[tokio::test]
async fn each_item_shows_its_agents_standing_with_the_capability() {
    let app = spawn_app().await;
    // Granted straight at contributor, with a justification: an override, and marked so.
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let (first, hash) = ask(&app, &key, 10.0, "first refund").await;
    ask(&app, &key, 20.0, "second refund").await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let page = app.get(&rita, "/inbox").await.text().await.unwrap();
    let standing =
        page.split(r#"data-testid="standing""#).nth(1).expect("a standing line").split("</p>").next().unwrap();
    assert!(standing.contains("contributor") && standing.contains("since "), "{standing}");
    assert!(standing.contains("approval — (no cases)") && standing.contains("few cases"), "{standing}");
    assert!(standing.contains("no open alert") && standing.contains("tier by override"), "{standing}");
    assert!(standing.contains(&format!(r#"href="/actions/{first}#track-record""#)), "{standing}");

    let form = fields(&[
        ("id", first.to_string()),
        ("action_hash", hash),
        ("verdict", "approve".into()),
        ("comment", "".into()),
        ("back", "/inbox".into()),
    ]);
    app.post_form(&mut rita, "/api/inbox/review", &refs(&form)).await;
    let page = app.get(&rita, "/inbox").await.text().await.unwrap();
    let rate = page.split(r#"data-testid="standing-rate""#).nth(1).unwrap().split("</span>").next().unwrap();
    assert!(rate.contains("approval 100% of 1 (≥"), "the decided case counts: {rate}");
}
