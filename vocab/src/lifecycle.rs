//! The action lifecycle as one pure state machine: which event may move an action from which
//! state to which, and who may send it. Every stored transition goes through [`next`]; the
//! store then applies it with a compare-and-set on the state, so a racing second actor gets a
//! conflict instead of a double effect.

use serde::{Deserialize, Serialize};

/// Where an action is; stored as its snake_case name (`needs_approval`), so the column stays
/// text and rows written before it was typed read as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "db", sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case"))]
pub enum State {
    /// Refused at once (terminal).
    Denied,
    /// An observer's recommendation, waiting for a reviewer's own decision.
    Shadow,
    /// The reviewer recorded their decision beside the recommendation (terminal).
    ShadowCompared,
    /// Waiting for a second agent's independent verdict.
    AwaitingPeer,
    /// Waiting for a reviewer.
    NeedsApproval,
    /// A reviewer approved it; the agent may execute.
    Approved,
    /// A reviewer rejected it (terminal).
    Rejected,
    /// Nobody decided before the deadline; counts as denied (terminal).
    Expired,
    /// Allowed at once; the agent may execute.
    Allowed,
    /// The agent reported that execution failed (terminal).
    Failed,
    /// Executed under supervision; a reviewer confirms it or rolls it back.
    AwaitingConfirmation,
    /// Executed; can still be undone until its window ends.
    Reversible,
    /// Executed and settled (terminal).
    Final,
    /// A human asked the agent to undo it.
    RollbackRequested,
    /// The agent undid it (terminal).
    RolledBack,
    /// The agent could not undo it; an alert is raised (terminal).
    RollbackFailed,
}

impl State {
    /// Every state.
    pub const ALL: [State; 16] = [
        State::Denied,
        State::Shadow,
        State::ShadowCompared,
        State::AwaitingPeer,
        State::NeedsApproval,
        State::Approved,
        State::Rejected,
        State::Expired,
        State::Allowed,
        State::Failed,
        State::AwaitingConfirmation,
        State::Reversible,
        State::Final,
        State::RollbackRequested,
        State::RolledBack,
        State::RollbackFailed,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Denied => "denied",
            State::Shadow => "shadow",
            State::ShadowCompared => "shadow_compared",
            State::AwaitingPeer => "awaiting_peer",
            State::NeedsApproval => "needs_approval",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Expired => "expired",
            State::Allowed => "allowed",
            State::Failed => "failed",
            State::AwaitingConfirmation => "awaiting_confirmation",
            State::Reversible => "reversible",
            State::Final => "final",
            State::RollbackRequested => "rollback_requested",
            State::RolledBack => "rolled_back",
            State::RollbackFailed => "rollback_failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Where an action starts: the state named like its decision.
    pub fn first(decision: crate::Decision) -> State {
        use crate::Decision;
        match decision {
            Decision::Allowed => State::Allowed,
            Decision::NeedsApproval => State::NeedsApproval,
            Decision::Shadow => State::Shadow,
            Decision::Denied => State::Denied,
            Decision::AwaitingPeer => State::AwaitingPeer,
        }
    }

    /// Whether the action is in any of `states`.
    pub fn is_any(self, states: &[State]) -> bool {
        states.contains(&self)
    }

    /// Whether nothing can happen to the action any more.
    pub fn is_terminal(self) -> bool {
        Event::ALL.iter().all(|e| next(self, *e).is_err())
    }

    /// Whether the agent reported a successful execution (whatever happened after it).
    pub fn executed_ok(self) -> bool {
        matches!(
            self,
            State::AwaitingConfirmation
                | State::Reversible
                | State::Final
                | State::RollbackRequested
                | State::RolledBack
                | State::RollbackFailed
        )
    }

    /// Whether the agent may execute the action now.
    pub fn may_execute(self) -> bool {
        matches!(self, State::Allowed | State::Approved)
    }
}

/// A state equals its stored name, so callers holding wire text (tests, JSON) compare directly.
impl PartialEq<&str> for State {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for State {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something that happens to an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// A reviewer approves a pending action.
    Approve,
    /// A reviewer rejects a pending action.
    Reject,
    /// The approval deadline passed.
    Expire,
    /// A reviewer records their own decision on an observer's recommendation.
    RecordShadow,
    /// The agent reports success; where it goes depends on supervision and reversibility.
    Succeeded { supervised: bool, reversible: bool },
    /// The agent reports that execution failed.
    ExecutionFailed,
    /// A reviewer confirms a supervised action.
    Confirm,
    /// The undo window ended.
    WindowEnded,
    /// A reviewer or manager asks for the action to be undone.
    RequestRollback,
    /// The agent reports the undo done.
    RolledBack,
    /// The agent reports the undo failed.
    RollbackFailed,
    /// The peer agreed (continues as `to`: the tier's own decision).
    PeerAgreed { to: PeerPath },
    /// The peer disagreed or did not answer in time: a human must decide.
    PeerDisagreed,
}

/// Where an action goes when its peer agrees: the decision its tier would have given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeerPath {
    Allowed,
    NeedsApproval,
}

impl Event {
    /// One of each event (with every combination of its flags), for exhaustive checks.
    pub const ALL: [Event; 17] = [
        Event::Approve,
        Event::Reject,
        Event::Expire,
        Event::RecordShadow,
        Event::Succeeded { supervised: false, reversible: false },
        Event::Succeeded { supervised: false, reversible: true },
        Event::Succeeded { supervised: true, reversible: false },
        Event::Succeeded { supervised: true, reversible: true },
        Event::ExecutionFailed,
        Event::Confirm,
        Event::WindowEnded,
        Event::RequestRollback,
        Event::RolledBack,
        Event::RollbackFailed,
        Event::PeerAgreed { to: PeerPath::Allowed },
        Event::PeerAgreed { to: PeerPath::NeedsApproval },
        Event::PeerDisagreed,
    ];

