//! Fresh databases for store tests: a SQLite file per test, and a PostgreSQL database per test
//! when `TENURE_TEST_PG_URL` is set (otherwise PostgreSQL is skipped with a visible message).

use governance::service::agents::NewAgent;
use governance::store::agents::AgentRecord;
use governance::template::RuleForm;
use governance::{Accounts, Agents, Principal, Store, Templates};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};

/// A migrated, empty database and how to throw it away.
pub struct TestDb {
    pub name: &'static str,
    pub store: Store,
    cleanup: Option<(String, String)>,
    file: Option<std::path::PathBuf>,
}

impl TestDb {
    /// Drops the PostgreSQL database or deletes the SQLite file.
    pub async fn cleanup(self) {
        let TestDb { store, cleanup, file, .. } = self;
        drop(store);
        if let Some((admin_url, db)) = cleanup
            && let Ok(admin) = Database::connect(admin_url.as_str()).await
        {
            let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)")).await;
        }
        if let Some(f) = file {
            for ext in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{ext}", f.display()));
            }
        }
    }
}

async fn sqlite(steps: Option<u32>) -> TestDb {
    let file = std::env::temp_dir().join(format!("tenure-test-{}.db", uuid::Uuid::new_v4()));
    let store = Store::connect(&format!("sqlite://{}?mode=rwc", file.display())).await.expect("sqlite");
    Migrator::up(store.db(), steps).await.expect("migrate sqlite");
    TestDb { name: "sqlite", store, cleanup: None, file: Some(file) }
}

async fn postgres(base: &str, steps: Option<u32>) -> TestDb {
    let db = format!("tenure_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(base).await.expect("connect to TENURE_TEST_PG_URL");
    admin.execute_unprepared(&format!("CREATE DATABASE \"{db}\"")).await.expect("create test database");
    drop(admin);
    let url = replace_db_name(base, &db);
    let store = Store::connect(&url).await.expect("postgres");
    Migrator::up(store.db(), steps).await.expect("migrate postgres");
    TestDb { name: "postgres", store, cleanup: Some((base.to_owned(), db)), file: None }
}

/// `postgres://u@h:p/old?x` → `postgres://u@h:p/new?x`.
fn replace_db_name(url: &str, db: &str) -> String {
    let (head, query) = url.split_once('?').map_or((url, None), |(h, q)| (h, Some(q)));
    let base = match head.rfind('/') {
        Some(i) if i > "postgres://".len() => &head[..i],
        _ => head,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// Every backend this machine can test: SQLite always, PostgreSQL when configured.
pub async fn backends() -> Vec<TestDb> {
    backends_migrated(None).await
}

/// As [`backends`], with only the first `steps` migrations applied (all with `None`).
pub async fn backends_migrated(steps: Option<u32>) -> Vec<TestDb> {
    let mut out = vec![sqlite(steps).await];
    match std::env::var("TENURE_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => out.push(postgres(&url, steps).await),
        _ => eprintln!(
            "SKIPPED on PostgreSQL: set TENURE_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres to run"
        ),
    }
    out
}

/// A user holding `roles` on `acc`, past the first password change.
#[allow(dead_code)] // each test crate compiles this module; not all of them need people
pub async fn person(acc: &Accounts, name: &str, roles: &[&str]) -> Principal {
    let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
    let (_, temp) = acc.add_user_cli(name, &roles).await.expect("add user");
    let p = acc.login(name, &temp, "t").await.expect("first sign-in");
    let own = format!("{name}'s own password");
    acc.change_own_password(&p, &temp, &own, &own).await.expect("own password");
    acc.principal(p.user_id).await.expect("principal").expect("active")
}

/// A copy, named `name`, of the built-in finance template whose refund rule is `rule`; its id.
#[allow(dead_code)] // as for person
pub async fn refund_template(store: &Store, manager: &Principal, name: &str, rule: RuleForm) -> i64 {
    let token = manager.as_manager().expect("a manager");
    let templates = Templates::new(store.clone());
    templates.ensure_builtins().await.expect("built-ins");
    let finance = store.template_by_name("Finance analysis and refunds").await.expect("lookup").expect("built in");
    let mine = templates.copy(&token, finance.id, name).await.expect("copy");
    templates.save_rule(&token, mine.id, 1, rule).await.expect("rule");
    mine.id
}

/// A sandbox agent named `name` registered by `manager`, with a key: the agent and the key.
#[allow(dead_code)] // as for person
pub async fn sandbox_agent(store: &Store, manager: &Principal, name: &str) -> (AgentRecord, String) {
    let token = manager.as_manager().expect("a manager");
    let agents = Agents::new(store.clone());
    let new =
        NewAgent { name: name.into(), purpose: "refunds".into(), environment: "sandbox".into(), ..NewAgent::default() };
    let agent = agents.register(&token, new).await.expect("register");
    let (_, key) = agents.issue_key(&token, agent.id).await.expect("key");
    (agent, key)
}

/// A production agent named `name`, owned by `manager`, with a key and a grant of the refund
/// capability at `tier` from `template_id`: (agent id, key, grant id).
#[allow(dead_code)] // as for person
pub async fn refund_agent(
    store: &Store,
    manager: &Principal,
    name: &str,
    template_id: i64,
    tier: &str,
) -> (i64, String, i64) {
    let token = manager.as_manager().expect("a manager");
    let agents = Agents::new(store.clone());
    let new = NewAgent {
        name: name.into(),
        purpose: "refunds".into(),
        owner: manager.username.clone(),
        environment: "production".into(),
        ..NewAgent::default()
    };
    let agent = agents.register(&token, new).await.expect("register");
    let (_, key) = agents.issue_key(&token, agent.id).await.expect("key");
    let form = governance::service::grants::GrantForm {
        agent_id: agent.id,
        capability: "finance.refund.issue".into(),
        template_id,
        tier: tier.into(),
        justification: "test setup: granted without a track record".into(),
    };
    let grant = governance::Grants::new(store.clone()).grant(&token, form).await.expect("grant").id;
    (agent.id, key, grant)
}
