//! Canonical JSON: the same value always gives the same text, whatever order its keys came
//! in (and whether or not serde_json keeps insertion order). Hashes are taken over this text.

use serde_json::Value;
use std::collections::BTreeMap;

/// JSON with object keys sorted at every level, compact: equal values give equal text.
pub fn canonical_json(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let ordered: BTreeMap<&String, Value> = m.iter().map(|(k, v)| (k, sorted(v))).collect();
                Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(v).to_string()
}
