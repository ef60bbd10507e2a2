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
    let costs = costs(&runs, postgres.is_some());
    let phases = phases(&runs, postgres.is_some());
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

/// The median of `values` (none when empty).
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied()
}

/// What the scorecard counts and the monitoring job cost a decision, per database and clients:
/// the median over the rounds of each variant's rate against the as-Tenure-runs rate of the
/// same round (paired, so a machine that speeds up or slows down between rounds cancels out);
/// the decision writer's transaction time per decision with counting against without (paired
/// the same way); and the share of the monitored run's time the monitoring job spent in passes.
fn costs(runs: &[Row], postgres: bool) -> String {
    let mut out = String::from(
        "| database | clients | as Tenure runs /s | no scorecard counts | monitor every 1 s | writer time per decision, counting | monitoring passes, of the time |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    let databases: &[&str] = if postgres { &["SQLite", "PostgreSQL"] } else { &["SQLite"] };
    let percent = |d: Option<f64>, signed: bool| match d {
        Some(d) if signed => format!("{:+.1} %", d * 100.0),
        Some(d) => format!("{:.1} %", d * 100.0),
        None => "–".to_owned(),
    };
    for db in databases {
        for clients in [1, 16, 64] {
            let of = |variant: Variant, round: usize| {
                let target = format!("decisions, {db}{}", variant.suffix());
                runs.iter().find(|r| r.target == target && r.clients == clients && r.round == round)
            };
            let paired = |variant: Variant, measure: fn(&Row) -> Option<f64>| {
                median(
                    (0..ROUNDS)
                        .filter_map(|round| {
                            Some(measure(of(variant, round)?)? / measure(of(Variant::AsRuns, round)?)? - 1.0)
                        })
                        .collect(),
                )
            };
            let rate = |r: &Row| Some(r.per_sec);
            let writer_per_decision =
                |r: &Row| (r.requests > 0 && r.writer_ms > 0.0).then(|| r.writer_ms / r.requests as f64);
            let base = median((0..ROUNDS).filter_map(|r| of(Variant::AsRuns, r).map(|x| x.per_sec)).collect());
            // Without counts against with, turned round: what counting adds to the writer's time.
            let counting = paired(Variant::NoCounts, writer_per_decision).map(|d| 1.0 / (1.0 + d) - 1.0);
            let monitoring = median(
                (0..ROUNDS)
                    .filter_map(|r| of(Variant::Monitored, r))
                    .filter(|r| r.elapsed_ms > 0.0)
                    .map(|r| r.monitor_ms / r.elapsed_ms)
                    .collect(),
            );
            out.push_str(&format!(
                "| {db} | {clients} | {} | {} | {} | {} | {} |\n",
                base.map_or("–".to_owned(), |b| format!("{b:.0}")),
                percent(paired(Variant::NoCounts, rate), true),
                percent(paired(Variant::Monitored, rate), true),
                percent(counting, true),
                percent(monitoring, false),
            ));
        }
    }
    out
}

/// Where the monitoring job's passes spent their time in the monitored runs: each phase's share
/// of the measured time, the median over the rounds.
fn phases(runs: &[Row], postgres: bool) -> String {
    use governance::service::busy::PHASES;
    let mut out =
        format!("| database | clients | {} |\n| --- | ---: |{}\n", PHASES.join(" | "), " ---: |".repeat(PHASES.len()));
    let databases: &[&str] = if postgres { &["SQLite", "PostgreSQL"] } else { &["SQLite"] };
    for db in databases {
        for clients in [1, 16, 64] {
            let target = format!("decisions, {db}{}", Variant::Monitored.suffix());
            let mine: Vec<&Row> =
                runs.iter().filter(|r| r.target == target && r.clients == clients && r.elapsed_ms > 0.0).collect();
            let shares: Vec<String> = (0..PHASES.len())
                .map(|i| {
                    median(mine.iter().map(|r| r.phases_ms[i] / r.elapsed_ms).collect())
                        .map_or("–".to_owned(), |s| format!("{:.1} %", s * 100.0))
                })
                .collect();
            out.push_str(&format!("| {db} | {clients} | {} |\n", shares.join(" | ")));
        }
    }
    out
}
