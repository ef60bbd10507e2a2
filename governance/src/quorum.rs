//! Two-person (N-of-M) approval, pure: a template rule may require N approvals from distinct
//! people — optionally from distinct reviewer groups, never the agent's owner — for the actions
//! that match a Cedar condition. Here: reading the rule's fields, whether it applies to a
//! request, and judging one more approval against those already given.

use crate::condition::{CedarCondition, ConditionContext};
use serde::{Deserialize, Serialize};

/// Most approvals a rule may require.
pub const MOST_APPROVALS: u32 = 5;

/// A rule's quorum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quorum {
    /// Approvals needed, 2 to [`MOST_APPROVALS`].
    pub required: u32,
    /// A Cedar expression; the quorum applies to the actions it holds for (always when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Each approval must come from a reviewer group no earlier approval came from.
    #[serde(default)]
    pub distinct_groups: bool,
}

/// Reads the rule form's fields: an empty or `1` count is no quorum.
pub fn parse(required: &str, when: &str, distinct_groups: bool) -> Result<Option<Quorum>, (&'static str, String)> {
    let required = match required.trim() {
        "" | "1" => return Ok(None),
        t => t.parse::<u32>().map_err(|_| ("approvals_required", format!("'{t}' is not a whole number")))?,
    };
    if !(2..=MOST_APPROVALS).contains(&required) {
        return Err(("approvals_required", format!("must be 1 (one person) to {MOST_APPROVALS}")));
    }
    let when = when.trim();
    CedarCondition::parse(when).map_err(|m| ("approvals_when", m))?;
    Ok(Some(Quorum { required, when: Some(when.to_owned()).filter(|w| !w.is_empty()), distinct_groups }))
}

impl Quorum {
    /// How many approvals a request needs under this quorum: `required` when its condition
    /// holds, one when it does not. A condition that cannot be evaluated for these params
    /// counts as holding: the cautious reading asks for more people, not fewer.
    pub fn approvals_for(&self, ctx: &ConditionContext<'_>) -> u32 {
        let holds = match self.when.as_deref().map(CedarCondition::parse) {
            None | Some(Ok(None)) => true,
            Some(Ok(Some(c))) => c.evaluate(ctx).unwrap_or(true),
            Some(Err(_)) => true,
        };
        if holds { self.required } else { 1 }
    }

    /// How the template page says it.
    pub fn describe(&self) -> String {
        let groups = if self.distinct_groups { ", from distinct reviewer groups" } else { "" };
        let when = self.when.as_deref().map_or_else(String::new, |w| format!(" when {w}"));
        format!("{} approvals from distinct people{groups}, never the agent's owner{when}", self.required)
    }
}

/// One approval given, as the judge needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Given {
    pub user_id: i64,
    /// The group it counted for (with distinct groups).
    pub group: Option<String>,
}

/// What one more approval does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Counted {
    /// It is recorded; this many more are needed. With distinct groups, the group it counted for.
    Partial { missing: u32, group: Option<String> },
    /// It is the last one needed: the action is approved.
    Reached { group: Option<String> },
}

