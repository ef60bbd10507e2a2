//! Templates through the console: built-ins, copy, versioned edits, stale edits, comparison.

use crate::common::{location, spawn_app};
use reqwest::StatusCode;

#[tokio::test]
async fn a_manager_copies_a_builtin_template_and_edits_it_into_new_versions() {
    let app = spawn_app().await;
    let mut mona = app.browser_as("mona", &["manager"]).await;
    let page = app.get(&mona, "/templates").await.text().await.unwrap();
    for name in ["Support replies", "Finance analysis and refunds", "Operations change proposals"] {
        assert!(page.contains(name), "built-in {name} listed");
    }
    let finance = app.db.template_by_name("Finance analysis and refunds").await.unwrap().unwrap();
    let from = finance.id.to_string();
    let res = app.post_form(&mut mona, "/api/templates/copy", &[("from", from.as_str()), ("name", "EU refunds")]).await;
    let to = location(&res);
    assert!(to.starts_with("/templates/") && !to.contains('?'), "{to}");
    let id = to.trim_start_matches("/templates/").to_owned();

    let rule = |expected: &'static str, limits: &'static str| {
        [
            ("template_id", ""),
            ("expected_version", expected),
            ("origin", "rule"),
            ("capability", "finance.refund.issue"),
            ("min_confidence", "0.95"),
            ("limits", limits),
            ("max_per_hour", "3"),
            ("new_value_params", "currency"),
            ("approval_expiry_minutes", "120"),
        ]
    };
    let mut form = rule("1", "amount <= 50");
    form[0].1 = &id;
    let res = app.post_form(&mut mona, "/api/templates/rule", &form).await;
    assert_eq!(location(&res), format!("/templates/{id}"));

    let mut stale = rule("1", "amount <= 75");
    stale[0].1 = &id;
    let res = app.post_api(&mut mona, "/api/templates/rule", &stale).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "an edit of an old version is refused");

    let mut bad = rule("2", "amount < 75");
    bad[0].1 = &id;
    let res = app.post_api(&mut mona, "/api/templates/rule", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().await.unwrap().contains(r#""field":"finance.refund.issue/limits""#),
        "the error names the rule's form"
    );

    let mut cedar = rule("2", "amount <= 50");
    cedar[0].1 = &id;
    let cedar: Vec<(&str, &str)> = cedar.into_iter().chain([("condition", "context.params.amount <")]).collect();
    let res = app.post_api(&mut mona, "/api/templates/rule", &cedar).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(
        body.contains(r#""field":"finance.refund.issue/condition""#) && body.contains("not a valid Cedar expression"),
        "{body}"
    );

    let page = app.get(&mona, &format!("/templates/{id}?a=1&b=2")).await.text().await.unwrap();
    assert!(
        page.contains("v1 → v2") && page.contains("amount &lt;= 200") && page.contains("amount &lt;= 50"),
        "comparison shows both values"
    );
    let builtin_edit =
        [("template_id", from.as_str()), ("expected_version", "1"), ("capability", "finance.refund.issue")];
    let res = app.post_api(&mut mona, "/api/templates/rule/remove", &builtin_edit).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "built-in templates are read-only");
}
