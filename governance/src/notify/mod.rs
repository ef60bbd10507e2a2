//! Notifications, pure: the kinds of event people hear about, which subscriptions want an
//! event, when a failed delivery is tried again, how a delivery is signed and what it says.
//! The outbox and the deliveries are kept by `store::notifications`; the service is
//! `service::notifications`; the server's background loop sends them.

pub mod message;
pub mod signature;

use crate::capability::Risk;
use chrono::Duration;
use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventKind {
    /// An action waits for a person's approval.
    ApprovalRequested,
    /// A second agent's analysis disagreed; a reviewer must choose.
    PeerDisagreement,
    /// A monitoring detector, or a failed rollback, raised an alert.
    AlertRaised,
    /// Monitoring or an overdue review withdrew authority on its own: a grant demoted or
    /// suspended, an agent suspended.
    AutonomyWithdrawn,
    /// A grant's scheduled trust review is due.
    ReviewDue,
    /// An audit export finished preparing.
    ExportFinished,
    /// An administrator's test of a subscription.
    Test,
}

impl EventKind {
    /// Every kind a subscription can ask for (the test is sent to one subscription only).
    pub const CHOOSABLE: [EventKind; 6] = [
        EventKind::ApprovalRequested,
        EventKind::PeerDisagreement,
        EventKind::AlertRaised,
        EventKind::AutonomyWithdrawn,
        EventKind::ReviewDue,
        EventKind::ExportFinished,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ApprovalRequested => "approval.requested",
            EventKind::PeerDisagreement => "peer.disagreement",
            EventKind::AlertRaised => "alert.raised",
            EventKind::AutonomyWithdrawn => "autonomy.withdrawn",
            EventKind::ReviewDue => "review.due",
            EventKind::ExportFinished => "export.finished",
            EventKind::Test => "test",
        }
    }

    /// What a person reads for it.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::ApprovalRequested => "Approval requested",
            EventKind::PeerDisagreement => "Peer disagreement",
            EventKind::AlertRaised => "Alert raised",
            EventKind::AutonomyWithdrawn => "Autonomy withdrawn",
            EventKind::ReviewDue => "Trust review due",
            EventKind::ExportFinished => "Export finished",
            EventKind::Test => "Test",
        }
    }

    pub fn parse(s: &str) -> Result<EventKind, String> {
        [EventKind::Test].into_iter().chain(EventKind::CHOOSABLE).find(|k| k.as_str() == s.trim()).ok_or_else(|| {
            let names: Vec<&str> = EventKind::CHOOSABLE.iter().map(|k| k.as_str()).collect();
            format!("'{s}' is not an event kind: choose from {}", names.join(", "))
        })
    }
}

/// How a delivery is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// The event as JSON, signed with HMAC-SHA256 (docs/notifications.md).
    Json,
    /// A Slack incoming-webhook message with a link to the item in the console.
    Slack,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Slack => "slack",
        }
    }

    pub fn parse(s: &str) -> Result<Format, String> {
        match s.trim() {
            "json" => Ok(Format::Json),
            "slack" => Ok(Format::Slack),
            other => Err(format!("'{other}' is not a format: choose json (signed) or slack")),
        }
    }
}

/// Which events a subscription wants. Empty lists mean every kind and every capability; an
/// event about no capability (an export) passes a capability or risk filter only when none is set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub kinds: Vec<EventKind>,
    pub capabilities: Vec<String>,
    pub min_risk: Option<Risk>,
}

impl Filter {
    pub fn wants(&self, kind: EventKind, capability: Option<&str>, risk: Option<Risk>) -> bool {
        if kind == EventKind::Test {
            return false;
        }
        let kind_ok = self.kinds.is_empty() || self.kinds.contains(&kind);
        let capability_ok =
            self.capabilities.is_empty() || capability.is_some_and(|c| self.capabilities.iter().any(|w| w == c));
        let risk_ok = self.min_risk.is_none_or(|min| risk.is_some_and(|r| r >= min));
        kind_ok && capability_ok && risk_ok
    }
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryState {
    /// Not yet delivered; tried again at its next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up after [`MAX_ATTEMPTS`] (a dead letter); an administrator may send it again.
    Dead,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryState> {
        [DeliveryState::Pending, DeliveryState::Delivered, DeliveryState::Dead].into_iter().find(|d| d.as_str() == s)
    }
}

/// Attempts before a delivery becomes a dead letter, unless the operator sets another number.
pub const MAX_ATTEMPTS: i32 = 8;

/// How failed deliveries are tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry {
    /// The wait after the first failure; each later one doubles it.
    pub base: Duration,
    /// Attempts in all; the last failure makes a dead letter.
    pub max_attempts: i32,
}

