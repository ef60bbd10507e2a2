//! Pure parts of the gateway: a tool call's params and identity, what Tenure's answer means for
//! the call, and the tool results the client gets when the upstream is not called.

use crate::config::ToolMapping;
use crate::tenure_api::{Action, ApiError};
use rmcp::model::{CallToolResult, ContentBlock as Content};
use serde_json::{Map, Value, json};

/// What Tenure's answer means for a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed or approved: forward it upstream.
    Run,
    /// A person (or a peer agent) has yet to decide.
    Wait,
    /// Refused, rejected, expired, or only recorded as an observer's recommendation.
    Refused,
    /// Already run and reported (a repeated call whose decision was picked up before).
    Done,
}

impl Verdict {
    pub fn of(action: &Action) -> Verdict {
        match action.state.as_str() {
            "allowed" | "approved" => Verdict::Run,
            "needs_approval" | "awaiting_peer" => Verdict::Wait,
            "denied" | "rejected" | "expired" | "shadow" | "shadow_compared" => Verdict::Refused,
            _ => Verdict::Done,
        }
    }
}

/// The params of a call: every argument under its own name, or those the mapping names.
pub fn params_of(mapping: &ToolMapping, arguments: &Map<String, Value>) -> Value {
    if mapping.params.is_empty() {
        return Value::Object(arguments.clone());
    }
    let mapped = mapping
        .params
        .iter()
        .filter_map(|(param, argument)| arguments.get(argument).map(|v| (param.clone(), v.clone())))
        .collect();
    Value::Object(mapped)
}

/// A call's identity: the tool and its arguments in canonical form (keys sorted at every
/// level), so that the same call repeated finds the action it left pending.
pub fn call_key(tool: &str, arguments: &Map<String, Value>) -> String {
    fn canonical(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Value::Object(keys.into_iter().map(|k| (k.clone(), canonical(&m[k]))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(canonical).collect()),
            other => other.clone(),
        }
    }
    format!("{tool}\u{0}{}", canonical(&Value::Object(arguments.clone())))
}

/// The result of a call still undecided after the hold. It is marked an error because the call
/// has no output yet: a client checks a successful result against the tool's output schema,
/// and a model must not read it as done. `_meta` says `pending`, with the action to pick up.
pub fn pending(tool: &str, action: &Action, held_seconds: u64) -> CallToolResult {
    let text = format!(
        "Not run yet: Tenure holds this call of {tool} for a person to decide (action {}, {}). \
         Nothing was done. Call {tool} again with the same arguments to pick up the decision.",
        action.id, action.state
    );
    with_tenure(
        CallToolResult::error(vec![Content::text(text)]),
        json!({"status": "pending", "action_id": action.id, "state": action.state, "held_seconds": held_seconds}),
    )
}

/// The tool error of a call Tenure did not allow.
pub fn refused(tool: &str, action: &Action) -> CallToolResult {
    let why = if action.rule.is_empty() { String::new() } else { format!(": {}", action.rule) };
    let text = match action.state.as_str() {
        "rejected" => format!("Not run: a reviewer rejected this call of {tool} (Tenure action {}){why}", action.id),
        "expired" => format!("Not run: nobody decided in time on this call of {tool} (Tenure action {})", action.id),
        "shadow" | "shadow_compared" => format!(
            "Not run: this agent only recommends {tool}; Tenure recorded the call for a person (action {})",
            action.id
        ),
        _ => format!("Not run: Tenure refused this call of {tool} (action {}){why}", action.id),
    };
    with_tenure(
        CallToolResult::error(vec![Content::text(text)]),
        json!({"status": action.state, "action_id": action.id, "reason": action.rule}),
    )
}

/// The tool error of a call repeated after it already ran.
pub fn already_done(tool: &str, action: &Action) -> CallToolResult {
    let text = format!(
        "This call of {tool} already ran (Tenure action {}, now {}); it was not run again.",
        action.id, action.state
    );
    with_tenure(
        CallToolResult::error(vec![Content::text(text)]),
        json!({"status": action.state, "action_id": action.id}),
    )
}

/// The tool error of a call that could not be asked about: the gateway fails closed.
pub fn not_asked(tool: &str, e: &ApiError) -> CallToolResult {
    let text = format!("Not run: {tool} could not be cleared with Tenure ({e}).");
    let detail = match e {
        ApiError::Refused { status, code, message, field } => {
            json!({"status": "error", "http_status": status, "code": code, "message": message, "field": field})
        }
        ApiError::Unreachable(m) => json!({"status": "error", "code": "unreachable", "message": m}),
    };
    with_tenure(CallToolResult::error(vec![Content::text(text)]), detail)
}

