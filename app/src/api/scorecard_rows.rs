//! Turning a scorecard from the engine into what the agent page shows (server only).

use crate::model::{MonitorRow, NextStepView, QueueRow, RateCell, ScorecardView, SparkView, WeekPoint, WindowRow};
use governance::reliability::calibration::BANDS;
use governance::reliability::{Rate, Tally};
use governance::service::scorecards::Scorecard;
use vocab::Tier;

pub(crate) fn cell(r: Rate) -> RateCell {
    RateCell { hits: r.hits, n: r.n, rate: r.value(), lower: r.lower(), upper: r.upper() }
}

fn window(label: &str, t: &Tally) -> WindowRow {
    WindowRow {
        label: label.to_owned(),
        proposals: t.proposals,
        approval: cell(t.approval()),
        agreement: cell(t.agreement()),
        rollback: cell(t.rollback()),
        failure: cell(t.failure()),
        reviewers: t.reviewers,
        patterns: t.patterns,
    }
}

/// A grant in the promotion queue (none when it has no next step).
pub(crate) fn queue_row(s: &Scorecard, agent: String) -> Option<QueueRow> {
    let r = s.readiness.as_ref()?;
    let measured = if r.to == Tier::Contributor { s.at_tier.agreement() } else { s.at_tier.approval() };
    Some(QueueRow {
        agent_id: s.agent_id,
        agent,
        capability: s.capability.clone(),
        tier: s.tier,
        to: r.to,
        ready: r.ready(),
        measured: cell(measured),
        missing: r.missing().into_iter().map(str::to_owned).collect(),
    })
}

/// A grant's record as its card shows it; an observer's chart shows shadow agreement, any
/// other tier's shows approval.
pub(crate) fn scorecard_view(s: Scorecard) -> ScorecardView {
    let agreement = s.tier == Tier::Observer;
    ScorecardView {
        grant_id: s.grant_id,
        tier: s.tier,
        since: s.tier_since.format("%Y-%m-%d").to_string(),
        days_at_tier: s.days_at_tier,
        revoked: s.revoked,
        windows: vec![
            window("At this tier", &s.at_tier),
            window("Last 30 days", &s.last_30_days),
            window("All time", &s.all_time),
        ],
        metric: if agreement { "agreement" } else { "approval" }.to_owned(),
        weeks: s
            .weekly
            .iter()
            .map(|w| WeekPoint {
                label: w.start.format("%m-%d").to_string(),
                proposals: w.proposals,
                rate: cell(if agreement { w.agreement } else { w.approval }),
                tier_changed: w.tier_changed,
            })
            .collect(),
        bands: BANDS
            .iter()
            .enumerate()
            .map(|(i, (_, _, label))| ((*label).to_owned(), cell(s.calibration.rate(i))))
            .collect(),
        overconfident: s.overconfident,
        monitoring: s.monitoring.iter().map(monitor_row).collect(),
        next: s.readiness.map(|r| NextStepView {
            to: r.to,
            ready: r.ready(),
            met: r.checks.iter().filter(|c| c.met).map(|c| c.text.clone()).collect(),
            missing: r.checks.iter().filter(|c| !c.met).map(|c| c.text.clone()).collect(),
        }),
        capability: s.capability,
    }
}

/// A grant's twelve weeks as its sparkline shows them (agreement for an observer, approval
/// otherwise, as on its card).
pub(crate) fn spark_view(t: governance::service::scorecards::Trend) -> SparkView {
    let agreement = t.tier == Tier::Observer;
    SparkView {
        capability: t.capability,
        tier: t.tier,
        metric: if agreement { "agreement" } else { "approval" }.to_owned(),
        weeks: t.weekly.iter().map(|w| cell(if agreement { w.agreement } else { w.approval })).collect(),
        total: cell(if agreement { t.agreement } else { t.approval }),
    }
}

/// A detector's name as pages show it.
pub(crate) fn detector_name(d: governance::monitor::Detector) -> &'static str {
    d.label()
}

/// A detector's judgement in words.
fn monitor_row(c: &governance::service::monitoring::Check) -> MonitorRow {
    use governance::monitor::Judgement;
    let detector = detector_name(c.detector).to_owned();
    match &c.judgement {
        Judgement::TooFew { n, min } => MonitorRow {
            detector,
            verdict: "too_few".into(),
            observed: format!("too few cases to judge: {n} of the {min} needed"),
            baseline: String::new(),
            test: String::new(),
        },
        Judgement::Quiet { finding } | Judgement::Fires { finding } => MonitorRow {
            detector,
            verdict: if c.judgement.fires() { "fires" } else { "quiet" }.into(),
            observed: finding.observed.clone(),
            baseline: finding.baseline.clone(),
            test: finding.test.clone(),
        },
    }
}
