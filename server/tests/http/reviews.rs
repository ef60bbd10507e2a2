//! Scheduled trust reviews in the console: managers see what is due, most overdue first, open
//! one and record a decision; other roles are turned away from the pages and the functions.

use crate::common::{TestApp, location, spawn_app};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};

/// The agent's one grant, its review moved to `days_ago` days before now; the grant id.
async fn overdue_grant(app: &TestApp, agent_id: i64, days_ago: i64) -> i64 {
    let grant = app.db.grants_of(agent_id).await.unwrap().remove(0);
    let due = chrono::Utc::now() - chrono::Duration::days(days_ago);
    let db = app.db.db();
    let sql = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "UPDATE grants SET review_due_at = $1 WHERE id = $2",
        _ => "UPDATE grants SET review_due_at = ? WHERE id = ?",
    };
    db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, [due.into(), grant.id.into()]))
        .await
        .unwrap();
    grant.id
}

#[tokio::test]
async fn a_manager_works_the_reviews_due_most_overdue_first() {
    let app = spawn_app().await;
    let (late, _) = app.agent_with_grant("late-bot", "finance.refund.issue", "contributor").await;
    let (later, _) = app.agent_with_grant("later-bot", "finance.refund.issue", "executor").await;
    let (_fresh, _) = app.agent_with_grant("fresh-bot", "finance.refund.issue", "contributor").await;
    let late_grant = overdue_grant(&app, late, 3).await;
    overdue_grant(&app, later, 40).await;
    let mut mona = app.browser_as("mona", &["manager"]).await;

    let page = app.get(&mona, "/reviews").await.text().await.unwrap();
    let (a, b) = (page.find("later-bot").unwrap(), page.find("late-bot").unwrap());
    assert!(a < b, "forty days overdue comes before three");
    assert!(page.contains("overdue by 40 days, past its grace period") && page.contains("overdue by 3 days"));
    let later_section =
        page.split(r#"id="reviews-upcoming""#).nth(1).unwrap().split(r#"id="reviews-recent""#).next().unwrap();
    assert!(later_section.contains("fresh-bot"), "a grant due in 180 days is listed under later");
    let overdue = page.split(r#"id="reviews-late""#).nth(1).unwrap().split(r#"id="reviews-due""#).next().unwrap();
    assert!(!overdue.contains("fresh-bot") && overdue.contains("late-bot"), "only overdue ones are overdue");
    assert!(page.contains("2 overdue · 0 due in the next two weeks · 1 later · 0 recorded lately"));
    let badge = |page: &str| {
        page.split(r#"data-testid="reviews-overdue""#)
            .nth(1)
            .map(|rest| rest[rest.find('>').unwrap() + 1..].split('<').next().unwrap().to_owned())
    };
    assert_eq!(badge(&page).as_deref(), Some("2"), "the navigation counts overdue reviews");

    let page = app.get(&mona, &format!("/reviews/{late_grant}")).await.text().await.unwrap();
    assert!(page.contains("Review finance.refund.issue of late-bot") && page.contains("Record review"));
    assert!(
        page.contains(r#"value="promote""#) && page.contains(r#"value="demote""#),
        "a contributor can go either way"
    );
    let due_at = page.split(r#"name="due_at" value=""#).nth(1).unwrap().split('"').next().unwrap().to_owned();

    // A refused review comes back with what was typed, and changes nothing.
    let form = [
        ("grant_id", late_grant.to_string()),
        ("decision", "maybe".into()),
        ("comment", "<b>looked</b>".into()),
        ("due_at", due_at.clone()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post_form_on(&mut mona, &format!("/reviews/{late_grant}"), "/api/reviews/record", &form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let page = app.get(&mona, &app.back_to(&res)).await.text().await.unwrap();
    assert!(page.contains("&lt;b&gt;looked&lt;/b&gt;</textarea>"), "kept and escaped");
    assert!(app.db.evidence_about("agent", &late.to_string(), 1).await.unwrap()[0].kind != "grant.reviewed");

    let form = [
        ("grant_id", late_grant.to_string()),
        ("decision", "demote".into()),
        ("comment", "two wrong refunds last month".into()),
        ("due_at", due_at.clone()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post_form(&mut mona, "/api/reviews/record", &form).await;
    assert_eq!(location(&res), "/reviews");
    let page = app.get(&mona, "/reviews").await.text().await.unwrap();
    assert!(page.contains("Review recorded: finance.refund.issue is at observer"), "the notice says what happened");
    let overdue = page.split(r#"id="reviews-late""#).nth(1).unwrap().split(r#"id="reviews-upcoming""#).next().unwrap();
    assert!(!overdue.contains("late-bot"), "reviewed: due again in a year at observer");
    let recent = page.split(r#"id="reviews-recent""#).nth(1).unwrap();
    assert!(recent.contains("late-bot") && recent.contains("two wrong refunds last month"), "recorded lately");
    assert!(recent.contains("contributor → observer"), "with the tier it changed");
    assert_eq!(badge(&page).as_deref(), Some("1"));
    let kinds: Vec<String> =
        app.db.evidence_about("agent", &late.to_string(), 2).await.unwrap().into_iter().map(|r| r.kind).collect();
    assert_eq!(kinds, ["grant.reviewed", "grant.demoted"]);

    // The same form sent again (a second tab) is a conflict, not a second review.
    let res = app.post_api(&mut mona, "/api/reviews/record", &form).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn only_managers_and_admins_reach_reviews() {
    let app = spawn_app().await;
    let (agent, _) = app.agent_with_grant("any-bot", "finance.refund.issue", "contributor").await;
    let grant = overdue_grant(&app, agent, 1).await;
    let form = [
        ("grant_id", grant.to_string()),
        ("decision", "keep".into()),
        ("comment", "fine".into()),
        ("due_at", "x".into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for (name, role) in [("rita", "reviewer"), ("aldo", "auditor")] {
        let mut b = app.browser_as(name, &[role]).await;
        assert_eq!(app.get(&b, "/reviews").await.status(), StatusCode::FORBIDDEN, "{role}");
        assert_eq!(app.get(&b, &format!("/reviews/{grant}")).await.status(), StatusCode::FORBIDDEN, "{role}");
        assert_eq!(app.post_api(&mut b, "/api/reviews/overview", &[]).await.status(), StatusCode::FORBIDDEN, "{role}");
        assert_eq!(app.post_api(&mut b, "/api/reviews/record", &form).await.status(), StatusCode::FORBIDDEN, "{role}");
    }
    let mut admin = app.admin().await;
    assert_eq!(app.get(&admin, "/reviews").await.status(), StatusCode::OK);
    assert_eq!(app.get(&admin, "/reviews/abc").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&admin, "/reviews/999999").await.status(), StatusCode::NOT_FOUND);
    let res = app.post_api(&mut admin, "/api/reviews/record", &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a due date that is not one");
    assert!(res.text().await.unwrap().contains("due_at"));
}
