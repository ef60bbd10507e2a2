//! The dashboard: real figures from the database and the latest evidence.

use crate::api::dashboard::dashboard;
use crate::components::history::History;
use crate::model::DashboardView;
use leptos::prelude::*;
use leptos_meta::Title;

/// Figures and recent activity.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| dashboard());
    view! {
        <Title text="Dashboard" />
        <h1>"Dashboard"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Figures d /> }.into_any(),
                    Err(e) => view! { <div class="alert alert-error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Figures(d: DashboardView) -> impl IntoView {
    let empty = d.recent.is_empty();
    view! {
        <div class="cards">
            <div class="card stat">
                <div class="stat-value" data-testid="users-active">{d.users_active}</div>
                <div class="stat-label">"active users"</div>
                <div class="stat-note">{format!("{} in all", d.users_total)}</div>
            </div>
            <div class="card stat">
                <div class="stat-value" data-testid="sign-ins">{d.sign_ins_24h}</div>
                <div class="stat-label">"sign-ins, last 24 h"</div>
                <div class="stat-note">{format!("{} failed", d.failed_sign_ins_24h)}</div>
            </div>
            <div class="card stat">
                <div class="stat-value" data-testid="alerts-open">
                    <a href="/alerts?state=open">{d.alerts[0]}</a>
                </div>
                <div class="stat-label">"alerts open"</div>
                <div class="stat-note">{format!("{} acknowledged, {} resolved", d.alerts[1], d.alerts[2])}</div>
            </div>
            <div class="card stat">
                <div class="stat-value" data-testid="evidence-records">{d.evidence_records}</div>
                <div class="stat-label">"evidence records"</div>
                <div class="stat-note">"hash-chained, append-only"</div>
            </div>
            <div class="card">
                <div class="card-title">"People by role"</div>
                <ul class="role-counts">
                    {d
                        .active_by_role
                        .into_iter()
                        .map(|(role, n)| view! { <li><span class="badge role">{role}</span><span>{n}</span></li> })
                        .collect_view()}
                </ul>
            </div>
        </div>
        <section class="panel">
            <h2>"Recent activity"</h2>
            {if empty {
                view! { <p class="muted">"Nothing has happened yet."</p> }.into_any()
            } else {
                view! { <History rows=d.recent hashes=true /> }.into_any()
            }}
        </section>
    }
}