impl Default for Retry {
    fn default() -> Self {
        Retry { base: Duration::seconds(10), max_attempts: MAX_ATTEMPTS }
    }
}

/// How long to wait after the `attempts`-th failed attempt: `base` doubled each time
/// (1, 2, 4, … × base), at most an hour.
pub fn backoff(attempts: i32, base: Duration) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(0);
    let wait = base.num_milliseconds().saturating_mul(1_i64 << doublings);
    Duration::milliseconds(wait.min(Duration::hours(1).num_milliseconds()))
}

/// What one attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The receiver answered 2xx.
    Delivered { status: u16 },
    /// It answered otherwise, or could not be reached; `status` when it answered.
    Failed { status: Option<u16>, error: String },
}

/// What follows the `attempts`-th attempt when it failed: tried again after [`backoff`], or
/// dead after the last.
pub fn after_failure(attempts: i32, retry: Retry) -> Option<Duration> {
    (attempts < retry.max_attempts).then(|| backoff(attempts, retry.base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_formats_read_back_their_names() {
        for k in EventKind::CHOOSABLE.into_iter().chain([EventKind::Test]) {
            assert_eq!(EventKind::parse(k.as_str()), Ok(k));
        }
        assert!(EventKind::parse("approval").unwrap_err().contains("approval.requested"));
        assert_eq!(Format::parse("slack"), Ok(Format::Slack));
        assert!(Format::parse("xml").is_err());
    }

    #[test]
    fn a_filter_wants_what_it_names_and_nothing_else() {
        let all = Filter::default();
        assert!(all.wants(EventKind::ExportFinished, None, None));
        assert!(!all.wants(EventKind::Test, None, None), "a test goes to one subscription, not by filters");
        let refunds = Filter {
            kinds: vec![EventKind::ApprovalRequested],
            capabilities: vec!["finance.refund.issue".into()],
            min_risk: None,
        };
        assert!(refunds.wants(EventKind::ApprovalRequested, Some("finance.refund.issue"), Some(Risk::High)));
        assert!(!refunds.wants(EventKind::AlertRaised, Some("finance.refund.issue"), Some(Risk::High)));
        assert!(!refunds.wants(EventKind::ApprovalRequested, Some("ops.change.apply"), Some(Risk::High)));
        assert!(!refunds.wants(EventKind::ApprovalRequested, None, None));
        let risky = Filter { min_risk: Some(Risk::Medium), ..Filter::default() };
        assert!(risky.wants(EventKind::AlertRaised, Some("x"), Some(Risk::High)));
        assert!(risky.wants(EventKind::AlertRaised, Some("x"), Some(Risk::Medium)));
        assert!(!risky.wants(EventKind::AlertRaised, Some("x"), Some(Risk::Low)));
        assert!(!risky.wants(EventKind::ExportFinished, None, None), "no capability, no risk to pass");
    }

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour_then_stop() {
        let base = Duration::seconds(10);
        let waits: Vec<i64> = (1..=5).map(|a| backoff(a, base).num_seconds()).collect();
        assert_eq!(waits, [10, 20, 40, 80, 160]);
        assert_eq!(backoff(12, base), Duration::hours(1));
        assert_eq!(backoff(0, base), base);
        let retry = Retry::default();
        assert_eq!(after_failure(1, retry), Some(Duration::seconds(10)));
        assert_eq!(after_failure(MAX_ATTEMPTS - 1, retry), Some(backoff(MAX_ATTEMPTS - 1, base)));
        assert_eq!(after_failure(MAX_ATTEMPTS, retry), None, "the last attempt makes a dead letter");
        assert_eq!(after_failure(2, Retry { base, max_attempts: 2 }), None);
    }
}
