//! `/monitoring` (managers and admins): which detectors judge every grant's record and how
//! sensitive each is.

use crate::api::monitoring::{ConfigureDetector, monitoring_settings};
use crate::components::form::{FieldError, FormError, action_error};
use crate::model::DetectorRow;
use leptos::prelude::*;
use leptos_meta::Title;

/// The monitoring settings page.
#[component]
pub fn MonitoringPage() -> impl IntoView {
    let configure = ServerAction::<ConfigureDetector>::new();
    let rows = Resource::new(move || configure.version().get(), |_| monitoring_settings());
    let error = action_error(configure);
    view! {
        <Title text="Monitoring" />
        <p class="crumbs"><a href="/agents">"Agents"</a>" / Monitoring"</p>
        <h1>"Monitoring"</h1>
        <p class="muted">
            "Each detector but rubber-stamping compares every grant's last two days with the 28 before, and shows on the grant's track record whether it is steady, has drifted, or has too few cases to say; rubber-stamping watches each reviewer's last decisions. "
            "Higher sensitivity speaks up earlier, with more false alarms: low needs p < 0.0001, normal p < 0.001, high p < 0.01. "
            "The monitoring job raises an alert when one fires (one per grant, or reviewer, and detector) and, if set here, demotes or suspends on its own; a manager can undo that from the alert. "
            <a href="/alerts">"See the alerts"</a>"."
        </p>
        <FormError error />
        <section class="panel">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(rows) => view! { <Detectors rows configure error /> }.into_any(),
                        Err(e) => view! { <div class="alert alert-error">{e.to_string()}</div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <Reviewers />
    }
}

/// Each reviewer's figures: what the rubber-stamping detector reads, for a manager to see.
#[component]
fn Reviewers() -> impl IntoView {
    use crate::components::chart::RateBar;
    let rows = Resource::new(|| (), |_| crate::api::monitoring::reviewer_figures());
    view! {
        <section class="panel" data-testid="reviewer-figures">
            <h2>"Reviewers — last 7 days"</h2>
            <p class="muted small">"Over each reviewer's last 100 decisions of the last 7 days — the ones the rubber-stamping detector judges. A glance is an approval within 5 seconds of the item's arrival. Load is what waits assigned to or claimed by them now."</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="muted">"No reviewers yet."</p> }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-scroll">
                                <table class="table stack" id="reviewers-table">
                                    <thead><tr><th>"Reviewer"</th><th>"Decided"</th><th>"Median time"</th><th>"Approved"</th><th>"Glances"</th><th>"Load"</th></tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|r| view! {
                                            <tr data-reviewer=r.reviewer.clone()>
                                                <td data-label="Reviewer" class="card-title"><strong>{r.reviewer.clone()}</strong></td>
                                                <td data-label="Decided">{r.decided}</td>
                                                <td data-label="Median time">{r.median.clone().unwrap_or_else(|| "—".into())}</td>
                                                <td data-label="Approved"><RateBar rate=r.approved />" "<span class="small">{r.approved.words()}</span></td>
                                                <td data-label="Glances"><span class="small">{r.glances.words()}</span></td>
                                                <td data-label="Load">{r.load}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <div class="alert alert-error">{e.to_string()}</div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// What a detector may do when it fires, as the form offers it.
const RESPONSES: [(&str, &str); 4] = [
    ("alert", "alert only"),
    ("demote_grant", "alert and demote the grant"),
    ("suspend_grant", "alert and suspend the grant"),
    ("suspend_agent", "alert and suspend the agent"),
];

#[component]
fn Detectors(
    rows: Vec<DetectorRow>,
    configure: ServerAction<ConfigureDetector>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="table" id="detectors-table">
                <thead><tr><th>"Detector"</th><th>"Minimum and test"</th><th>"Setting"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let id = format!("det-{}", r.detector);
                        let (on_id, sens_id, resp_id) = (format!("{id}-on"), format!("{id}-sensitivity"), format!("{id}-response"));
                        let (on_for, sens_for, resp_for) = (on_id.clone(), sens_id.clone(), resp_id.clone());
                        let resp_label = format!("{} response", r.name);
                        let resp_field = format!("{}/response", r.detector);
                        let response = r.response.clone();
                        let offered = if r.alert_only { &RESPONSES[..1] } else { &RESPONSES[..] };
                        let (on_label, sens_label) = (format!("{} on", r.name), format!("{} sensitivity", r.name));
                        let (sens_field, det_field) = (format!("{}/sensitivity", r.detector), format!("{}/detector", r.detector));
                        let (det_attr, det_hidden) = (r.detector.clone(), r.detector.clone());
                        let (sens, enabled) = (r.sensitivity.clone(), r.enabled);
                        let state = if r.enabled {
                            view! { <span class="badge ok">"on"</span> }.into_any()
                        } else {
                            view! { <span class="badge off">"off"</span> }.into_any()
                        };
                        let changed = r.changed.map(|c| format!("changed by {c}")).unwrap_or_else(|| "the defaults".to_owned());
                        let open = r.open_without_response;
                        let apply_id = format!("{id}-apply");
                        let apply = (!r.alert_only && open > 0).then(|| {
                            let label = format!("Also apply the response to the {open} open alert(s) it raised that only alerted");
                            view! {
                                <label class="check small" for=apply_id.clone()>
                                    <input type="checkbox" id=apply_id.clone() name="apply_open" value="on" />
                                    {label}
                                </label>
                            }
                        });
                        view! {
                            <tr data-detector=det_attr>
                                <td>
                                    <strong>{r.name}</strong>
                                    <div class="muted small">{r.watches}</div>
                                    <div class="small">{state}</div>
                                </td>
                                <td class="small">{r.test}</td>
                                <td>
                                    <ActionForm action=configure attr:class="detector-form">
                                        <input type="hidden" name="detector" value=det_hidden.clone() />
                                        <label class="check" for=on_for.clone()>
                                            <input type="checkbox" id=on_id.clone() name="enabled" value="on" checked=enabled />
                                            {on_label.clone()}
                                        </label>
                                        <label for=sens_for.clone() class="sr-label">{sens_label.clone()}</label>
                                        <select id=sens_id.clone() name="sensitivity">
                                            {["low", "normal", "high"].into_iter().map(|s| view! { <option value=s selected=sens == s>{s}</option> }).collect_view()}
                                        </select>
                                        <label for=resp_for.clone() class="sr-label">{resp_label.clone()}</label>
                                        <select id=resp_id.clone() name="response">
                                            {offered.iter().map(|(v, label)| view! { <option value=*v selected=response == *v>{*label}</option> }).collect_view()}
                                        </select>
                                        {apply}
                                        <button type="submit" class="btn btn-small">"Save"</button>
                                    </ActionForm>
                                    <FieldError error field=sens_field />
                                    <FieldError error field=det_field />
                                    <FieldError error field=resp_field />
                                    <div class="muted small">{changed}</div>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
