//! Promotion criteria: what an agent must have shown at its current tier before it may be
//! trusted with the next one, and exactly what it still lacks. Time at a tier is required but
//! never enough on its own; every rate is judged by its Wilson bound, not its face value.

use crate::reliability::rate::{Rate, down2, up2};
use crate::reliability::review_cadence::ReviewCadence;
use crate::reliability::tally::Tally;
use serde::{Deserialize, Serialize};
use vocab::Tier;

/// What one step (observer → contributor, or contributor → executor) requires, measured at
/// the current tier. The measured rate is shadow agreement for the first step and approval for
/// the second.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepCriteria {
    /// Fewest measured cases: shadow comparisons, or proposals a person decided.
    pub min_samples: u64,
    /// Lowest acceptable Wilson 95 % lower bound of the measured rate.
    pub min_lower_bound: f64,
    /// Fewest distinct people among those who decided.
    pub min_reviewers: u64,
    /// Fewest distinct parameter sets proposed (diverse scenarios, not one case repeated).
    pub min_patterns: u64,
    /// Fewest whole days at the tier (never sufficient alone).
    pub min_days: u64,
    /// Highest acceptable Wilson upper bound of the rollback rate, if limited.
    pub max_rollback_rate: Option<f64>,
    /// Highest acceptable Wilson upper bound of the failed-execution rate, if limited.
    pub max_failure_rate: Option<f64>,
    /// Most failed rollbacks allowed, if limited.
    pub max_failed_rollbacks: Option<u64>,
    /// Whether an open alert on the agent blocks the step.
    pub no_open_alert: bool,
}

/// A template rule's criteria for both steps, versioned with the template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Promotion {
    pub to_contributor: StepCriteria,
    pub to_executor: StepCriteria,
    /// How often a person reviews the grant again (stored only when not the default, so
    /// criteria saved before reviews were scheduled read and hash as they were).
    #[serde(default, skip_serializing_if = "ReviewCadence::is_default")]
    pub reviews: ReviewCadence,
    /// The highest tier a new grant may start at without a justification (observer unless
    /// set; stored only when set, so rules saved before it read and hash as they were).
    #[serde(default = "observer", skip_serializing_if = "is_observer")]
    pub start_tier: Tier,
}

fn observer() -> Tier {
    Tier::Observer
}

fn is_observer(t: &Tier) -> bool {
    *t == Tier::Observer
}

impl Default for Promotion {
    /// The shipped defaults ([`StepCriteria::default_for`]).
    fn default() -> Promotion {
        Promotion {
            to_contributor: StepCriteria::default_for(Tier::Contributor).unwrap_or_else(StepCriteria::strictest),
            to_executor: StepCriteria::default_for(Tier::Executor).unwrap_or_else(StepCriteria::strictest),
            reviews: ReviewCadence::default(),
            start_tier: Tier::Observer,
        }
    }
}

impl Promotion {
    /// The criteria of the step to `to` (none to observer).
    pub fn step_to(&self, to: Tier) -> Option<&StepCriteria> {
        match to {
            Tier::Observer => None,
            Tier::Contributor => Some(&self.to_contributor),
            Tier::Executor => Some(&self.to_executor),
        }
    }

    /// Whether these are the shipped defaults (a rule then does not store them).
    pub fn is_default(&self) -> bool {
        *self == Promotion::default()
    }

    /// Checks both steps; an error names the field (`to_executor.min_days`).
    pub fn validate(&self) -> Result<(), (String, String)> {
        for (name, step) in [("to_contributor", &self.to_contributor), ("to_executor", &self.to_executor)] {
            step.validate().map_err(|(field, message)| (format!("{name}.{field}"), message))?;
        }
        self.reviews.validate().map_err(|(field, message)| (format!("reviews.{field}"), message))
    }
}

/// Which criterion a check is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    Samples,
    LowerBound,
    Reviewers,
    Patterns,
    Days,
    RollbackRate,
    FailureRate,
    FailedRollbacks,
    OpenAlert,
}

/// One criterion as judged: whether it holds, and in words what was seen against what is needed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub criterion: Criterion,
    pub met: bool,
    /// "163 of 200 decided proposals", "approval lower bound 0.88 < 0.90 (n = 163)".
    pub text: String,
}

/// Everything known about the grant when its next step is judged.
#[derive(Clone, Copy, Debug)]
pub struct Standing<'a> {
    pub tier: Tier,
    /// Counts since the current tier began.
    pub at_tier: &'a Tally,
    pub days_at_tier: u64,
    pub open_alerts: u64,
}

/// The verdict on a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Readiness {
    /// The tier it would move to.
    pub to: Tier,
    pub checks: Vec<Check>,
}

impl Readiness {
    /// Whether every criterion holds.
    pub fn ready(&self) -> bool {
        self.checks.iter().all(|c| c.met)
    }

    /// What is still missing, in words.
    pub fn missing(&self) -> Vec<&str> {
        self.checks.iter().filter(|c| !c.met).map(|c| c.text.as_str()).collect()
    }
}

/// The measured rate of the step to `to`, and the name of its cases.
fn measured(to: Tier, t: &Tally) -> (Rate, &'static str, &'static str) {
    match to {
        Tier::Contributor => (t.agreement(), "agreement", "shadow comparisons"),
        _ => (t.approval(), "approval", "decided proposals"),
    }
}

fn floor(name: &str, rate: Rate, min: f64) -> Check {
    let text = match rate.lower() {
        Some(lo) if lo >= min => format!("{name} lower bound {} ≥ {min:.2} (n = {})", down2(lo), rate.n),
        Some(lo) => format!("{name} lower bound {} < {min:.2} (n = {})", down2(lo), rate.n),
        None => format!("no {name} measured yet (needs a lower bound ≥ {min:.2})"),
    };
    Check { criterion: Criterion::LowerBound, met: rate.lower().is_some_and(|lo| lo >= min), text }
}

