//! Peer checks over HTTP: the peer gets the task and never the primary's proposal; a
//! disagreement resolved in the console reaches the primary's long-poll.

use crate::common::{TestApp, location, spawn_app};
use governance::service::agents::NewAgent;
use governance::service::grants::GrantForm;
use governance::template::RuleForm;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// Registers the primary and the peer, and grants the primary refunds under a template whose
/// rule asks the peer first; returns (primary key, peer key, outsider key).
async fn setup(app: &TestApp) -> (String, String, String) {
    let st = &app.state;
    let (_, temp) = st.accounts.add_user_cli("olga", &["manager".into()]).await.unwrap();
    let p = st.accounts.login("olga", &temp, "t").await.unwrap();
    st.accounts.change_own_password(&p, &temp, "olga's password!", "olga's password!").await.unwrap();
    let token = st.accounts.principal(p.user_id).await.unwrap().unwrap().as_manager().unwrap();
    let mut keys = Vec::new();
    let mut ids = Vec::new();
    for name in ["refund-bot", "check-bot", "other-bot"] {
        let new = NewAgent {
            name: name.into(),
            purpose: "t".into(),
            environment: "production".into(),
            ..NewAgent::default()
        };
        let a = st.agents.register(&token, new).await.unwrap();
        keys.push(st.agents.issue_key(&token, a.id).await.unwrap().1);
        ids.push(a.id);
    }
    let finance = app.db.template_by_name("Finance analysis and refunds").await.unwrap().unwrap();
    let t = st.templates.copy(&token, finance.id, "Second opinion").await.unwrap();
    let rule = RuleForm {
        capability: "finance.refund.issue".into(),
        peer_mode: "when".into(),
        peer_condition: "context.params.amount > 100".into(),
        peer_pool: "check-bot".into(),
        peer_tolerances: "amount: 0.5".into(),
        ..RuleForm::default()
    };
    st.templates.save_rule(&token, t.id, 1, rule).await.unwrap();
    let form = GrantForm {
        agent_id: ids[0],
        capability: "finance.refund.issue".into(),
        template_id: t.id,
        tier: "executor".into(),
        justification: "test setup: granted without a track record".into(),
    };
    st.grants.grant(&token, form).await.unwrap();
    (keys[0].clone(), keys[1].clone(), keys[2].clone())
}

const SECRET_REASONING: &str = "ZEBRA-REASONING only the primary knows";
const SECRET_ORDER: &str = "ORDER-QUOKKA-17";

fn refund(amount: f64) -> String {
    json!({
        "capability": "finance.refund.issue",
        "params": {"order_id": SECRET_ORDER, "amount": amount, "currency": "EUR"},
        "reasoning": SECRET_REASONING,
        "confidence": 0.9,
        "inputs": {"ticket": "T-5", "payments": 2},
        "task_ref": "T-5",
    })
    .to_string()
}

fn leaks(text: &str) -> bool {
    text.contains(SECRET_REASONING) || text.contains(SECRET_ORDER) || text.contains("250")
}

