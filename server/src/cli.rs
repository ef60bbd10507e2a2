//! The command line: `tenure [serve]`, `tenure user …`, `tenure audit verify [FILE]`.

use crate::settings::{Settings, TABLE};
use crate::startup;
use clap::{Parser, Subcommand};
use governance::checkpoint::public_from_hex;
use governance::export::{verify_csv, verify_lines};
use governance::service::audit::LiveCheck;
use std::path::PathBuf;
use std::process::ExitCode;

fn settings_help() -> String {
    let mut s = String::from("Settings (defaults → tenure.toml → environment; DATABASE_URL is honoured too):\n\n");
    for (name, env, default, meaning) in TABLE {
        s.push_str(&format!("  {name:<22} {env:<36} default {default:<30} {meaning}\n"));
    }
    s
}

/// Tenure: a control plane for deploying AI agents safely.
#[derive(Debug, Parser)]
#[command(name = "tenure", version, about, after_help = settings_help())]
pub struct Cli {
    /// Settings file (default: tenure.toml in the working directory, if present).
    #[arg(long, global = true, env = "TENURE_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the console and the API (the default).
    Serve,
    /// Manage console users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage agents.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Work with the evidence trail.
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// `tenure user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user with a generated password (printed once; must be changed at first sign-in).
    Add {
        /// The user name.
        name: String,
        /// A role: admin, manager, reviewer or auditor (repeat, or separate with commas).
        #[arg(long = "role", required = true, value_delimiter = ',')]
        roles: Vec<String>,
    },
    /// Set a new generated password (printed once; must be changed at next sign-in).
    ResetPassword {
        /// The user name.
        name: String,
    },
}

/// `tenure agent …`
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Register an agent and issue its first API key (printed once), e.g. to provision agents
    /// from a script; grants are given in the console.
    Add {
        /// The agent's name.
        name: String,
        /// The user who owns it (an active user).
        #[arg(long)]
        owner: String,
        /// What it is for.
        #[arg(long)]
        purpose: String,
        /// production or sandbox.
        #[arg(long, default_value = "sandbox")]
        environment: String,
    },
}

/// `tenure audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the live database's evidence chain and its signed checkpoints, naming the first
    /// broken record; or, given FILE, verify an export offline (JSONL, or CSV with its manifest).
    Verify {
        /// An export (`tenure-evidence-….jsonl` or `….csv`) to verify instead of the live database.
        file: Option<std::path::PathBuf>,
        /// With FILE: the public key file (hex) from the console's Audit page.
        #[arg(long, requires = "file")]
        public_key: Option<std::path::PathBuf>,
        /// With a CSV FILE: its manifest (`….manifest.json`, downloaded beside it).
        #[arg(long, requires = "file")]
        manifest: Option<std::path::PathBuf>,
    },
}

/// Loads the settings (naming a misspelt key in the file) and starts logging, warning once
/// about each `TENURE_*` variable that is no setting; on an error says so.
pub fn settings(config: Option<&std::path::Path>) -> Result<Settings, ExitCode> {
    let settings = Settings::load(config).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })?;
    crate::telemetry::init(&settings);
    for warning in Settings::unknown_env_vars() {
        tracing::warn!("{warning}");
    }
    tracing::debug!(?settings, "settings loaded");
    Ok(settings)
}

