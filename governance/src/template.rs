//! Permission templates as data: for each capability, the conditions under which an executor
//! acts at once and how long an approval may wait. Versions are immutable snapshots of a body;
//! editing makes a new version. Parsing forms and comparing versions are pure functions here.

use crate::peer::{DEFAULT_PEER_DEADLINE_MINUTES, PeerCheck, PeerMode, parse_pool, parse_tolerances, show_tolerances};
use crate::policy::{Conditions, Limit};
use serde::{Deserialize, Serialize};

/// Default time an approval request waits before it expires (counts as denied).
pub const DEFAULT_APPROVAL_EXPIRY_MINUTES: i64 = 24 * 60;

/// One capability's rule within a template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub capability: String,
    /// Minutes a `needs_approval` request waits before it expires.
    pub approval_expiry_minutes: i64,
    /// What an executor must satisfy to act at once.
    pub conditions: Conditions,
    /// A Cedar expression that must also hold (see `condition`); checked when saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// The agent's owner may not approve its actions of this capability when it is high-risk.
    #[serde(default)]
    pub separation_of_duties: bool,
    /// Whether a second agent must analyse the task independently first.
    #[serde(default)]
    pub peer: PeerCheck,
}

/// A version's content: one rule per capability, kept sorted by capability name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Body {
    pub rules: Vec<Rule>,
}

impl Body {
    /// The rule for `capability`, if the template covers it.
    pub fn rule(&self, capability: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.capability == capability)
    }

    /// A copy with `rule` added or replacing the one for its capability.
    pub fn with_rule(&self, rule: Rule) -> Body {
        let mut rules: Vec<Rule> = self.rules.iter().filter(|r| r.capability != rule.capability).cloned().collect();
        rules.push(rule);
        rules.sort_by(|a, b| a.capability.cmp(&b.capability));
        Body { rules }
    }

    /// A copy without the rule for `capability`.
    pub fn without(&self, capability: &str) -> Body {
        Body { rules: self.rules.iter().filter(|r| r.capability != capability).cloned().collect() }
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{\"rules\":[]}".into())
    }

    /// Reads the stored form.
    pub fn from_json(text: &str) -> Result<Body, String> {
        serde_json::from_str(text).map_err(|e| format!("unreadable template body: {e}"))
    }
}

/// A rule as entered in the form: raw text per field.
#[derive(Clone, Debug, Default)]
pub struct RuleForm {
    pub capability: String,
    pub min_confidence: String,
    /// `amount <= 500; items <= 3`
    pub limits: String,
    pub max_per_hour: String,
    /// `currency, iban`
    pub new_value_params: String,
    pub supervised: bool,
    pub approval_expiry_minutes: String,
    /// A Cedar expression, e.g. `context.params.currency == "EUR"`; empty for none.
    pub condition: String,
    pub separation_of_duties: bool,
    /// `off`, `always` or `when`.
    pub peer_mode: String,
    /// With `when`: a Cedar expression, like `condition`.
    pub peer_condition: String,
    /// Agent names, comma-separated.
    pub peer_pool: String,
    /// `amount: 0.5; fee: 0.01`
    pub peer_tolerances: String,
    pub peer_deadline_minutes: String,
}

fn param_name(raw: &str) -> Result<String, String> {
    let p = raw.trim();
    let ok = p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok { Ok(p.to_owned()) } else { Err(format!("'{p}' is not a param name (letters, digits, '_')")) }
}

