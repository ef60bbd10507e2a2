//! `tenure`: see `tenure --help`.
#![forbid(unsafe_code)]

use clap::Parser;
use server::cli::{self, Cli};
use server::{Settings, telemetry};
use std::process::ExitCode;

/// mimalloc: under many concurrent requests glibc's allocator cost a fifth of the CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&settings);
    tracing::debug!(?settings, "settings loaded");
    cli::run(cli, settings).await
}