#[tokio::test]
async fn no_peer_endpoint_reveals_the_primary_proposal_and_the_reviewer_can_pick_the_peer() {
    let app = spawn_app().await;
    let (primary, peer, outsider) = setup(&app).await;
    // Below the condition's threshold no peer is asked.
    let small: Value = app.api_post("/v1/actions", Some(&primary), &refund(50.0)).await.json().await.unwrap();
    assert_eq!(small["decision"], "allowed");
    let asked: Value = app.api_post("/v1/actions", Some(&primary), &refund(250.0)).await.json().await.unwrap();
    assert_eq!(asked["decision"], "awaiting_peer", "{asked}");
    let id = asked["id"].as_i64().unwrap();

    let none = app.api_get("/v1/peer-checks/next", Some(&outsider)).await.text().await.unwrap();
    assert_eq!(none, r#"{"task":null}"#, "an agent outside the pool gets nothing");
    let res = app.api_get("/v1/peer-checks/next?wait=2", Some(&peer)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(!leaks(&text), "the task shows nothing of the proposal: {text}");
    let task: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(task["task"]["inputs"], json!({"ticket": "T-5", "payments": 2}));
    assert_eq!(task["task"]["task_ref"], "T-5");
    let check = task["task"]["id"].as_i64().unwrap();
    // The peer cannot read the primary's action either.
    let peek = app.api_get(&format!("/v1/actions/{id}"), Some(&peer)).await;
    assert_eq!(peek.status(), StatusCode::NOT_FOUND);
    assert!(!leaks(&peek.text().await.unwrap()));

    // The primary waits while the peer answers and a reviewer decides.
    let (base, k) = (app.base.clone(), primary.clone());
    let waiting = tokio::spawn(async move {
        let client = reqwest::Client::new();
        let mut last = Value::Null;
        for _ in 0..3 {
            let res = client.get(format!("{base}/v1/actions/{id}?wait=20")).bearer_auth(&k).send().await.unwrap();
            last = res.json::<Value>().await.unwrap();
            if last["state"] == "approved" {
                break;
            }
        }
        last
    });
    let verdict = json!({"decision": "proceed", "params": {"order_id": "other", "amount": 80, "currency": "EUR"}, "reasoning": "only one payment cleared", "confidence": 0.85});
    let res = app.api_post(&format!("/v1/peer-checks/{check}/verdict"), Some(&peer), &verdict.to_string()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(!leaks(&text) && !text.contains("disagree"), "the verdict answer tells nothing: {text}");
    let again = app.api_post(&format!("/v1/peer-checks/{check}/verdict"), Some(&peer), &verdict.to_string()).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(!leaks(&again.text().await.unwrap()));
    let bad = app
        .api_post(&format!("/v1/peer-checks/{check}/verdict"), Some(&peer), r#"{"decision":"yes","confidence":1}"#)
        .await;
    assert!(!leaks(&bad.text().await.unwrap()));

    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let page = app.get(&rita, "/inbox?view=disagreements").await.text().await.unwrap();
    assert!(page.contains("Primary: refund-bot") && page.contains("Peer: check-bot"));
    let row = |field: &str| {
        let at = page.find(&format!(r#"data-field="{field}""#)).unwrap_or_else(|| panic!("{field} row"));
        let start = page[..at].rfind("<tr").unwrap();
        page[start..at + 40].to_owned()
    };
    assert!(row("amount").contains(r#"class="diff""#), "the amount is highlighted: {}", row("amount"));
    assert!(row("order_id").contains(r#"class="diff""#));
    assert!(!row("currency").contains(r#"class="diff""#), "equal params are not");
    assert!(page.contains("only one payment cleared") && page.contains(SECRET_REASONING));
    // The action's own page offers the same side-by-side choice, not the plain approve form.
    let own = app.get(&rita, &format!("/actions/{id}")).await.text().await.unwrap();
    assert!(own.contains("Primary: refund-bot") && own.contains("Peer: check-bot"), "both analyses side by side");
    assert!(own.contains(r#"name="choice""#) && !own.contains(r#"value="approve""#), "the choice, not approve");
    let form = [
        ("id", id.to_string()),
        ("choice", "peer".into()),
        ("comment", "one payment only".into()),
        ("back", "/inbox?view=disagreements".into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post_form(&mut rita, "/api/inbox/disagreement", &form).await;
    assert_eq!(location(&res), "/inbox?view=disagreements");
    let answer = tokio::time::timeout(Duration::from_secs(30), waiting).await.unwrap().unwrap();
    assert_eq!(answer["state"], "approved", "{answer}");
    assert_eq!(
        (answer["params"]["amount"].as_f64(), answer["params"]["order_id"].as_str()),
        (Some(80.0), Some("other"))
    );
    // Executing with the primary's own params is refused now; the peer's are the approved ones.
    let own = json!({"status": "succeeded", "params": {"order_id": SECRET_ORDER, "amount": 250.0, "currency": "EUR"}});
    let res = app.api_post(&format!("/v1/actions/{id}/result"), Some(&primary), &own.to_string()).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let peers = json!({"status": "succeeded", "params": {"order_id": "other", "amount": 80, "currency": "EUR"}});
    let res = app.api_post(&format!("/v1/actions/{id}/result"), Some(&primary), &peers.to_string()).await;
    assert_eq!(res.status(), StatusCode::OK);
}