/// What a result says for Tenure's record of the execution: its structured content, or its
/// text, and whether the upstream called it an error.
pub fn outcome(result: &CallToolResult) -> (bool, Value) {
    let failed = result.is_error.unwrap_or(false);
    let output = match &result.structured_content {
        Some(v) => v.clone(),
        None => {
            let text: Vec<&str> = result.content.iter().filter_map(|c| c.as_text().map(|t| t.text.as_str())).collect();
            json!({"text": text.join("\n").chars().take(4000).collect::<String>()})
        }
    };
    (!failed, output)
}

/// The `_meta` key under which a result carries its Tenure action. Not in `structuredContent`:
/// a client checks that against the tool's output schema, which knows nothing of Tenure.
pub const META_KEY: &str = "tenure/action";

/// Adds what Tenure made of the call to a result's `_meta`, keeping the upstream's own.
pub fn with_tenure(mut result: CallToolResult, tenure: Value) -> CallToolResult {
    let mut meta = result.meta.take().unwrap_or_default();
    meta.insert(META_KEY.to_owned(), tenure);
    result.meta = Some(meta);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn args(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn action(state: &str, rule: &str) -> Action {
        Action { id: 7, decision: "needs_approval".into(), state: state.into(), rule: rule.into() }
    }

    #[test]
    fn arguments_become_params_as_is_or_as_mapped() {
        let a = args(json!({"order": "A-1", "amount": 40, "note": "x"}));
        assert_eq!(params_of(&ToolMapping::default(), &a), json!({"order": "A-1", "amount": 40, "note": "x"}));
        let m = ToolMapping {
            params: BTreeMap::from([("order_id".into(), "order".into()), ("amount".into(), "amount".into())]),
            ..ToolMapping::default()
        };
        assert_eq!(params_of(&m, &a), json!({"order_id": "A-1", "amount": 40}));
        assert_eq!(params_of(&m, &args(json!({"amount": 1}))), json!({"amount": 1}), "a missing argument is left out");
    }

    #[test]
    fn the_same_call_has_the_same_key_whatever_the_order_of_its_arguments() {
        let one = call_key("refund", &args(json!({"a": 1, "b": {"y": 2, "x": [1, {"q": 1, "p": 2}]}})));
        let two = call_key("refund", &args(json!({"b": {"x": [1, {"p": 2, "q": 1}], "y": 2}, "a": 1})));
        assert_eq!(one, two);
        assert_ne!(one, call_key("refund", &args(json!({"a": 2, "b": {"y": 2, "x": [1, {"q": 1, "p": 2}]}}))));
        assert_ne!(one, call_key("other", &args(json!({"a": 1, "b": {"y": 2, "x": [1, {"q": 1, "p": 2}]}}))));
    }

    #[test]
    fn each_state_has_its_verdict() {
        for (state, verdict) in [
            ("allowed", Verdict::Run),
            ("approved", Verdict::Run),
            ("needs_approval", Verdict::Wait),
            ("awaiting_peer", Verdict::Wait),
            ("denied", Verdict::Refused),
            ("rejected", Verdict::Refused),
            ("expired", Verdict::Refused),
            ("shadow", Verdict::Refused),
            ("reversible", Verdict::Done),
            ("final", Verdict::Done),
        ] {
            assert_eq!(Verdict::of(&action(state, "")), verdict, "{state}");
        }
    }

    #[test]
    fn results_say_what_happened_with_the_action_id() {
        let p = pending("issue_refund", &action("needs_approval", ""), 50);
        assert_eq!(p.is_error, Some(true), "not done: no output to check against the tool's schema");
        assert_eq!(p.meta.as_ref().unwrap()[META_KEY]["status"], "pending");
        assert!(p.content[0].as_text().unwrap().text.contains("action 7"));
        let r = refused("issue_refund", &action("rejected", "grant 3: reviewer said no"));
        assert_eq!(r.is_error, Some(true));
        let text = &r.content[0].as_text().unwrap().text;
        assert!(
            text.contains("a reviewer rejected") && text.contains("action 7") && text.contains("said no"),
            "{text}"
        );
        let e = not_asked("issue_refund", &ApiError::Unreachable("connection refused".into()));
        assert_eq!(e.is_error, Some(true));
        assert_eq!(e.meta.as_ref().unwrap()[META_KEY]["code"], "unreachable");
    }

    #[test]
    fn an_upstream_result_becomes_the_reported_outcome() {
        let ok = CallToolResult::success(vec![Content::text("refunded 40 EUR")]);
        assert_eq!(outcome(&ok), (true, json!({"text": "refunded 40 EUR"})));
        let mut structured = CallToolResult::success(vec![]);
        structured.structured_content = Some(json!({"refunded": 40}));
        assert_eq!(outcome(&structured), (true, json!({"refunded": 40})));
        let failed = CallToolResult::error(vec![Content::text("card processor down")]);
        assert_eq!(outcome(&failed), (false, json!({"text": "card processor down"})));
    }
}
