//! `tenure-tools bench --audit`: the evidence trail at scale. Seeds N records (default one million)
//! into scratch databases, then measures search latency (p50/p95 over repeated queries: a
//! common word, a rare word, filters, and both) and export throughput with the memory it takes.
//! Prints a Markdown table. Not a test: nothing here asserts speed.

use governance::evidence::{Actor, Draft};
use governance::export::{ExportFilter, ExportFormat};
use governance::service::audit::{Audit, Signer};
use governance::store::evidence;
use governance::{Accounts, Store};
use migrations::{Migrator, MigratorTrait};
use rand::Rng;
use std::time::Instant;

const CAPABILITIES: [&str; 6] = [
    "support.reply.send",
    "support.ticket.close",
    "finance.refund.issue",
    "finance.report.generate",
    "ops.change.propose",
    "ops.change.apply",
];
const DECISIONS: [&str; 4] = ["allowed", "needs_approval", "shadow", "denied"];
/// In five records only.
const RARE: &str = "quokka";
const BATCH: usize = 5000;

/// Anonymous resident memory now (the heap, not the database file mapped by SQLite), in KiB
/// (Linux), for the export's peak.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("RssAnon:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn reasoning(rng: &mut impl Rng, i: u64, total: u64) -> String {
    // Words with a skewed frequency: a few very common, a long tail of rare ones.
    let mut words: Vec<String> = (0..12).map(|_| format!("w{}", rng.random_range(0..40u32).pow(2))).collect();
    if rng.random_bool(0.5) {
        words.push("refund".into());
    }
    if i % (total / 5).max(1) == 7 {
        words.push(RARE.into());
    }
    words.join(" ")
}

