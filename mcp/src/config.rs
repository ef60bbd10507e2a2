//! The gateway's configuration file (TOML): where Tenure is, how long a held call waits, and per
//! upstream MCP server how to reach it, which agent's key its calls are made with, and how each
//! tool's call becomes a request. Every error names the key at fault.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The whole file.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Tenure's base URL, e.g. `http://127.0.0.1:3000`.
    pub tenure_url: String,
    /// Seconds a call held for a person waits before it answers "pending" (default 50).
    #[serde(default = "default_hold")]
    pub hold_seconds: u64,
    /// Seconds between progress notifications while a call is held (default 10).
    #[serde(default = "default_progress")]
    pub progress_every_seconds: u64,
    /// A file keeping the calls left pending, so that after a restart the same call still picks
    /// up its decision (default: kept in memory only).
    #[serde(default)]
    pub state_file: Option<std::path::PathBuf>,
    #[serde(rename = "upstream", default)]
    pub upstreams: Vec<Upstream>,
}

/// One MCP server behind the gateway.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// A name for logs and errors.
    pub name: String,
    /// A program and its arguments, spoken to on stdio…
    #[serde(default)]
    pub command: Vec<String>,
    /// …or the URL of a streamable-HTTP MCP endpoint.
    #[serde(default)]
    pub url: String,
    /// Environment variables for the command.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The agent's API key (`tnr_…`)…
    #[serde(default)]
    pub agent_key: String,
    /// …or, better, the environment variable holding it.
    #[serde(default)]
    pub agent_key_env: String,
    /// The confidence each call is proposed with (default 1.0).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
    /// Per tool, how its calls become requests; a tool not listed is asked for under its own
    /// name with its arguments as params.
    #[serde(default)]
    pub tools: BTreeMap<String, ToolMapping>,
}

/// How one tool's calls become requests.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ToolMapping {
    /// The capability asked for (default: the tool's name).
    #[serde(default)]
    pub capability: String,
    /// `param = "argument"`: the params sent, each taken from the argument named (default:
    /// every argument under its own name).
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// The confidence for this tool's calls (default: the upstream's).
    #[serde(default)]
    pub confidence: Option<f64>,
}

/// How an upstream is reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transport {
    Stdio { program: String, args: Vec<String>, env: BTreeMap<String, String> },
    Http { url: String },
}

fn default_hold() -> u64 {
    50
}

fn default_progress() -> u64 {
    10
}

fn default_confidence() -> f64 {
    1.0
}

impl Config {
    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let config: Config = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        config.check().map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(config)
    }

    /// Checks every value, naming the key that is wrong.
    pub fn check(&self) -> Result<(), String> {
        check_url(&self.tenure_url).map_err(|e| format!("tenure_url: {e}"))?;
        if !(1..=3600).contains(&self.hold_seconds) {
            return Err("hold_seconds: must be 1 to 3600".into());
        }
        if !(1..=300).contains(&self.progress_every_seconds) {
            return Err("progress_every_seconds: must be 1 to 300".into());
        }
        if self.upstreams.is_empty() {
            return Err("upstream: name at least one MCP server ([[upstream]])".into());
        }
        let mut names = std::collections::BTreeSet::new();
        for (i, u) in self.upstreams.iter().enumerate() {
            let at = format!("upstream[{i}]");
            if u.name.trim().is_empty() {
                return Err(format!("{at}.name: give the upstream a name"));
            }
            if !names.insert(u.name.as_str()) {
                return Err(format!("{at}.name: '{}' is used twice", u.name));
            }
            let at = format!("upstream '{}'", u.name);
            u.transport().map_err(|e| format!("{at}: {e}"))?;
            if u.agent_key.is_empty() == u.agent_key_env.is_empty() {
                return Err(format!("{at}: set one of agent_key and agent_key_env"));
            }
            check_confidence(u.confidence).map_err(|e| format!("{at}.confidence: {e}"))?;
            for (tool, m) in &u.tools {
                if let Some(c) = m.confidence {
                    check_confidence(c).map_err(|e| format!("{at}.tools.{tool}.confidence: {e}"))?;
                }
                if let Some((param, _)) = m.params.iter().find(|(p, a)| p.trim().is_empty() || a.trim().is_empty()) {
                    return Err(format!("{at}.tools.{tool}.params: '{param}' maps to or from an empty name"));
                }
            }
        }
        Ok(())
    }
}

