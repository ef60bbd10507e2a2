//! `tenure-tools bench`: durable decisions per second and latency at 1, 16 and 64 concurrent
//! clients, on SQLite (and PostgreSQL when given), beside a bare axum JSON echo endpoint and
//! the floor under a durable decision (`bench_floor`: the same body appended to a SQLite table
//! and committed, nothing else), measured in the same run. Prints a Markdown table. Not a
//! test: nothing here asserts speed.

use crate::seed;
use axum::Json;
use axum::routing::post;
use governance::service::agents::NewAgent;
use serde_json::{Value, json};
use server::Settings;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

mod costs;

/// One measured row.
struct Row {
    target: String,
    clients: usize,
    requests: usize,
    per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Which round of the decisions runs it came from.
    round: usize,
    /// The decision writer's time in its transactions, the monitoring job's in its passes, and
    /// the whole measurement's (ms).
    writer_ms: f64,
    monitor_ms: f64,
    elapsed_ms: f64,
    /// Of the monitoring job's time, each phase's (ms; see `busy::PHASES`).
    phases_ms: [f64; 6],
}

async fn echo(Json(v): Json<Value>) -> Json<Value> {
    Json(v)
}

/// Drives `clients` concurrent loops of POSTs for `secs` seconds.
async fn load(url: String, key: Option<String>, clients: usize, secs: u64) -> (usize, f64, Vec<f64>) {
    let client = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, url, key) = (client.clone(), url.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut i = 0u64;
            while Instant::now() < deadline {
                i += 1;
                let body = json!({
                    "capability": "finance.refund.issue",
                    "params": {"order_id": format!("B-{c}-{i}"), "amount": 10 + (i % 150), "currency": "EUR"},
                    "reasoning": "benchmark refund",
                    "confidence": 0.95,
                    "task_ref": format!("bench-{c}-{i}"),
                });
                let mut req = client.post(&url).json(&body);
                if let Some(k) = &key {
                    req = req.bearer_auth(k);
                }
                let t = Instant::now();
                match req.send().await {
                    Ok(res) if res.status().is_success() => {
                        let _ = res.bytes().await;
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    Ok(res) => eprintln!("bench: unexpected status {}", res.status()),
                    Err(e) => eprintln!("bench: request failed: {e}"),
                }
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    let elapsed = started.elapsed().as_secs_f64();
    (all.len(), elapsed, all)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

async fn measure(target: &str, url: &str, key: Option<&str>, secs: u64, rows: &mut Vec<Row>) {
    for clients in [1, 16, 64] {
        governance::service::busy::take();
        let (n, elapsed, mut lat) = load(url.to_owned(), key.map(str::to_owned), clients, secs).await;
        let busy = governance::service::busy::take();
        lat.sort_by(|a, b| a.total_cmp(b));
        let row = Row {
            target: target.to_owned(),
            clients,
            requests: n,
            per_sec: n as f64 / elapsed,
            p50_ms: percentile(&lat, 0.50),
            p99_ms: percentile(&lat, 0.99),
            round: 0,
            writer_ms: busy.writer.as_secs_f64() * 1000.0,
            monitor_ms: busy.monitor.as_secs_f64() * 1000.0,
            phases_ms: busy.phases.map(|d| d.as_secs_f64() * 1000.0),
            elapsed_ms: elapsed * 1000.0,
        };
        eprintln!("  {target:<22} {clients:>3} clients: {:>8.0}/s", row.per_sec);
        rows.push(row);
    }
}

/// A running Tenure: its decision URL, the agent's key, and how to stop it (so an instance
/// measured earlier does not run its background loops beside the next one).
struct Running {
    url: String,
    key: String,
    stop: tokio::sync::oneshot::Sender<()>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.served.await;
    }
}

/// How one decisions run is set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    /// As Tenure runs: counts kept, the monitoring job at its default interval (a pass at start).
    AsRuns,
    /// The scorecard counts switched off (what keeping them costs).
    NoCounts,
    /// The monitoring job every second, over [`WATCHED`] more busy grants (what monitoring costs).
    Monitored,
}

impl Variant {
    fn suffix(self) -> &'static str {
        match self {
            Variant::AsRuns => "",
            Variant::NoCounts => ", no scorecard counts",
            Variant::Monitored => ", monitor every 1 s",
        }
    }
}

/// Agents besides the measured one whose grants the monitor judges in the monitored run, each
/// with [`WATCHED_DECISIONS`] decisions of its own.
const WATCHED: usize = 20;
const WATCHED_DECISIONS: usize = 30;