async fn seed(store: &Store, n: u64) -> Result<f64, String> {
    let started = Instant::now();
    let mut rng = rand::rng();
    let mut i = 0u64;
    while i < n {
        let txn = store.begin_write().await.map_err(|e| e.to_string())?;
        evidence::lock(&txn).await.map_err(|e| e.to_string())?;
        let mut head = evidence::head(&txn).await.map_err(|e| e.to_string())?;
        for _ in 0..BATCH.min((n - i) as usize) {
            let agent = rng.random_range(1..=20i64);
            let draft = Draft {
                actor: Actor { kind: "agent".into(), id: Some(agent), name: format!("agent-{agent}") },
                kind: "action.decided",
                subject_kind: "action",
                subject_id: i.to_string(),
                summary: format!("agent-{agent} asked to act on task {i}"),
                details: serde_json::json!({
                    "capability": CAPABILITIES[rng.random_range(0..CAPABILITIES.len())],
                    "decision": DECISIONS[rng.random_range(0..DECISIONS.len())],
                    "reasoning": reasoning(&mut rng, i, n),
                    "confidence": rng.random_range(0.5..1.0f64),
                }),
            };
            let r = evidence::append_after(&txn, &draft, &head).await.map_err(|e| e.to_string())?;
            head = (r.seq, r.hash);
            i += 1;
        }
        txn.commit().await.map_err(|e| e.to_string())?;
        if i.is_multiple_of(100_000) {
            eprintln!("  seeded {i} records");
        }
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted.get(((sorted.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or(0.0)
}

/// One backend: seeds, searches, exports; returns the table rows.
async fn measure(name: &str, url: &str, n: u64) -> Result<Vec<String>, String> {
    let store = Store::connect(url).await.map_err(|e| e.to_string())?;
    Migrator::up(store.db(), None).await.map_err(|e| e.to_string())?;
    eprintln!("{name}: seeding {n} records");
    let seeded = seed(&store, n).await?;
    // Statistics as a running database keeps them (autovacuum / ANALYZE), so plans are real ones.
    let analyze = if name == "PostgreSQL" { "VACUUM ANALYZE evidence" } else { "ANALYZE" };
    sea_orm::ConnectionTrait::execute_unprepared(store.db(), analyze).await.map_err(|e| e.to_string())?;
    let acc = Accounts::new(store.clone(), Default::default());
    let (_, temp) = acc.add_user_cli("bench-auditor", &["auditor".into()]).await.map_err(|e| e.to_string())?;
    let p = acc.login("bench-auditor", &temp, "bench").await.map_err(|e| e.to_string())?;
    acc.change_own_password(&p, &temp, "bench auditor password", "bench auditor password")
        .await
        .map_err(|e| e.to_string())?;
    let who = acc
        .principal(p.user_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no auditor")?
        .as_auditor()
        .map_err(|e| e.to_string())?;
    let signer = Signer::from_hex(&governance::checkpoint::generate_key_hex())?;
    let audit = Audit::new(store.clone(), signer, std::env::temp_dir().join("tenure-bench-exports"));
    let mut rows = vec![format!("| {name} | seed (append with hash chain and indexes) | {seeded:.0} records/s | | |")];
    let text = |t: &str| ExportFilter { text: Some(t.into()), ..ExportFilter::default() };
    let queries = [
        ("common word (\"refund\", in half the records)", text("refund")),
        ("rare word (\"quokka\", in 5 records)", text(RARE)),
        (
            "agent + capability",
            ExportFilter {
                agent_id: Some(7),
                capability: Some("finance.refund.issue".into()),
                ..ExportFilter::default()
            },
        ),
        ("decision + common word", ExportFilter { outcome: Some("needs_approval".into()), ..text("refund") }),
        ("no match (\"zzzz\")", text("zzzz")),
    ];
    for (label, f) in queries {
        let mut ms = Vec::new();
        let mut found = 0;
        for _ in 0..30 {
            let t = Instant::now();
            let (rows, _) = audit.search(&who, &f, None, 50).await.map_err(|e| e.to_string())?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            found = rows.len();
        }
        ms.sort_by(|a, b| a.total_cmp(b));
        rows.push(format!(
            "| {name} | search, first page, newest first: {label} ({found} shown) | p50 {:.1} ms | p95 {:.1} ms | |",
            percentile(&ms, 0.5),
            percentile(&ms, 0.95)
        ));
    }
    let base = rss_kib();
    let mut peak = base;
    let started = Instant::now();
    let plan =
        audit.start_export(&who, ExportFilter::default(), ExportFormat::Jsonl).await.map_err(|e| e.to_string())?;
    let (mut after, mut count, mut bytes) = (0i64, 0u64, 0usize);
    loop {
        let page = audit.export_page(&plan, after, 1000).await.map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        count += page.len() as u64;
        bytes += page.iter().map(|r| ExportFormat::Jsonl.line(r).len()).sum::<usize>();
        peak = peak.max(rss_kib());
    }
    let secs = started.elapsed().as_secs_f64();
    rows.push(format!(
        "| {name} | export JSONL, whole chain ({count} records, {} MB) | {:.0} records/s | | +{} MiB heap at peak |",
        bytes / 1_000_000,
        count as f64 / secs,
        peak.saturating_sub(base) / 1024
    ));
    Ok(rows)
}

/// Runs the audit benchmark with `records` records per backend.
pub async fn run(postgres: Option<String>, records: u64) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("tenure-bench-audit-{}", uuid::Uuid::new_v4()));
    let file = dir.join("audit.db");
    let mut rows = measure("SQLite", &format!("sqlite://{}?mode=rwc", file.display()), records).await?;
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(base) = postgres {
        let scratch = crate::scratch::Scratch::create(&base, "tenure_bench_audit").await?;
        let result = measure("PostgreSQL", &scratch.url, records).await;
        scratch.drop_now().await;
        rows.extend(result?);
    }
    println!("| database | measurement | result | | |");
    println!("| --- | --- | ---: | ---: | --- |");
    for r in rows {
        println!("{r}");
    }
    Ok(())
}
