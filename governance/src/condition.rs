//! Template conditions written in Cedar: an expression over the action's context that must
//! hold for an executor to act at once. Checked when a template is saved; evaluated per request.
//!
//! The context an expression sees (`context.…`):
//! - `params` — the request's params; integers are Cedar `Long`s, numbers with a fraction are
//!   `decimal`s (at most 4 fractional digits; compare with `.lessThan(decimal("10.5"))`);
//!   nulls are left out;
//! - `confidence` — a `decimal`, and `confidence_pct`, a `Long` from 0 to 100;
//! - `agent.name`, `agent.environment`, and `capability` — strings.

use crate::policy::ConditionCheck;
use cedar_policy::{Authorizer, Context, Decision, Entities, EntityUid, PolicySet, Request};
use serde_json::{Map, Value, json};
use std::str::FromStr;

/// A parsed condition.
#[derive(Clone, Debug)]
pub struct CedarCondition {
    policies: PolicySet,
}

/// What a condition is evaluated against.
#[derive(Clone, Copy, Debug)]
pub struct ConditionContext<'a> {
    pub agent: &'a str,
    pub environment: &'a str,
    pub capability: &'a str,
    pub params: &'a Value,
    pub confidence: f64,
}

fn decimal(x: f64) -> Value {
    json!({"__extn": {"fn": "decimal", "arg": format!("{x:.4}")}})
}

/// Params as Cedar's JSON: fractions become decimals, nulls are dropped.
fn to_cedar(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Number(n) => Some(match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => json!(i),
            // 250.0 is the same number as 250: a whole number stays a Long for Cedar.
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => json!(f as i64),
            (_, f) => decimal(f.unwrap_or(0.0)),
        }),
        Value::Array(a) => Some(Value::Array(a.iter().filter_map(to_cedar).collect())),
        Value::Object(m) => Some(Value::Object(
            m.iter().filter_map(|(k, v)| to_cedar(v).map(|v| (k.clone(), v))).collect::<Map<_, _>>(),
        )),
        other => Some(other.clone()),
    }
}

impl CedarCondition {
    /// Parses a condition; empty text means none. The error is Cedar's own explanation.
    pub fn parse(text: &str) -> Result<Option<CedarCondition>, String> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if t.len() > 4000 {
            return Err("keep the condition under 4000 characters".into());
        }
        let src = format!("permit(principal, action, resource) when {{ {t} }};");
        let policies = PolicySet::from_str(&src).map_err(|e| format!("not a valid Cedar expression: {e}"))?;
        if policies.policies().count() != 1 {
            return Err("write one expression, e.g. context.params.amount < 100".into());
        }
        Ok(Some(CedarCondition { policies }))
    }

    /// Whether the condition holds for this request; an evaluation error counts as "does not hold".
    pub fn check(&self, ctx: &ConditionContext<'_>) -> ConditionCheck {
        match self.evaluate(ctx) {
            Ok(true) => ConditionCheck::Holds,
            Ok(false) => ConditionCheck::Fails("evaluates to false".into()),
            Err(e) => ConditionCheck::Fails(e),
        }
    }

    /// Evaluates the condition: `Err` when Cedar could not evaluate it (a missing attribute,
    /// a type error), so callers can decide which way an error must fall.
    pub fn evaluate(&self, ctx: &ConditionContext<'_>) -> Result<bool, String> {
        let context = json!({
            "params": to_cedar(ctx.params).unwrap_or_else(|| json!({})),
            "confidence": decimal(ctx.confidence),
            "confidence_pct": (ctx.confidence * 100.0).round() as i64,
            "agent": {"name": ctx.agent, "environment": ctx.environment},
            "capability": ctx.capability,
        });
        let uid = |ty: &str, id: &str| EntityUid::from_str(&format!("{ty}::{}", json!(id))).ok();
        let (Some(p), Some(a), Some(r)) =
            (uid("Agent", ctx.agent), uid("Action", ctx.capability), uid("Capability", ctx.capability))
        else {
            return Err("the request could not be described to Cedar".into());
        };
        let context =
            Context::from_json_value(context, None).map_err(|e| format!("params could not be given to Cedar: {e}"))?;
        let request = Request::new(p, a, r, context, None).map_err(|e| e.to_string())?;
        let response = Authorizer::new().is_authorized(&request, &self.policies, &Entities::empty());
        if let Some(err) = response.diagnostics().errors().next() {
            return Err(format!("could not be evaluated: {err}"));
        }
        Ok(response.decision() == Decision::Allow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(params: &Value, confidence: f64) -> ConditionContext<'_> {
        ConditionContext {
            agent: "refund-bot",
            environment: "production",
            capability: "finance.refund.issue",
            params,
            confidence,
        }
    }

    #[test]
    fn parsing_explains_what_is_wrong() {
        assert!(CedarCondition::parse("  ").unwrap().is_none());
        assert!(CedarCondition::parse("context.params.amount <").unwrap_err().contains("not a valid Cedar expression"));
        assert!(
            CedarCondition::parse("true }; permit(principal, action, resource) when { true")
                .unwrap_err()
                .contains("one expression")
        );
        assert!(
            CedarCondition::parse(r#"context.params.currency == "EUR" && context.params.amount < 100"#)
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn conditions_hold_or_fail_on_the_request() {
        let c = CedarCondition::parse(r#"context.params.currency == "EUR" && context.params.amount < 100"#)
            .unwrap()
            .unwrap();
        assert_eq!(c.check(&ctx(&json!({"currency": "EUR", "amount": 40}), 0.9)), ConditionCheck::Holds);
        assert!(matches!(c.check(&ctx(&json!({"currency": "USD", "amount": 40}), 0.9)), ConditionCheck::Fails(_)));
        // A missing attribute is an evaluation error: the condition does not hold.
        match c.check(&ctx(&json!({"amount": 40}), 0.9)) {
            ConditionCheck::Fails(why) => assert!(why.contains("could not be evaluated"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fractions_are_decimals_and_agent_facts_are_visible() {
        let c = CedarCondition::parse(r#"context.params.amount.lessThan(decimal("10.5")) && context.confidence_pct >= 90 && context.agent.environment == "production""#)
            .unwrap()
            .unwrap();
        assert_eq!(c.check(&ctx(&json!({"amount": 10.25, "note": null}), 0.95)), ConditionCheck::Holds);
        assert!(matches!(c.check(&ctx(&json!({"amount": 10.75}), 0.95)), ConditionCheck::Fails(_)));
        assert!(matches!(c.check(&ctx(&json!({"amount": 1.5}), 0.5)), ConditionCheck::Fails(_)));
    }

    #[test]
    fn whole_numbers_written_with_a_fraction_are_still_whole() {
        let c = CedarCondition::parse("context.params.amount > 100").unwrap().unwrap();
        assert_eq!(c.evaluate(&ctx(&json!({"amount": 250.0}), 0.9)), Ok(true));
        assert_eq!(c.evaluate(&ctx(&json!({"amount": 50}), 0.9)), Ok(false));
        assert!(c.evaluate(&ctx(&json!({"amount": 120.5}), 0.9)).is_err(), "a decimal needs .greaterThan(decimal(..))");
        assert!(c.evaluate(&ctx(&json!({}), 0.9)).is_err());
    }
}
