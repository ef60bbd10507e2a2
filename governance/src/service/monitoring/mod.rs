//! Monitoring, judged when a grant's record is read: each per-grant detector over the grant's
//! kept daily counts — the last two UTC days against the 28 before them — so a manager or a
//! reviewer sees at a glance whether the agent's behaviour has drifted, with the figures and
//! the test, or why there is too little to say. The monitoring job
//! ([`crate::service::monitor_job`]) judges the same way and raises alerts and acts.

use crate::error::GovError;
use crate::evidence::Draft;
use crate::monitor::{Detector, Judgement, Response, Sensitivity, confidence, rates, volume};
use crate::principal::{AsManager, AsMember};
use crate::reliability::Tally;
use crate::store::Store;
use crate::store::detector_settings::{self as settings_store, StoredSetting};
use crate::store::scorecards::Group;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

/// The detectors judged per grant when its record is read, in the order they are shown (the
/// others need the background job).
pub const PER_GRANT: [Detector; 8] = [
    Detector::RejectionRate,
    Detector::FailureRate,
    Detector::RollbackRate,
    Detector::PeerDisagreement,
    Detector::Volume,
    Detector::ConfidenceDrift,
    Detector::NewParameters,
    Detector::InboxAgeing,
];

/// A grant's peer checks: (agreed, disagreed or timed out) in the baseline, then in the recent
/// window.
pub type PeerWindows = [(u64, u64); 2];

/// What the per-grant detectors read besides the daily counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extra {
    pub peer: PeerWindows,
    /// Parameter sets first seen on each day (from the baseline's first day on).
    pub first_seen: Vec<(NaiveDate, u64)>,
}

/// Parameter sets first seen within `[from, to]`.
fn first_seen_between(first_seen: &[(NaiveDate, u64)], from: NaiveDate, to: NaiveDate) -> u64 {
    first_seen.iter().filter(|(d, _)| *d >= from && *d <= to).map(|(_, n)| n).sum()
}

/// A detector's settings: on or off, how sensitive, and who last changed them (none: defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    pub detector: Detector,
    pub enabled: bool,
    pub sensitivity: Sensitivity,
    /// What the monitoring job does when it fires, besides raising an alert.
    pub response: Response,
    pub changed: Option<(String, DateTime<Utc>)>,
}

impl Setting {
    pub(crate) fn default_for(detector: Detector) -> Setting {
        Setting { detector, enabled: true, sensitivity: Sensitivity::Normal, response: Response::Alert, changed: None }
    }
}

/// A detector's settings as entered.
#[derive(Clone, Debug, Default)]
pub struct SettingForm {
    pub detector: String,
    pub enabled: bool,
    pub sensitivity: String,
    pub response: String,
}

/// The settings of every detector, stored or default.
pub(crate) async fn current(store: &Store) -> Result<Vec<Setting>, GovError> {
    let stored = store.detector_settings().await?;
    Ok(Detector::ALL
        .into_iter()
        .map(|d| match stored.iter().find(|s| s.detector == d) {
            Some(s) => Setting {
                detector: d,
                enabled: s.enabled,
                sensitivity: s.sensitivity,
                response: s.response,
                changed: Some((s.updated_by.clone(), s.updated_at)),
            },
            None => Setting::default_for(d),
        })
        .collect())
}

/// The monitoring settings use cases.
#[derive(Clone, Debug)]
pub struct Monitoring {
    store: Store,
}

impl Monitoring {
    pub fn new(store: Store) -> Monitoring {
        Monitoring { store }
    }

    /// Every detector's settings (anyone signed in may read them: a reviewer reading
    /// a track record should know what "steady" was judged at).
    pub async fn settings(&self, _by: &AsMember) -> Result<Vec<Setting>, GovError> {
        current(&self.store).await
    }