/// Runs the parsed command.
pub async fn run(cli: Cli, settings: Settings) -> ExitCode {
    if let Some(Command::Audit(AuditCommand::Verify { file: Some(file), public_key, manifest })) = &cli.command {
        // Offline: needs neither the database nor the settings, only the file and the key.
        return verify_file(file, public_key.as_deref(), manifest.as_deref());
    }
    let state = match open(&settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(state, &settings, |_, _, _| async {}).await,
        Command::User(UserCommand::Add { name, roles }) => match state.accounts.add_user_cli(&name, &roles).await {
            Ok((user, secret)) => {
                println!(
                    "Created {} ({}). Password (shown once, must be changed at first sign-in): {secret}",
                    user.username, user.roles
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::User(UserCommand::ResetPassword { name }) => match state.accounts.reset_password_cli(&name).await {
            Ok(secret) => {
                println!(
                    "New password for {} (shown once, must be changed at next sign-in): {secret}",
                    name.trim().to_lowercase()
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Agent(AgentCommand::Add { name, owner, purpose, environment }) => {
            let new = governance::service::agents::NewAgent { name, owner, purpose, environment, ..Default::default() };
            agent_add(&state, new).await
        }
        Command::Audit(AuditCommand::Verify { .. }) => match state.audit.verify_live().await {
            Ok(LiveCheck::Intact { records, checkpoints }) => {
                println!("evidence chain intact: {records} records and {checkpoints} signed checkpoints verified");
                ExitCode::SUCCESS
            }
            Ok(LiveCheck::Broken(broken)) => {
                println!("evidence chain BROKEN at record {}: {}", broken.seq, broken.reason);
                ExitCode::FAILURE
            }
            Ok(LiveCheck::Checkpoint(why)) => {
                println!("evidence chain BROKEN: {why}");
                ExitCode::FAILURE
            }
            Err(e) => fail(e),
        },
    }
}

/// Opens the configured database (migrating it) and the services over it; on the first start
/// prints the first admin's password once.
pub async fn open(settings: &Settings) -> Result<app::server::state::AppState, ExitCode> {
    let (state, first_admin) = startup::prepare(settings).await.map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })?;
    if let Some(secret) = &first_admin {
        println!(
            "\n  Tenure created the first user.\n    user name: admin\n    password:  {secret}\n  It is shown only this once and must be changed at first sign-in.\n"
        );
    }
    Ok(state)
}

/// `tenure audit verify FILE --public-key KEY [--manifest MANIFEST]`: offline verification of
/// an export; a CSV file is checked against its manifest file.
fn verify_file(file: &std::path::Path, key: Option<&std::path::Path>, manifest: Option<&std::path::Path>) -> ExitCode {
    use std::io::BufRead;
    let Some(key) = key else {
        eprintln!("error: give the public key: --public-key tenure-checkpoint-….pub (from the Audit page)");
        return ExitCode::FAILURE;
    };
    let public = match std::fs::read_to_string(key).map_err(|e| e.to_string()).and_then(|t| public_from_hex(&t)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {}: {e}", key.display());
            return ExitCode::FAILURE;
        }
    };
    let reader = match std::fs::File::open(file) {
        Ok(f) => std::io::BufReader::new(f),
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let csv = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let verified = match (csv, manifest) {
        (false, None) => verify_lines(reader.lines(), &public),
        (false, Some(_)) => {
            eprintln!("error: a JSONL export carries its manifest as its first line; --manifest is for CSV files");
            return ExitCode::FAILURE;
        }
        (true, None) => {
            eprintln!("error: give the CSV export's manifest: --manifest tenure-evidence-….manifest.json");
            return ExitCode::FAILURE;
        }
        (true, Some(m)) => match std::fs::read_to_string(m) {
            Ok(text) => verify_csv(reader, &text, &public),
            Err(e) => {
                eprintln!("error: {}: {e}", m.display());
                return ExitCode::FAILURE;
            }
        },
    };
    match verified {
        Ok(v) if v.chain_complete => {
            println!(
                "export intact: {} records, the whole chain up to the signed checkpoint at record {}",
                v.count,
                v.checkpoint_seq.unwrap_or(0)
            );
            ExitCode::SUCCESS
        }
        Ok(v) => {
            println!(
                "export intact: {} records, each unaltered and in order (a filtered export: completeness is proven only by an unfiltered one)",
                v.count
            );
            ExitCode::SUCCESS
        }
        Err(why) => {
            println!("export BROKEN: {why}");
            ExitCode::FAILURE
        }
    }
}

/// `tenure agent add`: registers the agent and prints its first key once.
async fn agent_add(state: &app::server::state::AppState, new: governance::service::agents::NewAgent) -> ExitCode {
    match state.agents.register_cli(new).await {
        Ok((agent, secret)) => {
            println!("Registered agent {} (id {}). API key (shown once): {secret}", agent.name, agent.id);
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn fail(e: governance::GovError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::FAILURE
}

/// Serves until a shutdown signal. Once listening, `beside` gets the state, the address
/// (`http://…`) and a receiver that turns true when shutting down begins, for work that runs
/// beside the server (the demo's simulated agents).
pub async fn serve<F, Fut>(state: app::server::state::AppState, settings: &Settings, beside: F) -> ExitCode
where
    F: FnOnce(app::server::state::AppState, String, tokio::sync::watch::Receiver<bool>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let listener = match tokio::net::TcpListener::bind(&settings.bind).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", settings.bind);
            return ExitCode::FAILURE;
        }
    };
    let backend = state.database_kind();
    let address = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| settings.bind.clone());
    tracing::info!(address = %address, database = %backend, "Tenure is serving on http://{address}");
    // Work beside the server stops as soon as shutting down begins.
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        startup::shutdown_signal().await;
        let _ = stopping.send(true);
    };
    let serving = tokio::spawn(startup::launch_with_listener(state.clone(), settings.clone(), listener, shutdown));
    beside(state, format!("http://{address}"), stop).await;
    match serving.await.unwrap_or_else(|e| Err(std::io::Error::other(e))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: server stopped: {e}");
            ExitCode::FAILURE
        }
    }
}
