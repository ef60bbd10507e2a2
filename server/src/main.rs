//! `tenure`: see `tenure --help`.
#![forbid(unsafe_code)]

use clap::Parser;
use server::cli::{self, Cli};
use std::process::ExitCode;

/// mimalloc: under many concurrent requests glibc's allocator cost a fifth of the CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli::settings(cli.config.as_deref()) {
        Ok(settings) => cli::run(cli, settings).await,
        Err(code) => code,
    }
}
