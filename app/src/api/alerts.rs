//! Alerts (anyone signed in reads them; reviewers and managers acknowledge and resolve them;
//! managers undo what a detector did on its own): the list with its filters and counts, one
//! alert explained, and the three steps.

use crate::error::AppError;
use crate::model::{AlertDetailView, AlertsView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn item(v: &governance::service::alerts::AlertView) -> crate::model::AlertItem {
    use crate::api::show_time;
    let a = &v.alert;
    let response = a.response.as_deref().and_then(|r| governance::monitor::Response::parse(r).ok());
    crate::model::AlertItem {
        id: a.id,
        agent_id: a.agent_id,
        agent: v.agent_name.clone(),
        reviewer: a.reviewer.clone(),
        capability: a.capability.clone(),
        detector: v.detector.map(|d| d.as_str().to_owned()),
        what: v.detector.map_or_else(|| a.kind.replace('_', " "), |d| d.label().to_owned()),
        state: v.state.as_str().to_owned(),
        message: a.message.clone(),
        opened: show_time(&a.created_at),
        response: response.map(|r| governance::service::monitor_job::response_words(r).to_owned()),
        undone: a.undone_by.as_ref().zip(a.undone_at.as_ref()).map(|(by, at)| format!("{by}, {}", show_time(at))),
    }
}

/// Reads the list's filters: an unknown state or detector, or an agent that is not a number, is
/// named by field.
#[cfg(feature = "ssr")]
fn filter_of(
    agent: &str,
    capability: &str,
    detector: &str,
    state: &str,
) -> Result<governance::service::alerts::AlertFilter, AppError> {
    use governance::service::alerts::{AlertFilter, AlertState};
    let field = |f: &str, m: String| AppError::Field { field: f.to_owned(), message: m };
    let agent_id = match agent.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| field("agent", format!("'{raw}' is not an agent id")))?),
    };
    let detector = match detector.trim() {
        "" => None,
        raw => Some(governance::monitor::Detector::parse(raw).map_err(|m| field("detector", m))?.as_str().to_owned()),
    };
    let state = AlertState::parse(state).map_err(|m| field("state", m))?;
    let capability = Some(capability.trim()).filter(|c| !c.is_empty()).map(str::to_owned);
    Ok(AlertFilter { agent_id, capability, detector, state })
}

/// Alerts matching the filters (empty: all), open first.
#[server(endpoint = "alerts/list")]
pub async fn alerts_page(
    agent: String,
    capability: String,
    detector: String,
    state: String,
) -> Result<AlertsView, AppError> {
    use crate::server::context::{gov, kept_forms, principal, state as app_state};
    let kept = kept_forms();
    let who = principal()?;
    let token = who.as_member().map_err(gov)?;
    let filter = filter_of(&agent, &capability, &detector, &state)?;
    let list = app_state()?.alerts.list(&token, &filter).await.map_err(gov)?;
    Ok(AlertsView {
        rows: list.items.iter().map(item).collect(),
        total: list.total,
        counts: list.counts,
        agents: list.agents,
        detectors: governance::monitor::Detector::ALL
            .into_iter()
            .map(|d| (d.as_str().to_owned(), d.label().to_owned()))
            .collect(),
        capabilities: list.capabilities,
        link_agents: who.as_manager().is_ok(),
        can_work: who.as_corrector().is_ok(),
        viewer: who.username.clone(),
        kept: kept.get(ALERTS_BULK).await,
    })
}

#[cfg(feature = "ssr")]
fn series(f: &governance::service::alerts::Figures, d: governance::monitor::Detector) -> crate::model::SeriesView {
    use crate::model::{SeriesPoint, SeriesView};
    use governance::monitor::Detector;
    let is_rate = d != Detector::Volume;
    let in_baseline = |p: &&governance::service::monitoring::Point| p.day <= f.window.baseline_to;
    let (bk, bn): (u64, u64) = f.series.iter().filter(in_baseline).fold((0, 0), |(k, n), p| (k + p.k, n + p.n));
    let days = f.series.iter().filter(in_baseline).count().max(1) as f64;
    let baseline = match f.threshold {
        Some(t) => t,
        None if is_rate => {
            if bn == 0 {
                0.0
            } else {
                bk as f64 / bn as f64
            }
        }
        None => bn as f64 / days,
    };
    let metric = match d {
        Detector::RejectionRate => "rejected of decided",
        Detector::FailureRate => "failed of executed",
        Detector::RollbackRate => "rolled back of executed",
        Detector::ConfidenceDrift => "stated 0.9 or more, of proposals",
        Detector::InboxAgeing => "expired unanswered, of those that waited for a person",
        Detector::NewParameters => "parameter sets first seen, of proposals",
        Detector::RubberStamping => "approved within 5 s, of approvals",
        _ => "proposals a day",
    };
    SeriesView {
        points: f
            .series
            .iter()
            .map(|p| SeriesPoint {
                label: p.day.format("%m-%d").to_string(),
                k: p.k,
                n: p.n,
                recent: p.day >= f.window.recent_from,
            })
            .collect(),
        is_rate,
        baseline,
        line: if f.threshold.is_some() { "the threshold" } else { "the baseline" }.to_owned(),
        metric: metric.to_owned(),
    }
}

