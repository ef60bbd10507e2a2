//! The per-grant detectors as the track record and the monitoring job judge them.

use super::*;

mod judging {
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

    const NONE: Extra = Extra { peer: [(0, 0); 2], first_seen: Vec::new() };

    #[test]
    fn peers_disagreeing_more_than_they_used_to_fire() {
        let settings = defaults();
        let steady = Extra { peer: [(180, 20), (27, 3)], ..NONE };
        let checks = judge(&[], &steady, day(0), &settings);
        assert!(matches!(verdict(&checks, Detector::PeerDisagreement), Judgement::Quiet { .. }), "{checks:?}");
        let worse = Extra { peer: [(180, 20), (12, 18)], ..NONE };
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
        let checks = judge(&decided(0, 3, 0), &NONE, day(0), &defaults());
        assert_eq!(checks.len(), 8);
        assert!(checks.iter().all(|c| matches!(c.judgement, Judgement::TooFew { .. })), "{checks:?}");
    }

    #[test]
    fn rejections_rising_in_the_last_two_days_fire_and_a_steady_record_does_not() {
        let mut days: Vec<_> = (2..30).flat_map(|d| decided(d, 18, 2)).collect();
        let steady = [days.clone(), decided(1, 18, 2), decided(0, 17, 3)].concat();
        let checks = judge(&steady, &NONE, day(0), &defaults());
        assert!(matches!(verdict(&checks, Detector::RejectionRate), Judgement::Quiet { .. }), "{checks:?}");
        assert!(matches!(verdict(&checks, Detector::Volume), Judgement::Quiet { .. }));
        assert!(matches!(verdict(&checks, Detector::ConfidenceDrift), Judgement::Quiet { .. }));
        days.extend(decided(1, 10, 10));
        days.extend(decided(0, 8, 12));
        let checks = judge(&days, &NONE, day(0), &defaults());
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
        let checks = judge(&steady, &NONE, day(0), &defaults());
        assert!(matches!(verdict(&checks, Detector::InboxAgeing), Judgement::Quiet { .. }), "{checks:?}");
        days.extend(waited(0, 10, 15));
        let checks = judge(&days, &NONE, day(0), &defaults());
        let j = verdict(&checks, Detector::InboxAgeing);
        assert!(j.fires(), "{j:?}");
        assert_eq!(j.finding().unwrap().observed, "0.60 expired unanswered (15 of 25)");
    }

    #[test]
    fn a_new_grants_first_busy_days_are_too_few_windows_not_a_spike() {
        // Thirty proposals today and nothing before: no history to compare with.
        let checks = judge(&decided(0, 30, 0), &NONE, day(0), &defaults());
        assert_eq!(verdict(&checks, Detector::Volume), &Judgement::TooFew { n: 0, min: volume::MIN_WINDOWS });
        // A month of five a day, then a hundred: a spike.
        let mut days: Vec<_> = (2..30).flat_map(|d| decided(d, 5, 0)).collect();
        days.extend(decided(0, 100, 0));
        let checks = judge(&days, &NONE, day(0), &defaults());
        assert!(verdict(&checks, Detector::Volume).fires(), "{checks:?}");
    }

    #[test]
    fn a_burst_of_never_seen_parameter_sets_fires_and_the_usual_trickle_does_not() {
        // A month of twenty proposals a day, one or two of them with a set never seen before.
        let days: Vec<_> = (0..30).flat_map(|d| decided(d, 20, 0)).collect();
        let trickle: Vec<_> = (2..30).map(|d| (day(d), 1 + (d as u64 % 2))).collect();
        let usual = Extra { first_seen: [trickle.clone(), vec![(day(1), 2), (day(0), 1)]].concat(), ..NONE };
        let checks = judge(&days, &usual, day(0), &defaults());
        assert!(matches!(verdict(&checks, Detector::NewParameters), Judgement::Quiet { .. }), "{checks:?}");
        let burst = Extra { first_seen: [trickle, vec![(day(1), 9), (day(0), 14)]].concat(), ..NONE };
        let checks = judge(&days, &burst, day(0), &defaults());
        let j = verdict(&checks, Detector::NewParameters);
        assert!(j.fires(), "{j:?}");
        assert_eq!(j.finding().unwrap().observed, "0.57 never seen before (23 of 40)");
    }

    #[test]
    fn days_outside_the_baseline_do_not_count() {
        // Old history (60 days ago) is outside the 28-day baseline: too few to judge.
        let days = [decided(60, 500, 0), decided(0, 10, 20)].concat();
        let checks = judge(&days, &NONE, day(0), &defaults());
        assert_eq!(verdict(&checks, Detector::RejectionRate), &Judgement::TooFew { n: 0, min: rates::MIN_BASELINE });
    }
}

mod series {
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
        let points = series(&days, &[], today, Detector::RejectionRate);
        assert_eq!(points.len() as i64, RECENT_DAYS + BASELINE_DAYS);
        assert_eq!(points.last(), Some(&Point { day: today, k: 4, n: 10 }));
        assert!(points[..points.len() - 1].iter().all(|p| p.n == 0), "the day 40 days ago is outside");
        let volume = series(&days, &[], today, Detector::Volume);
        assert_eq!(volume.last(), Some(&Point { day: today, k: 10, n: 10 }));
        let confident = series(&days, &[], today, Detector::ConfidenceDrift);
        assert_eq!(confident.last(), Some(&Point { day: today, k: 4, n: 10 }), "4 of 10 stated 0.9 or more");
        let novel = series(&days, &[(today, 3), (today - Duration::days(1), 2)], today, Detector::NewParameters);
        assert_eq!(novel.last(), Some(&Point { day: today, k: 3, n: 10 }), "3 of 10 sets first seen today");
        assert_eq!(novel[novel.len() - 2], Point { day: today - Duration::days(1), k: 0, n: 0 }, "none proposed");
    }
}

mod settings {
    use super::*;

    #[test]
    fn a_detector_switched_off_is_not_judged_and_sensitivity_changes_the_test() {
        let mut settings: Vec<Setting> = PER_GRANT.into_iter().map(Setting::default_for).collect();
        settings[4].enabled = false;
        settings[0].sensitivity = Sensitivity::High;
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let checks = judge(&[], &Extra::default(), today, &settings);
        assert_eq!(checks.len(), 7);
        assert!(checks.iter().all(|c| c.detector != Detector::Volume));
    }
}
