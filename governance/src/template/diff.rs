//! Comparing two versions of a template, capability by capability and field by field.

use super::{Body, Rule, show_limits, show_peer, show_reviews};
use crate::reliability::criteria_text::show_step;
use serde::{Deserialize, Serialize};

/// One difference between two versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub capability: String,
    pub field: String,
    pub before: String,
    pub after: String,
}

fn fields(r: &Rule) -> Vec<(&'static str, String)> {
    let c = &r.conditions;
    vec![
        ("min_confidence", c.min_confidence.map(|v| v.to_string()).unwrap_or_default()),
        ("limits", show_limits(&c.limits)),
        ("max_per_hour", c.max_per_hour.map(|v| v.to_string()).unwrap_or_default()),
        ("new_value_params", c.new_value_params.join(", ")),
        ("supervised", c.supervised.to_string()),
        ("approval_expiry_minutes", r.approval_expiry_minutes.to_string()),
        ("condition", r.condition.clone().unwrap_or_default()),
        ("separation_of_duties", r.separation_of_duties.to_string()),
        ("peer_check", show_peer(&r.peer)),
        ("to_contributor", show_step(&r.promotion.to_contributor)),
        ("to_executor", show_step(&r.promotion.to_executor)),
        ("reviews", show_reviews(&r.promotion.reviews)),
        ("start_tier", r.promotion.start_tier.as_str().to_owned()),
        ("approvals", r.quorum.as_ref().map_or_else(|| "one person".to_owned(), crate::quorum::Quorum::describe)),
    ]
}

/// What changed from `a` to `b`, capability by capability and field by field.
pub fn compare(a: &Body, b: &Body) -> Vec<Change> {
    let mut names: Vec<&str> = a.rules.iter().chain(&b.rules).map(|r| r.capability.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut out = Vec::new();
    for name in names {
        match (a.rule(name), b.rule(name)) {
            (Some(x), Some(y)) => {
                for ((field, before), (_, after)) in fields(x).into_iter().zip(fields(y)) {
                    if before != after {
                        out.push(Change { capability: name.into(), field: field.into(), before, after });
                    }
                }
            }
            (None, Some(_)) => out.push(Change {
                capability: name.into(),
                field: "rule".into(),
                before: String::new(),
                after: "added".into(),
            }),
            (Some(_), None) => out.push(Change {
                capability: name.into(),
                field: "rule".into(),
                before: "present".into(),
                after: "removed".into(),
            }),
            (None, None) => {}
        }
    }
    out
}
