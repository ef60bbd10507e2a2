//! Capabilities: the named actions agents may ask for, how risky they are, whether and for
//! how long they can be undone, and the JSON Schema their params must satisfy.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex};

/// A dotted capability name such as `finance.refund.issue`: 2–6 segments, each starting with
/// a lowercase letter followed by lowercase letters, digits or `_`; at most 100 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CapabilityName(String);

impl CapabilityName {
    /// Checks a name as typed (surrounding space ignored).
    pub fn parse(raw: &str) -> Result<CapabilityName, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("enter a name such as finance.refund.issue".into());
        }
        if s.len() > 100 {
            return Err("must be at most 100 characters".into());
        }
        let segments: Vec<&str> = s.split('.').collect();
        if !(2..=6).contains(&segments.len()) {
            return Err("use 2 to 6 dot-separated parts, e.g. support.reply.send".into());
        }
        for seg in segments {
            let mut chars = seg.chars();
            match chars.next() {
                Some(c) if c.is_ascii_lowercase() => {}
                Some(_) => return Err(format!("part '{seg}' must start with a lowercase letter")),
                None => return Err("empty part between dots".into()),
            }
            if let Some(bad) = chars.find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')) {
                return Err(format!("'{bad}' is not allowed in '{seg}': use lowercase letters, digits and '_'"));
            }
        }
        Ok(CapabilityName(s.to_owned()))
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CapabilityName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How much harm a wrong action can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    Medium,
    High,
}

impl Risk {
    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }

    /// Parses `low`, `medium` or `high`.
    pub fn parse(s: &str) -> Result<Risk, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Ok(Risk::Low),
            "medium" => Ok(Risk::Medium),
            "high" => Ok(Risk::High),
            other => Err(format!("'{other}' is not a risk level: choose low, medium or high")),
        }
    }
}

/// Longest undo window: 30 days.
pub const MAX_UNDO_MINUTES: i64 = 30 * 24 * 60;

/// Whether an executed action can be undone, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reversibility {
    Irreversible,
    /// Reversible for this many minutes after it succeeded.
    Reversible {
        undo_window_minutes: i64,
    },
}

impl Reversibility {
    /// From a form: `reversible` ticked or not, and the window in minutes (required if ticked).
    pub fn parse(reversible: bool, window: &str) -> Result<Reversibility, String> {
        if !reversible {
            return Ok(Reversibility::Irreversible);
        }
        let minutes: i64 =
            window.trim().parse().map_err(|_| format!("'{}' is not a whole number of minutes", window.trim()))?;
        if !(1..=MAX_UNDO_MINUTES).contains(&minutes) {
            return Err(format!("the undo window must be 1 to {MAX_UNDO_MINUTES} minutes"));
        }
        Ok(Reversibility::Reversible { undo_window_minutes: minutes })
    }

    /// The undo window in minutes, if reversible.
    pub fn window_minutes(self) -> Option<i64> {
        match self {
            Reversibility::Irreversible => None,
            Reversibility::Reversible { undo_window_minutes } => Some(undo_window_minutes),
        }
    }
}

/// A JSON Schema for a capability's params, checked to compile when saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamsSchema(String);

/// Why params do not fit the schema: the JSON pointer of the failing value, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchemaViolation {
    pub pointer: String,
    pub message: String,
}