fn ceiling(criterion: Criterion, name: &str, rate: Rate, max: f64) -> Check {
    // No executions yet: nothing went wrong, and the sample-size criterion speaks for the rest.
    let Some(hi) = rate.upper() else {
        return Check { criterion, met: true, text: format!("no {name} measured yet (at most {max:.2})") };
    };
    let relation = if hi <= max { "≤" } else { ">" };
    let text = format!("{name} upper bound {} {relation} {max:.2} ({} of {})", up2(hi), rate.hits, rate.n);
    Check { criterion, met: hi <= max, text }
}

pub(crate) fn at_least(criterion: Criterion, seen: u64, min: u64, noun: &str) -> Check {
    let text = if seen >= min {
        format!("{seen} {noun} (needs {min})")
    } else {
        format!("needs {} more {noun} ({seen} of {min})", min - seen)
    };
    Check { criterion, met: seen >= min, text }
}

/// Judges the step from the grant's current tier to the next; `None` at executor.
pub fn readiness(c: &StepCriteria, s: Standing<'_>) -> Option<Readiness> {
    let to = s.tier.promoted()?;
    let t = s.at_tier;
    let (rate, name, cases) = measured(to, t);
    let mut checks = vec![
        at_least(Criterion::Samples, rate.n, c.min_samples, cases),
        floor(name, rate, c.min_lower_bound),
        at_least(Criterion::Reviewers, t.reviewers, c.min_reviewers, "distinct reviewers"),
        at_least(Criterion::Patterns, t.patterns, c.min_patterns, "distinct parameter sets"),
        at_least(Criterion::Days, s.days_at_tier, c.min_days, "days at this tier"),
    ];
    if let Some(max) = c.max_rollback_rate {
        checks.push(ceiling(Criterion::RollbackRate, "rollback rate", t.rollback(), max));
    }
    if let Some(max) = c.max_failure_rate {
        checks.push(ceiling(Criterion::FailureRate, "failed-execution rate", t.failure(), max));
    }
    if let Some(max) = c.max_failed_rollbacks {
        let met = t.rollback_failed <= max;
        let text = format!("{} failed rollbacks (at most {max})", t.rollback_failed);
        checks.push(Check { criterion: Criterion::FailedRollbacks, met, text });
    }
    if c.no_open_alert {
        let met = s.open_alerts == 0;
        let text = if met { "no open alert".to_owned() } else { format!("{} open alerts", s.open_alerts) };
        checks.push(Check { criterion: Criterion::OpenAlert, met, text });
    }
    Some(Readiness { to, checks })
}

/// Why a criterion is out of range: (field, message).
pub type Invalid = (&'static str, String);

impl StepCriteria {
    /// Checks the numbers are ones a person could mean.
    pub fn validate(&self) -> Result<(), Invalid> {
        let rate = |field: &'static str, v: f64| {
            if v.is_finite() && (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err((field, format!("must be between 0 and 1, not {v}")))
            }
        };
        let count = |field: &'static str, v: u64, max: u64| {
            if v <= max { Ok(()) } else { Err((field, format!("must be at most {max}, not {v}"))) }
        };
        rate("min_lower_bound", self.min_lower_bound)?;
        count("min_samples", self.min_samples, 1_000_000)?;
        count("min_reviewers", self.min_reviewers, 1_000)?;
        count("min_patterns", self.min_patterns, 1_000_000)?;
        count("min_days", self.min_days, 3_650)?;
        if let Some(v) = self.max_rollback_rate {
            rate("max_rollback_rate", v)?;
        }
        if let Some(v) = self.max_failure_rate {
            rate("max_failure_rate", v)?;
        }
        if let Some(v) = self.max_failed_rollbacks {
            count("max_failed_rollbacks", v, 1_000_000)?;
        }
        if self.min_samples == 0 && self.min_lower_bound > 0.0 {
            return Err(("min_samples", "a lower bound needs at least one case to be measured on".into()));
        }
        Ok(())
    }

    /// Criteria nothing meets (a step without criteria is never automatic).
    fn strictest() -> StepCriteria {
        StepCriteria {
            min_samples: 1_000_000,
            min_lower_bound: 1.0,
            min_reviewers: 1_000,
            min_patterns: 1_000_000,
            min_days: 3_650,
            max_rollback_rate: Some(0.0),
            max_failure_rate: Some(0.0),
            max_failed_rollbacks: Some(0),
            no_open_alert: true,
        }
    }

    /// The shipped default for the step to `to`: ≥ 50 shadow comparisons with an agreement lower
    /// bound ≥ 0.90 and ≥ 2 reviewers to reach contributor; ≥ 200 decided proposals with an
    /// approval lower bound ≥ 0.95, no failed rollback and ≥ 14 days to reach executor.
    pub fn default_for(to: Tier) -> Option<StepCriteria> {
        match to {
            Tier::Observer => None,
            Tier::Contributor => Some(StepCriteria {
                min_samples: 50,
                min_lower_bound: 0.90,
                min_reviewers: 2,
                min_patterns: 10,
                min_days: 7,
                max_rollback_rate: None,
                max_failure_rate: None,
                max_failed_rollbacks: None,
                no_open_alert: true,
            }),
            Tier::Executor => Some(StepCriteria {
                min_samples: 200,
                min_lower_bound: 0.95,
                min_reviewers: 2,
                min_patterns: 20,
                min_days: 14,
                max_rollback_rate: Some(0.05),
                max_failure_rate: Some(0.05),
                max_failed_rollbacks: Some(0),
                no_open_alert: true,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