    /// Changes one detector's settings, with its evidence record.
    pub async fn configure(&self, by: &AsManager, form: SettingForm) -> Result<Setting, GovError> {
        let detector = Detector::parse(&form.detector).map_err(|m| GovError::invalid("detector", m))?;
        let sensitivity = Sensitivity::parse(&form.sensitivity).map_err(|m| GovError::invalid("sensitivity", m))?;
        let response = Response::parse(&form.response).map_err(|m| GovError::invalid("response", m))?;
        if detector.about_people() && response != Response::Alert {
            return Err(GovError::invalid(
                "response",
                format!("{} watches the people reviewing, not the agent: it can only alert", detector.label()),
            ));
        }
        let before = current(&self.store).await?.into_iter().find(|s| s.detector == detector);
        let now = crate::clock::now();
        let stored = StoredSetting {
            detector,
            enabled: form.enabled,
            sensitivity,
            response,
            updated_by: by.actor().name.clone(),
            updated_at: now,
        };
        let txn = self.store.begin_write().await?;
        settings_store::put(&txn, &stored).await?;
        let summary = format!(
            "{} set the {} detector {}{}",
            by.actor().name,
            detector.as_str(),
            if form.enabled { "on" } else { "off" },
            if form.enabled {
                format!(", {} sensitivity, response {}", sensitivity.as_str(), response.as_str())
            } else {
                String::new()
            }
        );
        let shown = |enabled: bool, s: Sensitivity, r: Response| json!({"enabled": enabled, "sensitivity": s.as_str(), "response": r.as_str()});
        let details = json!({
            "detector": detector.as_str(),
            "before": before.map(|b| shown(b.enabled, b.sensitivity, b.response)),
            "after": shown(form.enabled, sensitivity, response),
        });
        let draft = Draft {
            actor: by.actor().clone(),
            kind: "monitor.configured",
            subject_kind: "detector",
            subject_id: detector.as_str().to_owned(),
            summary,
            details,
        };
        crate::store::evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(Setting {
            detector,
            enabled: form.enabled,
            sensitivity,
            response,
            changed: Some((by.actor().name.clone(), now)),
        })
    }
}

/// UTC days in the recent window (today, so far, and yesterday).
pub const RECENT_DAYS: i64 = 2;
/// UTC days in the baseline before it.
pub const BASELINE_DAYS: i64 = 28;

/// One detector's judgement of a grant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    pub detector: Detector,
    pub judgement: Judgement,
}

/// Proposals per confidence band among `days` within `[from, to]`.
fn bands(days: &[(NaiveDate, Group)], from: NaiveDate, to: NaiveDate) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (day, (_, _, _, band, _, n)) in days {
        if *day >= from && *day <= to {
            out[(*band).clamp(0, 3) as usize] += (*n).max(0) as u64;
        }
    }
    out
}

/// Proposals per window of [`RECENT_DAYS`] days, oldest first, over the baseline — from the
/// first window the grant asked anything in: empty windows before it are not a quiet history
/// but none, so a new grant's first busy days are too little to judge, not a spike.
fn volumes(days: &[(NaiveDate, Group)], baseline_first: NaiveDate) -> Vec<u64> {
    let windows = (BASELINE_DAYS / RECENT_DAYS) as usize;
    let mut out = vec![0u64; windows];
    for (day, (_, _, _, _, _, n)) in days {
        let offset = (*day - baseline_first).num_days();
        if (0..BASELINE_DAYS).contains(&offset) {
            out[(offset / RECENT_DAYS) as usize] += (*n).max(0) as u64;
        }
    }
    let first = out.iter().position(|n| *n > 0).unwrap_or(out.len());
    out.split_off(first)
}

/// One day of the series a detector judges: `k` of `n` (rejected of decided, failed of
/// executed, rolled back of executed, high-confidence of proposed; for volume, `k` = `n` =
/// proposals).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Point {
    pub day: NaiveDate,
    pub k: u64,
    pub n: u64,
}

/// The days a detector looked at: the baseline's first and last, the recent window's first
/// and last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Window {
    pub baseline_from: NaiveDate,
    pub baseline_to: NaiveDate,
    pub recent_from: NaiveDate,
    pub recent_to: NaiveDate,
}

impl Window {
    pub fn ending(today: NaiveDate) -> Window {
        let recent_from = today - Duration::days(RECENT_DAYS - 1);
        Window {
            baseline_from: recent_from - Duration::days(BASELINE_DAYS),
            baseline_to: recent_from - Duration::days(1),
            recent_from,
            recent_to: today,
        }
    }
}

