//! An agent reads its own track record over HTTP: counts with sample sizes and bounds, and what
//! its next tier still needs; never another agent's.

use crate::common::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn refund(order: usize, confidence: f64) -> String {
    json!({
        "capability": "finance.refund.issue",
        "params": {"order_id": format!("A-{order}"), "amount": 40, "currency": "EUR"},
        "reasoning": "charged twice",
        "confidence": confidence,
    })
    .to_string()
}

async fn review(app: &TestApp, browser: &mut crate::common::Browser, id: i64, verdict: &str) {
    let hash = app.db.action_by_id(id).await.unwrap().unwrap().action_hash;
    let form = [
        ("id", id.to_string()),
        ("action_hash", hash),
        ("verdict", verdict.into()),
        ("comment", "checked".into()),
        ("back", "/inbox?view=approval".into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.post_form(browser, "/api/inbox/review", &form).await.status(), StatusCode::FOUND);
}

#[tokio::test]
async fn an_agent_sees_its_own_record_and_what_it_lacks() {
    let app = spawn_app().await;
    let (agent, key) = app.agent_with_grant("card-bot", "finance.refund.issue", "contributor").await;
    let (other, _) = app.agent_with_grant("other-bot", "finance.refund.issue", "contributor").await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let a: Value = app.api_post("/v1/actions", Some(&key), &refund(i, 0.95)).await.json().await.unwrap();
        ids.push(a["id"].as_i64().unwrap());
    }
    for (i, id) in ids.iter().enumerate() {
        review(&app, &mut rita, *id, if i < 4 { "approve" } else { "reject" }).await;
    }

    let res = app.api_get(&format!("/v1/agents/{agent}/scorecard"), Some(&key)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["agent_id"], agent);
    let card = &body["scorecards"][0];
    assert_eq!(
        (card["capability"].as_str(), card["tier"].as_str()),
        (Some("finance.refund.issue"), Some("contributor"))
    );
    let at_tier = &card["at_tier"];
    assert_eq!(at_tier["counts"]["proposals"], 5);
    assert_eq!(at_tier["counts"]["reviewers"], 1);
    assert_eq!(at_tier["counts"]["patterns"], 5);
    assert_eq!((at_tier["approval"]["hits"].as_u64(), at_tier["approval"]["n"].as_u64()), (Some(4), Some(5)));
    let (rate, lower) = (at_tier["approval"]["rate"].as_f64().unwrap(), at_tier["approval"]["lower"].as_f64().unwrap());
    assert!((rate - 0.8).abs() < 1e-9 && lower < 0.5, "5 cases leave a wide interval: {rate} {lower}");
    assert_eq!(card["calibration"][3]["approval"]["n"], 5, "all five were stated at 0.95");
    assert_eq!(card["weekly"].as_array().unwrap().len(), 12);
    assert_eq!(card["weekly"][11]["proposals"], 5);
    let next = &card["next_step"];
    assert_eq!((next["to"].as_str(), next["ready"].as_bool()), (Some("executor"), Some(false)));
    let missing: Vec<&str> = next["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["met"] == false)
        .filter_map(|c| c["text"].as_str())
        .collect();
    assert!(missing.contains(&"needs 195 more decided proposals (5 of 200)"), "{missing:?}");
    assert!(missing.contains(&"needs 1 more distinct reviewers (1 of 2)"), "{missing:?}");

    // A reviewer judging its work sees the same record, read-only, on the action's page.
    let page = app.get(&rita, &format!("/actions/{}", ids[4])).await.text().await.unwrap();
    assert!(page.contains("Track record of card-bot with this capability"), "{page}");
    assert!(page.contains("80% of 5 (≥ 37%)") && page.contains("needs 195 more decided proposals (5 of 200)"));
    assert!(!page.contains(r#"value="promote""#), "read-only: no promotion from here");
    assert!(page.contains("Drift: the last two days against the 28 before"));
    assert!(page.contains("too few cases to judge: 5 of the 20 needed"), "five decided, twenty needed");

    // The agents list draws each live grant's twelve weeks, with the figure in words.
    let mona = app.browser_as("mona", &["manager"]).await;
    let list = app.get(&mona, "/agents").await.text().await.unwrap();
    let row = &list[list.find(r#"data-agent="card-bot""#).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains(r#"data-testid="sparkline""#) && row.contains("approval 80% of 5 (≥ 37%)"), "{row}");
    assert_eq!(row.matches("<circle").count(), 1, "one week with cases, one dot");

    // Another agent's record is not this key's to read; nor is any without a key.
    let res = app.api_get(&format!("/v1/agents/{other}/scorecard"), Some(&key)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.api_get(&format!("/v1/agents/{agent}/scorecard"), None).await.status(), StatusCode::UNAUTHORIZED);
    let res = app.api_get("/v1/agents/abc/scorecard", Some(&key)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "id");
}
