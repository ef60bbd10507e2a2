//! `tenure-tools bench --scorecard N`: how long one grant's scorecard takes when the grant has
//! N actions (default 100 000), spread over 120 days with every outcome represented, on
//! scratch databases. Prints a Markdown table (p50/p95 over repeated reads). Not a test:
//! nothing here asserts speed. Scorecards write nothing, so decision throughput is not theirs
//! to lower (see `bench` for it).

use chrono::{Duration, Utc};
use governance::action::canonical_json;
use governance::policy::{Decision, Tier};
use governance::service::accounts::ThrottlePolicy;
use governance::service::agents::NewAgent;
use governance::service::grants::GrantForm;
use governance::store::actions::{ActionInsert, insert_all, reserve_ids};
use governance::{Accounts, Agents, Grants, Principal, Scorecards, Store, Templates};
use migrations::{Migrator, MigratorTrait};
use rand::Rng;
use sea_orm::ConnectionTrait;
use std::time::Instant;

/// Rows per insert: about 22 bound values each, under SQLite's 32 766.
const BATCH: usize = 1000;
const CAPABILITY: &str = "finance.refund.issue";

pub(crate) async fn person(acc: &Accounts, name: &str, role: &str) -> Result<Principal, String> {
    let (_, temp) = acc.add_user_cli(name, &[role.into()]).await.map_err(|e| e.to_string())?;
    let p = acc.login(name, &temp, "bench").await.map_err(|e| e.to_string())?;
    let pw = format!("{name} bench password");
    acc.change_own_password(&p, &temp, &pw, &pw).await.map_err(|e| e.to_string())?;
    acc.principal(p.user_id).await.map_err(|e| e.to_string())?.ok_or_else(|| format!("no {name}"))
}

/// A grant of one agent, and the manager who made it.
pub(crate) async fn grant(store: &Store) -> Result<(Principal, i64, i64), String> {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let olga = person(&acc, "olga", "manager").await?;
    let token = olga.as_manager().map_err(|e| e.to_string())?;
    let templates = Templates::new(store.clone());
    templates.ensure_builtins().await.map_err(|e| e.to_string())?;
    let finance = store
        .template_by_name("Finance analysis and refunds")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no template")?;
    let new = NewAgent {
        name: "bench-bot".into(),
        purpose: "bench".into(),
        environment: "production".into(),
        ..NewAgent::default()
    };
    let agent = Agents::new(store.clone()).register(&token, new).await.map_err(|e| e.to_string())?;
    let form = GrantForm {
        agent_id: agent.id,
        capability: CAPABILITY.into(),
        template_id: finance.id,
        tier: "contributor".into(),
        justification: "benchmark setup: a grant without a track record".into(),
    };
    let g = Grants::new(store.clone()).grant(&token, form).await.map_err(|e| e.to_string())?;
    Ok((olga, agent.id, g.id))
}

/// `n` actions of the agent over the last 120 days, then their outcomes.
async fn seed(store: &Store, agent_id: i64, grant_id: i64, n: usize) -> Result<f64, String> {
    let started = Instant::now();
    let mut rng = rand::rng();
    let now = Utc::now();
    let (mut done, mut largest) = (0usize, 0i64);
    while done < n {
        let size = BATCH.min(n - done);
        let txn = store.begin_write().await.map_err(|e| e.to_string())?;
        let ids = reserve_ids(&txn, size, largest).await.map_err(|e| e.to_string())?;
        let rows = ids
            .iter()
            .map(|id| {
                let params = canonical_json(
                    &serde_json::json!({"order_id": format!("A-{}", id % 5000), "amount": id % 300, "currency": "EUR"}),
                );
                let decision = if id % 3 == 0 { Decision::Allowed } else { Decision::NeedsApproval };
                let insert = ActionInsert {
                    agent_id,
                    capability: CAPABILITY.into(),
                    params,
                    reasoning: "bench".into(),
                    confidence: rng.random_range(0.4..1.0),
                    inputs: "{}".into(),
                    alternatives: "[]".into(),
                    task_ref: String::new(),
                    idempotency_key: None,
                    request_hash: format!("{id:064x}"),
                    action_hash: format!("{:064x}", id % 5000),
                    decision,
                    rule: "bench".into(),
                    tier: Some(Tier::Contributor),
                    grant_id: Some(grant_id),
                    sandbox: false,
                    supervised: false,
                    separation_of_duties: false,
                    expires_at: None,
                    created_at: now - Duration::seconds(rng.random_range(0..120 * 86_400)),
                    assigned_group_id: None,
                    approvals_required: 1,
                    assigned_user_id: None,
                    assigned_until: None,
                };
                (*id, insert, format!("{id:064x}"))
            })
            .collect();
        insert_all(&txn, rows).await.map_err(|e| e.to_string())?;
        txn.commit().await.map_err(|e| e.to_string())?;
        largest = ids.last().copied().unwrap_or(largest);
        done += size;
    }
    // Outcomes: most executed and settled, some rejected, rolled back or failed.
    let outcomes = "UPDATE actions SET \
        state = CASE WHEN id % 20 = 0 AND decision = 'needs_approval' THEN 'rejected' \
                     WHEN id % 20 = 1 THEN 'rolled_back' WHEN id % 20 = 2 THEN 'failed' ELSE 'final' END, \
        approved_hash = CASE WHEN decision = 'needs_approval' AND id % 20 <> 0 THEN action_hash ELSE NULL END";
    store.db().execute_unprepared(outcomes).await.map_err(|e| e.to_string())?;
    // Rows written directly are not counted as they go: count them once, as migration 17 did.
    migrations::recount_scorecards(store.db()).await.map_err(|e| e.to_string())?;
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted.get(((sorted.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or(0.0)
}

async fn measure(name: &str, url: &str, n: usize) -> Result<Vec<String>, String> {
    let store = Store::connect(url).await.map_err(|e| e.to_string())?;
    Migrator::up(store.db(), None).await.map_err(|e| e.to_string())?;
    let (olga, agent_id, grant_id) = grant(&store).await?;
    eprintln!("{name}: seeding {n} actions");
    let seeded = seed(&store, agent_id, grant_id, n).await?;
    let analyze = if name == "PostgreSQL" { "VACUUM ANALYZE" } else { "ANALYZE" };
    store.db().execute_unprepared(analyze).await.map_err(|e| e.to_string())?;
    let cards = Scorecards::new(store.clone());
    let member = olga.as_member().map_err(|e| e.to_string())?;
    let mut ms = Vec::new();
    let mut proposals = 0;
    for _ in 0..20 {
        let t = Instant::now();
        let card = cards.of_grant(&member, grant_id).await.map_err(|e| e.to_string())?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        proposals = card.all_time.proposals;
    }
    ms.sort_by(|a, b| a.total_cmp(b));
    Ok(vec![
        format!("| {name} | seed actions | {seeded:.0} actions/s | |"),
        format!(
            "| {name} | scorecard of one grant ({proposals} actions: 3 windows, 12 weeks, criteria) | p50 {:.1} ms | p95 {:.1} ms |",
            percentile(&ms, 0.5),
            percentile(&ms, 0.95)
        ),
    ])
}

/// Runs the scorecard benchmark with `actions` actions in the measured grant.
pub async fn run(postgres: Option<String>, actions: usize) -> Result<(), String> {
    let rows = crate::scratch::on_both(postgres, "tenure-bench-cards", |name, url| async move {
        measure(name, &url, actions).await
    })
    .await?;
    println!("| database | measurement | result | |");
    println!("| --- | --- | ---: | ---: |");
    for r in rows {
        println!("{r}");
    }
    Ok(())
}
