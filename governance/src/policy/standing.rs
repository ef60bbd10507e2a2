//! An agent's standing on one capability before it asks: the decision a request that meets
//! every condition would get now, and, in words, what would send a request to a person
//! instead. It is [`decide`] itself run on the most favourable request, so what the envelope
//! says and what a request gets cannot drift apart.

use super::{ConditionCheck, Decision, DecisionInput, GrantView, Outcome, Tier, decide};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// What an agent knows before it asks.
#[derive(Clone, Debug, PartialEq)]
pub struct Standing {
    /// What a request within every condition gets now, and the rule that says so.
    pub best: Outcome,
    /// What would send a request to a person (at executor; below it every request goes to a
    /// person or is recorded as a recommendation, which `best` says).
    pub escalates_when: Vec<String>,
    /// Requests left in the current hour before the rate limit escalates them (none without one).
    pub left_this_hour: Option<u32>,
}

/// The agent's standing on a capability with `grant` (none: no live grant), given whether the
/// agent is suspended, whether an alert about it is open, its requests of the capability in
/// the last hour, and the text of the template's Cedar condition, if it has one.
pub fn standing(
    agent_suspended: bool,
    grant: Option<&GrantView>,
    open_alert: bool,
    recent_in_hour: u32,
    condition: Option<&str>,
) -> Standing {
    let (params, seen) = grant.map(most_favourable).unwrap_or_default();
    let best = decide(&DecisionInput {
        capability_known: true,
        agent_suspended,
        grant,
        params: &params,
        confidence: 1.0,
        recent_in_hour,
        seen_values: &seen,
        open_alert,
        // A condition is judged on the request itself; it is listed among the escalations.
        condition: &ConditionCheck::None,
    });
    let escalates_when = match grant {
        Some(g) if g.tier == Tier::Executor && best.decision != Decision::Denied => triggers(g, open_alert, condition),
        _ => Vec::new(),
    };
    let left_this_hour = grant.and_then(|g| g.conditions.max_per_hour).map(|max| max.saturating_sub(recent_in_hour));
    Standing { best, escalates_when, left_this_hour }
}

/// Params at each limit and a value already seen for each watched param.
fn most_favourable(g: &GrantView) -> (Value, BTreeMap<String, BTreeSet<String>>) {
    let mut params = Map::new();
    for limit in &g.conditions.limits {
        params.insert(limit.param.clone(), Value::from(limit.max));
    }
    let mut seen = BTreeMap::new();
    for p in &g.conditions.new_value_params {
        // A param both limited and watched keeps its limit's value, seen before.
        let value = params.entry(p.clone()).or_insert_with(|| Value::from("seen"));
        seen.insert(p.clone(), BTreeSet::from([super::value_key(value)]));
    }
    (Value::Object(params), seen)
}

/// Each condition of the executor tier as what would escalate a request.
fn triggers(g: &GrantView, open_alert: bool, condition: Option<&str>) -> Vec<String> {
    let c = &g.conditions;
    let mut out = Vec::new();
    if open_alert {
        out.push("every request while an alert about this agent is open".to_owned());
    }
    if let Some(min) = c.min_confidence {
        out.push(format!("confidence below {min}"));
    }
    for limit in &c.limits {
        out.push(format!("{} above {}, not a number, or missing", limit.param, limit.max));
    }
    if let Some(max) = c.max_per_hour {
        out.push(format!("more than {max} requests in an hour"));
    }
    for p in &c.new_value_params {
        out.push(format!("a value of {p} this agent has never used before"));
    }
    if let Some(text) = condition {
        out.push(format!("the template's condition does not hold: {text}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Conditions, Limit};

    fn grant(tier: Tier, conditions: Conditions) -> GrantView {
        GrantView { grant_id: 7, tier, template: "support".into(), template_version: 2, conditions, suspended: false }
    }

    fn strict() -> Conditions {
        Conditions {
            min_confidence: Some(0.8),
            limits: vec![Limit { param: "amount".into(), max: 500.0 }],
            max_per_hour: Some(10),
            new_value_params: vec!["customer".into()],
            supervised: false,
        }
    }

    #[test]
    fn an_executor_within_its_conditions_is_allowed_and_told_what_would_escalate() {
        let g = grant(Tier::Executor, strict());
        let s = standing(false, Some(&g), false, 3, Some("context.params.region == \"eu\""));
        assert_eq!(s.best.decision, Decision::Allowed);
        assert_eq!(s.left_this_hour, Some(7));
        assert_eq!(
            s.escalates_when,
            vec![
                "confidence below 0.8",
                "amount above 500, not a number, or missing",
                "more than 10 requests in an hour",
                "a value of customer this agent has never used before",
                "the template's condition does not hold: context.params.region == \"eu\"",
            ]
        );
    }

    #[test]
    fn a_used_up_rate_limit_escalates_even_the_best_request() {
        let g = grant(Tier::Executor, strict());
        let s = standing(false, Some(&g), false, 10, None);
        assert_eq!(s.best.decision, Decision::NeedsApproval);
        assert!(s.best.rule.contains("rate limit: 10 per hour reached"), "{}", s.best.rule);
        assert_eq!(s.left_this_hour, Some(0));
        assert_eq!(standing(false, Some(&g), false, 25, None).left_this_hour, Some(0));
    }

    #[test]
    fn an_open_alert_sends_everything_to_a_person() {
        let g = grant(Tier::Executor, Conditions::default());
        let s = standing(false, Some(&g), true, 0, None);
        assert_eq!(s.best.decision, Decision::NeedsApproval);
        assert_eq!(s.escalates_when, vec!["every request while an alert about this agent is open"]);
        assert_eq!(s.left_this_hour, None);
    }

    #[test]
    fn below_executor_the_tier_decides_and_no_trigger_is_listed() {
        let contributor = standing(false, Some(&grant(Tier::Contributor, strict())), false, 0, None);
        assert_eq!(contributor.best.decision, Decision::NeedsApproval);
        assert!(contributor.escalates_when.is_empty());
        let observer = standing(false, Some(&grant(Tier::Observer, strict())), false, 0, None);
        assert_eq!(observer.best.decision, Decision::Shadow);
    }

    #[test]
    fn a_suspended_agent_or_grant_and_no_grant_are_refused() {
        let g = grant(Tier::Executor, strict());
        assert_eq!(standing(true, Some(&g), false, 0, None).best.decision, Decision::Denied);
        let suspended = GrantView { suspended: true, ..g };
        let s = standing(false, Some(&suspended), false, 0, None);
        assert_eq!(s.best.decision, Decision::Denied);
        assert!(s.escalates_when.is_empty());
        assert_eq!(standing(false, None, false, 0, None).best.decision, Decision::Denied);
    }

    #[test]
    fn a_param_both_limited_and_watched_is_taken_at_its_limit_and_as_seen() {
        let conditions = Conditions {
            limits: vec![Limit { param: "amount".into(), max: 50.0 }],
            new_value_params: vec!["amount".into()],
            ..Conditions::default()
        };
        let s = standing(false, Some(&grant(Tier::Executor, conditions)), false, 0, None);
        assert_eq!(s.best.decision, Decision::Allowed, "{}", s.best.rule);
    }

    #[test]
    fn supervision_is_reported_with_the_allowance() {
        let g = grant(Tier::Executor, Conditions { supervised: true, ..Conditions::default() });
        let s = standing(false, Some(&g), false, 0, None);
        assert_eq!(s.best.decision, Decision::Allowed);
        assert!(s.best.supervised);
        assert!(s.escalates_when.is_empty());
    }
}