/// One alert explained.
#[server(endpoint = "alerts/detail")]
pub async fn alert_detail(id: i64) -> Result<AlertDetailView, AppError> {
    use crate::api::show_time;
    use crate::server::context::{gov, principal, state};
    let who = principal()?;
    let token = who.as_member().map_err(gov)?;
    let d = state()?.alerts.detail(&token, id).await.map_err(gov)?;
    let v = &d.view;
    let a = &v.alert;
    let figures = v.figures.as_ref();
    let when = |by: &Option<String>, at: &Option<chrono::DateTime<chrono::Utc>>| {
        by.as_ref().zip(at.as_ref()).map(|(by, at)| format!("{by}, {}", show_time(at)))
    };
    let with_note = |w: String, note: &Option<String>| match note {
        Some(note) if !note.is_empty() => format!("{w}: {note}"),
        _ => w,
    };
    let resolved = when(&a.resolved_by, &a.resolved_at).map(|w| with_note(w, &a.resolution));
    let since_then = v.since_then.as_ref().map(|f| crate::model::SinceThen {
        observed: f.finding.observed.clone(),
        baseline: f.finding.baseline.clone(),
        window: format!("{} to {} (recent)", f.window.recent_from, f.window.recent_to),
        at: a.updated_at.map(|u| show_time(&u)).unwrap_or_default(),
    });
    Ok(AlertDetailView {
        row: item(v),
        grant_id: a.grant_id,
        observed: figures.map(|f| f.finding.observed.clone()),
        baseline: figures.map(|f| f.finding.baseline.clone()),
        test: figures.map(|f| f.finding.test.clone()),
        window: figures.map(|f| match f.threshold {
            Some(_) => format!(
                "{} to {}, UTC days (no baseline: judged against thresholds)",
                f.window.recent_from, f.window.recent_to
            ),
            None => format!(
                "{} to {} (recent) against {} to {} (baseline), UTC days",
                f.window.recent_from, f.window.recent_to, f.window.baseline_from, f.window.baseline_to
            ),
        }),
        // Peer checks are not kept per day: that alert has its figures but no chart.
        series: figures.zip(v.detector).filter(|(f, _)| !f.series.is_empty()).map(|(f, d)| series(f, d)),
        causes: d
            .causes
            .iter()
            .map(|c| crate::model::CauseRow {
                id: c.id,
                state: c.state.as_str().to_owned(),
                when: show_time(&c.created_at),
                confidence: format!("{:.2}", c.confidence),
            })
            .collect(),
        acknowledged: when(&a.acknowledged_by, &a.acknowledged_at).map(|w| with_note(w, &a.acknowledgement)),
        since_then,
        resolved,
        against_threshold: figures.is_some_and(|f| f.threshold.is_some()),
        about_viewer: a.reviewer.as_deref() == Some(who.username.as_str()),
        // The reviewer an alert is about does not work it.
        can_work: who.as_corrector().is_ok()
            && a.resolved_at.is_none()
            && a.reviewer.as_deref() != Some(who.username.as_str()),
        can_undo: who.as_manager().is_ok() && a.response.is_some() && a.undone_at.is_none(),
        can_audit: who.as_auditor().is_ok(),
        link_agent: who.as_manager().is_ok() && a.agent_id.is_some(),
    })
}

