//! Cross-site form posts are refused before anything runs.

use crate::common::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn a_forged_cross_site_post_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let mut admin = app.admin().await;
    let form = [("username", "mallory"), ("initial_password", "long enough password"), ("role_admin", "on")];
    for origin in [Some("http://evil.example"), None] {
        let res = app.post_with(&mut admin, "/api/users/create", &form, origin, "text/html").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "origin {origin:?}");
    }
    assert!(app.db.user_by_name("mallory").await.unwrap().is_none());
    // Sign-in is a state change too (login CSRF).
    let mut anon = crate::common::Browser { cookie: None };
    let pw = app.admin_password.clone();
    let res = app
        .post_with(
            &mut anon,
            "/api/login",
            &[("username", "admin"), ("password", pw.as_str())],
            Some("http://evil.example"),
            "text/html",
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(anon.cookie.is_none());
}
