//! Agents as the engine sees them: validated names, environments and the kill-switch status.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An agent's name: 3–64 characters, lowercase letters, digits, `.`, `_` or `-`, starting
/// with a letter (`support-bot`, `refunds.eu-1`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AgentName(String);

impl AgentName {
    /// Checks a name as typed (surrounding space ignored, folded to lowercase).
    pub fn parse(raw: &str) -> Result<AgentName, String> {
        // The same rules as for user names keep identifiers in the trail uniform.
        crate::username::Username::parse(raw).map(|u| AgentName(u.as_str().to_owned()))
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an agent acts: real operations, or a sandbox whose every answer is marked as such.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Production,
    Sandbox,
}

impl Environment {
    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Sandbox => "sandbox",
        }
    }

    /// Parses `production` or `sandbox`.
    pub fn parse(s: &str) -> Result<Environment, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "production" => Ok(Environment::Production),
            "sandbox" => Ok(Environment::Sandbox),
            other => Err(format!("'{other}' is not an environment: choose production or sandbox")),
        }
    }
}

pub use vocab::AgentStatus;

/// A reason for a suspension or reinstatement: required, and bounded.
pub fn parse_reason(raw: &str) -> Result<String, String> {
    let r = raw.trim();
    if r.chars().count() < 3 {
        return Err("give a reason (at least 3 characters)".into());
    }
    if r.chars().count() > 1000 {
        return Err("keep the reason under 1000 characters".into());
    }
    Ok(r.to_owned())
}

/// Free text such as a purpose or model note: trimmed and bounded; `required` refuses empty.
pub fn parse_text(raw: &str, max: usize, required: bool) -> Result<String, String> {
    let t = raw.trim();
    if required && t.is_empty() {
        return Err("this cannot be empty".into());
    }
    if t.chars().count() > max {
        return Err(format!("keep this under {max} characters"));
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_names_follow_the_identifier_rules() {
        assert_eq!(AgentName::parse(" Support-Bot ").unwrap().as_str(), "support-bot");
        assert!(AgentName::parse("1bot").is_err());
        assert!(AgentName::parse("a bot").is_err());
    }

    #[test]
    fn environments_parse_and_name_the_bad_value() {
        assert_eq!(Environment::parse("Sandbox"), Ok(Environment::Sandbox));
        assert!(Environment::parse("staging").unwrap_err().contains("staging"));
    }

    #[test]
    fn reasons_and_texts_are_bounded() {
        assert!(parse_reason(" x ").is_err());
        assert_eq!(parse_reason(" incident 42 ").unwrap(), "incident 42");
        assert!(parse_text("", 10, true).is_err());
        assert_eq!(parse_text("", 10, false).unwrap(), "");
        assert!(parse_text(&"x".repeat(11), 10, false).is_err());
    }
}
