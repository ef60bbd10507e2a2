//! Queues in the inbox, pure: which queue an item is in for a reviewer, whether a claim still
//! holds, who may decide a claimed item, and where a routing rule sends an escalation.

use crate::condition::{CedarCondition, ConditionContext};
use chrono::{DateTime, Duration, Utc};

/// How long a claim holds without its holder touching it, unless the server is told otherwise.
pub const DEFAULT_CLAIM_IDLE_MINUTES: i64 = 30;

/// Longest reviewer group name.
pub const MAX_GROUP_NAME: usize = 64;

/// Which of the waiting items a reviewer looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Queue {
    /// Assigned to me, or claimed by me.
    Mine,
    /// Assigned or routed to a group I am in.
    MyGroups,
    /// Assigned to no one and no group.
    Unassigned,
    #[default]
    All,
}

impl Queue {
    /// Every queue, in the order the inbox shows them.
    pub const ALL: [Queue; 4] = [Queue::Mine, Queue::MyGroups, Queue::Unassigned, Queue::All];

    /// Parses the URL value; anything unknown is every item.
    pub fn parse(s: &str) -> Queue {
        Queue::ALL.into_iter().find(|q| q.as_str() == s).unwrap_or_default()
    }

    /// The URL value.
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Mine => "mine",
            Queue::MyGroups => "groups",
            Queue::Unassigned => "unassigned",
            Queue::All => "all",
        }
    }

    /// How the inbox names it.
    pub fn label(self) -> &'static str {
        match self {
            Queue::Mine => "Mine",
            Queue::MyGroups => "My groups",
            Queue::Unassigned => "Unassigned",
            Queue::All => "All",
        }
    }
}

/// A claim on an item: who holds it and when they last touched it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claim {
    pub by: i64,
    pub at: DateTime<Utc>,
}

impl Claim {
    /// The claim as stored (both columns, or none).
    pub fn stored(by: Option<i64>, at: Option<DateTime<Utc>>) -> Option<Claim> {
        Some(Claim { by: by?, at: at? })
    }

    /// When it lapses if no one touches it.
    pub fn lapses_at(&self, idle: Duration) -> DateTime<Utc> {
        self.at + idle
    }

    /// Whether it still holds at `now`.
    pub fn holds(&self, now: DateTime<Utc>, idle: Duration) -> bool {
        now < self.lapses_at(idle)
    }
}

/// Whether `me` may decide (or claim) an item with this claim at `now`: yes when it is not
/// claimed, claimed by `me` or lapsed; otherwise the holder's id.
pub fn held_by_other(claim: Option<Claim>, me: i64, now: DateTime<Utc>, idle: Duration) -> Option<i64> {
    claim.filter(|c| c.by != me && c.holds(now, idle)).map(|c| c.by)
}

/// A routing rule as the engine reads it.
#[derive(Clone, Debug)]
pub struct Route {
    pub id: i64,
    pub capability: String,
    /// `None`: every escalation of the capability.
    pub condition: Option<CedarCondition>,
    pub group_id: i64,
}

/// The group an escalation goes to: the first rule (in the order given) for its capability
/// whose condition holds. A condition that cannot be evaluated for these params does not hold,
/// so the item stays in the shared inbox rather than going to the wrong group.
pub fn route(routes: &[Route], ctx: &ConditionContext<'_>) -> Option<i64> {
    routes
        .iter()
        .filter(|r| r.capability == ctx.capability)
        .find(|r| r.condition.as_ref().is_none_or(|c| c.evaluate(ctx).unwrap_or(false)))
        .map(|r| r.group_id)
}

/// Checks a reviewer group's name: 1 to 64 letters, digits, spaces, `-`, `_` or `.`.
pub fn group_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("name the group, e.g. finance reviewers".into());
    }
    if name.chars().count() > MAX_GROUP_NAME {
        return Err(format!("must be at most {MAX_GROUP_NAME} characters"));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))) {
        return Err(format!("'{c}' is not allowed: use letters, digits, spaces, '-', '_' or '.'"));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + min * 60, 0).unwrap_or_default()
    }

    #[test]
    fn a_claim_lapses_after_its_idle_time() {
        let c = Claim { by: 7, at: at(0) };
        let idle = Duration::minutes(30);
        assert!(c.holds(at(29), idle));
        assert!(!c.holds(at(30), idle), "at the idle time it has lapsed");
        assert_eq!(c.lapses_at(idle), at(30));
    }

    #[test]
    fn only_someone_elses_live_claim_stops_a_reviewer() {
        let idle = Duration::minutes(30);
        let c = Some(Claim { by: 7, at: at(0) });
        assert_eq!(held_by_other(c, 8, at(10), idle), Some(7));
        assert_eq!(held_by_other(c, 7, at(10), idle), None, "the holder may decide");
        assert_eq!(held_by_other(c, 8, at(31), idle), None, "a lapsed claim stops no one");
        assert_eq!(held_by_other(None, 8, at(10), idle), None);
        assert_eq!(Claim::stored(Some(7), None), None, "half a claim is no claim");
    }

    fn ctx<'a>(capability: &'a str, params: &'a serde_json::Value) -> ConditionContext<'a> {
        ConditionContext { agent: "bot", environment: "production", capability, params, confidence: 0.9 }
    }

    #[test]
    fn the_first_matching_rule_of_the_capability_routes() {
        let over = CedarCondition::parse("context.params.amount > 500").unwrap();
        let routes = vec![
            Route { id: 1, capability: "finance.refund.issue".into(), condition: over, group_id: 10 },
            Route { id: 2, capability: "finance.refund.issue".into(), condition: None, group_id: 20 },
            Route { id: 3, capability: "ops.restart".into(), condition: None, group_id: 30 },
        ];
        let big = json!({"amount": 900});
        let small = json!({"amount": 40});
        assert_eq!(route(&routes, &ctx("finance.refund.issue", &big)), Some(10));
        assert_eq!(route(&routes, &ctx("finance.refund.issue", &small)), Some(20));
        assert_eq!(route(&routes, &ctx("ops.restart", &small)), Some(30));
        assert_eq!(route(&routes, &ctx("crm.note", &small)), None, "no rule: the shared inbox");
    }

    #[test]
    fn a_condition_that_cannot_be_evaluated_routes_nowhere() {
        let over = CedarCondition::parse("context.params.amount > 500").unwrap();
        let routes = vec![Route { id: 1, capability: "c".into(), condition: over, group_id: 10 }];
        let no_amount = json!({"order": "A"});
        assert_eq!(route(&routes, &ctx("c", &no_amount)), None);
    }

    #[test]
    fn queues_and_group_names_read_from_forms() {
        assert_eq!(Queue::parse("groups"), Queue::MyGroups);
        assert_eq!(Queue::parse("nonsense"), Queue::All);
        assert!(Queue::ALL.iter().all(|q| Queue::parse(q.as_str()) == *q));
        assert_eq!(group_name("  finance reviewers ").unwrap(), "finance reviewers");
        assert!(group_name("").unwrap_err().contains("name the group"));
        assert!(group_name("a<b").unwrap_err().contains("'<'"));
        assert!(group_name(&"x".repeat(65)).unwrap_err().contains("at most 64"));
        assert_eq!(group_name("Équipe-1").unwrap(), "Équipe-1");
    }
}
