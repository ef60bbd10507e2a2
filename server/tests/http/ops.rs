//! Probes, request ids, cookies, assets, escaping and the not-found page.

use crate::common::{Browser, spawn_app, spawn_with};
use reqwest::StatusCode;

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let anon = Browser { cookie: None };
    let res = app.get(&anon, "/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("x-request-id").is_some(), "every response carries a request id");
    let res = app.get(&anon, "/readyz").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    assert!(body.contains(r#""database":"ok""#) && body.contains(r#""recording":"ok""#), "{body}");
}

#[tokio::test]
async fn console_input_with_a_nul_is_refused_before_anything_runs() {
    let app = spawn_app().await;
    let mut anon = Browser { cookie: None };
    let res = app.post_form(&mut anon, "/api/login", &[("username", "ad\0min"), ("password", "x")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("U+0000"));
    let auditor = app.browser_as("aldo", &["auditor"]).await;
    let res = app.get(&auditor, "/audit?q=a%00b").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // The same words without it are searched as usual.
    assert_eq!(app.get(&auditor, "/audit?q=ab").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.state.close().await.unwrap();
    let res = app.get(&Browser { cookie: None }, "/readyz").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = spawn_app().await;
    let mut anon = Browser { cookie: None };
    let pw = app.admin_password.clone();
    let res = app.post_form(&mut anon, "/api/login", &[("username", "admin"), ("password", pw.as_str())]).await;
    let set = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    assert!(!set.contains("Secure"), "Secure is off by default for plain http on localhost");
}

#[tokio::test]
async fn the_stylesheet_and_login_page_are_public_and_input_is_escaped() {
    let app = spawn_app().await;
    let anon = Browser { cookie: None };
    let css = app.get(&anon, "/style/main.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.text().await.unwrap().contains(".topbar"));
    let res = app.get(&anon, "/login?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    assert!(body.contains("Sign in") && !body.contains("<script>alert(1)"), "reflected input is escaped");
}

#[tokio::test]
async fn unknown_pages_answer_404_with_a_real_page() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let res = app.get(&admin, "/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Nothing here"));
}

/// Starting a server lists the console's routes by running the app with resource loading
/// switched off process-wide; pages another server renders meanwhile must still finish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_finish_while_other_servers_start_in_the_same_process() {
    let app = std::sync::Arc::new(spawn_app().await);
    let rita = app.browser_as("rita", &["reviewer"]).await;
    let starting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (app, rita, starting) = (app.clone(), rita.clone(), starting.clone());
            tokio::spawn(async move {
                while starting.load(std::sync::atomic::Ordering::Relaxed) {
                    let page = app.get(&rita, "/inbox").await;
                    assert_eq!(page.status(), StatusCode::OK);
                    assert!(page.text().await.unwrap().contains("Needs approval"));
                }
            })
        })
        .collect();
    for _ in 0..12 {
        drop(spawn_app().await);
    }
    starting.store(false, std::sync::atomic::Ordering::Relaxed);
    for reader in readers {
        tokio::time::timeout(std::time::Duration::from_secs(30), reader)
            .await
            .expect("a page waited forever for a resource while another server started")
            .expect("pages render");
    }
}

/// A TCP proxy in front of `upstream` that can be cut: from then on it forwards nothing and
/// answers nothing, on the connections it holds and on new ones, as a database host that is
/// gone (or a network that dropped it) does.
async fn cuttable_proxy(upstream: String) -> (std::net::SocketAddr, tokio::sync::watch::Sender<bool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (cut, cut_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else { return };
            let mut cut = cut_rx.clone();
            let upstream = upstream.clone();
            tokio::spawn(async move {
                if *cut.borrow() {
                    return std::future::pending::<()>().await;
                }
                let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await else { return };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                    _ = cut.changed() => std::future::pending::<()>().await,
                }
            });
        }
    });
    (addr, cut)
}

