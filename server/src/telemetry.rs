//! Structured logs (text or JSON), each request in a span carrying its request id. Colour only
//! on a terminal and never with `NO_COLOR` set, so logs written to a file or a pipe are plain
//! text; the migrator's line per migration is quiet unless asked for (start-up says in one
//! line what it applied).

use crate::settings::Settings;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Libraries whose info lines are noise for an operator (a line per migration, PostgreSQL's
/// notices such as "relation already exists, skipping", statements): warnings only, unless
/// `log_level` names them.
const QUIET: [&str; 2] = ["sea_orm_migration", "sqlx"];

/// The filter for `level`, with the [`QUIET`] libraries at warn unless `level` names them.
fn filter(level: &str) -> EnvFilter {
    let mut directives = level.to_owned();
    for library in QUIET.iter().filter(|l| !level.contains(*l)) {
        directives.push_str(&format!(",{library}=warn"));
    }
    EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info,sea_orm_migration=warn,sqlx=warn"))
}

/// Whether text logs on standard output may carry colour codes.
fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Installs the global subscriber; a second call (as in tests) is a no-op.
pub fn init(settings: &Settings) {
    let builder = tracing_subscriber::fmt().with_env_filter(filter(&settings.log_level)).with_target(false);
    let _ =
        if settings.log_format == "json" { builder.json().try_init() } else { builder.with_ansi(colour()).try_init() };
}

#[cfg(test)]
mod tests {
    use super::filter;

    #[test]
    fn the_migrator_is_quiet_unless_named() {
        assert_eq!(filter("info").to_string(), "sea_orm_migration=warn,sqlx=warn,info");
        assert_eq!(filter("debug,sea_orm_migration=info").to_string(), "sea_orm_migration=info,sqlx=warn,debug");
    }
}
