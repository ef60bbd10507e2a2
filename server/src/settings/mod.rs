//! Settings, layered: built-in defaults → `tenure.toml` (optional) → `TENURE_*` environment
//! variables (`DATABASE_URL` is honoured too). Secrets are redacted in `Debug`.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

mod keys;
pub use keys::TABLE;
use keys::{NOT_SETTINGS, check_known_keys, is_setting};

/// Everything an operator can set. The README and `tenure --help` list the same table.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct Settings {
    /// Address and port to listen on.
    pub bind: String,
    /// Folder for the SQLite database and other local state.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; empty means `sqlite://<data_dir>/tenure.db`.
    pub database_url: String,
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    pub cookie_secure: bool,
    /// Minutes without activity after which a session ends.
    pub session_idle_minutes: i64,
    /// Failed sign-ins of one account from one address, within the window, that lock it there
    /// (the account from anywhere locks at three times this, an address at ten times).
    pub login_max_failures: u64,
    /// Length of the sign-in throttling window, in minutes.
    pub login_window_minutes: i64,
    /// Extra origin accepted on form posts, e.g. `https://tenure.example.com` behind a proxy.
    pub public_origin: String,
    /// A header the reverse proxy in front of Tenure sets to the client's address (e.g.
    /// `X-Forwarded-For`; the rightmost address in it is used); empty: the TCP peer's address.
    pub client_ip_header: String,
    /// Open connections at most; 0: as many as the open-file limit allows, less 256.
    pub max_connections: usize,
    /// Seconds a connection may take to send a request's headers, or stay idle between requests.
    pub header_timeout_seconds: u64,
    /// Longest `?wait=` of the agent API's long-polls, in seconds (keep it below your proxy's
    /// read timeout).
    pub long_poll_max_seconds: u64,
    /// Log level filter (`info`, `debug`, `tenure=debug,info`, …).
    pub log_level: String,
    /// `text` or `json`.
    pub log_format: String,
    /// Folder holding the optional WebAssembly bundle (`pkg/`) for hydration.
    pub site_root: PathBuf,
    /// The Ed25519 key checkpoints are signed with (64 hex digits); empty means the key file
    /// in the data folder, created at first start. Several instances must share one key.
    pub checkpoint_key: String,
    /// Sign a checkpoint after this many new evidence records…
    pub checkpoint_every_records: i64,
    /// …or after this many minutes with new records, whichever comes first.
    pub checkpoint_every_minutes: i64,
    /// Hours a prepared export file is kept in `<data_dir>/exports` (later downloads stream it
    /// again from the database).
    pub export_keep_hours: i64,
    /// Seconds between passes of the monitoring job.
    pub monitor_every_seconds: u64,
    /// A bearer token that opens `/metrics` on the main listener (at least 16 characters);
    /// empty: `/metrics` is not served there.
    pub metrics_token: String,
    /// Seconds before a failed webhook delivery is tried again the first time (each later wait
    /// doubles, at most an hour; the eighth failure makes a dead letter).
    pub webhook_retry_seconds: u64,
    /// Attempts in all before a webhook delivery becomes a dead letter.
    pub webhook_max_attempts: u32,
    /// A second address serving only `/metrics`, without a token unless `metrics_token` is set
    /// too (bind it to a private interface); empty: no second listener.
    pub metrics_bind: String,
    /// Minutes a reviewer's claim on an inbox item holds without them touching it; then anyone
    /// may take it.
    pub claim_idle_minutes: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bind: "127.0.0.1:3000".into(),
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            cookie_secure: false,
            session_idle_minutes: 120,
            login_max_failures: 5,
            login_window_minutes: 15,
            public_origin: String::new(),
            client_ip_header: String::new(),
            max_connections: 0,
            header_timeout_seconds: 10,
            long_poll_max_seconds: 60,
            log_level: "info".into(),
            log_format: "text".into(),
            site_root: PathBuf::from("target/site"),
            checkpoint_key: String::new(),
            checkpoint_every_records: 1000,
            checkpoint_every_minutes: 10,
            export_keep_hours: 24,
            monitor_every_seconds: 60,
            metrics_token: String::new(),
            webhook_retry_seconds: 10,
            webhook_max_attempts: 8,
            metrics_bind: String::new(),
            claim_idle_minutes: governance::queue::DEFAULT_CLAIM_IDLE_MINUTES,
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url()))
            .field("cookie_secure", &self.cookie_secure)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("login_max_failures", &self.login_max_failures)
            .field("login_window_minutes", &self.login_window_minutes)
            .field("public_origin", &self.public_origin)
            .field("client_ip_header", &self.client_ip_header)
            .field("max_connections", &self.max_connections)
            .field("header_timeout_seconds", &self.header_timeout_seconds)
            .field("long_poll_max_seconds", &self.long_poll_max_seconds)
            .field("log_level", &self.log_level)
            .field("log_format", &self.log_format)
            .field("site_root", &self.site_root)
            .field("checkpoint_key", &if self.checkpoint_key.is_empty() { "(key file)" } else { "***" })
            .field("checkpoint_every_records", &self.checkpoint_every_records)
            .field("checkpoint_every_minutes", &self.checkpoint_every_minutes)
            .field("export_keep_hours", &self.export_keep_hours)
            .field("monitor_every_seconds", &self.monitor_every_seconds)
            .field("metrics_token", &if self.metrics_token.is_empty() { "(none)" } else { "***" })
            .field("webhook_retry_seconds", &self.webhook_retry_seconds)
            .field("webhook_max_attempts", &self.webhook_max_attempts)
            .field("claim_idle_minutes", &self.claim_idle_minutes)
            .field("metrics_bind", &self.metrics_bind)
            .finish()
    }
}