/// Parses `name <= number` items separated by `;` or new lines.
pub fn parse_limits(text: &str) -> Result<Vec<Limit>, String> {
    let mut out = Vec::new();
    for item in text.split([';', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
        let (name, max) = item.split_once("<=").ok_or_else(|| format!("'{item}' should look like amount <= 500"))?;
        let param = param_name(name)?;
        let max: f64 = max.trim().parse().map_err(|_| format!("'{}' is not a number in '{item}'", max.trim()))?;
        if !max.is_finite() {
            return Err(format!("'{item}' needs a finite number"));
        }
        if out.iter().any(|l: &Limit| l.param == param) {
            return Err(format!("{param} has two limits"));
        }
        out.push(Limit { param, max });
    }
    Ok(out)
}

/// Shows limits the way [`parse_limits`] reads them.
pub fn show_limits(limits: &[Limit]) -> String {
    limits.iter().map(|l| format!("{} <= {}", l.param, l.max)).collect::<Vec<_>>().join("; ")
}

/// Parses a form into a rule; an error names the field.
pub fn parse_rule(form: &RuleForm) -> Result<Rule, (&'static str, String)> {
    let min_confidence = match form.min_confidence.trim() {
        "" => None,
        t => {
            let v: f64 = t.parse().map_err(|_| ("min_confidence", format!("'{t}' is not a number")))?;
            if !(0.0..=1.0).contains(&v) {
                return Err(("min_confidence", "must be between 0 and 1".into()));
            }
            Some(v)
        }
    };
    let limits = parse_limits(&form.limits).map_err(|m| ("limits", m))?;
    let max_per_hour = match form.max_per_hour.trim() {
        "" => None,
        t => Some(
            t.parse::<u32>()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or_else(|| ("max_per_hour", format!("'{t}' is not a whole number from 1 to 100000")))?,
        ),
    };
    let mut new_value_params = Vec::new();
    for p in form.new_value_params.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        new_value_params.push(param_name(p).map_err(|m| ("new_value_params", m))?);
    }
    let approval_expiry_minutes = match form.approval_expiry_minutes.trim() {
        "" => DEFAULT_APPROVAL_EXPIRY_MINUTES,
        t => t.parse::<i64>().ok().filter(|n| (1..=crate::capability::MAX_UNDO_MINUTES).contains(n)).ok_or_else(
            || ("approval_expiry_minutes", format!("'{t}' is not a whole number of minutes from 1 to 43200")),
        )?,
    };
    crate::condition::CedarCondition::parse(&form.condition).map_err(|m| ("condition", m))?;
    let condition = Some(form.condition.trim().to_owned()).filter(|c| !c.is_empty());
    Ok(Rule {
        capability: form.capability.trim().to_owned(),
        approval_expiry_minutes,
        conditions: Conditions { min_confidence, limits, max_per_hour, new_value_params, supervised: form.supervised },
        condition,
        separation_of_duties: form.separation_of_duties,
        peer: parse_peer(form)?,
    })
}

/// The peer-check part of a rule form; an error names the field.
fn parse_peer(form: &RuleForm) -> Result<PeerCheck, (&'static str, String)> {
    let mode = PeerMode::parse(&form.peer_mode).map_err(|m| ("peer_mode", m))?;
    let pool = parse_pool(&form.peer_pool).map_err(|m| ("peer_pool", m))?;
    let tolerances = parse_tolerances(&form.peer_tolerances).map_err(|m| ("peer_tolerances", m))?;
    let deadline_minutes = match form.peer_deadline_minutes.trim() {
        "" => DEFAULT_PEER_DEADLINE_MINUTES,
        t => t.parse::<i64>().ok().filter(|n| (1..=10_080).contains(n)).ok_or_else(|| {
            ("peer_deadline_minutes", format!("'{t}' is not a whole number of minutes from 1 to 10080"))
        })?,
    };
    let condition = match mode {
        PeerMode::Off => return Ok(PeerCheck::default()),
        PeerMode::Always => None,
        PeerMode::When => {
            let text = form.peer_condition.trim();
            if text.is_empty() {
                return Err(("peer_condition", "say when a peer must check, e.g. context.params.amount > 100".into()));
            }
            crate::condition::CedarCondition::parse(text).map_err(|m| ("peer_condition", m))?;
            Some(text.to_owned())
        }
    };
    if pool.is_empty() {
        return Err(("peer_pool", "name at least one agent that may act as the peer".into()));
    }
    Ok(PeerCheck { mode, condition, pool, tolerances, deadline_minutes })
}

