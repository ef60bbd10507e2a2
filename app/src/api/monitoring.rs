//! Monitoring settings: which detectors run, how sensitive each is and what it does
//! when it fires (managers and admins change them; anyone signed in may read them).

use crate::error::AppError;
use crate::model::DetectorRow;
use leptos::prelude::*;

/// What a detector watches and its minimum and test, in words.
#[cfg(feature = "ssr")]
fn words(d: governance::monitor::Detector) -> (&'static str, &'static str) {
    use governance::monitor::Detector;
    match d {
        Detector::RejectionRate => (
            "People reject more of its proposals than they used to.",
            "20 recent and 30 baseline decisions; one-sided binomial test, at least 5 points up",
        ),
        Detector::FailureRate => (
            "More of what it executes fails.",
            "20 recent and 30 baseline executions; one-sided binomial test, at least 5 points up",
        ),
        Detector::RollbackRate => (
            "More of what it executed is rolled back.",
            "20 recent and 30 baseline executions; one-sided binomial test, at least 5 points up",
        ),
        Detector::PeerDisagreement => (
            "A second agent checking its work disagrees (or does not answer) more often than it used to.",
            "20 recent and 30 baseline peer checks; one-sided binomial test, at least 5 points up",
        ),
        Detector::Volume => (
            "It asks far more often than usual.",
            "20 recent requests, 12 baseline windows; Poisson test, 3× the usual and above the busiest window",
        ),
        Detector::ConfidenceDrift => (
            "The confidence it states is spread differently from usual.",
            "30 recent and 100 baseline proposals; chi-square test over the confidence bands",
        ),
        Detector::NewParameters => (
            "More of its requests carry parameter sets it has never used before (read from the history the monitoring job keeps, so up to one pass behind).",
            "20 recent and 30 baseline proposals; one-sided binomial test, at least 5 points up",
        ),
        Detector::InboxAgeing => (
            "More of its approvals expire before anyone decides: the people reviewing are not keeping up. Only alerts; its alert does not send more to the inbox.",
            "20 recent and 30 baseline approvals that waited for a person; one-sided binomial test, at least 5 points up",
        ),
        Detector::RubberStamping => (
            "A reviewer approves nearly everything, nearly at once (seconds from the item arriving), or approves a very long run of items each within seconds. Judged per reviewer on their last 100 decisions of 7 days. Only alerts; the reviewer it names cannot acknowledge or resolve it.",
            "30 decisions; thresholds on the share approved, the share of approvals within 5 s and the longest run of them",
        ),
    }
}

#[cfg(feature = "ssr")]
fn row(s: governance::service::monitoring::Setting) -> DetectorRow {
    let (watches, test) = words(s.detector);
    DetectorRow {
        detector: s.detector.as_str().to_owned(),
        name: crate::api::scorecard_rows::detector_name(s.detector).to_owned(),
        watches: watches.to_owned(),
        test: test.to_owned(),
        enabled: s.enabled,
        sensitivity: s.sensitivity.as_str().to_owned(),
        response: s.response.as_str().to_owned(),
        alert_only: s.detector.about_people(),
        changed: s.changed.map(|(by, at)| format!("{by}, {}", crate::api::show_time(&at))),
        open_without_response: 0,
    }
}

/// Every detector's settings.
#[server(endpoint = "monitoring/settings")]
pub async fn monitoring_settings() -> Result<Vec<DetectorRow>, AppError> {
    use crate::server::context::{gov, principal, state};
    let who = principal()?;
    let token = who.as_member().map_err(gov)?;
    let st = state()?;
    let mut rows = Vec::new();
    for s in st.monitoring.settings(&token).await.map_err(gov)? {
        let detector = s.detector;
        let mut r = row(s);
        if let Ok(manager) = who.as_manager() {
            r.open_without_response = st.monitor.open_without_response(&manager, detector).await.map_err(gov)?;
        }
        rows.push(r);
    }
    Ok(rows)
}

/// Switches a detector on or off and sets its sensitivity.
#[server(endpoint = "monitoring/configure")]
pub async fn configure_detector(
    detector: String,
    enabled: Option<String>,
    sensitivity: String,
    #[server(default)] response: String,
    apply_open: Option<String>,
) -> Result<(), AppError> {
    use crate::server::context::{gov, notice, principal, state};
    use governance::service::monitoring::SettingForm;
    let token = principal()?.as_manager().map_err(gov)?;
    let form = SettingForm { detector: detector.clone(), enabled: enabled.is_some(), sensitivity, response };
    let st = state()?;
    let s = st.monitoring.configure(&token, form).await.map_err(|e| gov(e).scoped(&detector))?;
    let name = crate::api::scorecard_rows::detector_name(s.detector);
    // Whether the change reaches the alerts already open, said either way.
    let open = st.monitor.open_without_response(&token, s.detector).await.map_err(gov)?;
    let reach = if s.response == governance::monitor::Response::Alert || open == 0 || !s.enabled {
        String::new()
    } else if apply_open.is_some() {
        let done = st.monitor.apply_to_open(&token, s.detector, s.response).await.map_err(gov)?;
        let mut t = format!(" Applied to {} open alert(s).", done.applied.len());
        for (id, why) in done.skipped {
            t.push_str(&format!(" Alert {id}: {why}."));
        }
        t
    } else {
        format!(" It applies to new alerts; the {open} open alert(s) it raised before keep what they did.")
    };
    let text = if s.enabled {
        use governance::monitor::Response;
        let does = match s.response {
            Response::Alert => "alert only",
            Response::DemoteGrant => "alert and demote the grant",
            Response::SuspendGrant => "alert and suspend the grant",
            Response::SuspendAgent => "alert and suspend the agent",
        };
        format!("{name}: on, {} sensitivity, {does}.{reach}", s.sensitivity.as_str())
    } else {
        format!("{name}: off.")
    };
    notice(true, text).await;
    leptos_axum::redirect("/monitoring");
    Ok(())
}

/// Each reviewer's figures (managers): decisions, median time to decide, approval and glance
/// shares with their cases, and the waiting items assigned to or claimed by them.
#[server(endpoint = "monitoring/reviewers")]
pub async fn reviewer_figures() -> Result<Vec<crate::model::ReviewerRow>, AppError> {
    use crate::api::scorecard_rows::cell;
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    let rows = state()?.monitoring.reviewer_figures(&token).await.map_err(gov)?;
    Ok(rows
        .into_iter()
        .map(|r| crate::model::ReviewerRow {
            reviewer: r.reviewer,
            decided: r.figures.decided,
            median: r.figures.median_seconds.map(seconds_words),
            approved: cell(r.figures.approved),
            glances: cell(r.figures.glances),
            load: r.load,
        })
        .collect())
}

/// "4 s", "3 min", "2.5 h": a duration as a person reads it.
pub fn seconds_words(s: f64) -> String {
    if s < 90.0 {
        format!("{s:.0} s")
    } else if s < 90.0 * 60.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}
