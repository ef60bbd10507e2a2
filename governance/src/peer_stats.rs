//! Peer-check statistics as a pure function: per pair of agents, how often they agreed, which
//! side people chose when they did not, and how often both agreed on an action that was later
//! rolled back (a correlated failure: two checks that failed together).

use crate::peer::CheckStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One finished or pending peer check, as the statistics need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckRow {
    pub primary: String,
    /// None while nobody took it.
    pub peer: Option<String>,
    pub status: crate::peer::CheckStatus,
    /// `primary`, `peer` or `neither` once a person chose.
    pub resolution: Option<String>,
    /// The action's lifecycle state now.
    pub action_state: String,
}

/// Figures for one (primary, peer) pair.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairStats {
    pub primary: String,
    pub peer: String,
    /// Verdicts given (agreed + disagreed).
    pub answered: u64,
    pub agreed: u64,
    pub timed_out: u64,
    pub chose_primary: u64,
    pub chose_peer: u64,
    pub chose_neither: u64,
    /// Both agreed, and the action was later rolled back (or asked to be).
    pub correlated_failures: u64,
}

impl PairStats {
    /// Agreement in whole percent of the answered checks.
    pub fn agreement_percent(&self) -> Option<u64> {
        (self.answered > 0).then(|| (self.agreed * 100 + self.answered / 2) / self.answered)
    }
}

fn rolled_back(state: &str) -> bool {
    use crate::lifecycle::State;
    State::parse(state).is_some_and(|s| s.is_any(&[State::RollbackRequested, State::RolledBack, State::RollbackFailed]))
}

/// Figures per pair, ordered by primary then peer; checks nobody took count under peer "—".
pub fn by_pair(rows: &[CheckRow]) -> Vec<PairStats> {
    let mut out: BTreeMap<(String, String), PairStats> = BTreeMap::new();
    for r in rows {
        let peer = r.peer.clone().unwrap_or_else(|| "—".into());
        let s = out.entry((r.primary.clone(), peer.clone())).or_insert_with(|| PairStats {
            primary: r.primary.clone(),
            peer,
            ..PairStats::default()
        });
        match r.status {
            CheckStatus::Agreed => {
                s.answered += 1;
                s.agreed += 1;
                if rolled_back(&r.action_state) {
                    s.correlated_failures += 1;
                }
            }
            CheckStatus::Disagreed => s.answered += 1,
            CheckStatus::TimedOut => s.timed_out += 1,
            CheckStatus::Open | CheckStatus::Taken => {}
        }
        match r.resolution.as_deref() {
            Some("primary") => s.chose_primary += 1,
            Some("peer") => s.chose_peer += 1,
            Some("neither") => s.chose_neither += 1,
            _ => {}
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(primary: &str, peer: Option<&str>, status: &str, resolution: Option<&str>, state: &str) -> CheckRow {
        CheckRow {
            primary: primary.into(),
            peer: peer.map(Into::into),
            status: serde_json::from_value(serde_json::Value::String(status.into())).unwrap(),
            resolution: resolution.map(Into::into),
            action_state: state.into(),
        }
    }

    #[test]
    fn pairs_count_agreement_choices_and_correlated_failures() {
        let rows = [
            row("refund-bot", Some("check-bot"), "agreed", None, "final"),
            row("refund-bot", Some("check-bot"), "agreed", None, "rolled_back"),
            row("refund-bot", Some("check-bot"), "disagreed", Some("peer"), "approved"),
            row("refund-bot", Some("check-bot"), "disagreed", Some("neither"), "rejected"),
            row("refund-bot", Some("audit-bot"), "disagreed", Some("primary"), "rolled_back"),
            row("refund-bot", None, "timed_out", Some("primary"), "approved"),
            row("refund-bot", Some("check-bot"), "taken", None, "awaiting_peer"),
        ];
        let stats = by_pair(&rows);
        assert_eq!(stats.len(), 3);
        let check = stats.iter().find(|s| s.peer == "check-bot").unwrap();
        assert_eq!((check.answered, check.agreed, check.agreement_percent()), (4, 2, Some(50)));
        assert_eq!((check.chose_peer, check.chose_neither, check.correlated_failures), (1, 1, 1));
        let audit = stats.iter().find(|s| s.peer == "audit-bot").unwrap();
        assert_eq!((audit.chose_primary, audit.correlated_failures), (1, 0), "a disagreement is never correlated");
        let nobody = stats.iter().find(|s| s.peer == "—").unwrap();
        assert_eq!((nobody.timed_out, nobody.answered, nobody.agreement_percent()), (1, 0, None));
    }
}
