//! `tenure-mcp --config gateway.toml`: serves the gateway on stdio (an MCP host starts it as it
//! would start the upstream server itself). `tenure-mcp check --config …` connects to every
//! upstream, lists the tools the gateway would serve and exits.

use clap::{Parser, Subcommand};
use rmcp::ServiceExt;
use std::path::PathBuf;
use tenure_mcp::config::Config;
use tenure_mcp::gateway::Gateway;

#[derive(Parser)]
#[command(name = "tenure-mcp", version, about = "An MCP gateway that asks Tenure before each tool call runs")]
struct Cli {
    /// The gateway's configuration file (TOML; see the README).
    #[arg(long, short, env = "TENURE_MCP_CONFIG")]
    config: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the gateway on stdio (the default).
    Serve,
    /// Connect to every upstream, print the tools the gateway serves, and exit.
    Check,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // Stdout is the MCP channel: logs go to stderr only.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TENURE_MCP_LOG").unwrap_or_else(|_| "info".into()),
        )
        .init();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tenure-mcp: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::load(&cli.config)?;
    let gateway = Gateway::start(&config).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Check => {
            for line in gateway.describe().await? {
                println!("{line}");
            }
            gateway.close().await;
            Ok(())
        }
        Command::Serve => {
            let running = gateway
                .serve(rmcp::transport::stdio())
                .await
                .map_err(|e| format!("the MCP session did not start: {e}"))?;
            let ended = running.waiting().await;
            tracing::info!(?ended, "the client ended the session");
            Ok(())
        }
    }
}
