//! Storage faults: a decision is answered only once the commit holding its evidence record is
//! confirmed, and when the fault clears the service recovers by itself, without a restart.
//!
//! Two ways to make SQLite answer "database or disk is full" on demand: `max_page_count`
//! (portable, every run) and a real, tiny tmpfs (where the machine lets the test mount one;
//! otherwise it says SKIPPED).
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

#[expect(dead_code)] // the fresh-database helpers; these tests make their own files
mod common;

use governance::action::ActionRequest;
use governance::service::accounts::ThrottlePolicy;
use governance::service::agents::AgentPrincipal;
use governance::service::grants::GrantForm;
use governance::template::RuleForm;
use governance::{Accounts, Decisions, GovError, Grants, Store};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// An agent allowed to issue refunds at executor tier, with no rate limit, on `store`: its key.
async fn allowed_agent(store: &Store) -> String {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let mona = common::person(&acc, "mona", &["manager"]).await;
    let token = mona.as_manager().unwrap();
    let rule = RuleForm {
        capability: "finance.refund.issue".into(),
        min_confidence: "0.5".into(),
        limits: "amount <= 200".into(),
        approval_expiry_minutes: "60".into(),
        ..RuleForm::default()
    };
    let template_id = common::refund_template(store, &mona, "Refunds, unlimited", rule).await;
    let (agent, key) = common::sandbox_agent(store, &mona, "refund-bot").await;
    let form = GrantForm {
        agent_id: agent.id,
        capability: "finance.refund.issue".into(),
        template_id,
        tier: "executor".into(),
        justification: "test setup: granted without a track record".into(),
    };
    Grants::new(store.clone()).grant(&token, form).await.unwrap();
    key
}

/// The decisions service over `store`, and the agent of `key` as it sees it.
async fn decisions_for(store: &Store, key: &str) -> (Decisions, AgentPrincipal) {
    let decisions = Decisions::new(store.clone());
    let who = decisions.authenticate(key).await.unwrap();
    (decisions, who)
}

fn refund(n: u64) -> ActionRequest {
    serde_json::from_value(json!({
        "capability": "finance.refund.issue",
        "params": {"order_id": format!("A-{n}"), "amount": 20, "currency": "EUR"},
        "reasoning": "charged twice; ".repeat(20),
        "confidence": 0.95,
        "idempotency_key": format!("k-{n}"),
    }))
    .unwrap()
}

/// What a load run saw: the ids answered `allowed`, how many requests failed, and how many
/// were allowed after the fault was cleared.
#[derive(Default)]
struct Seen {
    allowed: Vec<i64>,
    failed_unavailable: u64,
    failed_other: Vec<String>,
    allowed_after_clear: u64,
}

/// Concurrent agents' requests in a load run.
const CLIENTS: usize = 16;

/// Sends refunds from [`CLIENTS`] tasks until `stop`, numbered from `next`; `cleared_at`
/// (non-zero once the fault was cleared) marks the requests sent after it.
async fn load(
    decisions: Decisions,
    who: AgentPrincipal,
    next: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    cleared_at: Arc<AtomicU64>,
) -> Seen {
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (decisions, who, stop, next, cleared_at) =
            (decisions.clone(), who.clone(), stop.clone(), next.clone(), cleared_at.clone());
        tasks.push(tokio::spawn(async move {
            let mut seen = Seen::default();
            while !stop.load(Ordering::Relaxed) {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let answered = decisions.request(&who, refund(n)).await;
                match answered {
                    Ok(a) => {
                        assert_eq!(a.decision, "allowed", "{}", a.rule);
                        seen.allowed.push(a.id);
                        if cleared_at.load(Ordering::Relaxed) > 0 {
                            seen.allowed_after_clear += 1;
                        }
                    }
                    Err(GovError::Unavailable(_)) => {
                        seen.failed_unavailable += 1;
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    Err(e) => seen.failed_other.push(e.to_string()),
                }
            }
            seen
        }));
    }
    let mut all = Seen::default();
    for t in tasks {
        let s = t.await.unwrap();
        all.allowed.extend(s.allowed);
        all.failed_unavailable += s.failed_unavailable;
        all.failed_other.extend(s.failed_other);
        all.allowed_after_clear += s.allowed_after_clear;
    }
    all
}

/// How many of `ids` have no action row, and how many have no `action.decided` record.
async fn unrecorded(store: &Store, ids: &[i64]) -> (usize, usize) {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let db = store.db();
    let backend = db.get_database_backend();
    let mut no_action = 0;
    let mut no_record = 0;
    for chunk in ids.chunks(500) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let count = |sql: String| async move {
            let row = db.query_one_raw(Statement::from_string(backend, sql)).await.unwrap().unwrap();
            row.try_get_by_index::<i64>(0).unwrap() as usize
        };
        no_action += chunk.len() - count(format!("SELECT COUNT(*) FROM actions WHERE id IN ({list})")).await;
        let quoted = chunk.iter().map(|i| format!("'{i}'")).collect::<Vec<_>>().join(",");
        no_record += chunk.len()
            - count(format!(
                "SELECT COUNT(DISTINCT subject_id) FROM evidence WHERE kind = 'action.decided' AND subject_id IN ({quoted})"
            ))
            .await;
    }
    (no_action, no_record)
}

