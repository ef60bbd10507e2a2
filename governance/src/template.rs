//! Permission templates as data: for each capability, the conditions under which an executor
//! acts at once and how long an approval may wait. Versions are immutable snapshots of a body;
//! editing makes a new version. Parsing forms and comparing versions are pure functions here.

use crate::peer::{DEFAULT_PEER_DEADLINE_MINUTES, PeerCheck, PeerMode, parse_pool, parse_tolerances, show_tolerances};
use crate::policy::{Conditions, Limit};
use crate::reliability::Promotion;
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
    /// What an agent must show at its tier before the next (the shipped defaults unless set;
    /// then not stored, so rules written before criteria existed read and hash as they were).
    #[serde(default, skip_serializing_if = "Promotion::is_default")]
    pub promotion: Promotion,
    /// Several people must approve (two-person approval), for all actions or those matching
    /// its condition; not stored when one person suffices, so older rules hash as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum: Option<crate::quorum::Quorum>,
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
    /// Criteria to reach contributor, as [`crate::reliability::criteria_text`] reads them;
    /// empty for the shipped default.
    pub to_contributor: String,
    /// Criteria to reach executor, likewise.
    pub to_executor: String,
    /// Days between trust reviews per tier, and the grace period; empty for the defaults.
    pub review_observer_days: String,
    pub review_contributor_days: String,
    pub review_executor_days: String,
    pub review_grace_days: String,
    /// `flag` or `demote`.
    pub review_when_overdue: String,
    /// The highest tier a new grant may start at without a justification; empty for observer.
    pub start_tier: String,
    /// Approvals from distinct people an escalation needs; empty or 1 for one.
    pub approvals_required: String,
    /// With more than one: a Cedar expression saying which actions need them; empty for all.
    pub approvals_when: String,
    /// Each approval from a reviewer group no earlier approval came from.
    pub approvals_distinct_groups: bool,
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
        promotion: parse_promotion(form)?,
        quorum: crate::quorum::parse(&form.approvals_required, &form.approvals_when, form.approvals_distinct_groups)?,
    })
}

/// The criteria and review cadence part of a rule form; an error names the field.
fn parse_promotion(form: &RuleForm) -> Result<Promotion, (&'static str, String)> {
    use crate::reliability::criteria_text::parse_step;
    use crate::reliability::{ReviewCadence, WhenOverdue};
    let to_contributor =
        parse_step(&form.to_contributor, crate::policy::Tier::Contributor).map_err(|m| ("to_contributor", m))?;
    let to_executor = parse_step(&form.to_executor, crate::policy::Tier::Executor).map_err(|m| ("to_executor", m))?;
    let d = ReviewCadence::default();
    let days = |field: &'static str, text: &str, default: u32| -> Result<u32, (&'static str, String)> {
        match text.trim() {
            "" => Ok(default),
            t => t.parse::<u32>().map_err(|_| (field, format!("'{t}' is not a whole number of days"))),
        }
    };
    let reviews = ReviewCadence {
        observer_days: days("review_observer_days", &form.review_observer_days, d.observer_days)?,
        contributor_days: days("review_contributor_days", &form.review_contributor_days, d.contributor_days)?,
        executor_days: days("review_executor_days", &form.review_executor_days, d.executor_days)?,
        grace_days: days("review_grace_days", &form.review_grace_days, d.grace_days)?,
        when_overdue: WhenOverdue::parse(&form.review_when_overdue).map_err(|m| ("review_when_overdue", m))?,
    };
    reviews.validate().map_err(|(field, m)| {
        let field = match field {
            "observer_days" => "review_observer_days",
            "contributor_days" => "review_contributor_days",
            "executor_days" => "review_executor_days",
            _ => "review_grace_days",
        };
        (field, m)
    })?;
    let start_tier = match form.start_tier.trim() {
        "" => crate::policy::Tier::Observer,
        t => crate::policy::Tier::parse(t).map_err(|m| ("start_tier", m))?,
    };
    Ok(Promotion { to_contributor, to_executor, reviews, start_tier })
}

/// A rule's review cadence in one line, for comparisons and summaries.
pub fn show_reviews(r: &crate::reliability::ReviewCadence) -> String {
    format!(
        "every {} days at executor, {} at contributor, {} at observer; {} days' grace, then {}",
        r.executor_days,
        r.contributor_days,
        r.observer_days,
        r.grace_days,
        r.when_overdue.as_str()
    )
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

mod diff;
pub use diff::{Change, compare};

#[cfg(test)]
mod tests;
