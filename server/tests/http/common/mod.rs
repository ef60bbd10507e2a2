//! `spawn_app()`: a real Tenure on port 0 with a fresh SQLite database, and typed helpers.

use app::server::state::AppState;
use reqwest::header::{ACCEPT, COOKIE, HeaderMap, LOCATION, ORIGIN, REFERER, SET_COOKIE};
use reqwest::{Client, Response, StatusCode, redirect::Policy};
use server::Settings;
use tokio::sync::oneshot;

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub base: String,
    pub state: AppState,
    /// The same database opened beside the server, for a test to check what was stored (the
    /// server's own code reaches it only through the services).
    pub db: governance::Store,
    pub admin_password: String,
    client: Client,
    stop: Option<oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<()>>,
    dir: std::path::PathBuf,
}

/// A signed-in browser: the session cookie it holds.
#[derive(Clone, Debug)]
pub struct Browser {
    pub cookie: Option<String>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts Tenure on 127.0.0.1:0 over a new SQLite file.
pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

/// Like [`spawn_app`], with settings changed by `tweak`.
pub async fn spawn_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = std::env::temp_dir().join(format!("tenure-http-{}", uuid::Uuid::new_v4()));
    let mut settings = Settings { data_dir: dir.clone(), bind: "127.0.0.1:0".into(), ..Settings::default() };
    tweak(&mut settings);
    let (state, admin_password) = server::prepare(&settings).await.expect("prepare");
    let db = governance::Store::connect(&settings.database_url()).await.expect("the test's own connection");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = oneshot::channel::<()>();
    let serve_state = state.clone();
    let served = tokio::spawn(async move {
        let _ = server::launch_with_listener(serve_state, settings, listener, async {
            let _ = rx.await;
        })
        .await;
    });
    // A request that never completes fails its test instead of hanging the whole suite.
    let client =
        Client::builder().redirect(Policy::none()).timeout(std::time::Duration::from_secs(90)).build().expect("client");
    TestApp {
        base,
        state,
        db,
        // None when the data folder was used before (a restart): the admin exists already.
        admin_password: admin_password.unwrap_or_default(),
        client,
        stop: Some(tx),
        served: Some(served),
        dir,
    }
}

