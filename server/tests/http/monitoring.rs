//! Monitoring settings in the console: managers switch detectors and set their sensitivity,
//! every track record follows, and other roles are turned away.

use crate::common::{location, spawn_app};
use reqwest::StatusCode;

#[tokio::test]
async fn a_manager_switches_a_detector_off_and_track_records_follow() {
    let app = spawn_app().await;
    let (agent, _) = app.agent_with_grant("watched-bot", "finance.refund.issue", "contributor").await;
    let mut mona = app.browser_as("mona", &["manager"]).await;
    let page = app.get(&mona, "/monitoring").await.text().await.unwrap();
    assert!(page.contains("Request volume") && page.contains("Poisson test"), "each detector says its test");
    let card = app.get(&mona, &format!("/agents/{agent}")).await.text().await.unwrap();
    assert!(card.contains(r#"data-detector="Request volume""#));

    let off = [("detector", "volume"), ("sensitivity", "normal")];
    let res = app.post_form(&mut mona, "/api/monitoring/configure", &off).await;
    assert_eq!(location(&res), "/monitoring");
    let page = app.get(&mona, "/monitoring").await.text().await.unwrap();
    assert!(page.contains("Request volume: off."), "the notice says what changed");
    assert!(page.contains("changed by mona"));
    let card = app.get(&mona, &format!("/agents/{agent}")).await.text().await.unwrap();
    assert!(!card.contains(r#"data-detector="Request volume""#), "switched off, not judged");
    assert!(card.contains(r#"data-detector="Rejection rate""#));

    let bad = [("detector", "rejection_rate"), ("enabled", "on"), ("sensitivity", "extreme")];
    let res = app.post_api(&mut mona, "/api/monitoring/configure", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("rejection_rate/sensitivity"));
}

#[tokio::test]
async fn only_managers_and_admins_change_monitoring() {
    let app = spawn_app().await;
    let form = [("detector", "volume"), ("sensitivity", "high"), ("enabled", "on")];
    for (name, role) in [("rita", "reviewer"), ("aldo", "auditor")] {
        let mut b = app.browser_as(name, &[role]).await;
        assert_eq!(app.get(&b, "/monitoring").await.status(), StatusCode::FORBIDDEN, "{role}");
        let res = app.post_api(&mut b, "/api/monitoring/configure", &form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role}");
        assert_eq!(
            app.post_api(&mut b, "/api/monitoring/settings", &[]).await.status(),
            StatusCode::OK,
            "{role} may read"
        );
    }
    let mut admin = app.admin().await;
    assert_eq!(app.post_api(&mut admin, "/api/monitoring/configure", &form).await.status(), StatusCode::OK);
    assert_eq!(app.db.evidence_about("detector", "volume", 1).await.unwrap()[0].actor_name, "admin");
}
