//! The decision an agent gets before it acts, as a pure function of what is known at that
//! moment: the agent's status, its grant (tier and the template's conditions for that tier),
//! the request, and the agent's recent activity. No I/O happens here.
//!
//! Conditions can only ever escalate (turn `allowed` into `needs_approval`); nothing here can
//! turn a refusal or an escalation into `allowed` — a property the tests check.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
pub use vocab::{Decision, Tier};

pub mod standing;

/// A numeric ceiling on one param (`amount <= 500`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limit {
    /// The param's name at the top level of the params object.
    pub param: String,
    pub max: f64,
}

/// A template's conditions for one capability at the executor tier.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Conditions {
    /// Below this confidence the action escalates.
    pub min_confidence: Option<f64>,
    /// Numeric ceilings on params.
    pub limits: Vec<Limit>,
    /// At most this many requests of the capability per agent per hour run at once.
    pub max_per_hour: Option<u32>,
    /// Params whose value this agent has never used before escalate.
    pub new_value_params: Vec<String>,
    /// The action runs, but a reviewer confirms it before it is final.
    pub supervised: bool,
}

/// The result of the template's optional Cedar condition, evaluated by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConditionCheck {
    /// The template has no such condition.
    None,
    Holds,
    /// It does not hold (or could not be evaluated), with why.
    Fails(String),
}

/// The grant that applies to the request, as the engine needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct GrantView {
    pub grant_id: i64,
    pub tier: Tier,
    pub template: String,
    pub template_version: i64,
    /// Conditions that apply at the executor tier.
    pub conditions: Conditions,
    /// A detector suspended the grant: refused until a manager undoes that.
    pub suspended: bool,
}

/// Everything a decision depends on.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionInput<'a> {
    pub capability_known: bool,
    pub agent_suspended: bool,
    pub grant: Option<&'a GrantView>,
    pub params: &'a Value,
    pub confidence: f64,
    /// Requests of this capability by this agent in the last hour (this one excluded).
    pub recent_in_hour: u32,
    /// Values this agent used before, per param named in `new_value_params`.
    pub seen_values: &'a BTreeMap<String, BTreeSet<String>>,
    /// An open anomaly alert on this agent.
    pub open_alert: bool,
    pub condition: &'a ConditionCheck,
}

/// The decision and the rule that produced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub decision: Decision,
    /// Which grant / condition decided, in words.
    pub rule: String,
    /// An allowed action a reviewer must confirm before it is final.
    pub supervised: bool,
}

fn outcome(decision: Decision, rule: impl Into<String>) -> Outcome {
    Outcome { decision, rule: rule.into(), supervised: false }
}

/// The text a param value is compared as, for "never used before".
pub fn value_key(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The first escalation an executor's request meets, if any.
fn escalation(input: &DecisionInput<'_>, g: &GrantView) -> Option<String> {
    let c = &g.conditions;
    if input.open_alert {
        return Some("open anomaly alert on this agent".into());
    }
    // A NaN confidence never passes a minimum.
    if let Some(min) = c.min_confidence
        && (input.confidence < min || input.confidence.is_nan())
    {
        // Shown to four decimals: enough to see why, short enough to read.
        let shown = (input.confidence * 10_000.0).round() / 10_000.0;
        return Some(format!("confidence {shown} below the minimum {min}"));
    }
    for limit in &c.limits {
        match input.params.get(&limit.param) {
            Some(v) => match v.as_f64() {
                Some(x) if x <= limit.max => {}
                Some(x) => return Some(format!("{} = {x} exceeds the limit {}", limit.param, limit.max)),
                None => {
                    return Some(format!(
                        "{} is not a number, so its limit {} cannot be checked",
                        limit.param, limit.max
                    ));
                }
            },
            None => return Some(format!("{} is missing, so its limit {} cannot be checked", limit.param, limit.max)),
        }
    }
    if let Some(max) = c.max_per_hour
        && input.recent_in_hour >= max
    {
        return Some(format!("rate limit: {max} per hour reached"));
    }
    for param in &c.new_value_params {
        let value = input.params.get(param).map(value_key).unwrap_or_default();
        let seen = input.seen_values.get(param).is_some_and(|s| s.contains(&value));
        if !seen {
            return Some(format!("{param} = '{value}' was never used by this agent before"));
        }
    }
    if let ConditionCheck::Fails(why) = input.condition {
        return Some(format!("template condition does not hold: {why}"));
    }
    None
}

/// Decides a request. See the module documentation for the guarantees.
pub fn decide(input: &DecisionInput<'_>) -> Outcome {
    if !input.capability_known {
        return outcome(Decision::Denied, "unknown capability");
    }
    if input.agent_suspended {
        return outcome(Decision::Denied, "agent is suspended");
    }
    let Some(g) = input.grant else {
        return outcome(Decision::Denied, "no grant for this capability");
    };
    let source = format!("grant {} (template {} v{})", g.grant_id, g.template, g.template_version);
    if g.suspended {
        return outcome(Decision::Denied, format!("{source}: suspended by monitoring until a manager lifts it"));
    }
    match g.tier {
        Tier::Observer => outcome(Decision::Shadow, format!("{source}: observer tier, recorded as a recommendation")),
        Tier::Contributor => {
            outcome(Decision::NeedsApproval, format!("{source}: contributor tier, every action needs approval"))
        }
        Tier::Executor => match escalation(input, g) {
            Some(why) => outcome(Decision::NeedsApproval, format!("{source}: escalated, {why}")),
            None => Outcome {
                decision: Decision::Allowed,
                rule: format!("{source}: executor tier, within the template's conditions"),
                supervised: g.conditions.supervised,
            },
        },
    }
}

#[cfg(test)]
mod tests;
