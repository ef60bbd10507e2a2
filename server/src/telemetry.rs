//! Structured logs (text or JSON), each request in a span carrying its request id.

use crate::settings::Settings;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; a second call (as in tests) is a no-op.
pub fn init(settings: &Settings) {
    let filter = EnvFilter::try_new(&settings.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let _ = if settings.log_format == "json" { builder.json().try_init() } else { builder.try_init() };
}
