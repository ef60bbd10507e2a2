//! `tenure-tools bench --inbox N`: how long one inbox page takes to read with N waiting
//! approvals (default 100 000) on scratch databases — the counts of every section and queue,
//! one page of 20 items with names, claims and assignees — for each view a reviewer uses:
//! all, mine, my groups, unassigned, a text search, oldest first and a deep page. Prints a
//! Markdown table (p50/p95 over repeated reads). Not a test: nothing here asserts speed.

use crate::bench_scorecard::{grant, percentile, person};
use chrono::{Duration, Utc};
use governance::action::canonical_json;
use governance::policy::{Decision, Tier};
use governance::queue::Queue;
use governance::service::accounts::ThrottlePolicy;
use governance::service::inbox::{InboxQuery, View};
use governance::service::queues::Queues;
use governance::store::actions::{ActionInsert, insert_all, reserve_ids};
use governance::{Accounts, Inbox, Store};
use migrations::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;
use std::time::Instant;

const BATCH: usize = 1000;
const READS: usize = 20;

/// `n` waiting approvals: a third routed to the group, one in fifty assigned to the reviewer,
/// one in a hundred claimed by them.
async fn seed(store: &Store, agent_id: i64, grant_id: i64, group: i64, rex: i64, n: usize) -> Result<f64, String> {
    let started = Instant::now();
    let now = Utc::now();
    let (mut done, mut largest) = (0usize, 0i64);
    while done < n {
        let size = BATCH.min(n - done);
        let txn = store.begin_write().await.map_err(|e| e.to_string())?;
        let ids = reserve_ids(&txn, size, largest).await.map_err(|e| e.to_string())?;
        let rows = ids
            .iter()
            .map(|id| {
                let params = canonical_json(&serde_json::json!({
                    "order_id": format!("B-{id}"), "amount": id % 900, "currency": "EUR"
                }));
                let insert = ActionInsert {
                    agent_id,
                    capability: "finance.refund.issue".into(),
                    params,
                    reasoning: format!("customer ticket {} asks for a refund", id % 7000),
                    confidence: 0.8,
                    inputs: "{}".into(),
                    alternatives: "[]".into(),
                    task_ref: format!("ticket-{id}"),
                    idempotency_key: None,
                    request_hash: format!("{id:064x}"),
                    action_hash: format!("{id:064x}"),
                    decision: Decision::NeedsApproval,
                    rule: "bench".into(),
                    tier: Some(Tier::Contributor),
                    grant_id: Some(grant_id),
                    sandbox: false,
                    supervised: false,
                    separation_of_duties: false,
                    expires_at: Some(now + Duration::minutes(60 + id % 1440)),
                    created_at: now - Duration::seconds(id % 86_400),
                    assigned_group_id: (id % 3 == 0).then_some(group),
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
    let assign = format!("UPDATE actions SET assigned_user_id = {rex} WHERE id % 50 = 1");
    store.db().execute_unprepared(&assign).await.map_err(|e| e.to_string())?;
    let claim = format!("UPDATE actions SET claimed_by = {rex}, claimed_at = CURRENT_TIMESTAMP WHERE id % 100 = 7");
    store.db().execute_unprepared(&claim).await.map_err(|e| e.to_string())?;
    migrations::recount_scorecards(store.db()).await.map_err(|e| e.to_string())?;
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

async fn measure(name: &str, url: &str, n: usize) -> Result<Vec<String>, String> {
    let store = Store::connect(url).await.map_err(|e| e.to_string())?;
    Migrator::up(store.db(), None).await.map_err(|e| e.to_string())?;
    let (olga, agent_id, grant_id) = grant(&store).await?;
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let rex = person(&acc, "rex", "reviewer").await?;
    let queues = Queues::new(store.clone());
    let manager = olga.as_manager().map_err(|e| e.to_string())?;
    let group = queues.create_group(&manager, "finance reviewers").await.map_err(|e| e.to_string())?;
    queues.add_member(&manager, group, "rex").await.map_err(|e| e.to_string())?;
    eprintln!("{name}: seeding {n} waiting approvals");
    let seeded = seed(&store, agent_id, grant_id, group, rex.user_id, n).await?;
    let analyze = if name == "PostgreSQL" { "VACUUM ANALYZE" } else { "ANALYZE" };
    store.db().execute_unprepared(analyze).await.map_err(|e| e.to_string())?;
    let inbox = Inbox::new(store.clone());
    let token = rex.as_reviewer().map_err(|e| e.to_string())?;
    let mut rows = vec![format!("| {name} | seed waiting approvals | {seeded:.0} actions/s | | |")];
    let base = InboxQuery {
        view: View::Approval,
        agent_id: None,
        capability: None,
        by_risk: false,
        oldest_first: false,
        queue: Queue::All,
        search: None,
        page: 1,
    };
    let cases: Vec<(&str, InboxQuery)> = vec![
        ("all, by deadline", base.clone()),
        ("mine", InboxQuery { queue: Queue::Mine, ..base.clone() }),
        ("my groups", InboxQuery { queue: Queue::MyGroups, ..base.clone() }),
        ("unassigned", InboxQuery { queue: Queue::Unassigned, ..base.clone() }),
        ("all, oldest first", InboxQuery { oldest_first: true, ..base.clone() }),
        ("search \"ticket 4242\"", InboxQuery { search: Some("ticket 4242".into()), ..base.clone() }),
        ("all, page 100", InboxQuery { page: 100, ..base.clone() }),
    ];
    for (label, q) in cases {
        let mut ms = Vec::new();
        let mut total = 0;
        for _ in 0..READS {
            let t = Instant::now();
            let page = inbox.page(&token, q.clone()).await.map_err(|e| e.to_string())?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            total = page.total;
        }
        ms.sort_by(|a, b| a.total_cmp(b));
        rows.push(format!(
            "| {name} | inbox page: {label} | {total} matching | p50 {:.1} ms | p95 {:.1} ms |",
            percentile(&ms, 0.5),
            percentile(&ms, 0.95)
        ));
    }
    Ok(rows)
}

/// Runs the inbox benchmark with `waiting` waiting approvals.
pub async fn run(postgres: Option<String>, waiting: usize) -> Result<(), String> {
    let rows = crate::scratch::on_both(postgres, "tenure-bench-inbox", |name, url| async move {
        measure(name, &url, waiting).await
    })
    .await?;
    println!("| database | measurement | items | p50 | p95 |");
    println!("| --- | --- | ---: | ---: | ---: |");
    for r in rows {
        println!("{r}");
    }
    Ok(())
}
