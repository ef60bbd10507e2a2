//! Sign-in, throttling, forced password change, session renewal and sign-out.

use crate::common::{Browser, location, spawn_app, spawn_with};
use reqwest::StatusCode;

#[tokio::test]
async fn first_admin_signs_in_and_is_sent_to_change_the_password() {
    let app = spawn_app().await;
    let anon = Browser { cookie: None };
    let res = app.get(&anon, "/").await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/login".into()));

    let (mut admin, res) = app.login("admin", &app.admin_password.clone()).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::FOUND, "/account/password".into()));
    let cookie = admin.cookie.clone().expect("session cookie set");
    assert!(cookie.starts_with("tenure_session="));

    // Every page leads back to the password page until it is changed...
    let res = app.get(&admin, "/users").await;
    assert_eq!(location(&res), "/account/password");
    // ...and server functions refuse.
    let res = app.post_api(&mut admin, "/api/users/list", &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let pw = app.admin_password.clone();
    let form = [
        ("current_password", pw.as_str()),
        ("new_password", "the admin's own pass"),
        ("confirm_password", "the admin's own pass"),
    ];
    let res = app.post_form(&mut admin, "/api/change_password", &form).await;
    assert_eq!(location(&res), "/");
    let res = app.get(&admin, "/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    assert!(body.contains("Your password is set"), "welcome notice shown");
    assert!(body.contains(r#"data-testid="signed-in-user" class="who-name">admin"#), "header names the user");
    // The notice came from the session, once: the next page does not repeat it, and a link
    // cannot make one up.
    let again = app.get(&admin, "/").await.text().await.unwrap();
    assert!(!again.contains("Your password is set"), "shown once");
    let forged = app.get(&admin, "/?welcome=1&granted=Send+your+password+to+evil.example").await.text().await.unwrap();
    assert!(!forged.contains("evil.example") && !forged.contains("Your password is set"), "nothing from the URL");
}

#[tokio::test]
async fn wrong_password_comes_back_to_the_form_with_the_error() {
    let app = spawn_app().await;
    let (_, res) = app.login("admin", "not the password").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let to = location(&res);
    assert!(to.contains("/login") && to.contains("__path=%2Fapi%2Flogin") && to.contains("__err="), "{to}");

    let mut anon = Browser { cookie: None };
    let res = app.post_api(&mut anon, "/api/login", &[("username", "admin"), ("password", "nope")]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app.post_api(&mut anon, "/api/login", &[("username", " "), ("password", "x")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("username"));
}

#[tokio::test]
async fn repeated_failures_throttle_sign_in_even_with_the_right_password() {
    let app = spawn_with(|s| s.login_max_failures = 3).await;
    let mut anon = Browser { cookie: None };
    for _ in 0..3 {
        let res = app.post_api(&mut anon, "/api/login", &[("username", "admin"), ("password", "guess")]).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let pw = app.admin_password.clone();
    let res = app.post_api(&mut anon, "/api/login", &[("username", "admin"), ("password", pw.as_str())]).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("retry_after_secs"));
}

#[tokio::test]
async fn behind_a_proxy_each_client_is_throttled_on_its_own_and_an_admin_unlocks_it() {
    let app = spawn_with(|s| {
        s.login_max_failures = 2;
        s.client_ip_header = "X-Forwarded-For".into();
    })
    .await;
    let mut admin = app.admin().await;
    app.browser_as("rita", &["reviewer"]).await;
    // rita mistypes twice from one client behind the proxy: that client is locked for rita...
    for _ in 0..2 {
        assert_eq!(app.login_via_proxy("rita", "typo", "203.0.113.5").await.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app.login_via_proxy("rita", "rita settled password", "203.0.113.5").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = res.text().await.unwrap();
    assert!(body.contains(r#""wait":"#) && body.contains(" seconds"), "the wait in words: {body}");
    // ...while rita from another client behind the same proxy signs in.
    assert_eq!(app.login_via_proxy("rita", "rita settled password", "203.0.113.6").await.status(), StatusCode::OK);

    // The admin sees the counter and clears it; rita's first client works again.
    let page = app.get(&admin, "/users/throttles").await.text().await.unwrap();
    assert!(page.contains("rita from 203.0.113.5") && page.contains("locked for"), "listed with its lock");
    let res = app.post_form(&mut admin, "/api/users/throttles/clear", &[("key", "pair:rita|203.0.113.5")]).await;
    assert_eq!(location(&res), "/users/throttles");
    assert_eq!(app.login_via_proxy("rita", "rita settled password", "203.0.113.5").await.status(), StatusCode::OK);
    let page = app.get(&admin, "/users/throttles").await.text().await.unwrap();
    assert!(!page.contains("rita from 203.0.113.5"), "cleared");

    // Only admins see or clear throttles.
    let mut reviewer = app.browser_as("rex", &["reviewer"]).await;
    assert_eq!(app.get(&reviewer, "/users/throttles").await.status(), StatusCode::FORBIDDEN);
    let res = app.post_api(&mut reviewer, "/api/users/throttles/clear", &[("key", "user:rita")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signing_in_again_renews_the_session_id_and_the_old_one_stops_working() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let old = admin.cookie.clone().unwrap();
    let mut again = admin.clone();
    let res =
        app.post_form(&mut again, "/api/login", &[("username", "admin"), ("password", "admin settled password")]).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let new = again.cookie.clone().unwrap();
    assert_ne!(old, new, "a new session id is issued at sign-in");
    assert_eq!(app.get(&again, "/").await.status(), StatusCode::OK);
    let res = app.get(&Browser { cookie: Some(old) }, "/").await;
    assert_eq!(location(&res), "/login", "the pre-login id is dead");
}

#[tokio::test]
async fn sign_out_destroys_the_session() {
    let app = spawn_app().await;
    let mut admin = app.admin().await;
    let cookie = admin.cookie.clone();
    let res = app.post_form(&mut admin, "/api/logout", &[]).await;
    assert_eq!(location(&res), "/login");
    let res = app.get(&Browser { cookie }, "/").await;
    assert_eq!(location(&res), "/login", "the old cookie no longer signs anyone in");
}

#[tokio::test]
async fn sessions_survive_a_restart_because_they_live_in_the_database() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    // A second instance over the same database accepts the session.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let settings = server::Settings::default();
    tokio::spawn(server::launch_with_listener(app.state.clone(), settings, listener, std::future::pending()));
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{other}/users"))
        .header("cookie", admin.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_deactivated_user_is_signed_out_at_the_next_request() {
    let app = spawn_app().await;
    let mut admin = app.admin().await;
    let rita = app.browser_as("rita", &["reviewer"]).await;
    assert_eq!(app.get(&rita, "/").await.status(), StatusCode::OK);
    let id = app.db.user_by_name("rita").await.unwrap().unwrap().id.to_string();
    let res = app.post_form(&mut admin, "/api/users/active", &[("user_id", id.as_str()), ("active", "false")]).await;
    assert_eq!(location(&res), "/users");
    assert_eq!(location(&app.get(&rita, "/").await), "/login");
}

#[tokio::test]
async fn each_role_lands_where_its_work_is_after_signing_in() {
    let app = spawn_app().await;
    for (name, role, lands) in [("rita", "reviewer", "/inbox"), ("aldo", "auditor", "/audit"), ("mona", "manager", "/")]
    {
        let (_, temp) = app.state.accounts.add_user_cli(name, &[role.to_owned()]).await.unwrap();
        let p = app.state.accounts.login(name, &temp, "setup").await.unwrap();
        let own = format!("{name} settled password");
        app.state.accounts.change_own_password(&p, &temp, &own, &own).await.unwrap();
        let (_, res) = app.login(name, &own).await;
        assert_eq!(location(&res), lands, "{role}");
    }
    // A page asked for before signing in still wins.
    let mut b = Browser { cookie: None };
    let form = [("username", "rita"), ("password", "rita settled password"), ("next", "/corrections")];
    assert_eq!(location(&app.post_form(&mut b, "/api/login", &form).await), "/corrections");
}

#[tokio::test]
async fn an_admin_resets_another_users_password_and_sees_it_once() {
    let app = spawn_app().await;
    let mut admin = app.admin().await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let rita_id = app.db.user_by_name("rita").await.unwrap().unwrap().id.to_string();
    let form = [("user_id", rita_id.as_str())];
    // Only admins may, and never for themselves (their own is changed on the account page).
    assert_eq!(app.post_api(&mut rita, "/api/users/reset_password", &form).await.status(), StatusCode::FORBIDDEN);
    let admin_id = app.db.user_by_name("admin").await.unwrap().unwrap().id.to_string();
    let own = app.post_api(&mut admin, "/api/users/reset_password", &[("user_id", admin_id.as_str())]).await;
    assert_eq!(own.status(), StatusCode::CONFLICT);

    let res = app.post_form(&mut admin, "/api/users/reset_password", &form).await;
    assert_eq!(location(&res), "/users");
    let page = app.get(&admin, "/users").await.text().await.unwrap();
    let shown = page.split(r#"data-testid="new-password""#).nth(1).expect("the new password is shown");
    let secret = shown[shown.find('>').unwrap() + 1..].split('<').next().unwrap().to_owned();
    assert!(secret.len() >= 20, "a one-time password is shown: {secret:?}");
    assert!(page.contains("New one-time password for rita"), "it names the user");
    assert!(!app.get(&admin, "/users").await.text().await.unwrap().contains(&secret), "shown once");
    let record = &app.db.evidence_about("user", &rita_id, 1).await.unwrap()[0];
    assert_eq!(record.kind, "user.password_reset");
    assert!(record.summary.contains("admin reset the password of rita") && !record.details.contains(&secret));

    // Rita's old password no longer works; the new one must be changed at once.
    let (_, old) = app.login("rita", "rita settled password").await;
    assert_ne!(location(&old), "/inbox");
    let (_, res) = app.login("rita", &secret).await;
    assert_eq!(location(&res), "/account/password");
}
