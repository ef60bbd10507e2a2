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
pub const PER_GRANT: [Detector; 7] = [
    Detector::RejectionRate,
    Detector::FailureRate,
    Detector::RollbackRate,
    Detector::PeerDisagreement,
    Detector::Volume,
    Detector::ConfidenceDrift,
    Detector::InboxAgeing,
];

/// A grant's peer checks: (agreed, disagreed or timed out) in the baseline, then in the recent
/// window.
pub type PeerWindows = [(u64, u64); 2];

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

/// The settings of every per-grant detector, stored or default.
pub(crate) async fn current(store: &Store) -> Result<Vec<Setting>, GovError> {
    let stored = store.detector_settings().await?;
    Ok(PER_GRANT
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

    /// Every per-grant detector's settings (anyone signed in may read them: a reviewer reading
    /// a track record should know what "steady" was judged at).
    pub async fn settings(&self, _by: &AsMember) -> Result<Vec<Setting>, GovError> {
        current(&self.store).await
    }

    /// Changes one detector's settings, with its evidence record.
    pub async fn configure(&self, by: &AsManager, form: SettingForm) -> Result<Setting, GovError> {
        let detector = Detector::parse(&form.detector).ok().filter(|d| PER_GRANT.contains(d)).ok_or_else(|| {
            GovError::invalid("detector", format!("'{}' is not a detector you can set here", form.detector))
        })?;
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
pub fn series(days: &[(NaiveDate, Group)], today: NaiveDate, detector: Detector) -> Vec<Point> {
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
            _ => (t.proposals, t.proposals),
        };
        out.push(Point { day, k, n });
        day += Duration::days(1);
    }
    out
}

/// Judges a grant's daily groups (from `store::scorecards`) and its peer checks on `today`
/// with each enabled detector of `settings`, at its sensitivity.
pub fn judge(days: &[(NaiveDate, Group)], peer: &PeerWindows, today: NaiveDate, settings: &[Setting]) -> Vec<Check> {
    let Window { baseline_from: baseline_first, baseline_to: baseline_last, recent_from: recent_first, .. } =
        Window::ending(today);
    let recent = crate::service::scorecards::sum(days, Some(recent_first), Some(today)).0;
    let baseline = crate::service::scorecards::sum(days, Some(baseline_first), Some(baseline_last)).0;
    let rejected = |t: &Tally| crate::reliability::Rate::new(t.rejected, t.approved + t.rejected);
    let disagreed = |(agreed, disagreed): (u64, u64)| crate::reliability::Rate::new(disagreed, agreed + disagreed);
    let expired = |t: &Tally| crate::reliability::Rate::new(t.expired, t.approved + t.rejected + t.expired);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::State;
    use crate::policy::Decision;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 6).unwrap() - Duration::days(n)
    }

    /// A day's groups: `approved` and `rejected` proposals stated at 0.95.
    fn decided(days_ago: i64, approved: i64, rejected: i64) -> Vec<(NaiveDate, Group)> {
        vec![
            (day(days_ago), (Decision::NeedsApproval, State::Final, String::new(), 3, 1, approved)),
            (day(days_ago), (Decision::NeedsApproval, State::Rejected, String::new(), 3, 0, rejected)),
        ]
    }

    const NO_PEERS: PeerWindows = [(0, 0); 2];

    #[test]
    fn peers_disagreeing_more_than_they_used_to_fire() {
        let settings = defaults();
        let steady: PeerWindows = [(180, 20), (27, 3)];
        let checks = judge(&[], &steady, day(0), &settings);
        assert!(matches!(verdict(&checks, Detector::PeerDisagreement), Judgement::Quiet { .. }), "{checks:?}");
        let worse: PeerWindows = [(180, 20), (12, 18)];
        let checks = judge(&[], &worse, day(0), &settings);
        let j = verdict(&checks, Detector::PeerDisagreement);
        assert!(j.fires(), "{j:?}");
        assert_eq!(j.finding().unwrap().observed, "0.60 disagreed (18 of 30)");
    }

    fn defaults() -> Vec<Setting> {
        PER_GRANT.into_iter().map(Setting::default_for).collect()
    }

    fn verdict(checks: &[Check], d: Detector) -> &Judgement {
        &checks.iter().find(|c| c.detector == d).unwrap().judgement
    }

    #[test]
    fn a_new_grant_has_too_little_for_any_detector() {
        let checks = judge(&decided(0, 3, 0), &NO_PEERS, day(0), &defaults());
        assert_eq!(checks.len(), 7);
        assert!(checks.iter().all(|c| matches!(c.judgement, Judgement::TooFew { .. })), "{checks:?}");
    }

    #[test]
    fn rejections_rising_in_the_last_two_days_fire_and_a_steady_record_does_not() {
        let mut days: Vec<_> = (2..30).flat_map(|d| decided(d, 18, 2)).collect();
        let steady = [days.clone(), decided(1, 18, 2), decided(0, 17, 3)].concat();
        let checks = judge(&steady, &NO_PEERS, day(0), &defaults());
        assert!(matches!(verdict(&checks, Detector::RejectionRate), Judgement::Quiet { .. }), "{checks:?}");
        assert!(matches!(verdict(&checks, Detector::Volume), Judgement::Quiet { .. }));
        assert!(matches!(verdict(&checks, Detector::ConfidenceDrift), Judgement::Quiet { .. }));
        days.extend(decided(1, 10, 10));
        days.extend(decided(0, 8, 12));
        let checks = judge(&days, &NO_PEERS, day(0), &defaults());
        let j = verdict(&checks, Detector::RejectionRate);
        assert!(j.fires(), "{j:?}");
        assert_eq!(j.finding().unwrap().observed, "0.55 rejected (22 of 40)");
    }

    /// A day's groups: `approved` proposals and `expired` ones nobody decided.
    fn waited(days_ago: i64, approved: i64, expired: i64) -> Vec<(NaiveDate, Group)> {
        vec![
            (day(days_ago), (Decision::NeedsApproval, State::Final, String::new(), 3, 1, approved)),
            (day(days_ago), (Decision::NeedsApproval, State::Expired, String::new(), 3, 0, expired)),
        ]
    }

    #[test]
    fn approvals_expiring_unanswered_more_than_they_used_to_fire() {
        let mut days: Vec<_> = (2..30).flat_map(|d| waited(d, 10, if d % 7 == 0 { 1 } else { 0 })).collect();
        let steady = [days.clone(), waited(0, 19, 1)].concat();
        let checks = judge(&steady, &NO_PEERS, day(0), &defaults());
        assert!(matches!(verdict(&checks, Detector::InboxAgeing), Judgement::Quiet { .. }), "{checks:?}");
        days.extend(waited(0, 10, 15));
        let checks = judge(&days, &NO_PEERS, day(0), &defaults());
        let j = verdict(&checks, Detector::InboxAgeing);
        assert!(j.fires(), "{j:?}");
        assert_eq!(j.finding().unwrap().observed, "0.60 expired unanswered (15 of 25)");
    }

    #[test]
    fn a_new_grants_first_busy_days_are_too_few_windows_not_a_spike() {
        // Thirty proposals today and nothing before: no history to compare with.
        let checks = judge(&decided(0, 30, 0), &NO_PEERS, day(0), &defaults());
        assert_eq!(verdict(&checks, Detector::Volume), &Judgement::TooFew { n: 0, min: volume::MIN_WINDOWS });
        // A month of five a day, then a hundred: a spike.
        let mut days: Vec<_> = (2..30).flat_map(|d| decided(d, 5, 0)).collect();
        days.extend(decided(0, 100, 0));
        let checks = judge(&days, &NO_PEERS, day(0), &defaults());
        assert!(verdict(&checks, Detector::Volume).fires(), "{checks:?}");
    }

    #[test]
    fn days_outside_the_baseline_do_not_count() {
        // Old history (60 days ago) is outside the 28-day baseline: too few to judge.
        let days = [decided(60, 500, 0), decided(0, 10, 20)].concat();
        let checks = judge(&days, &NO_PEERS, day(0), &defaults());
        assert_eq!(verdict(&checks, Detector::RejectionRate), &Judgement::TooFew { n: 0, min: rates::MIN_BASELINE });
    }
}