/// A rule's peer check in one line, for comparisons and summaries.
pub fn show_peer(p: &PeerCheck) -> String {
    match p.mode {
        PeerMode::Off => String::new(),
        _ => {
            let when = p.condition.as_ref().map_or_else(|| "always".to_owned(), |c| format!("when {c}"));
            let tol = if p.tolerances.is_empty() {
                String::new()
            } else {
                format!("; tolerances {}", show_tolerances(&p.tolerances))
            };
            format!("{when}, by {} within {} min{tol}", p.pool.join(", "), p.deadline_minutes)
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> RuleForm {
        RuleForm {
            capability: "finance.refund.issue".into(),
            min_confidence: "0.8".into(),
            limits: "amount <= 500; items<=3".into(),
            max_per_hour: "20".into(),
            new_value_params: "currency, iban".into(),
            supervised: true,
            approval_expiry_minutes: "".into(),
            condition: r#" context.params.currency == "EUR" "#.into(),
            separation_of_duties: true,
            ..RuleForm::default()
        }
    }

    #[test]
    fn a_full_form_parses_into_a_rule() {
        let r = parse_rule(&form()).unwrap();
        assert_eq!(r.conditions.min_confidence, Some(0.8));
        assert_eq!(show_limits(&r.conditions.limits), "amount <= 500; items <= 3");
        assert_eq!(r.conditions.max_per_hour, Some(20));
        assert_eq!(r.conditions.new_value_params, ["currency", "iban"]);
        assert!(r.conditions.supervised);
        assert_eq!(r.approval_expiry_minutes, DEFAULT_APPROVAL_EXPIRY_MINUTES);
        assert_eq!(r.condition.as_deref(), Some(r#"context.params.currency == "EUR""#));
        assert_eq!(r.peer, PeerCheck::default(), "no peer check unless asked for");
    }

    #[test]
    fn a_peer_check_parses_with_its_pool_and_tolerances() {
        let f = RuleForm {
            peer_mode: "when".into(),
            peer_condition: "context.params.amount > 100".into(),
            peer_pool: "check-bot, audit-bot".into(),
            peer_tolerances: "amount: 0.5".into(),
            ..form()
        };
        let p = parse_rule(&f).unwrap().peer;
        assert_eq!(
            (p.mode.clone(), p.pool.len(), p.deadline_minutes),
            (PeerMode::When, 2, DEFAULT_PEER_DEADLINE_MINUTES)
        );
        assert_eq!(
            show_peer(&p),
            "when context.params.amount > 100, by check-bot, audit-bot within 30 min; tolerances amount: 0.5"
        );
        let always = parse_rule(&RuleForm {
            peer_mode: "always".into(),
            peer_pool: "c".into(),
            peer_condition: "x".into(),
            ..form()
        });
        assert_eq!(always.unwrap().peer.condition, None, "a condition only applies to 'when'");
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            (RuleForm { min_confidence: "high".into(), ..form() }, "min_confidence"),
            (RuleForm { min_confidence: "1.5".into(), ..form() }, "min_confidence"),
            (RuleForm { limits: "amount < 5".into(), ..form() }, "limits"),
            (RuleForm { limits: "amount <= lots".into(), ..form() }, "limits"),
            (RuleForm { limits: "amount <= 1; amount <= 2".into(), ..form() }, "limits"),
            (RuleForm { max_per_hour: "0".into(), ..form() }, "max_per_hour"),
            (RuleForm { new_value_params: "iban number".into(), ..form() }, "new_value_params"),
            (RuleForm { approval_expiry_minutes: "-3".into(), ..form() }, "approval_expiry_minutes"),
            (RuleForm { condition: "context.params.amount <".into(), ..form() }, "condition"),
            (RuleForm { peer_mode: "sometimes".into(), ..form() }, "peer_mode"),
            (RuleForm { peer_mode: "always".into(), ..form() }, "peer_pool"),
            (RuleForm { peer_mode: "when".into(), peer_pool: "check-bot".into(), ..form() }, "peer_condition"),
            (RuleForm { peer_mode: "always".into(), peer_pool: "check bot".into(), ..form() }, "peer_pool"),
            (
                RuleForm {
                    peer_mode: "always".into(),
                    peer_pool: "c".into(),
                    peer_tolerances: "amount".into(),
                    ..form()
                },
                "peer_tolerances",
            ),
            (
                RuleForm {
                    peer_mode: "always".into(),
                    peer_pool: "c".into(),
                    peer_deadline_minutes: "0".into(),
                    ..form()
                },
                "peer_deadline_minutes",
            ),
            (
                RuleForm {
                    peer_mode: "when".into(),
                    peer_pool: "c".into(),
                    peer_condition: "context.params.amount >".into(),
                    ..form()
                },
                "peer_condition",
            ),
        ];
        for (f, field) in cases {
            assert_eq!(parse_rule(&f).unwrap_err().0, field);
        }
    }

    #[test]
    fn bodies_keep_one_rule_per_capability_and_round_trip() {
        let r = parse_rule(&form()).unwrap();
        let other = Rule { capability: "a.b".into(), ..r.clone() };
        let body = Body::default().with_rule(r.clone()).with_rule(other).with_rule(r.clone());
        assert_eq!(
            body.rules.iter().map(|r| r.capability.as_str()).collect::<Vec<_>>(),
            ["a.b", "finance.refund.issue"]
        );
        assert_eq!(Body::from_json(&body.to_json()).unwrap(), body);
        assert_eq!(body.without("a.b").rules.len(), 1);
    }

    #[test]
    fn comparing_versions_lists_each_changed_field() {
        let r = parse_rule(&form()).unwrap();
        let a = Body::default().with_rule(r.clone()).with_rule(Rule { capability: "x.gone".into(), ..r.clone() });
        let mut changed = r.clone();
        changed.conditions.max_per_hour = Some(5);
        changed.conditions.supervised = false;
        let b = Body::default().with_rule(changed).with_rule(Rule { capability: "x.new".into(), ..r });
        let diff = compare(&a, &b);
        let summary: Vec<String> =
            diff.iter().map(|c| format!("{}.{}: {} -> {}", c.capability, c.field, c.before, c.after)).collect();
        assert_eq!(
            summary,
            [
                "finance.refund.issue.max_per_hour: 20 -> 5",
                "finance.refund.issue.supervised: true -> false",
                "x.gone.rule: present -> removed",
                "x.new.rule:  -> added",
            ]
        );
        assert!(compare(&a, &a).is_empty());
    }
}