/// A URL with any password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Settings {
    /// Loads the layers; `file` defaults to `tenure.toml` in the working directory.
    pub fn load(file: Option<&Path>) -> Result<Settings, String> {
        let path = file.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("tenure.toml"));
        if file.is_some() && !path.exists() {
            return Err(format!("settings file {} does not exist", path.display()));
        }
        check_known_keys(&path)?;
        let mut figment = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(&path))
            .merge(Env::prefixed("TENURE_").ignore(NOT_SETTINGS).filter(|k| is_setting(k.as_str())));
        if let Ok(url) = std::env::var("DATABASE_URL") {
            figment = figment.merge(Serialized::default("database_url", url));
        }
        let s: Settings = figment.extract().map_err(|e| format!("invalid settings: {e}"))?;
        s.validate()?;
        Ok(s)
    }

    /// What to warn about once at start: each `TENURE_*` environment variable that names no
    /// setting (ignored; a typo in the settings file is an error instead).
    pub fn unknown_env_vars() -> Vec<String> {
        keys::unknown_env(std::env::vars_os().filter_map(|(k, _)| k.into_string().ok()))
    }

    /// Checks each value, naming the setting that is wrong.
    pub fn validate(&self) -> Result<(), String> {
        self.bind.parse::<SocketAddr>().map_err(|e| format!("bind: '{}' is not an address:port ({e})", self.bind))?;
        let url = self.database_url();
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(format!("database_url: '{}' must start with sqlite: or postgres://", redact_url(&url)));
        }
        if self.session_idle_minutes < 1 {
            return Err("session_idle_minutes: must be at least 1".into());
        }
        if self.login_max_failures < 1 || self.login_window_minutes < 1 {
            return Err("login_max_failures and login_window_minutes: must be at least 1".into());
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return Err(format!("log_format: '{}' must be text or json", self.log_format));
        }
        if !self.checkpoint_key.is_empty() {
            governance::checkpoint::key_from_hex(&self.checkpoint_key).map_err(|e| format!("checkpoint_key: {e}"))?;
        }
        if self.checkpoint_every_records < 1 || self.checkpoint_every_minutes < 1 {
            return Err("checkpoint_every_records and checkpoint_every_minutes: must be at least 1".into());
        }
        if self.export_keep_hours < 1 {
            return Err("export_keep_hours: must be at least 1".into());
        }
        if !(1..=3600).contains(&self.monitor_every_seconds) {
            return Err("monitor_every_seconds: must be 1 to 3600".into());
        }
        if !(1..=3600).contains(&self.long_poll_max_seconds) {
            return Err("long_poll_max_seconds: must be 1 to 3600".into());
        }
        if self.header_timeout_seconds < 1 {
            return Err("header_timeout_seconds: must be at least 1".into());
        }
        if !self.client_ip_header.is_empty()
            && axum::http::HeaderName::from_bytes(self.client_ip_header.as_bytes()).is_err()
        {
            return Err(format!("client_ip_header: '{}' is not a header name", self.client_ip_header));
        }
        if !(1..=3600).contains(&self.webhook_retry_seconds) {
            return Err("webhook_retry_seconds: must be 1 to 3600".into());
        }
        if !(1..=7 * 24 * 60).contains(&self.claim_idle_minutes) {
            return Err("claim_idle_minutes: must be 1 to 10080 (a week)".into());
        }
        if !(1..=20).contains(&self.webhook_max_attempts) {
            return Err("webhook_max_attempts: must be 1 to 20".into());
        }
        if !self.metrics_token.is_empty() && self.metrics_token.chars().count() < 16 {
            return Err("metrics_token: must be at least 16 characters".into());
        }
        if !self.metrics_bind.is_empty() {
            let at = self.metrics_bind.parse::<SocketAddr>();
            let at = at.map_err(|e| format!("metrics_bind: '{}' is not an address:port ({e})", self.metrics_bind))?;
            if self.bind.parse::<SocketAddr>().is_ok_and(|b| b == at && at.port() != 0) {
                return Err("metrics_bind: must differ from bind".into());
            }
        }
        if !self.public_origin.is_empty() && !self.public_origin.contains("://") {
            return Err(format!("public_origin: '{}' must look like https://host[:port]", self.public_origin));
        }
        Ok(())
    }

    /// The checkpoint signing key: the setting, else the key file in the data folder, created
    /// (readable by the owner only) when missing.
    pub fn checkpoint_signer(&self) -> Result<governance::service::audit::Signer, String> {
        use governance::service::audit::Signer;
        if !self.checkpoint_key.is_empty() {
            return Signer::from_hex(&self.checkpoint_key).map_err(|e| format!("checkpoint_key: {e}"));
        }
        let path = self.data_dir.join("checkpoint.key");
        if !path.exists() {
            std::fs::create_dir_all(&self.data_dir)
                .map_err(|e| format!("cannot create {}: {e}", self.data_dir.display()))?;
            write_private(&path, &governance::checkpoint::generate_key_hex())?;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Signer::from_hex(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// How failed webhook deliveries are tried again.
    pub fn webhook_retry(&self) -> governance::notify::Retry {
        governance::notify::Retry {
            base: chrono::Duration::seconds(i64::try_from(self.webhook_retry_seconds).unwrap_or(10)),
            max_attempts: i32::try_from(self.webhook_max_attempts).unwrap_or(8),
        }
    }

    /// The console's base URL for links in notifications: `public_origin`, else `http://<bind>`.
    pub fn console_url(&self) -> String {
        if self.public_origin.is_empty() { format!("http://{}", self.bind) } else { self.public_origin.clone() }
    }

    /// The database URL, defaulting to the SQLite file in the data folder.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.data_dir.join("tenure.db").display())
        } else {
            self.database_url.clone()
        }
    }
}