impl Upstream {
    /// How to reach it: exactly one of `command` and `url`.
    pub fn transport(&self) -> Result<Transport, String> {
        match (self.command.split_first(), self.url.is_empty()) {
            (Some((program, args)), true) if !program.trim().is_empty() => {
                Ok(Transport::Stdio { program: program.clone(), args: args.to_vec(), env: self.env.clone() })
            }
            (None, false) => match check_url(&self.url) {
                Ok(()) => Ok(Transport::Http { url: self.url.clone() }),
                Err(e) => Err(format!("url: {e}")),
            },
            (Some(_), false) => Err("set command or url, not both".into()),
            _ => Err("set command (a program on stdio) or url (streamable HTTP)".into()),
        }
    }

    /// The agent's key, from the file or the environment.
    pub fn key(&self) -> Result<String, String> {
        if !self.agent_key.is_empty() {
            return Ok(self.agent_key.clone());
        }
        match std::env::var(&self.agent_key_env) {
            Ok(k) if !k.trim().is_empty() => Ok(k.trim().to_owned()),
            _ => Err(format!("upstream '{}': the environment variable {} is not set", self.name, self.agent_key_env)),
        }
    }

    /// How calls of `tool` become requests.
    pub fn mapping(&self, tool: &str) -> ToolMapping {
        self.tools.get(tool).cloned().unwrap_or_default()
    }
}

/// An `http://` or `https://` URL.
fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(format!("'{url}' must start with http:// or https://"))
    }
}

fn check_confidence(c: f64) -> Result<(), String> {
    if (0.0..=1.0).contains(&c) { Ok(()) } else { Err(format!("{c} is not between 0 and 1")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        let c: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        c.check().map(|()| c)
    }

    const GOOD: &str = r#"
        tenure_url = "http://127.0.0.1:3000"
        [[upstream]]
        name = "payments"
        command = ["python3", "payments.py"]
        agent_key_env = "PAYMENTS_KEY"
        [upstream.tools.issue_refund]
        capability = "finance.refund.issue"
        params = { order_id = "order", amount = "amount" }
        [[upstream]]
        name = "reports"
        url = "http://127.0.0.1:8000/mcp"
        agent_key = "tnr_x"
        confidence = 0.8
    "#;

    #[test]
    fn a_good_file_reads_with_its_defaults() {
        let c = parse(GOOD).unwrap();
        assert_eq!((c.hold_seconds, c.progress_every_seconds), (50, 10));
        let pay = &c.upstreams[0];
        assert_eq!(
            pay.transport(),
            Ok(Transport::Stdio { program: "python3".into(), args: vec!["payments.py".into()], env: BTreeMap::new() })
        );
        assert_eq!(pay.confidence, 1.0);
        assert_eq!(pay.mapping("issue_refund").capability, "finance.refund.issue");
        assert_eq!(pay.mapping("other"), ToolMapping::default());
        assert_eq!(c.upstreams[1].transport(), Ok(Transport::Http { url: "http://127.0.0.1:8000/mcp".into() }));
    }

    #[test]
    fn each_mistake_names_its_key() {
        let cases = [
            (GOOD.replace("http://127.0.0.1:3000", "localhost:3000"), "tenure_url:"),
            (GOOD.replace("command = [\"python3\", \"payments.py\"]", ""), "upstream 'payments': set command"),
            (GOOD.replace("agent_key_env = \"PAYMENTS_KEY\"", ""), "upstream 'payments': set one of agent_key"),
            (GOOD.replace("confidence = 0.8", "confidence = 1.5"), "upstream 'reports'.confidence: 1.5"),
            (GOOD.replace("name = \"reports\"", "name = \"payments\""), "upstream[1].name: 'payments' is used twice"),
            (GOOD.replace("url = \"http://127.0.0.1:8000/mcp\"", "url = \"ftp://x\""), "upstream 'reports': url:"),
            (format!("hold_seconds = 0\n{GOOD}"), "hold_seconds:"),
        ];
        for (text, expected) in cases {
            let err = parse(&text).unwrap_err();
            assert!(err.starts_with(expected), "{err:?} should start with {expected:?}");
        }
        let typo = parse(&GOOD.replace("agent_key = ", "agent_kye = ")).unwrap_err();
        assert!(typo.contains("unknown field `agent_kye`"), "{typo}");
    }
}