/// A Tenure on `database_url`, seeded with one executor agent (and, for the monitored run,
/// [`WATCHED`] more busy ones).
async fn tenure(database_url: String, data_dir: std::path::PathBuf, variant: Variant) -> Result<Running, String> {
    let monitor_every_seconds =
        if variant == Variant::Monitored { 1 } else { Settings::default().monitor_every_seconds };
    let settings =
        Settings { database_url, data_dir, bind: "127.0.0.1:0".into(), monitor_every_seconds, ..Settings::default() };
    let (state, _) = server::startup::prepare(&settings).await?;
    let manager = seed::person(&state, "bench-manager", &["manager"], "bench manager password")
        .await
        .map_err(|e| e.to_string())?;
    let rule = seed::rule("finance.refund.issue", "0.5", "amount <= 200", false);
    let tpl = seed::template_copy(&state, &manager, "Finance analysis and refunds", "Bench refunds", rule)
        .await
        .map_err(|e| e.to_string())?;
    let new = NewAgent {
        name: format!("bench-bot-{}", uuid::Uuid::new_v4().simple()).chars().take(40).collect(),
        purpose: "benchmark".into(),
        environment: "production".into(),
        ..NewAgent::default()
    };
    let (_, key) = seed::agent(&state, &manager, new, &[("finance.refund.issue", tpl, "executor")])
        .await
        .map_err(|e| e.to_string())?;
    if variant == Variant::Monitored {
        for i in 0..WATCHED {
            let new = NewAgent {
                name: format!("watched-bot-{i}"),
                purpose: "benchmark".into(),
                environment: "production".into(),
                ..NewAgent::default()
            };
            let (_, key) = seed::agent(&state, &manager, new, &[("finance.refund.issue", tpl, "executor")])
                .await
                .map_err(|e| e.to_string())?;
            let me = state.agents.authenticate(&key).await.map_err(|e| e.to_string())?;
            for n in 0..WATCHED_DECISIONS {
                let req = serde_json::from_value(json!({
                    "capability": "finance.refund.issue",
                    "params": {"order_id": format!("W-{i}-{n}"), "amount": 20, "currency": "EUR"},
                    "confidence": 0.9,
                }))
                .map_err(|e| e.to_string())?;
                state.decisions.request(&me, req).await.map_err(|e| e.to_string())?;
            }
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(server::startup::launch_with_listener(state, settings, listener, async move {
        let _ = stopped.await;
    }));
    Ok(Running { url: format!("http://{addr}/v1/actions"), key, stop, served })
}

/// Decisions on one database as `variant` sets it up, on a fresh database.
async fn decisions(
    name: &str,
    variant: Variant,
    postgres: Option<&str>,
    dir: &std::path::Path,
    secs: u64,
    rows: &mut Vec<Row>,
) -> Result<(), String> {
    governance::store::scorecard_counts::count_new_decisions(variant != Variant::NoCounts);
    let target = format!("decisions, {name}{}", variant.suffix());
    let scratch_dir = dir.join(uuid::Uuid::new_v4().simple().to_string());
    std::fs::create_dir_all(&scratch_dir).map_err(|e| e.to_string())?;
    match postgres {
        None => {
            let t = tenure(String::new(), scratch_dir.clone(), variant).await?;
            measure(&target, &t.url, Some(&t.key), secs, rows).await;
            t.stop().await;
        }
        Some(base) => {
            let scratch = crate::scratch::Scratch::create(base, "tenure_bench").await?;
            let t = tenure(scratch.url.clone(), scratch_dir.clone(), variant).await?;
            measure(&target, &t.url, Some(&t.key), secs, rows).await;
            t.stop().await;
            scratch.drop_now().await;
        }
    }
    let _ = std::fs::remove_dir_all(&scratch_dir);
    governance::store::scorecard_counts::count_new_decisions(true);
    Ok(())
}

/// Of several runs of each (target, clients), the one with the median rate.
fn medians(runs: Vec<Row>) -> Vec<Row> {
    let mut keys: Vec<(String, usize)> = Vec::new();
    for r in &runs {
        if !keys.contains(&(r.target.clone(), r.clients)) {
            keys.push((r.target.clone(), r.clients));
        }
    }
    let mut runs = runs;
    keys.into_iter()
        .filter_map(|(target, clients)| {
            let (mut same, rest): (Vec<Row>, Vec<Row>) =
                runs.drain(..).partition(|r| r.target == target && r.clients == clients);
            runs = rest;
            same.sort_by(|a, b| a.per_sec.total_cmp(&b.per_sec));
            let mid = same.len() / 2;
            let mut median = same.into_iter().nth(mid)?;
            if ROUNDS > 1 {
                median.target = format!("{} (median of {ROUNDS})", median.target);
            }
            Some(median)
        })
        .collect()
}

/// Rounds of decisions in each variant, rotating which goes first, so a machine that slows
/// down during the run does not favour one of them.
const ROUNDS: usize = 5;

/// Runs the benchmark; `postgres` is a server URL where a scratch database may be created.
pub async fn run(postgres: Option<String>, secs: u64) -> Result<(), String> {
    let mut rows = Vec::new();
    let echo_listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let echo_url = format!("http://{}/echo", echo_listener.local_addr().map_err(|e| e.to_string())?);
    tokio::spawn(async move { axum::serve(echo_listener, axum::Router::new().route("/echo", post(echo))).await });
    eprintln!("measuring for {secs} s per row");
    measure("axum JSON echo", &echo_url, None, secs, &mut rows).await;

    let dir = std::env::temp_dir().join(format!("tenure-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let floor_url = crate::bench_floor::start(&dir).await?;
    measure("durable append, SQLite", &floor_url, None, secs, &mut rows).await;

    // Each database as Tenure runs, without the scorecard counts and with the monitor every
    // second, in one process, in a rotating order.
    let mut runs = Vec::new();
    let variants = [Variant::AsRuns, Variant::NoCounts, Variant::Monitored];
    for round in 0..ROUNDS {
        for k in 0..variants.len() {
            let variant = variants[(round + k) % variants.len()];
            let from = runs.len();
            decisions("SQLite", variant, None, &dir, secs, &mut runs).await?;
            if let Some(base) = &postgres {
                decisions("PostgreSQL", variant, Some(base), &dir, secs, &mut runs).await?;
            }
            for r in &mut runs[from..] {
                r.round = round;
            }
        }
    }
    let costs = costs::costs(&runs, postgres.is_some());
    let phases = costs::phases(&runs, postgres.is_some());
    runs.sort_by_key(|r| (r.target.clone(), r.clients));
    rows.extend(medians(runs));
    let _ = std::fs::remove_dir_all(&dir);

    println!("| target | clients | requests | per second | p50 ms | p99 ms |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for r in &rows {
        println!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} |",
            r.target, r.clients, r.requests, r.per_sec, r.p50_ms, r.p99_ms
        );
    }
    println!();
    println!("{costs}");
    println!("{phases}");
    Ok(())
}