/// Marks an open alert as being looked at, with an optional note (reviewers and managers).
#[server(endpoint = "alerts/acknowledge")]
pub async fn acknowledge_alert(id: i64, note: Option<String>) -> Result<(), AppError> {
    use crate::server::context::{gov, keep_form, notice, principal, state};
    let token = principal()?.as_corrector().map_err(gov)?;
    let note = note.unwrap_or_default();
    if let Err(e) = state()?.alerts.acknowledge(&token, id, &note).await {
        keep_form(&format!("alerts/{id}/acknowledge"), &[("note", &note)]).await;
        return Err(gov(e));
    }
    notice(true, format!("Alert {id} acknowledged.")).await;
    leptos_axum::redirect(&format!("/alerts/{id}"));
    Ok(())
}

/// Resolves an alert with a note, from its page (reviewers and managers).
#[server(endpoint = "alerts/resolve")]
pub async fn resolve_monitor_alert(id: i64, note: String) -> Result<(), AppError> {
    use crate::server::context::{gov, keep_form, notice, principal, state};
    let token = principal()?.as_corrector().map_err(gov)?;
    if let Err(e) = state()?.lifecycle.resolve_alert(&token, id, &note).await {
        keep_form(&format!("alerts/{id}/resolve"), &[("note", &note)]).await;
        return Err(gov(e));
    }
    notice(true, format!("Alert {id} resolved.")).await;
    leptos_axum::redirect(&format!("/alerts/{id}"));
    Ok(())
}

/// Acknowledges or resolves (`step`) the ticked alerts with one note, from the list; `back`
/// is the list as it was filtered.
#[server(endpoint = "alerts/bulk")]
pub async fn alerts_bulk(
    selected: Option<Vec<String>>,
    step: String,
    note: String,
    back: String,
) -> Result<(), AppError> {
    use crate::server::context::{fail, gov, kept_if_refused, notice, principal, state};
    let token = principal()?.as_corrector().map_err(gov)?;
    let picked = selected.unwrap_or_default();
    let mut typed: Vec<(&str, &str)> = vec![("note", note.as_str()), ("step", step.as_str())];
    typed.extend(picked.iter().map(|s| ("selected", s.as_str())));
    let done = async {
        let mut ids = Vec::with_capacity(picked.len());
        for raw in &picked {
            let id = raw.trim().parse::<i64>().map_err(|_| {
                fail(AppError::Field { field: "ids".into(), message: format!("'{raw}' is not an alert") })
            })?;
            ids.push(id);
        }
        let st = state()?;
        match step.as_str() {
            "acknowledge" => st.alerts.acknowledge_many(&token, &ids, &note).await.map_err(gov),
            "resolve" => st.lifecycle.resolve_alerts(&token, &ids, &note).await.map_err(gov),
            other => Err(fail(AppError::Field {
                field: "step".into(),
                message: format!("'{other}' is not acknowledge or resolve"),
            })),
        }
    };
    let out = kept_if_refused(ALERTS_BULK, &typed, done.await).await?;
    let verb = if step == "resolve" { "resolved" } else { "acknowledged" };
    let mut text = format!("{} alert(s) {verb}.", out.done.len());
    for (id, why) in &out.skipped {
        text.push_str(&format!(" Alert {id} skipped: {why}."));
    }
    notice(out.skipped.is_empty(), text).await;
    leptos_axum::redirect(&crate::api::alerts::back_to_list(&back));
    Ok(())
}

/// Where the list's bulk form keeps what was ticked and typed after a refusal.
pub const ALERTS_BULK: &str = "alerts/bulk";

/// The alerts list to go back to: only `/alerts` with its query, never elsewhere.
pub fn back_to_list(back: &str) -> String {
    if back == "/alerts" || (back.starts_with("/alerts?") && !back.contains("//")) {
        back.to_owned()
    } else {
        "/alerts".to_owned()
    }
}

/// Undoes what a detector did on its own (managers).
#[server(endpoint = "alerts/undo")]
pub async fn undo_alert(id: i64, note: String) -> Result<(), AppError> {
    use crate::server::context::{gov, keep_form, notice, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    match state()?.monitor.undo(&token, id, &note).await {
        Ok(a) => {
            let what = a.response.as_deref().unwrap_or("response").replace('_', " ");
            notice(true, format!("Undone: {what} (alert {id}). The alert stays open until someone resolves it.")).await;
            leptos_axum::redirect(&format!("/alerts/{id}"));
            Ok(())
        }
        Err(e) => {
            keep_form(&format!("alerts/{id}/undo"), &[("note", &note)]).await;
            Err(gov(e))
        }
    }
}
