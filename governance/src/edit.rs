//! Approving with edits, pure: what a reviewer may change in an action's params before
//! approving it, and the RFC 6902 patch the evidence keeps of the change.
//!
//! The capability's JSON Schema is checked by the caller (it lives in the catalogue); here the
//! template's limits are: an edit may lower a limited number or leave it, never raise it past
//! both the limit and what the agent asked. An edit that changes nothing is no edit.

use crate::canonical::canonical_json;
use crate::policy::Limit;
use serde_json::Value;

/// Largest edited params a reviewer may send, as canonical JSON bytes.
pub const MAX_EDIT_BYTES: usize = 64 * 1024;

/// A reviewer's change to an action's params.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    /// The params as approved.
    pub params: Value,
    /// From the agent's params to these (RFC 6902 operations, as JSON).
    pub patch: Value,
    /// The top-level params the edit touches, in order, for the trail's sentence.
    pub changed: Vec<String>,
}

/// Reads what a reviewer typed as the params to approve: a JSON object with no NUL.
pub fn parse(text: &str) -> Result<Value, String> {
    let v: Value = serde_json::from_str(text.trim()).map_err(|e| format!("not valid JSON: {e}"))?;
    if !v.is_object() {
        return Err("must be a JSON object, like the agent's params".into());
    }
    if let Some(path) = crate::text::nul_path(&v) {
        return Err(format!("params{path} {}", crate::text::NUL_MESSAGE));
    }
    if canonical_json(&v).len() > MAX_EDIT_BYTES {
        return Err(format!("must be at most {MAX_EDIT_BYTES} bytes of JSON"));
    }
    Ok(v)
}

