//! Who may open which page and call which server function: allowed and denied.

use crate::common::{Browser, location, spawn_app};
use reqwest::StatusCode;

/// A server function call: path, form fields, roles allowed.
type Call = (&'static str, &'static [(&'static str, &'static str)], &'static [&'static str]);

#[tokio::test]
async fn role_by_route_matrix() {
    let app = spawn_app().await;
    let browsers = [
        ("admin", app.admin().await),
        ("manager", app.browser_as("mona", &["manager"]).await),
        ("reviewer", app.browser_as("rita", &["reviewer"]).await),
        ("auditor", app.browser_as("aldo", &["auditor"]).await),
    ];
    // (method, path, roles allowed)
    let pages: [(&str, &[&str]); 8] = [
        ("/inbox", &["reviewer"]),
        ("/corrections", &["admin", "manager", "reviewer"]),
        ("/", &["admin", "manager", "reviewer", "auditor"]),
        ("/account/password", &["admin", "manager", "reviewer", "auditor"]),
        ("/users", &["admin"]),
        ("/agents", &["admin", "manager"]),
        ("/capabilities", &["admin", "manager"]),
        ("/templates", &["admin", "manager"]),
    ];
    for (role, b) in &browsers {
        for (path, allowed) in pages {
            let res = app.get(b, path).await;
            let want = if allowed.contains(role) { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(res.status(), want, "{role} GET {path}");
            let body = res.text().await.unwrap();
            assert_eq!(
                body.contains(r#"href="/users""#),
                *role == "admin",
                "{role} sees the Users link only if admin ({path})"
            );
            let manages = *role == "admin" || *role == "manager";
            assert_eq!(
                body.contains(r#"href="/agents""#),
                manages,
                "{role} sees Agents only if manager or admin ({path})"
            );
        }
        let mut b = b.clone();
        let functions: [Call; 5] = [
            ("/api/inbox/page", &[("view", "approval"), ("sort", ""), ("page", "1")], &["reviewer"]),
            ("/api/corrections/preview", &[("hours", "24")], &["admin", "manager", "reviewer"]),
            ("/api/dashboard", &[], &["admin", "manager", "reviewer", "auditor"]),
            ("/api/users/list", &[], &["admin"]),
            ("/api/users/roles", &[("user_id", "1"), ("role_admin", "on")], &["admin"]),
        ];
        for (path, form, allowed) in functions {
            let res = app.post_api(&mut b, path, form).await;
            let want = if allowed.contains(role) { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(res.status(), want, "{role} POST {path}");
        }
    }
    let mut anon = Browser { cookie: None };
    assert_eq!(location(&app.get(&anon, "/users").await), "/login?next=/users");
    assert_eq!(app.post_api(&mut anon, "/api/users/list", &[]).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.post_api(&mut anon, "/api/dashboard", &[]).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_reviewer_cannot_create_users_even_by_posting_directly() {
    let app = spawn_app().await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let form = [("username", "mallory"), ("initial_password", "long enough password"), ("role_admin", "on")];
    let res = app.post_api(&mut rita, "/api/users/create", &form).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app.db.user_by_name("mallory").await.unwrap().is_none());
}

#[tokio::test]
async fn admin_creates_users_with_field_errors_and_conflicts() {
    let app = spawn_app().await;
    let mut admin = app.admin().await;
    let bad = [("username", "x"), ("initial_password", "long enough password"), ("role_reviewer", "on")];
    let res = app.post_api(&mut admin, "/api/users/create", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains(r#""field":"username""#) && body.contains("3 to 64"), "{body}");

    let no_roles = [("username", "rita"), ("initial_password", "long enough password")];
    let res = app.post_api(&mut admin, "/api/users/create", &no_roles).await;
    assert!(res.text().await.unwrap().contains(r#""field":"roles""#));

    let good = [("username", "rita"), ("initial_password", "long enough password"), ("role_reviewer", "on")];
    let res = app.post_form(&mut admin, "/api/users/create", &good).await;
    assert_eq!(location(&res), "/users");
    let res = app.post_api(&mut admin, "/api/users/create", &good).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    let page = app.get(&admin, "/users").await.text().await.unwrap();
    assert!(page.contains("User rita was created") && page.contains(r#"data-user="rita""#));
    // The last admin cannot lose the role.
    let res = app.post_api(&mut admin, "/api/users/roles", &[("user_id", "1"), ("role_reviewer", "on")]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}
