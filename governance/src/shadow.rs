//! Shadow comparisons: an observer agent's recommendation beside what a reviewer decided on the
//! same case, and how far they agree. Pure functions over canonical params.

use crate::canonical::canonical_json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the reviewer decided on the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approve,
    Reject,
}

impl Verdict {
    /// Parses a form value.
    pub fn parse(s: &str) -> Result<Verdict, String> {
        match s.trim() {
            "approve" => Ok(Verdict::Approve),
            "reject" => Ok(Verdict::Reject),
            other => Err(format!("'{other}' is not a decision: choose approve or reject")),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Reject => "reject",
        }
    }
}

/// How a reviewer's decision compares with the agent's recommendation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Agreement {
    /// The reviewer would have done exactly what the agent recommended.
    Same,
    /// The reviewer would have acted too, but with other params.
    DifferentParams,
    /// The reviewer would not have acted.
    Opposite,
}

impl Agreement {
    /// Every value, in display order.
    pub const ALL: [Agreement; 3] = [Agreement::Same, Agreement::DifferentParams, Agreement::Opposite];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Agreement::Same => "same",
            Agreement::DifferentParams => "different_params",
            Agreement::Opposite => "opposite",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Agreement> {
        Agreement::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Compares the reviewer's decision (with the params they would have used; none means the
/// agent's own) with the agent's recommended params.
pub fn compare(recommended: &Value, verdict: Verdict, human_params: Option<&Value>) -> Agreement {
    match (verdict, human_params) {
        (Verdict::Reject, _) => Agreement::Opposite,
        (Verdict::Approve, None) => Agreement::Same,
        (Verdict::Approve, Some(p)) if canonical_json(p) == canonical_json(recommended) => Agreement::Same,
        (Verdict::Approve, Some(_)) => Agreement::DifferentParams,
    }
}

/// Agreement counts for one agent and capability.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub same: u64,
    pub different_params: u64,
    pub opposite: u64,
}

impl Tally {
    /// Counts one comparison.
    pub fn add(&mut self, a: Agreement) {
        match a {
            Agreement::Same => self.same += 1,
            Agreement::DifferentParams => self.different_params += 1,
            Agreement::Opposite => self.opposite += 1,
        }
    }

    /// Comparisons in all.
    pub fn total(&self) -> u64 {
        self.same + self.different_params + self.opposite
    }

    /// Share of exact agreement, in whole percent; none before the first comparison.
    pub fn agreement_percent(&self) -> Option<u64> {
        (self.total() > 0).then(|| (self.same * 100 + self.total() / 2) / self.total())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn approving_the_same_params_in_any_key_order_is_agreement() {
        let rec = json!({"amount": 30, "currency": "EUR"});
        assert_eq!(compare(&rec, Verdict::Approve, None), Agreement::Same);
        assert_eq!(compare(&rec, Verdict::Approve, Some(&json!({"currency": "EUR", "amount": 30}))), Agreement::Same);
    }

    #[test]
    fn other_params_or_a_rejection_are_disagreement() {
        let rec = json!({"amount": 30, "currency": "EUR"});
        assert_eq!(
            compare(&rec, Verdict::Approve, Some(&json!({"amount": 25, "currency": "EUR"}))),
            Agreement::DifferentParams
        );
        assert_eq!(compare(&rec, Verdict::Reject, None), Agreement::Opposite);
        assert_eq!(compare(&rec, Verdict::Reject, Some(&rec)), Agreement::Opposite);
    }

    #[test]
    fn tallies_count_and_round_the_agreement_rate() {
        let mut t = Tally::default();
        assert_eq!(t.agreement_percent(), None);
        for a in [Agreement::Same, Agreement::Same, Agreement::DifferentParams] {
            t.add(a);
        }
        assert_eq!((t.total(), t.agreement_percent()), (3, Some(67)));
        t.add(Agreement::Opposite);
        assert_eq!(t.agreement_percent(), Some(50));
    }

    #[test]
    fn verdicts_parse_from_forms() {
        assert_eq!(Verdict::parse(" approve"), Ok(Verdict::Approve));
        assert!(Verdict::parse("maybe").unwrap_err().contains("approve or reject"));
        assert_eq!(Agreement::parse("different_params"), Some(Agreement::DifferentParams));
    }
}