impl ParamsSchema {
    /// Parses and compiles a schema; empty text means "no schema".
    pub fn parse(text: &str) -> Result<Option<ParamsSchema>, String> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(None);
        }
        let value: serde_json::Value = serde_json::from_str(t).map_err(|e| format!("not valid JSON: {e}"))?;
        if !value.is_object() {
            return Err("a schema must be a JSON object, e.g. {\"type\": \"object\"}".into());
        }
        jsonschema::validator_for(&value).map_err(|e| format!("not a valid JSON Schema: {e}"))?;
        Ok(Some(ParamsSchema(serde_json::to_string_pretty(&value).unwrap_or_else(|_| t.to_owned()))))
    }

    /// A schema read back from the store, where only checked schemas are saved; it is compiled
    /// when first used.
    pub fn stored(text: &str) -> Option<ParamsSchema> {
        let t = text.trim();
        (!t.is_empty()).then(|| ParamsSchema(t.to_owned()))
    }

    /// The schema text as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The compiled validator, built once per schema text for the life of the process
    /// (compiling one costs far more than checking params with it).
    fn validator(&self) -> Result<Arc<jsonschema::Validator>, String> {
        static COMPILED: LazyLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> = LazyLock::new(Default::default);
        if let Some(v) = COMPILED.lock().ok().and_then(|m| m.get(&self.0).cloned()) {
            return Ok(v);
        }
        let schema: serde_json::Value =
            serde_json::from_str(&self.0).map_err(|e| format!("stored schema unreadable: {e}"))?;
        let v = Arc::new(jsonschema::validator_for(&schema).map_err(|e| format!("stored schema invalid: {e}"))?);
        if let Ok(mut m) = COMPILED.lock() {
            m.insert(self.0.clone(), v.clone());
        }
        Ok(v)
    }

    /// Checks `params`; the first violation names its JSON pointer (`/amount`, or `` for the root).
    pub fn check(&self, params: &serde_json::Value) -> Result<(), SchemaViolation> {
        let validator = self.validator().map_err(|message| SchemaViolation { pointer: String::new(), message })?;
        match validator.iter_errors(params).next() {
            None => Ok(()),
            Some(e) => Err(SchemaViolation { pointer: e.instance_path().to_string(), message: e.to_string() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn capability_names_are_dotted_lowercase_identifiers() {
        assert_eq!(CapabilityName::parse(" finance.refund.issue ").unwrap().as_str(), "finance.refund.issue");
        assert!(CapabilityName::parse("refund").unwrap_err().contains("2 to 6"));
        assert!(CapabilityName::parse("finance..issue").unwrap_err().contains("empty part"));
        assert!(CapabilityName::parse("Finance.refund").unwrap_err().contains("lowercase letter"));
        assert!(CapabilityName::parse("finance.re-fund").unwrap_err().contains("'-'"));
        assert!(CapabilityName::parse("a.b.c.d.e.f.g").is_err());
    }

    #[test]
    fn risk_and_reversibility_parse_with_reasons() {
        assert_eq!(Risk::parse("HIGH"), Ok(Risk::High));
        assert!(Risk::parse("extreme").unwrap_err().contains("extreme"));
        assert_eq!(Reversibility::parse(false, "junk"), Ok(Reversibility::Irreversible));
        assert_eq!(Reversibility::parse(true, "60"), Ok(Reversibility::Reversible { undo_window_minutes: 60 }));
        assert!(Reversibility::parse(true, "").unwrap_err().contains("whole number"));
        assert!(Reversibility::parse(true, "0").unwrap_err().contains("1 to"));
        assert!(Reversibility::parse(true, "99999999").is_err());
    }

    #[test]
    fn schemas_compile_when_saved_and_violations_name_the_pointer() {
        assert_eq!(ParamsSchema::parse("  "), Ok(None));
        assert!(ParamsSchema::parse("{").unwrap_err().contains("not valid JSON"));
        assert!(ParamsSchema::parse("[]").unwrap_err().contains("JSON object"));
        assert!(ParamsSchema::parse(r#"{"type": 12}"#).unwrap_err().contains("not a valid JSON Schema"));
        let schema = ParamsSchema::parse(
            r#"{"type":"object","required":["amount"],"properties":{"amount":{"type":"number","minimum":0},"currency":{"enum":["EUR","USD"]}}}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(schema.check(&json!({"amount": 12.5, "currency": "EUR"})), Ok(()));
        assert_eq!(schema.check(&json!({"amount": -1})).unwrap_err().pointer, "/amount");
        assert_eq!(schema.check(&json!({"amount": 1, "currency": "GBP"})).unwrap_err().pointer, "/currency");
        let missing = schema.check(&json!({})).unwrap_err();
        assert_eq!(missing.pointer, "");
        assert!(missing.message.contains("amount"), "{}", missing.message);
    }
}
