//! An agent's request to act, checked at the edge, and the hashes that bind it: the request
//! hash (for idempotency) and the action hash (capability + params; an approval binds to it).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use crate::canonical::canonical_json;
use crate::canonical::jcs;
use crate::text::{storable, storable_json};

/// What an agent sends to `POST /v1/actions`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::capability_name))]
    pub capability: String,
    /// Checked against the capability's JSON Schema.
    #[serde(default = "empty_object")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::JsonObject))]
    pub params: Value,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::long_text, required = false))]
    pub reasoning: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1))]
    pub confidence: f64,
    /// What the agent based its proposal on.
    #[serde(default = "empty_object")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Json))]
    pub inputs: Value,
    #[serde(default = "empty_array")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::openapi::Json>))]
    pub alternatives: Value,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::short_text, required = false))]
    pub task_ref: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::idempotency_key, required = false))]
    pub idempotency_key: Option<String>,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

fn empty_array() -> Value {
    Value::Array(Vec::new())
}

fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update(b"\n");
        }
        h.update(p.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The hash an approval binds to: the capability and the params in RFC 8785 form
/// ([`crate::canonical::jcs`]), so `{"amount": 40}` and `{"amount": 40.0}` bind alike.
pub fn action_hash(capability: &str, params: &Value) -> String {
    sha256_hex(&[capability, &jcs(params)])
}

/// The action hash as actions decided before RFC 8785 carry it (keys sorted, numbers as
/// written): an approval given then still binds the same params.
fn legacy_action_hash(capability: &str, params: &Value) -> String {
    sha256_hex(&[capability, &canonical_json(params)])
}

/// Whether `params` for `capability` are what the hash `bound` binds (in either form).
pub fn binds(bound: &str, capability: &str, params: &Value) -> bool {
    action_hash(capability, params) == bound || legacy_action_hash(capability, params) == bound
}

impl ActionRequest {
    /// Checks the fields a decision cannot be made without; the error names the field.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.capability.trim().is_empty() {
            return Err(("capability", "name the capability, e.g. finance.refund.issue".into()));
        }
        if self.capability.chars().count() > 100 {
            return Err(("capability", "must be at most 100 characters".into()));
        }
        if !self.params.is_object() {
            return Err(("params", "must be a JSON object".into()));
        }
        if !(0.0..=1.0).contains(&self.confidence) {
            return Err(("confidence", format!("{} is not between 0 and 1", self.confidence)));
        }
        if self.reasoning.chars().count() > 20_000 {
            return Err(("reasoning", "must be at most 20000 characters".into()));
        }
        if !self.alternatives.is_array() {
            return Err(("alternatives", "must be a JSON array".into()));
        }
        if self.task_ref.chars().count() > 200 {
            return Err(("task_ref", "must be at most 200 characters".into()));
        }
        match &self.idempotency_key {
            Some(k) if k.trim().is_empty() || k.chars().count() > 200 => {
                return Err(("idempotency_key", "must be 1 to 200 characters when given".into()));
            }
            Some(k) => storable("idempotency_key", k)?,
            None => {}
        }
        storable("capability", &self.capability)?;
        storable("reasoning", &self.reasoning)?;
        storable("task_ref", &self.task_ref)?;
        storable_json("params", &self.params)?;
        storable_json("inputs", &self.inputs)?;
        storable_json("alternatives", &self.alternatives)
    }

    /// The hash of everything the agent sent: the same key with another body is a conflict.
    pub fn request_hash(&self) -> String {
        self.request_hash_with(jcs)
    }

    /// Whether `stored` is this request's hash, in the RFC 8785 form or in the form requests
    /// recorded before it carry: a retry across the upgrade is the same request.
    pub fn has_request_hash(&self, stored: &str) -> bool {
        self.request_hash() == stored || self.request_hash_with(canonical_json) == stored
    }

    fn request_hash_with(&self, canonical: fn(&Value) -> String) -> String {
        sha256_hex(&[
            self.capability.trim(),
            &canonical(&self.params),
            &self.reasoning,
            &self.confidence.to_string(),
            &canonical(&self.inputs),
            &canonical(&self.alternatives),
            &self.task_ref,
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn req() -> ActionRequest {
        serde_json::from_value(json!({
            "capability": "finance.refund.issue",
            "params": {"amount": 10, "currency": "EUR"},
            "reasoning": "customer was charged twice",
            "confidence": 0.92,
            "task_ref": "T-1",
            "idempotency_key": "k1"
        }))
        .unwrap()
    }

    #[test]
    fn canonical_json_ignores_key_order() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":{"y":2,"x":[{"d":1,"c":2}]}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"x":[{"c":2,"d":1}],"y":2},"b":1}"#).unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(canonical_json(&a), r#"{"a":{"x":[{"c":2,"d":1}],"y":2},"b":1}"#);
    }

    #[test]
    fn action_hash_binds_capability_and_params_only() {
        let r = req();
        let same = action_hash(&r.capability, &json!({"currency": "EUR", "amount": 10}));
        assert_eq!(action_hash(&r.capability, &r.params), same);
        assert_ne!(action_hash(&r.capability, &json!({"amount": 11, "currency": "EUR"})), same);
        assert_ne!(action_hash("finance.refund.other", &r.params), same);
        // RFC 8785: a number is a number however it is written.
        let forty = action_hash("c", &json!({"amount": 40}));
        assert_eq!(action_hash("c", &json!({"amount": 40.0})), forty);
        assert_eq!(action_hash("c", &json!({"amount": 4e1})), forty);
        assert_ne!(action_hash("c", &json!({"amount": 40.5})), forty);
        // An approval bound before RFC 8785 (keys sorted, numbers as written) still binds.
        let old = legacy_action_hash("c", &json!({"amount": 40.0}));
        assert!(binds(&old, "c", &json!({"amount": 40.0})) && binds(&forty, "c", &json!({"amount": 40.0})));
        assert!(!binds(&old, "c", &json!({"amount": 41})));
    }

    #[test]
    fn request_hash_changes_with_any_field_but_the_key() {
        let r = req();
        let other_key = ActionRequest { idempotency_key: Some("k2".into()), ..req() };
        assert_eq!(r.request_hash(), other_key.request_hash());
        // A request recorded in the older form is the same request after the upgrade.
        assert!(r.has_request_hash(&r.request_hash_with(canonical_json)) && r.has_request_hash(&r.request_hash()));
        assert!(!r.has_request_hash(&ActionRequest { reasoning: "x".into(), ..req() }.request_hash()));
        assert_ne!(r.request_hash(), ActionRequest { reasoning: "x".into(), ..req() }.request_hash());
        assert_ne!(r.request_hash(), ActionRequest { confidence: 0.5, ..req() }.request_hash());
    }

    #[test]
    fn validation_names_the_field() {
        let cases = [
            (ActionRequest { capability: " ".into(), ..req() }, "capability"),
            (ActionRequest { params: json!([1]), ..req() }, "params"),
            (ActionRequest { confidence: 1.5, ..req() }, "confidence"),
            (ActionRequest { alternatives: json!({}), ..req() }, "alternatives"),
            (ActionRequest { idempotency_key: Some(String::new()), ..req() }, "idempotency_key"),
        ];
        for (r, field) in cases {
            assert_eq!(r.validate().unwrap_err().0, field);
        }
        assert_eq!(req().validate(), Ok(()));
    }

    #[test]
    fn unknown_fields_are_refused_and_defaults_fill_the_rest() {
        let bad = serde_json::from_value::<ActionRequest>(json!({"capability": "a.b", "confidence": 1, "amount": 3}));
        assert!(bad.unwrap_err().to_string().contains("amount"));
        let minimal: ActionRequest = serde_json::from_value(json!({"capability": "a.b", "confidence": 0.5})).unwrap();
        assert!(minimal.params.is_object() && minimal.alternatives.is_array() && minimal.idempotency_key.is_none());
    }
}
