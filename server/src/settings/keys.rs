//! Which settings exist: the table `tenure --help` and the README show, and the refusal of a
//! settings-file key or `TENURE_*` variable that names none (with the nearest one named).

use figment::providers::{Format, Toml};
use std::path::Path;

/// The settings table for `--help` and the README: name, environment variable, default, meaning.
pub const TABLE: &[(&str, &str, &str, &str)] = &[
    ("bind", "TENURE_BIND", "127.0.0.1:3000", "address and port to listen on"),
    ("data_dir", "TENURE_DATA_DIR", "data", "folder for the SQLite database"),
    (
        "database_url",
        "DATABASE_URL or TENURE_DATABASE_URL",
        "sqlite://<data_dir>/tenure.db",
        "sqlite://… or postgres://…",
    ),
    ("cookie_secure", "TENURE_COOKIE_SECURE", "false", "mark the session cookie Secure (HTTPS)"),
    ("session_idle_minutes", "TENURE_SESSION_IDLE_MINUTES", "120", "idle minutes before a session ends"),
    (
        "login_max_failures",
        "TENURE_LOGIN_MAX_FAILURES",
        "5",
        "failed sign-ins that lock an account on one address (x3 anywhere, x10 per address)",
    ),
    ("login_window_minutes", "TENURE_LOGIN_WINDOW_MINUTES", "15", "sign-in throttling window"),
    ("public_origin", "TENURE_PUBLIC_ORIGIN", "(none)", "extra accepted Origin for form posts"),
    (
        "client_ip_header",
        "TENURE_CLIENT_IP_HEADER",
        "(none)",
        "header your reverse proxy sets to the client address, e.g. X-Forwarded-For",
    ),
    ("max_connections", "TENURE_MAX_CONNECTIONS", "0", "open connections at most (0: open-file limit less 256)"),
    ("header_timeout_seconds", "TENURE_HEADER_TIMEOUT_SECONDS", "10", "seconds to send headers or sit idle"),
    ("long_poll_max_seconds", "TENURE_LONG_POLL_MAX_SECONDS", "60", "longest ?wait= of the agent API's long-polls"),
    ("log_level", "TENURE_LOG_LEVEL", "info", "log filter"),
    ("log_format", "TENURE_LOG_FORMAT", "text", "text or json"),
    ("site_root", "TENURE_SITE_ROOT", "target/site", "folder of the optional wasm bundle (pkg/)"),
    (
        "checkpoint_key",
        "TENURE_CHECKPOINT_KEY",
        "<data_dir>/checkpoint.key",
        "Ed25519 signing key for checkpoints, 64 hex digits (share it between instances)",
    ),
    (
        "checkpoint_every_records",
        "TENURE_CHECKPOINT_EVERY_RECORDS",
        "1000",
        "sign a checkpoint after this many records",
    ),
    ("checkpoint_every_minutes", "TENURE_CHECKPOINT_EVERY_MINUTES", "10", "…or after this many minutes"),
    ("export_keep_hours", "TENURE_EXPORT_KEEP_HOURS", "24", "hours a prepared export file stays in <data_dir>/exports"),
    ("monitor_every_seconds", "TENURE_MONITOR_EVERY_SECONDS", "60", "seconds between passes of the monitoring job"),
    (
        "metrics_token",
        "TENURE_METRICS_TOKEN",
        "(none)",
        "bearer token opening /metrics on the main listener (16+ characters)",
    ),
    ("metrics_bind", "TENURE_METRICS_BIND", "(none)", "second address serving only /metrics (keep it private)"),
    (
        "webhook_retry_seconds",
        "TENURE_WEBHOOK_RETRY_SECONDS",
        "10",
        "first wait before a failed notification is sent again (doubling, at most 1 h)",
    ),
    (
        "webhook_max_attempts",
        "TENURE_WEBHOOK_MAX_ATTEMPTS",
        "8",
        "attempts before a notification becomes a dead letter",
    ),
    (
        "claim_idle_minutes",
        "TENURE_CLAIM_IDLE_MINUTES",
        "30",
        "minutes a reviewer's claim on an inbox item holds untouched",
    ),
];

/// `TENURE_*` variables that are not settings: the settings file's path, and what Tenure's own
/// test harnesses pass to the processes they start.
pub(super) const NOT_SETTINGS: &[&str] =
    &["CONFIG", "TEST_PG_URL", "CI_PG_URL", "BIN", "TOOLS_BIN", "E2E_PORT", "E2E_DEMO_PORT", "ADMIN_PASSWORD"];

