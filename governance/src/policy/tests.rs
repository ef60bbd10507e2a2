//! Table-driven tests over tier × condition × outcome, and properties of `decide`.

use super::*;
use proptest::prelude::*;
use serde_json::json;

fn grant(tier: Tier, conditions: Conditions) -> GrantView {
    GrantView { grant_id: 7, tier, template: "refunds".into(), template_version: 3, conditions, suspended: false }
}

struct Case {
    name: &'static str,
    tier: Option<Tier>,
    conditions: Conditions,
    params: Value,
    confidence: f64,
    recent: u32,
    alert: bool,
    condition: ConditionCheck,
    suspended: bool,
    known: bool,
    want: Decision,
    rule_has: &'static str,
}

fn base() -> Case {
    Case {
        name: "",
        tier: Some(Tier::Executor),
        conditions: Conditions::default(),
        params: json!({"amount": 100, "currency": "EUR"}),
        confidence: 0.9,
        recent: 0,
        alert: false,
        condition: ConditionCheck::None,
        suspended: false,
        known: true,
        want: Decision::Allowed,
        rule_has: "within the template's conditions",
    }
}

fn run(c: &Case, seen: &BTreeMap<String, BTreeSet<String>>) -> Outcome {
    let g = c.tier.map(|t| grant(t, c.conditions.clone()));
    decide(&DecisionInput {
        capability_known: c.known,
        agent_suspended: c.suspended,
        grant: g.as_ref(),
        params: &c.params,
        confidence: c.confidence,
        recent_in_hour: c.recent,
        seen_values: seen,
        open_alert: c.alert,
        condition: &c.condition,
    })
}

fn limit(max: f64) -> Conditions {
    Conditions { limits: vec![Limit { param: "amount".into(), max }], ..Conditions::default() }
}

#[test]
fn every_tier_condition_and_outcome() {
    let seen: BTreeMap<String, BTreeSet<String>> =
        [("currency".to_owned(), ["EUR".to_owned()].into_iter().collect())].into_iter().collect();
    let cases = vec![
        Case { name: "executor, no conditions", ..base() },
        Case {
            name: "unknown capability",
            known: false,
            want: Decision::Denied,
            rule_has: "unknown capability",
            ..base()
        },
        Case { name: "suspended agent", suspended: true, want: Decision::Denied, rule_has: "suspended", ..base() },
        Case { name: "no grant", tier: None, want: Decision::Denied, rule_has: "no grant", ..base() },
        Case {
            name: "observer",
            tier: Some(Tier::Observer),
            want: Decision::Shadow,
            rule_has: "observer tier",
            ..base()
        },
        Case {
            name: "contributor",
            tier: Some(Tier::Contributor),
            want: Decision::NeedsApproval,
            rule_has: "contributor tier",
            ..base()
        },
        Case {
            name: "observer ignores executor conditions",
            tier: Some(Tier::Observer),
            conditions: limit(1.0),
            want: Decision::Shadow,
            rule_has: "observer",
            ..base()
        },
        Case { name: "limit respected", conditions: limit(100.0), ..base() },
        Case {
            name: "limit exceeded",
            conditions: limit(99.5),
            want: Decision::NeedsApproval,
            rule_has: "exceeds the limit 99.5",
            ..base()
        },
        Case {
            name: "limited param missing",
            conditions: limit(10.0),
            params: json!({"currency": "EUR"}),
            want: Decision::NeedsApproval,
            rule_has: "amount is missing",
            ..base()
        },
        Case {
            name: "limited param not a number",
            conditions: limit(10.0),
            params: json!({"amount": "lots"}),
            want: Decision::NeedsApproval,
            rule_has: "not a number",
            ..base()
        },
        Case {
            name: "confidence at the minimum",
            conditions: Conditions { min_confidence: Some(0.9), ..Conditions::default() },
            ..base()
        },
        Case {
            name: "confidence below the minimum",
            conditions: Conditions { min_confidence: Some(0.95), ..Conditions::default() },
            want: Decision::NeedsApproval,
            rule_has: "below the minimum 0.95",
            ..base()
        },
        Case {
            name: "rate below the limit",
            conditions: Conditions { max_per_hour: Some(3), ..Conditions::default() },
            recent: 2,
            ..base()
        },
        Case {
            name: "rate limit reached",
            conditions: Conditions { max_per_hour: Some(3), ..Conditions::default() },
            recent: 3,
            want: Decision::NeedsApproval,
            rule_has: "3 per hour",
            ..base()
        },
        Case {
            name: "value seen before",
            conditions: Conditions { new_value_params: vec!["currency".into()], ..Conditions::default() },
            ..base()
        },
        Case {
            name: "value never seen",
            conditions: Conditions { new_value_params: vec!["currency".into()], ..Conditions::default() },
            params: json!({"amount": 1, "currency": "JPY"}),
            want: Decision::NeedsApproval,
            rule_has: "currency = 'JPY' was never used",
            ..base()
        },
        Case { name: "open alert", alert: true, want: Decision::NeedsApproval, rule_has: "anomaly alert", ..base() },
        Case { name: "cedar holds", condition: ConditionCheck::Holds, ..base() },
        Case {
            name: "cedar fails",
            condition: ConditionCheck::Fails("context.params.amount < 50".into()),
            want: Decision::NeedsApproval,
            rule_has: "condition does not hold",
            ..base()
        },
        Case {
            name: "supervised executor",
            conditions: Conditions { supervised: true, ..Conditions::default() },
            ..base()
        },
    ];
    for c in &cases {
        let o = run(c, &seen);
        assert_eq!(o.decision, c.want, "{}: {}", c.name, o.rule);
        assert!(o.rule.contains(c.rule_has), "{}: rule was '{}'", c.name, o.rule);
        if c.tier.is_some() && c.known && !c.suspended {
            assert!(o.rule.starts_with("grant 7 (template refunds v3)"), "{}: {}", c.name, o.rule);
        }
        assert_eq!(o.supervised, c.name == "supervised executor", "{}", c.name);
    }
}

