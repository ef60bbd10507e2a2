//! The command line: `tenure [serve]`, `tenure user …`, `tenure audit verify`.

use crate::settings::{Settings, TABLE};
use crate::startup;
use clap::{Parser, Subcommand};
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
    /// Serve, seed a demo organisation (people, agents, grants) and run simulated agents.
    Demo,
    /// Manage console users.
    #[command(subcommand)]
    User(UserCommand),
    /// Work with the evidence trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Measure decisions per second and latency against a bare axum echo (prints a table).
    Bench {
        /// Also measure on PostgreSQL: a server URL where a scratch database may be created.
        #[arg(long)]
        postgres: Option<String>,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
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

/// `tenure audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the live database's evidence chain; names the first broken record.
    Verify,
}

/// Runs the parsed command.
pub async fn run(cli: Cli, settings: Settings) -> ExitCode {
    if let Some(Command::Bench { postgres, seconds }) = &cli.command {
        // The benchmark makes its own scratch databases; it never touches the configured one.
        return match crate::bench::run(postgres.clone(), *seconds).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let (state, first_admin) = match startup::prepare(&settings).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(secret) = &first_admin {
        println!(
            "\n  Tenure created the first user.\n    user name: admin\n    password:  {secret}\n  It is shown only this once and must be changed at first sign-in.\n"
        );
    }
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(state, &settings, false).await,
        Command::Demo => serve(state, &settings, true).await,
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
        Command::Audit(AuditCommand::Verify) => match state.store.verify_evidence().await {
            Ok(Ok(n)) => {
                println!("evidence chain intact: {n} records verified");
                ExitCode::SUCCESS
            }
            Ok(Err(broken)) => {
                println!("evidence chain BROKEN at record {}: {}", broken.seq, broken.reason);
                ExitCode::FAILURE
            }
            Err(e) => fail(e),
        },
        // Handled before the configured database is opened.
        Command::Bench { .. } => ExitCode::SUCCESS,
    }
}

fn fail(e: governance::GovError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::FAILURE
}

async fn serve(state: app::server::state::AppState, settings: &Settings, demo: bool) -> ExitCode {
    let listener = match tokio::net::TcpListener::bind(&settings.bind).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", settings.bind);
            return ExitCode::FAILURE;
        }
    };
    let backend = format!("{:?}", state.store.backend()).to_lowercase();
    let address = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| settings.bind.clone());
    tracing::info!(address = %address, database = %backend, "Tenure is serving on http://{address}");
    let serving = tokio::spawn(startup::launch_with_listener(
        state.clone(),
        settings.clone(),
        listener,
        startup::shutdown_signal(),
    ));
    if demo && let Err(e) = crate::demo::start(&state, format!("http://{address}")).await {
        eprintln!("error: the demo could not be set up: {e}");
    }
    match serving.await.unwrap_or_else(|e| Err(std::io::Error::other(e))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: server stopped: {e}");
            ExitCode::FAILURE
        }
    }
}