/// The setting named like `key`, when there is one close enough to be a typo of it.
fn nearest(key: &str) -> Option<&'static str> {
    TABLE
        .iter()
        .map(|row| (strsim::damerau_levenshtein(key, row.0), row.0))
        .filter(|(d, name)| *d <= 3 && *d < name.len() / 2 + 1)
        .min()
        .map(|(_, name)| name)
}

/// What to say about an unknown key: its name and, if there is one, the nearest setting.
fn unknown(shown: &str, key: &str, as_env: bool) -> String {
    match nearest(key) {
        Some(n) if as_env => format!("{shown} is not a setting; did you mean TENURE_{}?", n.to_uppercase()),
        Some(n) => format!("{shown} is not a setting; did you mean {n}?"),
        None => format!("{shown} is not a setting (see tenure --help for the list)"),
    }
}

/// Whether `key` (a settings file key, or a `TENURE_*` variable's name without the prefix,
/// in any case) names a setting.
pub(super) fn is_setting(key: &str) -> bool {
    TABLE.iter().any(|row| row.0.eq_ignore_ascii_case(key))
}

/// Refuses a settings file key that names no setting, so a typo in the file does not
/// silently leave a default in force.
pub(super) fn check_known_keys(file: &Path) -> Result<(), String> {
    use figment::Provider;
    if file.exists() {
        let data = Toml::file(file).data().map_err(|e| format!("invalid settings: {e}"))?;
        for key in data.values().flat_map(|dict| dict.keys()) {
            if !TABLE.iter().any(|row| row.0 == key) {
                return Err(format!("{}: {}", file.display(), unknown(&format!("'{key}'"), key, false)));
            }
        }
    }
    Ok(())
}

/// A warning for each `TENURE_*` variable in `vars` that names no setting. A deployment
/// sets variables Tenure does not own — Kubernetes gives every pod of a namespace with a
/// Service named `tenure` `TENURE_PORT=tcp://…`, `TENURE_SERVICE_HOST` and more — so these
/// are ignored and said once at start, never fatal.
pub(super) fn unknown_env(vars: impl Iterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    for name in vars {
        let Some(rest) = name.strip_prefix("TENURE_") else { continue };
        if !is_setting(rest) && !NOT_SETTINGS.contains(&rest) {
            out.push(format!("{}; ignored", unknown(&name, &rest.to_lowercase(), true)));
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Settings;

    #[test]
    fn a_misspelt_key_is_named_with_the_nearest_setting() {
        assert_eq!(nearest("bnid"), Some("bind"));
        assert_eq!(nearest("login_max_failure"), Some("login_max_failures"));
        assert_eq!(nearest("session_idle_mins"), Some("session_idle_minutes"));
        assert_eq!(nearest("colour"), None);
        assert_eq!(unknown("TENURE_BNID", "bnid", true), "TENURE_BNID is not a setting; did you mean TENURE_BIND?");
        let dir = std::env::temp_dir().join(format!("tenure-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("tenure.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:3000\"\ncookie_secur = true\n").unwrap();
        let err = check_known_keys(&file).unwrap_err();
        assert!(err.ends_with("'cookie_secur' is not a setting; did you mean cookie_secure?"), "{err}");
        std::fs::write(&file, "bind = \"127.0.0.1:3000\"\n").unwrap();
        assert_eq!(check_known_keys(&file), Ok(()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unknown_environment_variables_are_warned_about_not_fatal() {
        let k8s = [
            "TENURE_PORT=tcp://10.0.0.7:3000",
            "TENURE_SERVICE_HOST=10.0.0.7",
            "TENURE_PORT_3000_TCP_ADDR=10.0.0.7",
            "TENURE_BNID=0.0.0.0:3000",
            "TENURE_BIND=0.0.0.0:3000",
            "TENURE_CONFIG=/etc/tenure.toml",
            "HOME=/root",
        ];
        let names = k8s.iter().map(|kv| kv.split_once('=').unwrap().0.to_owned());
        assert_eq!(
            unknown_env(names),
            [
                "TENURE_BNID is not a setting; did you mean TENURE_BIND?; ignored",
                "TENURE_PORT is not a setting (see tenure --help for the list); ignored",
                "TENURE_PORT_3000_TCP_ADDR is not a setting (see tenure --help for the list); ignored",
                "TENURE_SERVICE_HOST is not a setting (see tenure --help for the list); ignored",
            ]
        );
    }

    #[test]
    fn every_setting_is_in_the_table() {
        let json = serde_json::to_value(Settings::default()).unwrap();
        let keys: Vec<&str> = TABLE.iter().map(|r| r.0).collect();
        for k in json.as_object().unwrap().keys() {
            assert!(keys.contains(&k.as_str()), "{k} missing from TABLE");
        }
    }
}
