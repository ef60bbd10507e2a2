//! Alerts: `/alerts` lists them, open first, filtered by agent, capability, detector and state
//! (a plain GET form, so a filtered list is a link); `/alerts/:id` explains one — the figures,
//! the window, the test, the series as a chart, what the detector did on its own and the
//! actions that made it fire, frozen when it fired, and what later passes saw since — and
//! offers acknowledge and resolve (also for the ticked alerts of the list) and (managers) undo.

use crate::api::alerts::{AcknowledgeAlert, AlertsBulk, ResolveMonitorAlert, UndoAlert, alert_detail, alerts_page};
use crate::api::auth::kept_form;
use crate::components::alert_chart::AlertChart;
use crate::components::form::{FieldError, FormError, action_error};
use crate::components::layout::Unavailable;
use crate::error::AppError;
use crate::model::{AlertDetailView, AlertItem, AlertsView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The filters as the URL has them: agent, capability, detector, state.
type Filters = (String, String, String, String);

/// `/alerts` (anyone signed in).
#[component]
pub fn AlertsPage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        (get("agent"), get("capability"), get("detector"), get("state"))
    };
    let page = Resource::new(filters, |(a, c, d, s)| alerts_page(a, c, d, s));
    view! {
        <Title text="Alerts" />
        <h1>"Alerts"</h1>
        <p class="muted">
            "Raised when a detector finds an agent's behaviour drifting from its own baseline (see "
            <a href="/monitoring">"monitoring"</a>"), when a reviewer seems to approve without reading, or when a rollback fails. An open alert about an agent's own behaviour sends its requests to a person until it is resolved."
        </p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let chosen = filters();
                match page.await {
                    Ok(v) => view! { <AlertList v chosen /> }.into_any(),
                    Err(e) => {
                        let error = Signal::derive(move || Some(e.clone()));
                        view! {
                            <section class="panel">
                                <FilterForm agents=vec![] detectors=vec![] capabilities=vec![] chosen error />
                                <FormError error />
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn AlertList(v: AlertsView, chosen: Filters) -> impl IntoView {
    let [open, acked, resolved] = v.counts;
    let error = Signal::derive(|| None::<AppError>);
    let shown = v.rows.len() as u64;
    let more = (v.total > shown).then(|| format!(" Showing the first {shown}."));
    let back = list_href(&chosen);
    view! {
        <section class="panel">
            <p class="alert-counts" data-testid="alert-counts">
                <a href="/alerts?state=open"><span class="badge off">{format!("{open} open")}</span></a>" "
                <a href="/alerts?state=acknowledged"><span class="badge warn">{format!("{acked} acknowledged")}</span></a>" "
                <a href="/alerts?state=resolved"><span class="badge ok">{format!("{resolved} resolved")}</span></a>
            </p>
            <FilterForm agents=v.agents detectors=v.detectors capabilities=v.capabilities chosen error />
            <p class="small" data-testid="alert-total">{format!("{} match.{}", v.total, more.unwrap_or_default())}</p>
            {if v.rows.is_empty() {
                view! { <p class="muted" data-testid="no-alerts">"No alert matches."</p> }.into_any()
            } else {
                let workable = v.can_work && v.rows.iter().any(|r| r.state != "resolved" && r.reviewer.as_deref() != Some(v.viewer.as_str()));
                let ticks = Ticks { on: v.can_work, viewer: v.viewer.clone(), kept: v.kept.clone() };
                view! {
                    <AlertTable rows=v.rows link_agents=v.link_agents ticks />
                    {workable.then(|| view! { <BulkForm kept=v.kept.clone() back=back.clone() /> })}
                }.into_any()
            }}
        </section>
    }
}

/// The list's address with its filters, for the bulk form to come back to.
fn list_href(chosen: &Filters) -> String {
    let (agent, capability, detector, state) = chosen;
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [("agent", agent), ("capability", capability), ("detector", detector), ("state", state)] {
        if !v.is_empty() {
            q.append_pair(k, v);
        }
    }
    let q = q.finish();
    if q.is_empty() { "/alerts".to_owned() } else { format!("/alerts?{q}") }
}

/// Who may tick alerts for the bulk form, and what was ticked before a refusal.
#[derive(Clone)]
struct Ticks {
    on: bool,
    viewer: String,
    kept: crate::model::KeptForm,
}

/// Acknowledges or resolves the ticked alerts with one note.
#[component]
fn BulkForm(kept: crate::model::KeptForm, back: String) -> impl IntoView {
    let bulk = ServerAction::<AlertsBulk>::new();
    let error = action_error(bulk);
    view! {
        <ActionForm action=bulk attr:id="alerts-bulk" attr:class="alerts-bulk">
            <input type="hidden" name="back" value=back />
            <label for="bulk-note">"Note for the ticked alerts (needed to resolve)"</label>
            <textarea id="bulk-note" name="note" rows="2" placeholder="What you found and did">{crate::components::form::area_text(kept.get("note"))}</textarea>
            <FieldError error field="note" />
            <FieldError error field="ids" />
            <FieldError error field="step" />
            <FormError error />
            <div class="row-actions">
                <button type="submit" name="step" value="acknowledge" class="btn">"Acknowledge ticked"</button>
                <button type="submit" name="step" value="resolve" class="btn btn-primary">"Resolve ticked"</button>
            </div>
        </ActionForm>
    }
}

#[component]
fn FilterForm(
    agents: Vec<(i64, String)>,
    detectors: Vec<(String, String)>,
    capabilities: Vec<String>,
    chosen: Filters,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let (agent, capability, detector, state) = chosen;
    view! {
        <form method="get" action="/alerts" class="filters" id="alert-filters">
            <div>
                <label for="filter-agent">"Agent"</label>
                <select id="filter-agent" name="agent">
                    <option value="">"any"</option>
                    {agents.into_iter().map(|(id, name)| {
                        let v = id.to_string();
                        let on = v == agent;
                        view! { <option value=v selected=on>{name}</option> }
                    }).collect_view()}
                </select>
                <FieldError error field="agent" />
            </div>
            <div>
                <label for="filter-capability">"Capability"</label>
                <select id="filter-capability" name="capability">
                    <option value="">"any"</option>
                    {capabilities.into_iter().map(|c| {
                        let on = c == capability;
                        view! { <option value=c.clone() selected=on>{c.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="filter-detector">"Detector"</label>
                <select id="filter-detector" name="detector">
                    <option value="">"any"</option>
                    {detectors.into_iter().map(|(v, label)| {
                        let on = v == detector;
                        view! { <option value=v selected=on>{label}</option> }
                    }).collect_view()}
                </select>
                <FieldError error field="detector" />
            </div>
            <div>
                <label for="filter-state">"State"</label>
                <select id="filter-state" name="state">
                    {[("", "any"), ("open", "open"), ("acknowledged", "acknowledged"), ("resolved", "resolved")]
                        .into_iter()
                        .map(|(v, label)| view! { <option value=v selected=v == state>{label}</option> })
                        .collect_view()}
                </select>
                <FieldError error field="state" />
            </div>
            <div class="filter-actions">
                <button type="submit" class="btn">"Filter"</button>
                " "<a href="/alerts" class="small">"clear"</a>
            </div>
        </form>
    }
}

/// What the alert is about: the reviewer, or the agent's name, linked to its page for those
/// who may open it.
fn agent_name(r: &AlertItem, link: bool) -> AnyView {
    match (&r.reviewer, r.agent_id) {
        (Some(reviewer), _) => {
            view! { "reviewer "<strong data-testid="alert-reviewer">{reviewer.clone()}</strong> }.into_any()
        }
        (None, Some(id)) if link => {
            view! { <a href=format!("/agents/{id}")><strong>{r.agent.clone()}</strong></a> }.into_any()
        }
        (None, _) => view! { <strong>{r.agent.clone()}</strong> }.into_any(),
    }
}

fn state_badge(state: &str) -> impl IntoView + use<> {
    let class = match state {
        "open" => "badge off",
        "acknowledged" => "badge warn",
        _ => "badge ok",
    };
    view! { <span class=class data-testid="alert-state">{state.to_owned()}</span> }
}

#[component]
fn AlertTable(rows: Vec<AlertItem>, link_agents: bool, ticks: Ticks) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table stack" id="alerts-table">
                <thead><tr>{ticks.on.then(|| view! { <th><span class="sr-only">"Select"</span></th> })}<th>"Alert"</th><th>"Agent"</th><th>"What it found"</th><th>"Did"</th><th>"State"</th></tr></thead>
                <tbody>
                    {rows.into_iter().enumerate().map(|(i, r)| {
                        let tick = (ticks.on).then(|| {
                            let workable = r.state != "resolved" && r.reviewer.as_deref() != Some(ticks.viewer.as_str());
                            let value = r.id.to_string();
                            let checked = ticks.kept.has("selected", &value);
                            view! {
                                <td class="tick-cell">
                                    {workable.then(|| view! {
                                        <input type="checkbox" class="tick" form="alerts-bulk" name=format!("selected[{i}]") value=value checked=checked aria-label=format!("Select alert {}", r.id) />
                                    })}
                                </td>
                            }
                        });
                        view! {
                        <tr data-alert=r.id.to_string()>
                            {tick}
                            <td class="nowrap card-title">
                                <a href=format!("/alerts/{}", r.id)><strong>{r.what.clone()}</strong></a>
                                <div class="muted small">{r.opened.clone()}</div>
                            </td>
                            <td data-label="About">
                                {agent_name(&r, link_agents)}
                                {r.capability.clone().map(|c| view! { <div><code>{c}</code></div> })}
                            </td>
                            <td class="small" data-label="What it found">{r.message.clone()}</td>
                            <td class="small" data-label="Did">
                                {r.response.clone().unwrap_or_else(|| "alerted".to_owned())}
                                {r.undone.clone().map(|u| view! { <div class="muted">{format!("undone by {u}")}</div> })}
                            </td>
                            <td class="card-inline" data-label="State">{state_badge(&r.state)}</td>
                        </tr>
                    }}).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `/alerts/:id` (anyone signed in; the steps by role).
#[component]
pub fn AlertPage() -> impl IntoView {
    let id = super::number_param("id");
    let acknowledge = ServerAction::<AcknowledgeAlert>::new();
    let resolve = ServerAction::<ResolveMonitorAlert>::new();
    let undo = ServerAction::<UndoAlert>::new();
    let page = Resource::new(
        move || (id(), acknowledge.version().get(), resolve.version().get(), undo.version().get()),
        |(id, ..)| async move { alert_detail(id.map_err(|raw| super::not_a_number("alert", &raw))?).await },
    );
    let kept_resolve = Resource::new(move || id().unwrap_or_default(), |id| kept_form(format!("alerts/{id}/resolve")));
    let kept_ack = Resource::new(move || id().unwrap_or_default(), |id| kept_form(format!("alerts/{id}/acknowledge")));
    let kept_undo = Resource::new(move || id().unwrap_or_default(), |id| kept_form(format!("alerts/{id}/undo")));
    let forms = Forms { acknowledge, resolve, undo };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let kept = Kept {
                    acknowledge: kept_ack.await.unwrap_or_default().get("note"),
                    resolve: kept_resolve.await.unwrap_or_default().get("note"),
                    undo: kept_undo.await.unwrap_or_default().get("note"),
                };
                match page.await {
                    Ok(p) => view! { <Alert p forms kept /> }.into_any(),
                    Err(error) => view! { <Unavailable error what="Alert" back_href="/alerts" back_label="Back to alerts" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What was typed into each step's note before it was refused.
#[derive(Clone, Default)]
struct Kept {
    acknowledge: String,
    resolve: String,
    undo: String,
}

/// The alert page's three steps.
#[derive(Clone, Copy)]
struct Forms {
    acknowledge: ServerAction<AcknowledgeAlert>,
    resolve: ServerAction<ResolveMonitorAlert>,
    undo: ServerAction<UndoAlert>,
}

#[component]
fn Alert(p: AlertDetailView, forms: Forms, kept: Kept) -> impl IntoView {
    let r = p.row.clone();
    let title = format!("Alert {}: {}", r.id, r.what);
    let figures = p.observed.clone().map(|observed| {
        view! {
            <dl class="facts" id="alert-figures">
                <dt>"Observed"</dt><dd data-testid="observed">{observed}</dd>
                <dt>{if p.against_threshold { "Threshold" } else { "Baseline" }}</dt><dd>{p.baseline.clone().unwrap_or_default()}</dd>
                <dt>"Test"</dt><dd>{p.test.clone().unwrap_or_default()}</dd>
                <dt>"Window"</dt><dd>{p.window.clone().unwrap_or_default()}</dd>
            </dl>
        }
    });
    view! {
        <Title text=title.clone() />
        <p class="small"><a href="/alerts">"← Alerts"</a></p>
        <h1>{title}</h1>
        <section class="panel">
            <p>
                {state_badge(&r.state)}" "
                {agent_name(&r, p.link_agent)}
                {r.capability.clone().map(|c| view! { " · "<code>{c}</code> })}
                <span class="muted small">{format!(" · raised {}", r.opened)}</span>
            </p>
            <p data-testid="alert-message">{r.message.clone()}</p>
            {p.about_viewer.then(|| view! { <p class="muted small" data-testid="alert-about-you">"This alert is about your own reviewing: another reviewer works it."</p> })}
            {figures.is_some().then(|| view! { <p class="muted small" data-testid="frozen">"The figures, chart and actions below are those of the monitoring pass that raised this alert; later passes never change them."</p> })}
            {figures}
            {p.series.clone().map(|s| view! { <AlertChart series=s /> })}
        </section>
        {p.since_then.clone().map(|t| view! {
            <section class="panel" id="alert-since">
                <h2>"Since then"</h2>
                <p class="muted small">{format!("The condition still held at the pass of {}, with these figures:", t.at)}</p>
                <dl class="facts">
                    <dt>"Observed"</dt><dd data-testid="since-observed">{t.observed}</dd>
                    <dt>{if p.against_threshold { "Threshold" } else { "Baseline" }}</dt><dd>{t.baseline}</dd>
                    <dt>"Window"</dt><dd>{t.window}</dd>
                </dl>
            </section>
        })}
        <section class="panel" id="alert-response">
            <h2>"What happened"</h2>
            <ul class="plain">
                <li data-testid="alert-did">{match &r.response {
                    Some(did) => format!("The detector {did} on its own."),
                    None => "The detector raised this alert and did nothing else on its own.".to_owned(),
                }}</li>
                {r.undone.clone().map(|u| view! { <li data-testid="alert-undone">{format!("Undone by {u}.")}</li> })}
                {p.acknowledged.clone().map(|a| view! { <li>{format!("Acknowledged by {a}.")}</li> })}
                {p.resolved.clone().map(|a| view! { <li data-testid="alert-resolved">{format!("Resolved by {a}.")}</li> })}
            </ul>
            {p.can_audit.then(|| match (&r.reviewer, r.agent_id) {
                (Some(reviewer), _) => view! { <p class="small"><a href=format!("/audit?{}", form_urlencoded::Serializer::new(String::new()).append_pair("actor", reviewer).finish())>"The reviewer's evidence records"</a></p> }.into_any(),
                (None, Some(id)) => view! { <p class="small"><a href=format!("/audit?agent={id}")>"The agent's evidence records"</a></p> }.into_any(),
                (None, None) => ().into_any(),
            })}
            {r.agent_id.filter(|_| p.link_agent).map(|id| view! { <p class="small"><a href=format!("/agents/{id}")>"The agent's page and track record"</a></p> })}
        </section>
        <Steps p=p.clone() forms kept />
        <section class="panel" id="alert-causes">
            <h2>"Actions that made it fire"</h2>
            {if p.causes.is_empty() {
                view! { <p class="muted">"No action is linked to this alert."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table stack" id="causes-table">
                            <thead><tr><th>"Action"</th><th>"State"</th><th>"Proposed"</th><th>"Confidence"</th></tr></thead>
                            <tbody>
                                {p.causes.into_iter().map(|c| view! {
                                    <tr>
                                        <td class="card-title"><a href=format!("/actions/{}", c.id)>{format!("#{}", c.id)}</a></td>
                                        <td class="card-inline" data-label="State">{c.state}</td>
                                        <td class="small card-inline" data-label="Proposed">{c.when}</td>
                                        <td class="card-inline" data-label="Confidence">{c.confidence}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Steps(p: AlertDetailView, forms: Forms, kept: Kept) -> impl IntoView {
    let id = p.row.id.to_string();
    let (ack_error, resolve_error, undo_error) =
        (action_error(forms.acknowledge), action_error(forms.resolve), action_error(forms.undo));
    let Kept { acknowledge: kept_ack, resolve: kept_resolve, undo: kept_undo } = kept;
    let ack_id = id.clone();
    let acknowledge = (p.can_work && p.acknowledged.is_none()).then(move || {
        let id = ack_id;
        view! {
            <ActionForm action=forms.acknowledge attr:id="acknowledge-form">
                <input type="hidden" name="id" value=id.clone() />
                <label for="ack-note">"Acknowledge (optional note: who is on it, what you will check)"</label>
                <textarea id="ack-note" name="note" rows="2" placeholder="Looking into it">{crate::components::form::area_text(kept_ack)}</textarea>
                <FieldError error=ack_error field="note" />
                <button type="submit" class="btn">"Acknowledge"</button>
            </ActionForm>
            <FormError error=ack_error />
            <FieldError error=ack_error field="alert" />
        }
    });
    let resolve_id = id.clone();
    let resolve = p.can_work.then(move || {
        let id = resolve_id;
        view! {
            <ActionForm action=forms.resolve attr:id="resolve-form">
                <input type="hidden" name="id" value=id.clone() />
                <label for="resolve-note">"Resolve with a note"</label>
                <textarea id="resolve-note" name="note" rows="2" required placeholder="What you found and did">{crate::components::form::area_text(kept_resolve)}</textarea>
                <FieldError error=resolve_error field="note" />
                <FieldError error=resolve_error field="alert" />
                <button type="submit" class="btn btn-primary">"Resolve"</button>
            </ActionForm>
            <FormError error=resolve_error />
        }
    });
    let undo = p.can_undo.then(move || {
        let did = p.row.response.clone().unwrap_or_default();
        view! {
            <ActionForm action=forms.undo attr:id="undo-form">
                <input type="hidden" name="id" value=id.clone() />
                <label for="undo-note">{format!("Undo: the detector {did}")}</label>
                <textarea id="undo-note" name="note" rows="2" required placeholder="Why you are undoing it">{crate::components::form::area_text(kept_undo)}</textarea>
                <FieldError error=undo_error field="note" />
                <FieldError error=undo_error field="alert" />
                <button type="submit" class="btn">"Undo"</button>
            </ActionForm>
            <FormError error=undo_error />
        }
    });
    let any = p.can_work || p.can_undo;
    any.then(|| {
        view! {
            <section class="panel narrow" id="alert-steps">
                <h2>"Work this alert"</h2>
                {acknowledge}
                {undo}
                {resolve}
            </section>
        }
    })
}
