//! Copilots, pure: an agent that works for a named person (or a reviewer group). Its
//! escalations go to that person's queue first and fall back to the shared inbox after a set
//! time; and it never acts without its person on a tier it reached by override — only an
//! executor grant earned by the template's criteria lets a copilot act alone.

use crate::policy::{Decision, Outcome};
use chrono::{DateTime, Duration, Utc};

/// Minutes an escalation waits in the person's queue before anyone may take it, by default.
pub const DEFAULT_FALLBACK_MINUTES: i64 = 60;
/// Longest fallback a manager may set: a week.
pub const MOST_FALLBACK_MINUTES: i64 = 7 * 24 * 60;

/// Whom a copilot works for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Copilot {
    pub user_id: Option<i64>,
    pub group_id: Option<i64>,
    pub fallback_minutes: i64,
}

impl Copilot {
    /// As stored on the agent; none unless it names a person or a group.
    pub fn stored(user_id: Option<i64>, group_id: Option<i64>, fallback: Option<i32>) -> Option<Copilot> {
        (user_id.is_some() || group_id.is_some()).then(|| Copilot {
            user_id,
            group_id: if user_id.is_some() { None } else { group_id },
            fallback_minutes: fallback.map_or(DEFAULT_FALLBACK_MINUTES, i64::from),
        })
    }

    /// Until when a new escalation stays in the person's (or group's) queue.
    pub fn assigned_until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::minutes(self.fallback_minutes)
    }
}

/// Reads a fallback in minutes as a form sends it; empty for the default.
pub fn parse_fallback(text: &str) -> Result<i64, String> {
    match text.trim() {
        "" => Ok(DEFAULT_FALLBACK_MINUTES),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|m| (1..=MOST_FALLBACK_MINUTES).contains(m))
            .ok_or_else(|| format!("'{t}' is not a whole number of minutes from 1 to {MOST_FALLBACK_MINUTES}")),
    }
}

/// A copilot's decision: what it would be for any agent, except that an action it would take
/// alone on a tier reached by override waits for its person. Never makes a decision laxer.
pub fn hold_for_person(outcome: Outcome, copilot: bool, tier_by_override: bool) -> Outcome {
    if copilot && tier_by_override && outcome.decision == Decision::Allowed {
        return Outcome {
            decision: Decision::NeedsApproval,
            rule: format!(
                "{} — held for its person: a copilot acts alone only on an executor tier earned by the criteria, and this one was granted by override",
                outcome.rule
            ),
            supervised: false,
        };
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Outcome {
        Outcome { decision: Decision::Allowed, rule: "executor tier".into(), supervised: false }
    }

    #[test]
    fn an_override_executor_copilot_waits_for_its_person() {
        let held = hold_for_person(allowed(), true, true);
        assert_eq!(held.decision, Decision::NeedsApproval);
        assert!(held.rule.contains("by override"));
        assert_eq!(hold_for_person(allowed(), true, false).decision, Decision::Allowed, "an earned tier acts");
        assert_eq!(hold_for_person(allowed(), false, true).decision, Decision::Allowed, "not a copilot");
    }

    #[test]
    fn it_never_relaxes_a_decision() {
        for d in [Decision::Denied, Decision::NeedsApproval, Decision::Shadow, Decision::AwaitingPeer] {
            let o = Outcome { decision: d, rule: "r".into(), supervised: false };
            assert_eq!(hold_for_person(o, true, true).decision, d);
        }
    }

    #[test]
    fn a_copilot_names_someone_and_falls_back_in_time() {
        assert_eq!(Copilot::stored(None, None, Some(5)), None);
        let c = Copilot::stored(Some(3), Some(9), None).unwrap();
        assert_eq!((c.user_id, c.group_id, c.fallback_minutes), (Some(3), None, 60), "a person wins over a group");
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(c.assigned_until(now), now + Duration::minutes(60));
        assert_eq!(parse_fallback("").unwrap(), 60);
        assert_eq!(parse_fallback("15").unwrap(), 15);
        assert!(parse_fallback("0").is_err() && parse_fallback("x").is_err() && parse_fallback("99999").is_err());
    }
}
