//! `tenure-tools`: `demo` (serve with a seeded organisation and simulated agents) and `bench`.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// The same allocator as `tenure`, so the benchmarks measure what the server runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Tenure's demo and benchmarks.
#[derive(Debug, Parser)]
#[command(name = "tenure-tools", version, about)]
struct Cli {
    /// Settings file for the demo (default: tenure.toml in the working directory, if present).
    #[arg(long, global = true, env = "TENURE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve Tenure on the configured database, seed a demo organisation (people, agents,
    /// grants) and run simulated agents against its API.
    Demo {
        /// Seconds after the start when drift-bot begins to degrade.
        #[arg(long, default_value_t = 180)]
        drift_after: u64,
    },
    /// Measure decisions per second and latency against a bare axum echo and a bare durable
    /// append (prints a table); or, with --audit, the evidence trail at scale.
    Bench {
        /// Also measure on PostgreSQL: a server URL where a scratch database may be created.
        #[arg(long)]
        postgres: Option<String>,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Measure the evidence trail instead: search latency and export throughput over this
        /// many seeded records (e.g. 1000000).
        #[arg(long)]
        audit: Option<u64>,
        /// Measure one grant's scorecard instead, with this many actions in the grant
        /// (e.g. 100000).
        #[arg(long)]
        scorecard: Option<usize>,
        /// Measure the inbox page instead, with this many waiting approvals (e.g. 100000).
        #[arg(long)]
        inbox: Option<usize>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match server::cli::settings(cli.config.as_deref()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match cli.command {
        Command::Demo { drift_after } => {
            let state = match server::cli::open(&settings).await {
                Ok(s) => s,
                Err(code) => return code,
            };
            server::cli::serve(state, &settings, |state, base, stop| async move {
                let drift_after = std::time::Duration::from_secs(drift_after);
                if let Err(e) = tenure_tools::demo::start(&state, base, stop, drift_after).await {
                    eprintln!("error: the demo could not be set up: {e}");
                }
            })
            .await
        }
        // The benchmarks make their own scratch databases; they never touch the configured one.
        Command::Bench { postgres, seconds, audit, scorecard, inbox } => {
            let result = match (audit, scorecard, inbox) {
                (Some(n), _, _) => tenure_tools::bench_audit::run(postgres, n).await,
                (None, Some(n), _) => tenure_tools::bench_scorecard::run(postgres, n).await,
                (None, None, Some(n)) => tenure_tools::bench_inbox::run(postgres, n).await,
                (None, None, None) => tenure_tools::bench::run(postgres, seconds).await,
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