    /// A readable verb for messages.
    pub fn verb(self) -> &'static str {
        match self {
            Event::Approve => "approve",
            Event::Reject => "reject",
            Event::Expire => "expire",
            Event::RecordShadow => "record a decision on",
            Event::Succeeded { .. } => "report success for",
            Event::ExecutionFailed => "report failure for",
            Event::Confirm => "confirm",
            Event::WindowEnded => "finalise",
            Event::RequestRollback => "roll back",
            Event::RolledBack | Event::RollbackFailed => "report a rollback for",
            Event::PeerAgreed { .. } | Event::PeerDisagreed => "record a peer verdict for",
        }
    }

    /// Who may send the event.
    pub fn party(self) -> Party {
        match self {
            Event::Approve | Event::Reject | Event::RecordShadow | Event::Confirm => Party::Reviewer,
            Event::RequestRollback => Party::Corrector,
            Event::Succeeded { .. } | Event::ExecutionFailed | Event::RolledBack | Event::RollbackFailed => {
                Party::Agent
            }
            Event::Expire | Event::WindowEnded | Event::PeerAgreed { .. } | Event::PeerDisagreed => Party::System,
        }
    }
}

/// Who sends an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    /// A person with the reviewer role.
    Reviewer,
    /// A reviewer or a manager.
    Corrector,
    /// The agent that asked for the action.
    Agent,
    /// Tenure itself (deadlines, peer comparison).
    System,
}

/// A transition the lifecycle does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot {} an action that is {}", .event.verb(), .state.as_str())]
pub struct Refused {
    pub state: State,
    pub event: Event,
}

/// The state `event` moves an action in `state` to, or why it cannot.
pub fn next(state: State, event: Event) -> Result<State, Refused> {
    use State as S;
    let to = match (state, event) {
        (S::NeedsApproval, Event::Approve) => S::Approved,
        (S::NeedsApproval, Event::Reject) => S::Rejected,
        (S::NeedsApproval, Event::Expire) => S::Expired,
        (S::Shadow, Event::RecordShadow) => S::ShadowCompared,
        (S::AwaitingPeer, Event::PeerAgreed { to: PeerPath::Allowed }) => S::Allowed,
        (S::AwaitingPeer, Event::PeerAgreed { to: PeerPath::NeedsApproval } | Event::PeerDisagreed) => S::NeedsApproval,
        (S::Allowed | S::Approved, Event::Succeeded { supervised, reversible }) => {
            if supervised {
                S::AwaitingConfirmation
            } else if reversible {
                S::Reversible
            } else {
                S::Final
            }
        }
        (S::Allowed | S::Approved, Event::ExecutionFailed) => S::Failed,
        (S::AwaitingConfirmation, Event::Confirm) => S::Final,
        (S::Reversible, Event::WindowEnded) => S::Final,
        (S::Reversible | S::AwaitingConfirmation, Event::RequestRollback) => S::RollbackRequested,
        (S::RollbackRequested, Event::RolledBack) => S::RolledBack,
        (S::RollbackRequested, Event::RollbackFailed) => S::RollbackFailed,
        _ => return Err(Refused { state, event }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests;