/// Judges the approval of `user` (a member of `groups`) after `given`, for an action needing
/// `required` approvals of an agent owned by `owner`. Refusals say why in a sentence.
pub fn judge(
    required: u32,
    distinct_groups: bool,
    given: &[Given],
    owner: Option<i64>,
    user: i64,
    groups: &[String],
) -> Result<Counted, String> {
    if owner == Some(user) {
        return Err("you own the agent: an action that needs several approvals needs them from other people".into());
    }
    if given.iter().any(|g| g.user_id == user) {
        return Err("you approved it already: it needs another person's approval".into());
    }
    let group = if distinct_groups {
        let used: Vec<&str> = given.iter().filter_map(|g| g.group.as_deref()).collect();
        let free = groups.iter().find(|g| !used.contains(&g.as_str()));
        match (free, groups.is_empty()) {
            (Some(g), _) => Some(g.clone()),
            (None, true) => return Err("it needs approvals from distinct reviewer groups, and you are in none".into()),
            (None, false) => {
                return Err(format!(
                    "it needs approvals from distinct reviewer groups, and yours ({}) have approved already",
                    groups.join(", ")
                ));
            }
        }
    } else {
        None
    };
    let count = u32::try_from(given.len()).unwrap_or(u32::MAX).saturating_add(1);
    if count >= required {
        Ok(Counted::Reached { group })
    } else {
        Ok(Counted::Partial { missing: required - count, group })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx(params: &serde_json::Value) -> ConditionContext<'_> {
        ConditionContext {
            agent: "bot",
            environment: "production",
            capability: "finance.refund.issue",
            params,
            confidence: 0.9,
        }
    }

    fn g(user_id: i64, group: Option<&str>) -> Given {
        Given { user_id, group: group.map(str::to_owned) }
    }

    #[test]
    fn the_form_reads_one_as_no_quorum_and_checks_the_rest() {
        assert_eq!(parse("", "", false).unwrap(), None);
        assert_eq!(parse("1", "context.params.amount > 1", false).unwrap(), None);
        let q = parse("2", " context.params.amount > 5000 ", true).unwrap().unwrap();
        assert_eq!((q.required, q.when.as_deref(), q.distinct_groups), (2, Some("context.params.amount > 5000"), true));
        assert_eq!(parse("6", "", false).unwrap_err().0, "approvals_required");
        assert_eq!(parse("two", "", false).unwrap_err().0, "approvals_required");
        assert_eq!(parse("2", "context.params.amount >", false).unwrap_err().0, "approvals_when");
    }

    #[test]
    fn the_condition_picks_the_actions_and_fails_towards_more_people() {
        let q = parse("3", "context.params.amount > 5000", false).unwrap().unwrap();
        let (big, small, none) = (json!({"amount": 9000}), json!({"amount": 10}), json!({"order": "A"}));
        assert_eq!(q.approvals_for(&ctx(&big)), 3);
        assert_eq!(q.approvals_for(&ctx(&small)), 1);
        assert_eq!(q.approvals_for(&ctx(&none)), 3, "cannot tell: ask for more people");
        assert!(q.describe().contains("3 approvals") && q.describe().contains("amount > 5000"));
    }

    #[test]
    fn the_nth_distinct_person_reaches_it() {
        assert_eq!(judge(2, false, &[], None, 1, &[]).unwrap(), Counted::Partial { missing: 1, group: None });
        assert_eq!(judge(2, false, &[g(1, None)], None, 2, &[]).unwrap(), Counted::Reached { group: None });
        assert!(judge(2, false, &[g(1, None)], None, 1, &[]).unwrap_err().contains("already"));
        assert!(judge(2, false, &[], Some(1), 1, &[]).unwrap_err().contains("own the agent"));
        assert_eq!(judge(3, false, &[g(1, None)], None, 2, &[]).unwrap(), Counted::Partial { missing: 1, group: None });
    }

    #[test]
    fn distinct_groups_need_a_group_not_yet_counted() {
        let fin = vec!["finance".to_owned()];
        let both = vec!["finance".to_owned(), "risk".to_owned()];
        let first = judge(2, true, &[], None, 1, &fin).unwrap();
        assert_eq!(first, Counted::Partial { missing: 1, group: Some("finance".into()) });
        let same = judge(2, true, &[g(1, Some("finance"))], None, 2, &fin).unwrap_err();
        assert!(same.contains("yours (finance) have approved already"), "{same}");
        assert_eq!(
            judge(2, true, &[g(1, Some("finance"))], None, 2, &both).unwrap(),
            Counted::Reached { group: Some("risk".into()) }
        );
        assert!(judge(2, true, &[], None, 3, &[]).unwrap_err().contains("you are in none"));
    }
}