/// Writes a secret file readable by its owner only.
fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    f.write_all(text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_point_at_the_data_folder() {
        let s = Settings::default();
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.database_url(), "sqlite://data/tenure.db?mode=rwc");
    }

    #[test]
    fn bad_values_name_the_setting() {
        let s = Settings { bind: "nowhere".into(), ..Settings::default() };
        assert!(s.validate().unwrap_err().starts_with("bind:"));
        let s = Settings { database_url: "mysql://x".into(), ..Settings::default() };
        assert!(s.validate().unwrap_err().starts_with("database_url:"));
        let s = Settings { log_format: "xml".into(), ..Settings::default() };
        assert!(s.validate().unwrap_err().starts_with("log_format:"));
    }

    #[test]
    fn a_checkpoint_key_must_be_an_ed25519_key_and_never_shows() {
        let s = Settings { checkpoint_key: "abc".into(), ..Settings::default() };
        assert!(s.validate().unwrap_err().starts_with("checkpoint_key:"));
        let s = Settings { checkpoint_key: "7".repeat(64), ..Settings::default() };
        assert_eq!(s.validate(), Ok(()));
        assert!(!format!("{s:?}").contains("7777"));
    }

    #[test]
    fn the_metrics_settings_are_checked_and_the_token_never_shows() {
        let s = Settings { metrics_token: "short".into(), ..Settings::default() };
        assert_eq!(s.validate().unwrap_err(), "metrics_token: must be at least 16 characters");
        let s = Settings { metrics_bind: "private".into(), ..Settings::default() };
        assert!(s.validate().unwrap_err().starts_with("metrics_bind: 'private' is not an address:port"));
        let s = Settings { metrics_bind: "127.0.0.1:3000".into(), ..Settings::default() };
        assert_eq!(s.validate().unwrap_err(), "metrics_bind: must differ from bind");
        let s = Settings {
            metrics_token: "scrape-me-please-1234".into(),
            metrics_bind: "10.0.0.5:9464".into(),
            ..Settings::default()
        };
        assert_eq!(s.validate(), Ok(()));
        assert!(!format!("{s:?}").contains("scrape-me"));
    }

    #[test]
    fn debug_redacts_database_passwords() {
        let s = Settings { database_url: "postgres://tenure:hunter2@db:5432/tenure".into(), ..Settings::default() };
        let shown = format!("{s:?}");
        assert!(!shown.contains("hunter2") && shown.contains("tenure:***@db"), "{shown}");
    }
}
