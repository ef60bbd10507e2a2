//! Every (state, event) pair: the allowed ones go where the design says, all others refuse.

use super::*;
use State as S;

const SUP_REV: Event = Event::Succeeded { supervised: true, reversible: true };
const SUP_IRR: Event = Event::Succeeded { supervised: true, reversible: false };
const UNSUP_REV: Event = Event::Succeeded { supervised: false, reversible: true };
const UNSUP_IRR: Event = Event::Succeeded { supervised: false, reversible: false };

/// The whole lifecycle of DESIGN.md, as (from, event, to).
const ALLOWED: [(State, Event, State); 23] = [
    (S::NeedsApproval, Event::Approve, S::Approved),
    (S::NeedsApproval, Event::Reject, S::Rejected),
    (S::NeedsApproval, Event::Expire, S::Expired),
    (S::Shadow, Event::RecordShadow, S::ShadowCompared),
    (S::AwaitingPeer, Event::PeerAgreed { to: PeerPath::Allowed }, S::Allowed),
    (S::AwaitingPeer, Event::PeerAgreed { to: PeerPath::NeedsApproval }, S::NeedsApproval),
    (S::AwaitingPeer, Event::PeerDisagreed, S::NeedsApproval),
    (S::Allowed, SUP_REV, S::AwaitingConfirmation),
    (S::Allowed, SUP_IRR, S::AwaitingConfirmation),
    (S::Allowed, UNSUP_REV, S::Reversible),
    (S::Allowed, UNSUP_IRR, S::Final),
    (S::Allowed, Event::ExecutionFailed, S::Failed),
    (S::Approved, SUP_REV, S::AwaitingConfirmation),
    (S::Approved, SUP_IRR, S::AwaitingConfirmation),
    (S::Approved, UNSUP_REV, S::Reversible),
    (S::Approved, UNSUP_IRR, S::Final),
    (S::Approved, Event::ExecutionFailed, S::Failed),
    (S::AwaitingConfirmation, Event::Confirm, S::Final),
    (S::AwaitingConfirmation, Event::RequestRollback, S::RollbackRequested),
    (S::Reversible, Event::WindowEnded, S::Final),
    (S::Reversible, Event::RequestRollback, S::RollbackRequested),
    (S::RollbackRequested, Event::RolledBack, S::RolledBack),
    (S::RollbackRequested, Event::RollbackFailed, S::RollbackFailed),
];

#[test]
fn every_allowed_transition_goes_where_the_design_says() {
    for (from, event, to) in ALLOWED {
        assert_eq!(next(from, event), Ok(to), "{from:?} --{event:?}-->");
    }
}

#[test]
fn every_other_pair_is_refused_and_says_why() {
    let mut refused = 0;
    for state in State::ALL {
        for event in Event::ALL {
            let allowed = ALLOWED.iter().any(|(f, e, _)| *f == state && *e == event);
            match next(state, event) {
                Ok(to) => assert!(allowed, "{state:?} --{event:?}--> {to:?} is not in the design"),
                Err(r) => {
                    assert!(!allowed, "{state:?} --{event:?}--> was refused");
                    assert_eq!(r, Refused { state, event });
                    assert!(r.to_string().contains(state.as_str()), "{r}");
                    refused += 1;
                }
            }
        }
    }
    assert_eq!(refused, State::ALL.len() * Event::ALL.len() - 23);
}

#[test]
fn terminal_states_accept_nothing() {
    let terminal: Vec<State> = State::ALL.into_iter().filter(|s| s.is_terminal()).collect();
    assert_eq!(
        terminal,
        [S::Denied, S::ShadowCompared, S::Rejected, S::Expired, S::Failed, S::Final, S::RolledBack, S::RollbackFailed]
    );
}

#[test]
fn a_decided_action_cannot_be_decided_again() {
    for first in [Event::Approve, Event::Reject, Event::Expire] {
        let after = next(S::NeedsApproval, first).unwrap();
        for second in [Event::Approve, Event::Reject, Event::Expire] {
            assert!(next(after, second).is_err(), "{first:?} then {second:?}");
        }
    }
}

#[test]
fn only_allowed_or_approved_actions_may_execute() {
    let may: Vec<State> = State::ALL.into_iter().filter(|s| s.may_execute()).collect();
    assert_eq!(may, [S::Approved, S::Allowed]);
}

#[test]
fn names_round_trip_and_parties_are_as_designed() {
    for s in State::ALL {
        assert_eq!(State::parse(s.as_str()), Some(s));
    }
    assert_eq!(State::parse("executed"), None);
    assert_eq!(Event::Approve.party(), Party::Reviewer);
    assert_eq!(Event::RequestRollback.party(), Party::Corrector);
    assert_eq!(UNSUP_REV.party(), Party::Agent);
    assert_eq!(Event::Expire.party(), Party::System);
}