#[cfg(test)]
mod series_tests {
    use super::*;
    use crate::lifecycle::State;
    use crate::policy::Decision;

    #[test]
    fn the_series_has_a_point_for_every_day_of_the_window_with_its_counts() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let days = vec![
            (today, (Decision::NeedsApproval, State::Rejected, String::new(), 3, 0, 4)),
            (today, (Decision::NeedsApproval, State::Final, String::new(), 1, 1, 6)),
            (today - Duration::days(40), (Decision::NeedsApproval, State::Rejected, String::new(), 3, 0, 9)),
        ];
        let points = series(&days, today, Detector::RejectionRate);
        assert_eq!(points.len() as i64, RECENT_DAYS + BASELINE_DAYS);
        assert_eq!(points.last(), Some(&Point { day: today, k: 4, n: 10 }));
        assert!(points[..points.len() - 1].iter().all(|p| p.n == 0), "the day 40 days ago is outside");
        let volume = series(&days, today, Detector::Volume);
        assert_eq!(volume.last(), Some(&Point { day: today, k: 10, n: 10 }));
        let confident = series(&days, today, Detector::ConfidenceDrift);
        assert_eq!(confident.last(), Some(&Point { day: today, k: 4, n: 10 }), "4 of 10 stated 0.9 or more");
    }
}

#[cfg(test)]
mod settings_tests {
    use super::*;

    #[test]
    fn a_detector_switched_off_is_not_judged_and_sensitivity_changes_the_test() {
        let mut settings: Vec<Setting> = PER_GRANT.into_iter().map(Setting::default_for).collect();
        settings[4].enabled = false;
        settings[0].sensitivity = Sensitivity::High;
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let checks = judge(&[], &[(0, 0); 2], today, &settings);
        assert_eq!(checks.len(), 6);
        assert!(checks.iter().all(|c| c.detector != Detector::Volume));
    }
}