/// The daily series `detector` judges over the window ending `today`, one point per day (none
/// for peer disagreement: peer checks are not kept per day).
pub fn series(
    days: &[(NaiveDate, Group)],
    first_seen: &[(NaiveDate, u64)],
    today: NaiveDate,
    detector: Detector,
) -> Vec<Point> {
    if detector == Detector::PeerDisagreement {
        return Vec::new();
    }
    let w = Window::ending(today);
    let mut out = Vec::new();
    let mut day = w.baseline_from;
    while day <= today {
        let t = crate::service::scorecards::sum(days, Some(day), Some(day)).0;
        let (k, n) = match detector {
            Detector::RejectionRate => (t.rejected, t.approved + t.rejected),
            Detector::FailureRate => (t.failure().hits, t.failure().n),
            Detector::RollbackRate => (t.rollback().hits, t.rollback().n),
            Detector::ConfidenceDrift => (bands(days, day, day)[3], t.proposals),
            Detector::InboxAgeing => (t.expired, t.approved + t.rejected + t.expired),
            Detector::NewParameters => (first_seen_between(first_seen, day, day).min(t.proposals), t.proposals),
            _ => (t.proposals, t.proposals),
        };
        out.push(Point { day, k, n });
        day += Duration::days(1);
    }
    out
}

/// Judges a grant's daily groups (from `store::scorecards`), its peer checks and its new
/// parameter sets on `today` with each enabled detector of `settings`, at its sensitivity.
pub fn judge(days: &[(NaiveDate, Group)], extra: &Extra, today: NaiveDate, settings: &[Setting]) -> Vec<Check> {
    let Window { baseline_from: baseline_first, baseline_to: baseline_last, recent_from: recent_first, .. } =
        Window::ending(today);
    let recent = crate::service::scorecards::sum(days, Some(recent_first), Some(today)).0;
    let baseline = crate::service::scorecards::sum(days, Some(baseline_first), Some(baseline_last)).0;
    let rejected = |t: &Tally| crate::reliability::Rate::new(t.rejected, t.approved + t.rejected);
    let disagreed = |(agreed, disagreed): (u64, u64)| crate::reliability::Rate::new(disagreed, agreed + disagreed);
    let expired = |t: &Tally| crate::reliability::Rate::new(t.expired, t.approved + t.rejected + t.expired);
    // Sets first seen of the proposals (a set first seen is one of the window's proposals).
    let novel = |from, to, t: &Tally| {
        crate::reliability::Rate::new(first_seen_between(&extra.first_seen, from, to).min(t.proposals), t.proposals)
    };
    let peer = &extra.peer;
    settings
        .iter()
        .filter(|s| s.enabled)
        .filter_map(|s| {
            let alpha = s.sensitivity.alpha();
            let judgement = match s.detector {
                Detector::RejectionRate => rates::rising("rejected", rejected(&recent), rejected(&baseline), alpha),
                Detector::FailureRate => rates::rising("failed", recent.failure(), baseline.failure(), alpha),
                Detector::RollbackRate => rates::rising("rolled back", recent.rollback(), baseline.rollback(), alpha),
                Detector::PeerDisagreement => rates::rising("disagreed", disagreed(peer[1]), disagreed(peer[0]), alpha),
                Detector::InboxAgeing => {
                    rates::rising("expired unanswered", expired(&recent), expired(&baseline), alpha)
                }
                Detector::NewParameters => rates::rising(
                    "never seen before",
                    novel(recent_first, today, &recent),
                    novel(baseline_first, baseline_last, &baseline),
                    alpha,
                ),
                Detector::Volume => volume::spike(recent.proposals, &volumes(days, baseline_first), alpha),
                Detector::ConfidenceDrift => confidence::drift(
                    &bands(days, recent_first, today),
                    &bands(days, baseline_first, baseline_last),
                    alpha,
                ),
                _ => return None,
            };
            Some(Check { detector: s.detector, judgement })
        })
        .collect()
}

pub mod reviewer_figures;
#[cfg(test)]
mod tests;
