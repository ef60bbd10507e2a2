use super::*;

fn form() -> RuleForm {
    RuleForm {
        capability: "finance.refund.issue".into(),
        min_confidence: "0.8".into(),
        limits: "amount <= 500; items<=3".into(),
        max_per_hour: "20".into(),
        new_value_params: "currency, iban".into(),
        supervised: true,
        approval_expiry_minutes: "".into(),
        condition: r#" context.params.currency == "EUR" "#.into(),
        separation_of_duties: true,
        ..RuleForm::default()
    }
}

#[test]
fn a_full_form_parses_into_a_rule() {
    let r = parse_rule(&form()).unwrap();
    assert_eq!(r.conditions.min_confidence, Some(0.8));
    assert_eq!(show_limits(&r.conditions.limits), "amount <= 500; items <= 3");
    assert_eq!(r.conditions.max_per_hour, Some(20));
    assert_eq!(r.conditions.new_value_params, ["currency", "iban"]);
    assert!(r.conditions.supervised);
    assert_eq!(r.approval_expiry_minutes, DEFAULT_APPROVAL_EXPIRY_MINUTES);
    assert_eq!(r.condition.as_deref(), Some(r#"context.params.currency == "EUR""#));
    assert_eq!(r.peer, PeerCheck::default(), "no peer check unless asked for");
}

#[test]
fn a_peer_check_parses_with_its_pool_and_tolerances() {
    let f = RuleForm {
        peer_mode: "when".into(),
        peer_condition: "context.params.amount > 100".into(),
        peer_pool: "check-bot, audit-bot".into(),
        peer_tolerances: "amount: 0.5".into(),
        ..form()
    };
    let p = parse_rule(&f).unwrap().peer;
    assert_eq!((p.mode.clone(), p.pool.len(), p.deadline_minutes), (PeerMode::When, 2, DEFAULT_PEER_DEADLINE_MINUTES));
    assert_eq!(
        show_peer(&p),
        "when context.params.amount > 100, by check-bot, audit-bot within 30 min; tolerances amount: 0.5"
    );
    let always = parse_rule(&RuleForm {
        peer_mode: "always".into(),
        peer_pool: "c".into(),
        peer_condition: "x".into(),
        ..form()
    });
    assert_eq!(always.unwrap().peer.condition, None, "a condition only applies to 'when'");
}

#[test]
fn each_bad_field_is_named() {
    let cases = [
        (RuleForm { min_confidence: "high".into(), ..form() }, "min_confidence"),
        (RuleForm { min_confidence: "1.5".into(), ..form() }, "min_confidence"),
        (RuleForm { limits: "amount < 5".into(), ..form() }, "limits"),
        (RuleForm { limits: "amount <= lots".into(), ..form() }, "limits"),
        (RuleForm { limits: "amount <= 1; amount <= 2".into(), ..form() }, "limits"),
        (RuleForm { max_per_hour: "0".into(), ..form() }, "max_per_hour"),
        (RuleForm { new_value_params: "iban number".into(), ..form() }, "new_value_params"),
        (RuleForm { approval_expiry_minutes: "-3".into(), ..form() }, "approval_expiry_minutes"),
        (RuleForm { condition: "context.params.amount <".into(), ..form() }, "condition"),
        (RuleForm { peer_mode: "sometimes".into(), ..form() }, "peer_mode"),
        (RuleForm { start_tier: "boss".into(), ..form() }, "start_tier"),
        (RuleForm { peer_mode: "always".into(), ..form() }, "peer_pool"),
        (RuleForm { peer_mode: "when".into(), peer_pool: "check-bot".into(), ..form() }, "peer_condition"),
        (RuleForm { peer_mode: "always".into(), peer_pool: "check bot".into(), ..form() }, "peer_pool"),
        (
            RuleForm { peer_mode: "always".into(), peer_pool: "c".into(), peer_tolerances: "amount".into(), ..form() },
            "peer_tolerances",
        ),
        (
            RuleForm { peer_mode: "always".into(), peer_pool: "c".into(), peer_deadline_minutes: "0".into(), ..form() },
            "peer_deadline_minutes",
        ),
        (
            RuleForm {
                peer_mode: "when".into(),
                peer_pool: "c".into(),
                peer_condition: "context.params.amount >".into(),
                ..form()
            },
            "peer_condition",
        ),
    ];
    for (f, field) in cases {
        assert_eq!(parse_rule(&f).unwrap_err().0, field);
    }
}

#[test]
fn bodies_keep_one_rule_per_capability_and_round_trip() {
    let r = parse_rule(&form()).unwrap();
    let other = Rule { capability: "a.b".into(), ..r.clone() };
    let body = Body::default().with_rule(r.clone()).with_rule(other).with_rule(r.clone());
    assert_eq!(body.rules.iter().map(|r| r.capability.as_str()).collect::<Vec<_>>(), ["a.b", "finance.refund.issue"]);
    assert_eq!(Body::from_json(&body.to_json()).unwrap(), body);
    assert_eq!(body.without("a.b").rules.len(), 1);
}

#[test]
fn comparing_versions_lists_each_changed_field() {
    let r = parse_rule(&form()).unwrap();
    let a = Body::default().with_rule(r.clone()).with_rule(Rule { capability: "x.gone".into(), ..r.clone() });
    let mut changed = r.clone();
    changed.conditions.max_per_hour = Some(5);
    changed.conditions.supervised = false;
    let b = Body::default().with_rule(changed).with_rule(Rule { capability: "x.new".into(), ..r });
    let diff = compare(&a, &b);
    let summary: Vec<String> =
        diff.iter().map(|c| format!("{}.{}: {} -> {}", c.capability, c.field, c.before, c.after)).collect();
    assert_eq!(
        summary,
        [
            "finance.refund.issue.max_per_hour: 20 -> 5",
            "finance.refund.issue.supervised: true -> false",
            "x.gone.rule: present -> removed",
            "x.new.rule:  -> added",
        ]
    );
    assert!(compare(&a, &a).is_empty());
}

#[test]
fn a_rule_says_where_new_grants_may_start_and_keeps_its_old_hash_without_it() {
    let r = parse_rule(&form()).unwrap();
    assert_eq!(r.promotion.start_tier, crate::policy::Tier::Observer, "observer unless set");
    assert!(!r.to_json_for_test().contains("start_tier"), "the default is not stored, so older rules hash as before");
    let higher = parse_rule(&RuleForm { start_tier: "contributor".into(), ..form() }).unwrap();
    assert_eq!(higher.promotion.start_tier, crate::policy::Tier::Contributor);
    let back: Rule = serde_json::from_str(&higher.to_json_for_test()).unwrap();
    assert_eq!(back, higher);
    let diff = compare(&Body::default().with_rule(r), &Body::default().with_rule(higher));
    assert_eq!(diff.len(), 1);
    assert_eq!(
        (diff[0].field.as_str(), diff[0].before.as_str(), diff[0].after.as_str()),
        ("start_tier", "observer", "contributor")
    );
}

impl Rule {
    fn to_json_for_test(&self) -> String {
        serde_json::to_string(self).unwrap()
    }
}