/// Compares the edited params with the agent's: `None` when they are the same, the edit when
/// they differ within the limits, or why not (the message names the param).
pub fn check(original: &Value, edited: &Value, limits: &[Limit]) -> Result<Option<Edit>, String> {
    // Compared as RFC 8785 text, the form the action hash binds: 150 and 150.0 are the same.
    if crate::canonical::jcs(original) == crate::canonical::jcs(edited) {
        return Ok(None);
    }
    for limit in limits {
        let asked = original.get(&limit.param).and_then(Value::as_f64);
        match edited.get(&limit.param) {
            None if asked.is_some() => {
                return Err(format!(
                    "{} is checked against the limit {}: an edit may change it, not remove it",
                    limit.param, limit.max
                ));
            }
            None => {}
            Some(v) => {
                let Some(x) = v.as_f64() else {
                    return Err(format!("{} must be a number: the limit {} checks it", limit.param, limit.max));
                };
                let ceiling = asked.map_or(limit.max, |a| a.max(limit.max));
                if x > ceiling {
                    let what = asked.map_or_else(String::new, |a| format!(" and what the agent asked ({a})"));
                    return Err(format!(
                        "{} = {x} is above the template's limit {}{what}: an edit may lower it, not raise it",
                        limit.param, limit.max
                    ));
                }
            }
        }
    }
    let patch = json_patch::diff(original, edited);
    let mut changed: Vec<String> = Vec::new();
    for op in &patch.0 {
        let path = op.path().to_string();
        let top =
            path.trim_start_matches('/').split('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~");
        if !changed.contains(&top) {
            changed.push(top);
        }
    }
    let patch = serde_json::to_value(&patch).map_err(|e| format!("the change cannot be recorded: {e}"))?;
    Ok(Some(Edit { params: edited.clone(), patch, changed }))
}

/// Applies a recorded patch to the agent's params (what an auditor does to check the trail).
pub fn apply(original: &Value, patch: &Value) -> Result<Value, String> {
    let p: json_patch::Patch = serde_json::from_value(patch.clone()).map_err(|e| e.to_string())?;
    let mut doc = original.clone();
    json_patch::patch(&mut doc, &p).map_err(|e| e.to_string())?;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn limit(param: &str, max: f64) -> Limit {
        Limit { param: param.into(), max }
    }

    #[test]
    fn the_same_params_are_no_edit() {
        let p = json!({"order": "A-1", "amount": 40});
        assert_eq!(check(&p, &json!({"amount": 40, "order": "A-1"}), &[]).unwrap(), None);
        assert_eq!(check(&p, &json!({"amount": 40.0, "order": "A-1"}), &[]).unwrap(), None, "the same number");
    }

    #[test]
    fn an_edit_records_a_patch_that_rebuilds_the_approved_params() {
        let original = json!({"order": "A-1", "amount": 400, "note": "x"});
        let edited = json!({"order": "A-1", "amount": 250, "reason": "partial"});
        let e = check(&original, &edited, &[limit("amount", 500.0)]).unwrap().unwrap();
        assert_eq!(e.params, edited);
        assert_eq!(apply(&original, &e.patch).unwrap(), edited);
        let ops: Vec<&str> = e.patch.as_array().unwrap().iter().map(|o| o["op"].as_str().unwrap()).collect();
        assert!(ops.contains(&"replace") && ops.contains(&"remove") && ops.contains(&"add"), "{ops:?}");
        let mut changed = e.changed.clone();
        changed.sort();
        assert_eq!(changed, ["amount", "note", "reason"]);
    }

    #[test]
    fn a_limited_number_may_go_down_but_not_up_past_the_limit() {
        let original = json!({"amount": 800});
        let lim = [limit("amount", 500.0)];
        assert!(check(&original, &json!({"amount": 500}), &lim).unwrap().is_some());
        // Above the limit but below what was asked: still a reduction, allowed.
        assert!(check(&original, &json!({"amount": 700}), &lim).unwrap().is_some());
        let up = check(&original, &json!({"amount": 801}), &lim).unwrap_err();
        assert!(up.contains("amount = 801") && up.contains("limit 500") && up.contains("(800)"), "{up}");
        // Under the limit an edit may raise it up to the limit.
        let small = json!({"amount": 100});
        assert!(check(&small, &json!({"amount": 500}), &lim).unwrap().is_some());
        assert!(check(&small, &json!({"amount": 501}), &lim).unwrap_err().contains("limit 500"));
    }

    #[test]
    fn a_limited_param_cannot_be_removed_or_made_unreadable() {
        let original = json!({"amount": 100, "order": "A"});
        let lim = [limit("amount", 500.0)];
        assert!(check(&original, &json!({"order": "A"}), &lim).unwrap_err().contains("not remove it"));
        assert!(
            check(&original, &json!({"amount": "100", "order": "A"}), &lim).unwrap_err().contains("must be a number")
        );
        // A limit on a param neither side has does not apply.
        assert!(check(&original, &json!({"amount": 90, "order": "A"}), &[limit("fee", 1.0)]).unwrap().is_some());
    }

    #[test]
    fn what_a_reviewer_types_must_be_a_storable_object() {
        assert!(parse("[1]").unwrap_err().contains("JSON object"));
        assert!(parse("{").unwrap_err().contains("not valid JSON"));
        assert!(parse(r#"{"a": "x\u0000y"}"#).unwrap_err().contains("params.a"));
        let huge = format!(r#"{{"a": "{}"}}"#, "x".repeat(MAX_EDIT_BYTES));
        assert!(parse(&huge).unwrap_err().contains("at most"));
        assert_eq!(parse(r#" {"a": 1} "#).unwrap(), json!({"a": 1}));
    }

    #[test]
    fn nested_changes_name_their_top_level_param() {
        let e = check(&json!({"to": {"iban": "X", "name": "A/B"}}), &json!({"to": {"iban": "Y", "name": "A/B"}}), &[])
            .unwrap()
            .unwrap();
        assert_eq!(e.changed, ["to"]);
        assert_eq!(e.patch[0]["path"], "/to/iban");
    }
}
