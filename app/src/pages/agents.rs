//! The agents list: register an agent, see every agent's status, and (admins) stop them all.

use crate::api::agents::{RegisterAgent, SuspendAllAgents, list_agents, promotion_queue};
use crate::api::auth::{kept_form, whoami};
use crate::components::chart::Sparkline;
use crate::components::form::{FieldError, FormError, action_error};
use crate::components::pager::{BY_NAME, pager};
use crate::model::{AgentListRow, LIST_PAGE, SparkView};
use crate::pages::agent_track_record::PromotionQueue;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use vocab::AgentStatus;

/// `/agents` (managers and admins).
#[component]
pub fn AgentsPage() -> impl IntoView {
    let register = ServerAction::<RegisterAgent>::new();
    let stop_all = ServerAction::<SuspendAllAgents>::new();
    let query = use_query_map();
    let page = move || query.read().get("page").and_then(|v| v.parse::<usize>().ok());
    let agents = Resource::new(move || (stop_all.version().get(), page()), |(_, page)| list_agents(page));
    let me = Resource::new(|| (), |_| whoami());
    let queue = Resource::new(|| (), |_| promotion_queue());
    let register_error = action_error(register);
    let kept = Resource::new(|| (), |_| kept_form("agents/register".into()));
    let stop_error = action_error(stop_all);
    view! {
        <Title text="Agents" />
        <h1>"Agents"</h1>
        <p class="small"><a href="/reviews">"Trust reviews"</a>" · "<a href="/monitoring">"Monitoring settings"</a>" · "<a href="/groups">"Reviewer groups and routing"</a></p>
        <section class="panel">
            <h2>"Registered agents"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match agents.await {
                        Ok(p) if p.total == 0 => {
                            view! { <p class="muted">"No agents yet. Register the first one below."</p> }.into_any()
                        }
                        Ok(p) => {
                            let nav = pager(p.page, p.total, LIST_PAGE, BY_NAME, |n| format!("/agents?page={n}"));
                            view! { <AgentTable rows=p.rows />{nav} }.into_any()
                        }
                        Err(e) => view! { <div class="alert alert-error">{e.to_string()}</div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(rows) if rows.is_empty() => ().into_any(),
                    Ok(rows) => view! { <PromotionQueue rows /> }.into_any(),
                    Err(e) => view! { <div class="alert alert-error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
        <div class="columns">
            <section class="panel">
                <h2>"Register an agent"</h2>
                <FormError error=register_error />
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let k = kept.await.unwrap_or_default();
                        let env = k.get("environment");
                        view! {
                <ActionForm action=register>
                    <label for="agent-name">"Name"</label>
                    <input id="agent-name" name="name" autocomplete="off" required placeholder="support-bot" value=k.get("name") />
                    <p class="hint">"3–64 characters: letters, digits, '.', '_' or '-'."</p>
                    <FieldError error=register_error field="name" />
                    <label for="agent-purpose">"Purpose"</label>
                    <textarea id="agent-purpose" name="purpose" rows="3" required placeholder="What this agent is for">{crate::components::form::area_text(k.get("purpose"))}</textarea>
                    <FieldError error=register_error field="purpose" />
                    <label for="agent-owner">"Owner (user name)"</label>
                    <input id="agent-owner" name="owner" autocomplete="off" placeholder="you, if left empty" value=k.get("owner") />
                    <FieldError error=register_error field="owner" />
                    <label for="agent-environment">"Environment"</label>
                    <select id="agent-environment" name="environment">
                        <option value="sandbox">"sandbox — answers are marked as sandbox"</option>
                        <option value="production" selected=env == "production">"production"</option>
                    </select>
                    <FieldError error=register_error field="environment" />
                    <label for="agent-model">"Model / vendor note"</label>
                    <input id="agent-model" name="model_note" autocomplete="off" placeholder="optional" value=k.get("model_note") />
                    <FieldError error=register_error field="model_note" />
                    <button type="submit" class="btn btn-primary">"Register agent"</button>
                </ActionForm>
                        }
                    })}
                </Suspense>
            </section>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let is_admin = matches!(me.await, Ok(Some(m)) if m.roles.iter().any(|r| r == "admin"));
                    is_admin.then(|| view! {
                        <section class="panel danger">
                            <h2>"Emergency stop"</h2>
                            <p>"Suspend every active agent at once. Each suspension is recorded; reinstate agents one by one."</p>
                            <FormError error=stop_error />
                            <ActionForm action=stop_all>
                                <label for="stop-reason">"Reason"</label>
                                <input id="stop-reason" name="reason" required />
                                <FieldError error=stop_error field="reason" />
                                <button type="submit" class="btn btn-danger">"Suspend all agents"</button>
                            </ActionForm>
                        </section>
                    })
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn AgentTable(rows: Vec<AgentListRow>) -> impl IntoView {
    view! {
        <table class="table stack" id="agents-table">
            <thead>
                <tr><th>"Agent"</th><th>"Environment"</th><th>"Status"</th><th>"Owner"</th><th>"Last 12 weeks, per grant"</th><th>"Purpose"</th></tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| {
                        let a = row.agent;
                        let status_class = if a.status == AgentStatus::Active { "badge ok" } else { "badge off" };
                        let env_class = if a.environment == "sandbox" { "badge warn" } else { "badge" };
                        view! {
                            <tr data-agent=a.name.clone()>
                                <td class="card-title"><a href=format!("/agents/{}", a.id)><strong>{a.name.clone()}</strong></a></td>
                                <td class="card-inline" data-label="Environment"><span class=env_class>{a.environment.clone()}</span></td>
                                <td class="card-inline" data-label="Status"><span class=status_class>{a.status.as_str()}</span></td>
                                <td data-label="Owner">{a.owner.clone()}</td>
                                <td class="trends" data-label="Last 12 weeks, per grant"><Trends trends=row.trends /></td>
                                <td class="clip" data-label="Purpose">{a.purpose.clone()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// An agent's live grants, each with its weekly rate drawn small and the twelve weeks in words.
#[component]
fn Trends(trends: Vec<SparkView>) -> impl IntoView {
    if trends.is_empty() {
        return view! { <span class="muted small">"no grants"</span> }.into_any();
    }
    trends
        .into_iter()
        .map(|t| {
            let words = t.total.words();
            let label = format!("{} weekly {} rate, last 12 weeks: {words}", t.capability, t.metric);
            view! {
                <div class="spark-row" data-trend=t.capability.clone()>
                    <code class="small">{t.capability.clone()}</code>
                    <Sparkline weeks=t.weeks label />
                    <span class="small nowrap">{format!("{} {words}", t.metric)}</span>
                </div>
            }
        })
        .collect_view()
        .into_any()
}
