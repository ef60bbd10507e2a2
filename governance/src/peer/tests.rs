//! The comparison of two independent analyses: tolerances, missing fields, type mismatches.

use super::*;
use serde_json::json;

fn tol(param: &str, within: f64) -> Tolerance {
    Tolerance { param: param.into(), within }
}

fn fields(c: &Comparison) -> Vec<&str> {
    c.differences.iter().map(|d| d.field.as_str()).collect()
}

#[test]
fn identical_proposals_agree_whatever_the_key_order() {
    let a = json!({"order_id": "A-1", "amount": 30, "currency": "EUR"});
    let b = json!({"currency": "EUR", "amount": 30.0, "order_id": "A-1"});
    let c = compare(&a, PeerDecision::Proceed, &b, &[]);
    assert!(c.agree, "{c:?}");
}

#[test]
fn numbers_agree_within_their_tolerance_only() {
    let a = json!({"amount": 30.0});
    assert!(compare(&a, PeerDecision::Proceed, &json!({"amount": 30.4}), &[tol("amount", 0.5)]).agree);
    assert!(compare(&a, PeerDecision::Proceed, &json!({"amount": 30.5}), &[tol("amount", 0.5)]).agree, "inclusive");
    let c = compare(&a, PeerDecision::Proceed, &json!({"amount": 31}), &[tol("amount", 0.5)]);
    assert_eq!(fields(&c), ["amount"]);
    assert!(c.differences[0].why.contains("more than the tolerance 0.5"));
    let exact = compare(&a, PeerDecision::Proceed, &json!({"amount": 30.01}), &[]);
    assert!(!exact.agree, "without a tolerance numbers must be equal");
    // A tolerance on another param does not apply.
    assert!(!compare(&a, PeerDecision::Proceed, &json!({"amount": 30.2}), &[tol("fee", 1.0)]).agree);
}

#[test]
fn text_and_enums_must_be_equal() {
    let a = json!({"currency": "EUR", "order_id": "A-1"});
    let c = compare(&a, PeerDecision::Proceed, &json!({"currency": "eur", "order_id": "A-1"}), &[tol("currency", 5.0)]);
    assert_eq!(fields(&c), ["currency"]);
    assert_eq!((c.differences[0].primary.as_str(), c.differences[0].peer.as_str()), ("EUR", "eur"));
}

#[test]
fn missing_fields_on_either_side_are_differences() {
    let c =
        compare(&json!({"amount": 1, "reason": "dup"}), PeerDecision::Proceed, &json!({"amount": 1, "note": "x"}), &[]);
    assert_eq!(fields(&c), ["note", "reason"]);
    assert!(c.differences[0].why.contains("primary did not"));
    assert!(c.differences[1].why.contains("peer did not"));
    assert_eq!(c.differences[1].peer, "");
}

#[test]
fn type_mismatches_are_named() {
    let c = compare(&json!({"amount": 30}), PeerDecision::Proceed, &json!({"amount": "30"}), &[tol("amount", 100.0)]);
    assert_eq!(fields(&c), ["amount"]);
    assert_eq!(c.differences[0].why, "number against text");
    let c = compare(&json!({"items": [1, 2]}), PeerDecision::Proceed, &json!({"items": [2, 1]}), &[]);
    assert_eq!(c.differences[0].why, "differs", "lists compare in order");
}

#[test]
fn a_declining_peer_disagrees_and_need_not_propose_params() {
    let a = json!({"amount": 30});
    let c = compare(&a, PeerDecision::Decline, &json!({}), &[]);
    assert_eq!(fields(&c), ["decision"]);
    let c = compare(&a, PeerDecision::Decline, &json!({"amount": 10}), &[]);
    assert_eq!(fields(&c), ["decision", "amount"]);
}

#[test]
fn settings_parse_with_errors_that_say_what_is_wrong() {
    assert_eq!(parse_tolerances("amount: 0.5; fee:0").unwrap(), vec![tol("amount", 0.5), tol("fee", 0.0)]);
    assert!(parse_tolerances("amount 0.5").unwrap_err().contains("amount: 0.5"));
    assert!(parse_tolerances("amount: -1").unwrap_err().contains("zero or more"));
    assert!(parse_tolerances("amount: 1; amount: 2").unwrap_err().contains("two tolerances"));
    assert_eq!(show_tolerances(&parse_tolerances("amount: 0.5").unwrap()), "amount: 0.5");
    assert_eq!(parse_pool(" check-bot, audit_bot ,check-bot").unwrap(), ["check-bot", "audit_bot"]);
    assert!(parse_pool("bad name").is_err());
    assert_eq!(PeerMode::parse("").unwrap(), PeerMode::Off);
    assert!(PeerMode::parse("sometimes").is_err());
    assert_eq!(PeerDecision::parse("decline"), Ok(PeerDecision::Decline));
}

#[test]
fn only_decisions_that_would_go_ahead_wait_for_a_peer() {
    use crate::policy::Decision;
    assert!(routes_to_peer(Decision::Allowed, true));
    assert!(routes_to_peer(Decision::NeedsApproval, true));
    assert!(!routes_to_peer(Decision::Denied, true));
    assert!(!routes_to_peer(Decision::Shadow, true));
    assert!(!routes_to_peer(Decision::Allowed, false));
}
