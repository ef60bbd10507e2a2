//! Peer checks as pure functions: when a template asks for a second opinion, how a peer's
//! independent verdict is compared with the primary's proposal, and which tolerances apply.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;

/// When a capability needs a second agent's independent analysis.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PeerMode {
    /// No peer check.
    #[default]
    Off,
    /// Every request that would go ahead (allowed or to approval).
    Always,
    /// Only when the rule's peer condition (Cedar) holds.
    When,
}

impl PeerMode {
    /// Parses the form value.
    pub fn parse(s: &str) -> Result<PeerMode, String> {
        match s.trim() {
            "" | "off" => Ok(PeerMode::Off),
            "always" => Ok(PeerMode::Always),
            "when" => Ok(PeerMode::When),
            other => Err(format!("'{other}' is not a peer-check mode: choose off, always or when")),
        }
    }

    /// The stored and form name.
    pub fn as_str(&self) -> &'static str {
        match self {
            PeerMode::Off => "off",
            PeerMode::Always => "always",
            PeerMode::When => "when",
        }
    }
}

/// A rule's peer-check settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PeerCheck {
    pub mode: PeerMode,
    /// With `When`: a Cedar expression over the request (like the rule's own condition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Names of the agents that may act as peers (the requesting agent never does).
    #[serde(default)]
    pub pool: Vec<String>,
    /// Absolute tolerances for numeric params; a param not listed must match exactly.
    #[serde(default)]
    pub tolerances: Vec<Tolerance>,
    /// Minutes the peer has to answer before the action goes to mandatory review.
    pub deadline_minutes: i64,
}

/// How far a numeric param may differ and still count as agreement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tolerance {
    pub param: String,
    pub within: f64,
}

/// Default time a peer has to answer.
pub const DEFAULT_PEER_DEADLINE_MINUTES: i64 = 30;

pub use vocab::CheckStatus;

/// What the peer decided on the task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerDecision {
    /// The peer would take the action (with its own params).
    Proceed,
    /// The peer would not take it.
    Decline,
}

impl PeerDecision {
    /// Parses the API value.
    pub fn parse(s: &str) -> Result<PeerDecision, String> {
        match s {
            "proceed" => Ok(PeerDecision::Proceed),
            "decline" => Ok(PeerDecision::Decline),
            other => Err(format!("'{other}' is not proceed or decline")),
        }
    }
}

/// One way the two analyses differ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// `decision`, or the param's name.
    pub field: String,
    /// Readable values (JSON for non-strings; empty when missing).
    pub primary: String,
    pub peer: String,
    pub why: String,
}

/// The result of comparing the two analyses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub agree: bool,
    pub differences: Vec<Difference>,
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "text",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// Compares the primary's proposal (it proposes to act with `primary`) with the peer's
/// verdict, field by field: the decision must match; text, enums and structures must be
/// equal; numbers may differ by the param's tolerance (exactly equal when none is given).
pub fn compare(primary: &Value, decision: PeerDecision, peer: &Value, tolerances: &[Tolerance]) -> Comparison {
    let mut differences = Vec::new();
    if decision == PeerDecision::Decline {
        differences.push(Difference {
            field: "decision".into(),
            primary: "proceed".into(),
            peer: "decline".into(),
            why: "the peer would not take this action".into(),
        });
    }
    let empty = serde_json::Map::new();
    let (a, b) = (primary.as_object().unwrap_or(&empty), peer.as_object().unwrap_or(&empty));
    // A declining peer need not propose params; only compare what it did propose.
    let names: BTreeSet<&String> = if decision == PeerDecision::Decline && b.is_empty() {
        BTreeSet::new()
    } else {
        a.keys().chain(b.keys()).collect()
    };
    for name in names {
        let (x, y) = (a.get(name), b.get(name));
        let why = match (x, y) {
            (Some(_), None) => Some("the peer did not propose it".to_owned()),
            (None, Some(_)) => Some("the primary did not propose it".to_owned()),
            (Some(Value::Number(p)), Some(Value::Number(q))) => {
                let (p, q) = (p.as_f64().unwrap_or(f64::NAN), q.as_f64().unwrap_or(f64::NAN));
                let within = tolerances.iter().find(|t| &t.param == name).map_or(0.0, |t| t.within);
                let gap = (p - q).abs();
                // NaN never agrees; a tiny epsilon absorbs binary rounding of decimal input.
                (gap.is_nan() || gap > within + 1e-9).then(|| {
                    if within > 0.0 {
                        format!("differs by {gap}, more than the tolerance {within}")
                    } else {
                        format!("differs by {gap}")
                    }
                })
            }
            (Some(p), Some(q)) if kind(p) != kind(q) => Some(format!("{} against {}", kind(p), kind(q))),
            (Some(p), Some(q)) => (p != q).then(|| "differs".to_owned()),
            (None, None) => None,
        };
        if let Some(why) = why {
            differences.push(Difference { field: name.clone(), primary: show(x), peer: show(y), why });
        }
    }
    Comparison { agree: differences.is_empty(), differences }
}

/// Parses `amount: 0.5; fee: 0.01` (or new lines) into tolerances.
pub fn parse_tolerances(text: &str) -> Result<Vec<Tolerance>, String> {
    let mut out: Vec<Tolerance> = Vec::new();
    for item in text.split([';', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
        let (name, within) = item.split_once(':').ok_or_else(|| format!("'{item}' should look like amount: 0.5"))?;
        let param = name.trim();
        let ok = param.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && param.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Err(format!("'{param}' is not a param name (letters, digits, '_')"));
        }
        let within: f64 =
            within.trim().parse().map_err(|_| format!("'{}' is not a number in '{item}'", within.trim()))?;
        if !within.is_finite() || within < 0.0 {
            return Err(format!("the tolerance in '{item}' must be zero or more"));
        }
        if out.iter().any(|t| t.param == param) {
            return Err(format!("{param} has two tolerances"));
        }
        out.push(Tolerance { param: param.to_owned(), within });
    }
    Ok(out)
}

/// Shows tolerances the way [`parse_tolerances`] reads them.
pub fn show_tolerances(t: &[Tolerance]) -> String {
    t.iter().map(|t| format!("{}: {}", t.param, t.within)).collect::<Vec<_>>().join("; ")
}

/// Parses a comma-separated list of agent names for the pool.
pub fn parse_pool(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for name in text.split([',', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
        if name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            return Err(format!("'{name}' is not an agent name"));
        }
        if !out.iter().any(|n| n == name) {
            out.push(name.to_owned());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;

/// Whether a decision goes to a peer first: only when the template asks for a peer check and
/// the decision would otherwise go ahead (allowed, or to a person). Refusals and shadow
/// recommendations never wait for a peer.
pub fn routes_to_peer(decision: crate::policy::Decision, check_applies: bool) -> bool {
    use crate::policy::Decision;
    check_applies && matches!(decision, Decision::Allowed | Decision::NeedsApproval)
}
