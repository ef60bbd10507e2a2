//! `/corrections` (reviewers, managers, admins): "roll back everything agent X did in the last
//! N hours" — first the list of what can still be undone, then one request for all of it.

use crate::api::actions::{RequestCorrections, correction_preview};
use crate::components::action::{ActionHead, StateBadge};
use crate::components::form::{FieldError, FormError, action_error};
use crate::components::layout::Unavailable;
use crate::components::pager::{BY_TIME, pager};
use crate::model::{ActionCard, CORRECTION_PAGE, CorrectionView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The corrective workflow.
#[component]
pub fn CorrectionsPage() -> impl IntoView {
    let query = use_query_map();
    let request = ServerAction::<RequestCorrections>::new();
    let args = move || {
        let q = query.read();
        let page = |k: &str| q.get(k).and_then(|v| v.parse::<usize>().ok());
        (
            q.get("agent").and_then(|v| v.parse::<i64>().ok()),
            q.get("hours").and_then(|v| v.parse::<i64>().ok()).unwrap_or(24),
            page("page"),
            page("other_page"),
        )
    };
    let data = Resource::new(
        move || (args(), request.version().get()),
        |((agent, hours, page, other_page), _)| correction_preview(agent, hours, page, other_page),
    );
    let error = action_error(request);
    view! {
        <Title text="Corrections" />
        <h1>"Roll back an agent's recent work"</h1>
        <p class="muted lead">"Pick an agent and a span of time. Tenure lists what can still be undone; one request then asks the agent to roll all of it back, each with its own evidence record."</p>
        <FormError error />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(d)) => view! { <Correction d request /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(error) => view! { <Unavailable error what="Corrections" back_href="/" back_label="Back to the dashboard" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Correction(d: CorrectionView, request: ServerAction<RequestCorrections>) -> impl IntoView {
    let error = action_error(request);
    let chosen = d.agent_id > 0;
    let n = d.reversible_total;
    let link = {
        let (agent, hours) = (d.agent_id, d.hours);
        move |page: usize, other_page: usize| {
            format!("/corrections?agent={agent}&hours={hours}&page={page}&other_page={other_page}")
        }
    };
    let reversible_pager = pager(d.page, d.reversible_total, CORRECTION_PAGE, BY_TIME, move |p| link(p, d.other_page));
    let other_pager = pager(d.other_page, d.other_total, CORRECTION_PAGE, BY_TIME, move |p| link(d.page, p));
    view! {
        <form method="get" action="/corrections" class="panel filters">
            <label for="c-agent">"Agent"</label>
            <select id="c-agent" name="agent" required>
                <option value="">"Choose an agent"</option>
                {d.agents.iter().map(|(id, name)| view! {
                    <option value=id.to_string() selected=*id == d.agent_id>{name.clone()}</option>
                }).collect_view()}
            </select>
            <label for="c-hours">"Last"</label>
            <input id="c-hours" name="hours" class="hours" value=d.hours.to_string() />
            <span>"hours"</span>
            <button type="submit" class="btn btn-small">"List actions"</button>
        </form>
        {chosen.then(|| view! {
            <section class="panel">
                <h2>{format!("Can still be rolled back ({n})")}</h2>
                <Rows rows=d.reversible.clone() />
                {reversible_pager}
                {(n > 0).then(|| view! {
                    <ActionForm action=request attr:class="subpanel">
                        <input type="hidden" name="agent" value=d.agent_id.to_string() />
                        <input type="hidden" name="hours" value=d.hours.to_string() />
                        <label for="c-reason">"Reason"</label>
                        <input id="c-reason" name="reason" required placeholder="e.g. the agent misread the refund policy" />
                        <FieldError error field="reason" />
                        <FieldError error field="hours" />
                        <button type="submit" class="btn btn-danger">{format!("Roll back all {n} of {}'s actions", d.agent)}</button>
                    </ActionForm>
                })}
            </section>
            <section class="panel">
                <h2>{format!("Cannot be rolled back ({})", d.other_total)}</h2>
                <p class="muted small">"Refused, still pending, irreversible, already final, or already rolled back."</p>
                <Rows rows=d.other.clone() />
                {other_pager}
            </section>
        })}
    }
}

#[component]
fn Rows(rows: Vec<ActionCard>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"None in this span."</p> }.into_any();
    }
    view! {
        <table class="table corrections">
            <thead><tr><th>"Action"</th><th>"State"</th><th>"Params"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|c| {
                    let params = c.params.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ");
                    view! {
                        <tr data-action=c.id.to_string()>
                            <td class="item-head"><ActionHead card=c.clone() link=true /></td>
                            <td><StateBadge state=c.state /></td>
                            <td class="small clip-wrap">{params}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