#[tokio::test]
async fn readiness_answers_within_a_second_when_postgres_is_gone() {
    use sea_orm::{ConnectionTrait, Database};
    let Some(base) = std::env::var("TENURE_TEST_PG_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("SKIPPED on PostgreSQL: set TENURE_TEST_PG_URL to run");
        return;
    };
    let db = format!("tenure_ready_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(base.as_str()).await.unwrap();
    admin.execute_unprepared(&format!("CREATE DATABASE \"{db}\"")).await.unwrap();
    // postgres://user@host:port/name -> the host and port, and a URL through the proxy.
    let rest = base.split_once("://").unwrap().1;
    let (creds, host_and_path) = rest.split_once('@').unwrap_or(("", rest));
    let host = host_and_path.split('/').next().unwrap().to_owned();
    let (proxy, cut) = cuttable_proxy(host).await;
    let user = if creds.is_empty() { String::new() } else { format!("{creds}@") };
    let url = format!("postgres://{user}{proxy}/{db}");
    let app = spawn_with(|s| s.database_url = url.clone()).await;
    let anon = Browser { cookie: None };
    assert_eq!(app.get(&anon, "/readyz").await.status(), StatusCode::OK);

    cut.send(true).unwrap();
    let asked = std::time::Instant::now();
    let res = app.get(&anon, "/readyz").await;
    let took = asked.elapsed();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(took < std::time::Duration::from_millis(1500), "answered in {took:?}, not after the pool's 10 s");
    drop(app);
    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)")).await;
}

#[tokio::test]
async fn a_page_for_a_number_that_is_not_one_is_not_found() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for (path, says) in [
        ("/audit/records/abc", "record 'abc' (not a number) not found"),
        ("/agents/x1", "agent 'x1' (not a number) not found"),
        ("/actions/-3", "action '-3' (not a number) not found"),
        ("/templates/1.5", "template '1.5' (not a number) not found"),
        ("/audit/exports/%20", "export ' ' (not a number) not found"),
    ] {
        let res = app.get(&admin, path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let body = res.text().await.unwrap();
        assert!(body.contains(says), "{path}: {}", &body[body.len().saturating_sub(600)..]);
    }
}

/// Runs `tenure user add` (it opens the database and stops) in a scratch folder with `env`.
fn tenure_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tenure"));
    cmd.current_dir(dir).args(args).env("TENURE_DATA_DIR", dir.join("data"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[tokio::test]
async fn variables_a_deployment_sets_are_warned_about_and_a_settings_file_typo_stops() {
    let dir = std::env::temp_dir().join(format!("tenure-env-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    // What Kubernetes injects for a Service named `tenure`, and one misspelt setting.
    let k8s = [
        ("TENURE_PORT", "tcp://10.0.0.7:3000"),
        ("TENURE_SERVICE_HOST", "10.0.0.7"),
        ("TENURE_PORT_3000_TCP", "tcp://10.0.0.7:3000"),
        ("TENURE_LOG_LEVL", "debug"),
    ];
    let out = tenure_in(&dir, &["user", "add", "kate", "--role", "reviewer"], &k8s);
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "unknown variables never stop Tenure: {said}");
    assert!(said.contains("Created kate"), "{said}");
    assert_eq!(said.matches("TENURE_PORT is not a setting").count(), 1, "warned once: {said}");
    assert!(said.contains("TENURE_SERVICE_HOST is not a setting"), "{said}");
    assert!(said.contains("TENURE_LOG_LEVL is not a setting; did you mean TENURE_LOG_LEVEL?"), "{said}");

    std::fs::write(dir.join("tenure.toml"), "log_levl = \"debug\"\n").unwrap();
    let out = tenure_in(&dir, &["user", "add", "lena", "--role", "reviewer"], &[]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a typo in the file is an error");
    assert!(said.contains("'log_levl' is not a setting; did you mean log_level?"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}
