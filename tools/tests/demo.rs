//! `tenure-tools demo` seeds a working organisation and its simulated agents get decisions.

use app::server::state::AppState;
use server::Settings;
use std::time::Duration;

/// A real Tenure on port 0 over a new SQLite file, as `tenure-tools demo` serves it.
struct Served {
    base: String,
    state: AppState,
    /// The same database opened beside the server, for the test to check what was stored.
    db: governance::Store,
    dir: std::path::PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn spawn_app() -> Served {
    let dir = std::env::temp_dir().join(format!("tenure-demo-{}", uuid::Uuid::new_v4()));
    let settings = Settings { data_dir: dir.clone(), bind: "127.0.0.1:0".into(), ..Settings::default() };
    let (state, _) = server::prepare(&settings).await.expect("prepare");
    let db = governance::Store::connect(&settings.database_url()).await.expect("the test's own connection");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(server::launch_with_listener(state.clone(), settings, listener, std::future::pending()));
    Served { base, state, db, dir }
}

#[tokio::test]
async fn the_demo_seeds_people_and_agents_whose_requests_get_decided() {
    let app = spawn_app().await;
    let (stopping, stop) = tokio::sync::watch::channel(false);
    tenure_tools::demo::start(&app.state, app.base.clone(), stop, Duration::from_secs(1)).await.unwrap();
    for name in ["mona", "rita", "ravi", "aldo"] {
        assert!(app.db.user_by_name(name).await.unwrap().is_some(), "{name} seeded");
    }
    assert!(app.state.accounts.login("rita", "rita demo password", "test").await.is_ok());
    let agents = app.db.list_agents().await.unwrap();
    assert_eq!(agents.len(), 8);
    // rita's copilot reports to her; large refunds need two people; a group gets routed items.
    let copilot = agents.iter().find(|a| a.name == "rita-copilot").unwrap();
    let rita = app.db.user_by_name("rita").await.unwrap().unwrap();
    assert_eq!(copilot.copilot.and_then(|c| c.user_id), Some(rita.id));
    assert_eq!(
        app.db.groups().await.unwrap().iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        ["finance reviewers"]
    );
    assert!(!app.db.routes().await.unwrap().is_empty());
    let tpl = app.db.template_by_name("Refunds (demo)").await.unwrap().unwrap();
    let body = app
        .db
        .template_versions(tpl.id)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.version == tpl.current_version)
        .unwrap()
        .body;
    assert_eq!(body.rule("finance.refund.issue").and_then(|r| r.quorum.as_ref()).map(|q| q.required), Some(2));
    // support-bot starts with a history: a reply in each of three languages approved by rita,
    // so those languages are known and only a new one escalates.
    let support = agents.iter().find(|a| a.name == "support-bot").unwrap();
    let seen = app.db.seen_values(support.id, "support.reply.send", &["language".into()]).await.unwrap();
    assert_eq!(seen["language"].iter().map(String::as_str).collect::<Vec<_>>(), ["de", "en", "fr"]);
    let mut history = app.db.recent_actions(support.id, 1000).await.unwrap();
    history.retain(|a| a.task_ref.starts_with("T-10") && a.task_ref.len() == 5);
    assert_eq!(history.len(), 3);
    for a in &history {
        assert_eq!(a.state, "final", "{}: approved and reported sent", a.task_ref);
        let trail = app.db.evidence_about("action", &a.id.to_string(), 10).await.unwrap();
        assert!(trail.iter().any(|r| r.kind == "action.approved" && r.actor_name == "rita"), "{}", a.task_ref);
    }
    // Within a few seconds every simulated agent has asked at least once and been answered.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let mut all = true;
        for a in &agents {
            all &= !app.db.recent_actions(a.id, 1).await.unwrap().is_empty();
        }
        if all {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "not every simulated agent got a decision in time");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The observers on trial are judged by the simulated reviewers within seconds.
    let apprentice = agents.iter().find(|a| a.name == "apprentice-bot").unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    'judged: loop {
        for a in app.db.recent_actions(apprentice.id, 20).await.unwrap() {
            let trail = app.db.evidence_about("action", &a.id.to_string(), 5).await.unwrap();
            if trail
                .iter()
                .any(|r| r.kind == "action.shadow_recorded" && ["rosa", "raj"].contains(&r.actor_name.as_str()))
            {
                break 'judged;
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "no simulated reviewer judged apprentice-bot in time");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // drift-bot arrives with a quiet month, degrades after a second, and the monitoring job
    // demotes it with an alert.
    let drift = agents.iter().find(|a| a.name == "drift-bot").unwrap();
    let card = app.state.scorecards.of_agent(&mona_member(&app).await, drift.id).await.unwrap().remove(0);
    assert!(card.all_time.proposals >= 168, "a month of history: {}", card.all_time.proposals);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    loop {
        let pass = app.state.monitor.run(chrono::Utc::now()).await.unwrap();
        if pass.acted > 0 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "drift-bot was not demoted in time: {pass:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let alert = app.db.open_alerts(Some(drift.id)).await.unwrap().remove(0);
    assert_eq!(alert.detector.as_deref(), Some("rejection_rate"));
    assert_eq!(app.db.grants_of(drift.id).await.unwrap()[0].tier.as_str(), "observer");
    let sandbox = agents.iter().find(|a| a.name == "trial-bot").unwrap();
    let first = &app.db.recent_actions(sandbox.id, 1).await.unwrap()[0];
    assert!(first.sandbox, "sandbox answers are marked");
    assert!(app.db.verify_evidence().await.unwrap().is_ok());
    // Once the server begins to shut down, the simulated agents ask nothing more.
    stopping.send(true).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = app.db.evidence_count().await.unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(app.db.evidence_count().await.unwrap(), before, "no request after the stop");
}

/// mona's reading token.
async fn mona_member(app: &Served) -> governance::principal::AsMember {
    let mona = app.db.user_by_name("mona").await.expect("lookup").expect("seeded");
    let p = app.state.accounts.principal(mona.id).await.expect("principal").expect("active");
    p.as_member().expect("a member")
}
