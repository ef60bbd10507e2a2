//! Monitoring, pure: detectors that compare an agent's (or a reviewer's) recent behaviour with
//! its own baseline and say whether it has drifted, with the figures and the test that decided.
//! A detector never fires on a tiny sample; each states its minimum. The background job only
//! feeds these functions counts; it never decides.

pub mod confidence;
pub mod config;
pub mod rates;
pub mod reviewers;
pub mod volume;

pub use config::{DetectorConfig, Response, Sensitivity};

use serde::{Deserialize, Serialize};

/// What a detector watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detector {
    /// People reject more of the grant's proposals than they used to.
    RejectionRate,
    /// More of its executions fail.
    FailureRate,
    /// More of its executed actions are rolled back.
    RollbackRate,
    /// Its peer checks disagree more often.
    PeerDisagreement,
    /// It asks far more often than usual.
    Volume,
    /// The confidence it states is distributed differently from usual.
    ConfidenceDrift,
    /// More of its parameter sets are ones never seen before.
    NewParameters,
    /// A reviewer approves almost everything within seconds.
    RubberStamping,
    /// More of the grant's approvals expire before anyone decides: the inbox is ageing.
    InboxAgeing,
}

impl Detector {
    /// Every detector, in the order the console lists them.
    pub const ALL: [Detector; 9] = [
        Detector::RejectionRate,
        Detector::FailureRate,
        Detector::RollbackRate,
        Detector::PeerDisagreement,
        Detector::Volume,
        Detector::ConfidenceDrift,
        Detector::NewParameters,
        Detector::RubberStamping,
        Detector::InboxAgeing,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Detector::RejectionRate => "rejection_rate",
            Detector::FailureRate => "failure_rate",
            Detector::RollbackRate => "rollback_rate",
            Detector::PeerDisagreement => "peer_disagreement",
            Detector::Volume => "volume",
            Detector::ConfidenceDrift => "confidence_drift",
            Detector::NewParameters => "new_parameters",
            Detector::RubberStamping => "rubber_stamping",
            Detector::InboxAgeing => "inbox_ageing",
        }
    }

    /// Its name in the console.
    pub fn label(self) -> &'static str {
        match self {
            Detector::RejectionRate => "Rejection rate",
            Detector::FailureRate => "Failed executions",
            Detector::RollbackRate => "Rollbacks",
            Detector::PeerDisagreement => "Peer disagreement",
            Detector::Volume => "Request volume",
            Detector::ConfidenceDrift => "Stated confidence",
            Detector::NewParameters => "New parameter sets",
            Detector::RubberStamping => "Rubber-stamping",
            Detector::InboxAgeing => "Approvals expiring",
        }
    }

    /// Whether it watches the people reviewing rather than the agent: its alert does not send
    /// the agent's requests to approval (more waiting work would not help), and it may only
    /// alert, never demote or suspend the agent for what people did.
    pub fn about_people(self) -> bool {
        matches!(self, Detector::RubberStamping | Detector::InboxAgeing)
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Result<Detector, String> {
        Detector::ALL.into_iter().find(|d| d.as_str() == s.trim()).ok_or_else(|| format!("'{s}' is not a detector"))
    }
}

/// A detector's judgement of one series.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Judgement {
    /// Too few cases to say anything: the recent window has `n`, the detector needs `min`.
    TooFew { n: u64, min: u64 },
    /// Enough cases, nothing unusual.
    Quiet { finding: Finding },
    /// Drifted: the finding says how far, against what, by which test.
    Fires { finding: Finding },
}

impl Judgement {
    pub fn fires(&self) -> bool {
        matches!(self, Judgement::Fires { .. })
    }

    pub fn finding(&self) -> Option<&Finding> {
        match self {
            Judgement::Quiet { finding } | Judgement::Fires { finding } => Some(finding),
            Judgement::TooFew { .. } => None,
        }
    }
}

/// The figures behind a judgement, as an alert shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The recent figure ("0.31 rejected (11 of 35)").
    pub observed: String,
    /// The baseline it was compared with ("0.06 (9 of 150)").
    pub baseline: String,
    /// The test and its result ("one-sided binomial test, p = 0.00002 < 0.001").
    pub test: String,
    /// The test's p-value (or the share that crossed a threshold, for threshold detectors).
    pub p_value: f64,
    /// Cases in the recent window.
    pub n: u64,
}

/// Formats a p-value readably: "0.0031", "2.1e-7".
pub fn show_p(p: f64) -> String {
    if p >= 0.0001 { format!("{p:.4}") } else { format!("{p:.1e}") }
}