fn arb_conditions() -> impl Strategy<Value = Conditions> {
    (
        proptest::option::of(0.0f64..1.0),
        proptest::option::of(0.0f64..1000.0),
        proptest::option::of(0u32..10),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(min_confidence, max, max_per_hour, new_currency, supervised)| Conditions {
            min_confidence,
            limits: max.map(|m| vec![Limit { param: "amount".into(), max: m }]).unwrap_or_default(),
            max_per_hour,
            new_value_params: if new_currency { vec!["currency".into()] } else { vec![] },
            supervised,
        })
}

fn arb_tier() -> impl Strategy<Value = Option<Tier>> {
    proptest::option::of(prop_oneof![Just(Tier::Observer), Just(Tier::Contributor), Just(Tier::Executor)])
}

/// One extra condition added on top of a set.
fn tighten(c: &Conditions, which: u8, x: f64) -> Conditions {
    let mut t = c.clone();
    match which % 4 {
        0 => t.min_confidence = Some(t.min_confidence.map_or(x, |m| m.max(x))),
        1 => t.limits.push(Limit { param: "amount".into(), max: x * 1000.0 }),
        2 => t.max_per_hour = Some(t.max_per_hour.map_or((x * 10.0) as u32, |m| m.min((x * 10.0) as u32))),
        _ => t.new_value_params.push("currency".into()),
    }
    t
}

/// An input over `g` (when there is a grant) with the other facts given.
#[allow(clippy::too_many_arguments)] // one argument per fact a decision depends on
fn input_for<'a>(
    g: Option<&'a GrantView>,
    params: &'a Value,
    seen: &'a BTreeMap<String, BTreeSet<String>>,
    known: bool,
    suspended: bool,
    confidence: f64,
    recent: u32,
    alert: bool,
) -> DecisionInput<'a> {
    DecisionInput {
        capability_known: known,
        agent_suspended: suspended,
        grant: g,
        params,
        confidence,
        recent_in_hour: recent,
        seen_values: seen,
        open_alert: alert,
        condition: &ConditionCheck::None,
    }
}

proptest! {
    #[test]
    fn a_decision_depends_only_on_its_input(
        tier in arb_tier(), conditions in arb_conditions(), amount in 0.0f64..2000.0,
        confidence in 0.0f64..1.0, recent in 0u32..12, alert in any::<bool>(), suspended in any::<bool>(),
    ) {
        let seen = BTreeMap::new();
        let params = json!({"amount": amount, "currency": "EUR"});
        let make = || grant(tier.unwrap_or(Tier::Executor), conditions.clone());
        let (g1, g2) = (make(), make());
        let a = input_for(tier.map(|_| &g1), &params, &seen, true, suspended, confidence, recent, alert);
        let b = input_for(tier.map(|_| &g2), &params, &seen, true, suspended, confidence, recent, alert);
        prop_assert_eq!(decide(&a), decide(&b));
    }

    #[test]
    fn adding_a_condition_never_turns_a_refusal_into_allowed(
        tier in arb_tier(), conditions in arb_conditions(), which in 0u8..4, x in 0.0f64..1.0,
        amount in 0.0f64..2000.0, confidence in 0.0f64..1.0, recent in 0u32..12, alert in any::<bool>(),
        suspended in any::<bool>(), known in any::<bool>(), seen_eur in any::<bool>(),
    ) {
        let seen: BTreeMap<String, BTreeSet<String>> = if seen_eur {
            [("currency".to_owned(), ["EUR".to_owned()].into_iter().collect())].into_iter().collect()
        } else {
            BTreeMap::new()
        };
        let params = json!({"amount": amount, "currency": "EUR"});
        let loose = grant(tier.unwrap_or(Tier::Executor), conditions.clone());
        let strict = grant(tier.unwrap_or(Tier::Executor), tighten(&conditions, which, x));
        let before = decide(&input_for(tier.map(|_| &loose), &params, &seen, known, suspended, confidence, recent, alert));
        let after = decide(&input_for(tier.map(|_| &strict), &params, &seen, known, suspended, confidence, recent, alert));
        if after.decision == Decision::Allowed {
            prop_assert_eq!(before.decision, Decision::Allowed);
        }
        if before.decision != Decision::Allowed {
            prop_assert_ne!(after.decision, Decision::Allowed);
        }
    }
}

#[test]
fn a_suspended_grant_is_refused_at_every_tier() {
    let seen = BTreeMap::new();
    for tier in [Tier::Observer, Tier::Contributor, Tier::Executor] {
        let g = GrantView { suspended: true, ..grant(tier, Conditions::default()) };
        let out = decide(&DecisionInput {
            capability_known: true,
            agent_suspended: false,
            grant: Some(&g),
            params: &json!({"amount": 1}),
            confidence: 0.99,
            recent_in_hour: 0,
            seen_values: &seen,
            open_alert: false,
            condition: &ConditionCheck::None,
        });
        assert_eq!(out.decision, Decision::Denied, "{tier:?}");
        assert!(out.rule.contains("suspended by monitoring"), "{}", out.rule);
    }
}
