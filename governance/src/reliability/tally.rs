//! What one grant's agent did in one window, counted from the actions and their evidence, and
//! the rates a person (and the promotion criteria) judge it by.

use crate::reliability::rate::Rate;
use serde::{Deserialize, Serialize};

/// Counts for one grant over one window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    /// Every request the agent made.
    pub proposals: u64,
    /// Allowed at once by its tier and conditions.
    pub allowed: u64,
    /// Sent to a person (a rule escalated it, or its tier needs approval).
    pub escalated: u64,
    /// Refused at once.
    pub denied: u64,
    /// Of the escalated, approved by a person.
    pub approved: u64,
    /// Of the approved, approved only after the reviewer changed the params: the agent's own
    /// proposal was not good enough as it was, so these do not count as clean approvals.
    #[serde(default)]
    pub edited: u64,
    /// Of the escalated, rejected by a person.
    pub rejected: u64,
    /// Of the escalated, left until the deadline passed.
    pub expired: u64,
    /// Executions reported successful (whatever happened after).
    pub executed_ok: u64,
    /// Executions reported failed.
    pub failed: u64,
    /// Of the successful executions, undone on a person's request.
    pub rolled_back: u64,
    /// Undo attempts that failed (each raised an alert).
    pub rollback_failed: u64,
    /// Observer recommendations a reviewer matched exactly.
    pub shadow_same: u64,
    /// Recommendations a reviewer would have acted on with other params.
    pub shadow_different: u64,
    /// Recommendations a reviewer would not have acted on.
    pub shadow_opposite: u64,
    /// Peer checks where a second agent agreed.
    pub peer_agreed: u64,
    /// Peer checks where it disagreed (or never answered).
    pub peer_disagreed: u64,
    /// Distinct people who decided its proposals.
    pub reviewers: u64,
    /// Distinct parameter sets it proposed (capability and params, canonical).
    pub patterns: u64,
}

impl Tally {
    /// Approved as proposed out of what a person decided (approved or rejected; an expiry is
    /// nobody's verdict). An approval with edits is decided but not approved as proposed.
    pub fn approval(&self) -> Rate {
        Rate::new(self.approved.saturating_sub(self.edited), self.approved + self.rejected)
    }

    /// Shadow recommendations matched exactly, out of all compared.
    pub fn agreement(&self) -> Rate {
        Rate::new(self.shadow_same, self.shadow_compared())
    }

    /// How many recommendations a reviewer compared.
    pub fn shadow_compared(&self) -> u64 {
        self.shadow_same + self.shadow_different + self.shadow_opposite
    }

    /// Successful executions later undone (or attempted to be), out of all successful ones.
    pub fn rollback(&self) -> Rate {
        Rate::new(self.rolled_back + self.rollback_failed, self.executed_ok)
    }

    /// Failed executions out of all reported.
    pub fn failure(&self) -> Rate {
        Rate::new(self.failed, self.executed_ok + self.failed)
    }

    /// Peer agreement out of answered or timed-out checks.
    pub fn peer_agreement(&self) -> Rate {
        Rate::new(self.peer_agreed, self.peer_agreed + self.peer_disagreed)
    }

    /// Escalated out of all proposals.
    pub fn escalation(&self) -> Rate {
        Rate::new(self.escalated, self.proposals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_use_the_right_denominators() {
        let t = Tally {
            proposals: 20,
            escalated: 10,
            approved: 6,
            rejected: 2,
            expired: 2,
            executed_ok: 8,
            failed: 2,
            rolled_back: 1,
            rollback_failed: 1,
            shadow_same: 3,
            shadow_different: 1,
            shadow_opposite: 1,
            peer_agreed: 4,
            peer_disagreed: 1,
            ..Tally::default()
        };
        assert_eq!(t.approval(), Rate::new(6, 8), "an expiry is nobody's verdict");
        assert_eq!(t.agreement(), Rate::new(3, 5));
        assert_eq!(t.rollback(), Rate::new(2, 8));
        assert_eq!(t.failure(), Rate::new(2, 10));
        assert_eq!(t.peer_agreement(), Rate::new(4, 5));
        assert_eq!(t.escalation(), Rate::new(10, 20));
        let edited = Tally { edited: 4, ..t };
        assert_eq!(edited.approval(), Rate::new(2, 8), "an approval with edits is not approval as proposed");
    }

    #[test]
    fn an_empty_tally_has_no_rates() {
        let t = Tally::default();
        for r in [t.approval(), t.agreement(), t.rollback(), t.failure(), t.peer_agreement()] {
            assert_eq!(r.value(), None);
        }
    }
}