impl TestApp {
    /// Begins the server's graceful shutdown (as ctrl-c would) and returns once it has stopped,
    /// or after `limit`; says which.
    pub async fn shut_down(&mut self, limit: std::time::Duration) -> bool {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.served.take() {
            Some(served) => tokio::time::timeout(limit, served).await.is_ok(),
            None => true,
        }
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("tenure_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
}

/// The `Location` header of a response.
pub fn location(r: &Response) -> String {
    r.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

impl TestApp {
    /// Where a refused form's redirect leads on this server: the page it came from with the
    /// error in its query (leptos_axum answers with the absolute Referer), as a path.
    pub fn back_to(&self, r: &Response) -> String {
        let to = location(r);
        to.strip_prefix(&self.base).map(str::to_owned).unwrap_or(to)
    }

    /// GET as `browser` (or anonymously).
    pub async fn get(&self, browser: &Browser, path: &str) -> Response {
        let mut req = self.client.get(format!("{}{path}", self.base)).header(ACCEPT, "text/html");
        if let Some(c) = &browser.cookie {
            req = req.header(COOKIE, c);
        }
        req.send().await.expect("GET")
    }

    /// GET an API path with an optional bearer key.
    pub async fn api_get(&self, path: &str, key: Option<&str>) -> Response {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        req.send().await.expect("API GET")
    }

    /// POST JSON (raw text) to an API path with an optional bearer key.
    pub async fn api_post(&self, path: &str, key: Option<&str>, body: &str) -> Response {
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        req.send().await.expect("API POST")
    }

    /// Registers an agent with a key and grants it `capability` at `tier` from a copy of the
    /// finance template without the new-currency escalation; returns (agent id, key).
    pub async fn agent_with_grant(&self, name: &str, capability: &str, tier: &str) -> (i64, String) {
        use governance::service::agents::NewAgent;
        use governance::service::grants::GrantForm;
        use governance::template::RuleForm;
        let mona = match self.db.user_by_name("grantor").await.expect("lookup") {
            Some(u) => self.state.accounts.principal(u.id).await.expect("principal").expect("active"),
            None => {
                let (_, temp) = self.state.accounts.add_user_cli("grantor", &["manager".into()]).await.expect("add");
                let p = self.state.accounts.login("grantor", &temp, "setup").await.expect("login");
                self.state
                    .accounts
                    .change_own_password(&p, &temp, "grantor password", "grantor password")
                    .await
                    .expect("pw");
                self.state.accounts.principal(p.user_id).await.expect("principal").expect("active")
            }
        };
        let token = mona.as_manager().expect("manager");
        let tpl = match self.db.template_by_name("Test refunds").await.expect("lookup") {
            Some(t) => t,
            None => {
                let finance =
                    self.db.template_by_name("Finance analysis and refunds").await.expect("q").expect("builtin");
                let t = self.state.templates.copy(&token, finance.id, "Test refunds").await.expect("copy");
                let rule = RuleForm {
                    capability: "finance.refund.issue".into(),
                    min_confidence: "0.8".into(),
                    limits: "amount <= 200".into(),
                    approval_expiry_minutes: "60".into(),
                    ..RuleForm::default()
                };
                self.state.templates.save_rule(&token, t.id, 1, rule).await.expect("rule");
                self.db.template_by_name("Test refunds").await.expect("q").expect("saved")
            }
        };
        let new = NewAgent {
            name: name.into(),
            purpose: "test".into(),
            environment: "production".into(),
            ..NewAgent::default()
        };
        let agent = self.state.agents.register(&token, new).await.expect("register");
        let (_, key) = self.state.agents.issue_key(&token, agent.id).await.expect("key");
        let form = GrantForm {
            agent_id: agent.id,
            capability: capability.into(),
            template_id: tpl.id,
            tier: tier.into(),
            justification: "test setup: granted without a track record".into(),
        };
        self.state.grants.grant(&token, form).await.expect("grant");
        (agent.id, key)
    }

    /// A same-origin form POST as a browser sends it (Accept: text/html, Origin set).
    pub async fn post_form(&self, browser: &mut Browser, path: &str, form: &[(&str, &str)]) -> Response {
        self.post_with(browser, path, form, Some(&self.base.clone()), "text/html").await
    }

    /// A same-origin form POST from the page `page` (its Referer, where errors come back to).
    pub async fn post_form_on(&self, browser: &mut Browser, page: &str, path: &str, form: &[(&str, &str)]) -> Response {
        self.post_sent(browser, page, path, form, Some(&self.base.clone()), "text/html").await
    }

    /// A form POST as an API client sends it (no text/html, so errors keep their status).
    pub async fn post_api(&self, browser: &mut Browser, path: &str, form: &[(&str, &str)]) -> Response {
        self.post_with(browser, path, form, Some(&self.base.clone()), "application/json").await
    }

    /// A POST with an explicit Origin (or none) and Accept header.
    pub async fn post_with(
        &self,
        browser: &mut Browser,
        path: &str,
        form: &[(&str, &str)],
        origin: Option<&str>,
        accept: &str,
    ) -> Response {
        // Browsers send the page that holds the form as Referer; the server redirects back there.
        let page = match path {
            "/api/agents/register" => "/agents",
            "/api/login" => "/login",
            "/api/change_password" => "/account/password",
            p if p.starts_with("/api/users") => "/users",
            p if p.starts_with("/api/inbox") => "/inbox",
            p if p.starts_with("/api/audit") => "/audit",
            p if p.starts_with("/api/notifications") => "/notifications",
            _ => "/",
        };
        self.post_sent(browser, page, path, form, origin, accept).await
    }

    async fn post_sent(
        &self,
        browser: &mut Browser,
        page: &str,
        path: &str,
        form: &[(&str, &str)],
        origin: Option<&str>,
        accept: &str,
    ) -> Response {
        let mut req = self.client.post(format!("{}{path}", self.base)).header(ACCEPT, accept).form(form);
        if let Some(o) = origin {
            req = req.header(ORIGIN, o).header(REFERER, format!("{}{page}", self.base));
        }
        if let Some(c) = &browser.cookie {
            req = req.header(COOKIE, c);
        }
        let res = req.send().await.expect("POST");
        if let Some(c) = session_cookie(res.headers()) {
            browser.cookie = Some(c);
        }
        res
    }

    /// Signs in through the form; returns the browser and the response.
    pub async fn login(&self, username: &str, password: &str) -> (Browser, Response) {
        let mut b = Browser { cookie: None };
        let res =
            self.post_form(&mut b, "/api/login", &[("username", username), ("password", password), ("next", "")]).await;
        (b, res)
    }

    /// A sign-in as a reverse proxy would pass it on: `X-Forwarded-For` names the client.
    pub async fn login_via_proxy(&self, username: &str, password: &str, client: &str) -> Response {
        self.client
            .post(format!("{}/api/login", self.base))
            .header(ACCEPT, "application/json")
            .header(ORIGIN, &self.base)
            .header(REFERER, format!("{}/login", self.base))
            .header("x-forwarded-for", format!("198.51.100.1, {client}"))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .expect("POST")
    }

    /// A signed-in user holding `roles`, past the first password change.
    pub async fn browser_as(&self, name: &str, roles: &[&str]) -> Browser {
        let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
        let (_, temp) = self.state.accounts.add_user_cli(name, &roles).await.expect("add user");
        let p = self.state.accounts.login(name, &temp, "setup").await.expect("first login");
        let new = format!("{name} settled password");
        self.state.accounts.change_own_password(&p, &temp, &new, &new).await.expect("change password");
        let (b, res) = self.login(name, &new).await;
        assert_eq!(res.status(), StatusCode::FOUND, "login of {name}");
        b
    }

    /// The first admin, past the first password change.
    pub async fn admin(&self) -> Browser {
        let p = self.state.accounts.login("admin", &self.admin_password, "setup").await.expect("admin login");
        let new = "admin settled password";
        self.state.accounts.change_own_password(&p, &self.admin_password, new, new).await.expect("change");
        let (b, _) = self.login("admin", new).await;
        b
    }
}