/// Runs load while `fault` is in force for `fault_for`, stops it, `clear`s the fault, waits
/// for the writer to find out by itself that it can record again (no request arrives
/// meanwhile), then runs load for `after`; checks that nothing allowed went unrecorded and
/// that decisions came back.
async fn under_fault<F, C>(store: &Store, key: &str, fault: F, clear: C, fault_for: Duration, after: Duration)
where
    F: std::future::Future<Output = ()>,
    C: std::future::Future<Output = ()>,
{
    let (decisions, who) = decisions_for(store, key).await;
    // One counter for both runs: each request has an idempotency key of its own.
    let next = Arc::new(AtomicU64::new(0));
    let run = |stop: Arc<AtomicBool>, cleared_at: Arc<AtomicU64>| {
        tokio::spawn(load(decisions.clone(), who.clone(), next.clone(), stop, cleared_at))
    };
    let stop = Arc::new(AtomicBool::new(false));
    let during = run(stop.clone(), Arc::new(AtomicU64::new(0)));
    tokio::time::sleep(Duration::from_millis(300)).await;
    fault.await;
    tokio::time::sleep(fault_for).await;
    stop.store(true, Ordering::Relaxed);
    let mut seen = during.await.unwrap();
    assert!(!decisions.can_record(), "the writer knows it cannot record (readiness says so)");
    clear.await;
    let cleared = Instant::now();
    while !decisions.can_record() && cleared.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ready_after = cleared.elapsed();
    assert!(decisions.can_record(), "ready again within seconds of the fault clearing, with no request to try");
    let stop = Arc::new(AtomicBool::new(false));
    let cleared_at = Arc::new(AtomicU64::new(1));
    let later = run(stop.clone(), cleared_at);
    tokio::time::sleep(after).await;
    stop.store(true, Ordering::Relaxed);
    let then = later.await.unwrap();
    seen.allowed.extend(then.allowed);
    seen.failed_unavailable += then.failed_unavailable;
    seen.failed_other.extend(then.failed_other);
    seen.allowed_after_clear = then.allowed_after_clear;
    let (no_action, no_record) = unrecorded(store, &seen.allowed).await;
    eprintln!(
        "allowed {}, of them after the fault cleared {}, unavailable {}, other errors {}, ready again {ready_after:?} after clearing; unrecorded: {no_action} actions, {no_record} records",
        seen.allowed.len(),
        seen.allowed_after_clear,
        seen.failed_unavailable,
        seen.failed_other.len(),
    );
    assert!(
        seen.failed_other.is_empty(),
        "only 'unavailable' may fail: {:?}",
        &seen.failed_other[..3.min(seen.failed_other.len())]
    );
    assert_eq!((no_action, no_record), (0, 0), "every allowed answer has its action and its evidence record");
    assert!(seen.failed_unavailable > 0, "the fault was felt");
    assert!(seen.allowed_after_clear > 0, "decisions are recorded again after the fault cleared");
}

async fn scalar(store: &Store, sql: &str) -> i64 {
    let db = store.db();
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_database_never_allows_without_a_record_and_recovers_without_a_restart() {
    let file = std::env::temp_dir().join(format!("tenure-maxpages-{}.db", uuid::Uuid::new_v4()));
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let store = Store::connect(&url).await.unwrap();
    <migrations::Migrator as migrations::MigratorTrait>::up(store.db(), None).await.unwrap();
    let key = allowed_agent(&store).await;
    // Ballast to free later: 4 MiB of pages, then every page in the file and none free.
    store.db().execute_unprepared("CREATE TABLE ballast (b BLOB)").await.unwrap();
    for _ in 0..16 {
        store.db().execute_unprepared("INSERT INTO ballast VALUES (zeroblob(262144))").await.unwrap();
    }
    store.db().execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
    let pages = scalar(&store, "PRAGMA page_count").await as u64;
    store.close().await.unwrap();

    let full = Store::connect_with_max_pages(&url, pages).await.unwrap();
    // Full from the first write: the limit is the file as it is.
    let fault = async {};
    let clear = async {
        full.db().execute_unprepared("DELETE FROM ballast").await.unwrap();
    };
    under_fault(&full, &key, fault, clear, Duration::from_secs(2), Duration::from_secs(2)).await;
    full.close().await.unwrap();
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", file.display()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_tmpfs_never_allows_without_a_record_and_recovers_without_a_restart() {
    let dir = std::env::temp_dir().join(format!("tenure-full-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64m", "tmpfs"])
        .arg(&dir)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !mounted {
        eprintln!("SKIPPED: cannot mount a tmpfs here (needs root); the max_page_count test covers disk-full");
        let _ = std::fs::remove_dir(&dir);
        return;
    }
    let _unmount = Unmount(dir.clone());
    let file = dir.join("tenure.db");
    let store = Store::connect(&format!("sqlite://{}?mode=rwc", file.display())).await.unwrap();
    <migrations::Migrator as migrations::MigratorTrait>::up(store.db(), None).await.unwrap();
    let key = allowed_agent(&store).await;
    let ballast = dir.join("ballast");
    let fill = async {
        // Everything but a few pages: the WAL can no longer grow.
        let _ = std::process::Command::new("dd")
            .args(["if=/dev/zero", "bs=4k"])
            .arg(format!("of={}", ballast.display()))
            .output();
    };
    let free = async {
        let _ = std::fs::remove_file(&ballast);
    };
    under_fault(&store, &key, fill, free, Duration::from_secs(2), Duration::from_secs(2)).await;
    drop(store);
}

/// Unmounts and removes a test's tmpfs however the test ends.
struct Unmount(std::path::PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}
