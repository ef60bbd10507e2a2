//! The monitoring job's human side: each reviewer who decided something since the last pass
//! (everyone who decided in the last [`DAYS`] days, on the day's first pass) is judged on their
//! last [`LIMIT`] decisions by the rubber-stamping detector; one alert per reviewer while the
//! condition lasts. It only alerts: nothing is done to the reviewer or the agents.

use super::{Pass, monitor_actor, raise_or_refresh};
use crate::error::GovError;
use crate::evidence::Draft;
use crate::monitor::reviewers::{self as detector, GLANCE_SECONDS, ReviewerDecision};
use crate::monitor::{Detector, Finding, Judgement};
use crate::service::monitoring::{Point, Setting, Window};
use crate::store::alerts::{self as alert_store, About, Detected};
use crate::store::reviewer_decisions::{self as decisions, Decided};
use crate::store::{Store, evidence};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::DatabaseTransaction;
use serde_json::json;

/// Days of a reviewer's decisions judged.
pub const DAYS: i64 = 7;
/// A reviewer's most recent decisions judged, at most.
pub const LIMIT: u64 = 100;
/// Quick approvals an alert lists, at most.
const LISTED: usize = 50;

/// A reviewer the detector fired about, with the figures.
pub(super) struct Stamping {
    reviewer: String,
    finding: Finding,
    decided: Vec<Decided>,
    threshold: f64,
    window: Window,
}

/// Judges the reviewers who decided something in records after `after_seq` (everyone who
/// decided in the last [`DAYS`] days when 0).
pub(super) async fn judge(
    store: &Store,
    setting: &Setting,
    after_seq: i64,
    now: DateTime<Utc>,
    pass: &mut Pass,
) -> Result<Vec<Stamping>, GovError> {
    let since = now - Duration::days(DAYS);
    let alpha = setting.sensitivity.alpha();
    let mut out = Vec::new();
    for reviewer in decisions::deciding(store.db(), since, after_seq).await? {
        let decided = decisions::recent_of(store.db(), &reviewer, since, LIMIT).await?;
        let seen: Vec<ReviewerDecision> =
            decided.iter().map(|d| ReviewerDecision { approved: d.approved, seconds: d.seconds }).collect();
        pass.reviewers += 1;
        if let Judgement::Fires { finding } = detector::rubber_stamping(&seen, alpha) {
            let today = now.date_naive();
            let from = today - Duration::days(DAYS - 1);
            // No baseline: the reviewer's own decisions are the finding.
            let window = Window {
                baseline_from: from,
                baseline_to: from - Duration::days(1),
                recent_from: from,
                recent_to: today,
            };
            out.push(Stamping { reviewer, finding, decided, threshold: detector::thresholds(alpha).1, window });
        }
    }
    Ok(out)
}

/// Per day of the window: approvals within [`GLANCE_SECONDS`] of all approvals.
fn series(decided: &[Decided], window: &Window) -> Vec<Point> {
    let mut out = Vec::new();
    let mut day: NaiveDate = window.recent_from;
    while day <= window.recent_to {
        let approved: Vec<&Decided> = decided.iter().filter(|d| d.approved && d.at.date_naive() == day).collect();
        let quick = approved.iter().filter(|d| d.seconds < GLANCE_SECONDS).count() as u64;
        out.push(Point { day, k: quick, n: approved.len() as u64 });
        day += Duration::days(1);
    }
    out
}

/// Raises the reviewer's alert, or refreshes the open one; quiet for a while after a person
/// resolved the last.
pub(super) async fn fired(
    txn: &DatabaseTransaction,
    f: Stamping,
    now: DateTime<Utc>,
    pass: &mut Pass,
) -> Result<(), GovError> {
    let detector = Detector::RubberStamping;
    let message = format!("{}: {} — {}", detector.label(), f.reviewer, f.finding.observed);
    let quick: Vec<i64> = f
        .decided
        .iter()
        .rev()
        .filter(|d| d.approved && d.seconds < GLANCE_SECONDS)
        .take(LISTED)
        .map(|d| d.action_id)
        .collect();
    let details = json!({
        "finding": f.finding,
        "window": f.window,
        "series": series(&f.decided, &f.window),
        "threshold": f.threshold,
        "actions": quick,
    })
    .to_string();
    let about = About::Reviewer(&f.reviewer);
    let open = alert_store::open_for(txn, about, detector.as_str()).await?;
    let detected = Detected { about, detector: detector.as_str(), message: message.clone(), details };
    let Some(id) = raise_or_refresh(txn, detected, open, now, pass).await? else { return Ok(()) };
    let draft = Draft {
        actor: monitor_actor(detector),
        kind: "monitor.fired",
        subject_kind: "user",
        subject_id: f.reviewer.clone(),
        summary: format!(
            "The {} detector raised an alert about {} (alert {id}): {message}",
            detector.as_str(),
            f.reviewer
        ),
        details: json!({
            "alert_id": id,
            "reviewer": f.reviewer,
            "detector": detector.as_str(),
            "finding": f.finding,
            "window": f.window,
            "response": null,
        }),
    };
    evidence::append(txn, &draft).await?;
    pass.raised += 1;
    Ok(())
}
