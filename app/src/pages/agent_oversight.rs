//! Oversight panels on an agent's page: how its shadow recommendations compared with what
//! reviewers decided, how its peer checks went, its open alerts, and the way to roll back
//! its recent work.

use crate::model::{AlertRow, PeerPairRow, ShadowStat};
use leptos::prelude::*;

/// Agreement between the agent's recommendations and reviewers' own decisions, per capability.
#[component]
pub fn ShadowPanel(stats: Vec<ShadowStat>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Shadow agreement"</h2>
            {if stats.is_empty() {
                view! { <p class="muted">"No shadow comparisons yet: reviewers record their own decision on this agent's observer-tier recommendations in the inbox."</p> }.into_any()
            } else {
                view! {
                    <table class="table" id="shadow-table">
                        <thead><tr><th>"Capability"</th><th class="num">"Same"</th><th class="num">"Different params"</th><th class="num">"Opposite"</th><th class="num">"Agreement"</th></tr></thead>
                        <tbody>
                            {stats.into_iter().map(|s| view! {
                                <tr>
                                    <td><code>{s.capability}</code></td>
                                    <td class="num">{s.same}</td>
                                    <td class="num">{s.different_params}</td>
                                    <td class="num">{s.opposite}</td>
                                    <td class="num"><strong>{s.agreement_percent.map_or("—".to_owned(), |p| format!("{p}%"))}</strong></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="hint">"Same: the reviewer would have done exactly this. Different params: the reviewer would have acted, differently. Opposite: the reviewer would not have acted."</p>
                }.into_any()
            }}
        </section>
    }
}

/// Open alerts about the agent, and the corrective workflow.
#[component]
pub fn AlertsPanel(agent_id: i64, alerts: Vec<AlertRow>, quiet: Vec<crate::model::QuietRow>) -> impl IntoView {
    let open = !alerts.is_empty();
    let quiet = (!quiet.is_empty()).then(|| {
        view! {
            <h3 class="small-head">"Detectors keeping quiet"</h3>
            <p class="muted small">"After a person resolves a detector's alert, it stays quiet about that grant for 48 hours, so the same evidence does not overrule them at once."</p>
            <ul class="alert-list" data-testid="quiet-detectors">
                {quiet.into_iter().map(|q| view! {
                    <li>
                        <strong>{q.detector}</strong>" on "<code>{q.capability}</code>
                        {format!(" — quiet until {} (", q.until)}
                        <a href=format!("/alerts/{}", q.alert_id)>{format!("alert {}", q.alert_id)}</a>
                        {format!(" resolved by {})", q.resolved_by)}
                    </li>
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <section class=if open { "panel danger" } else { "panel" }>
            <div class="panel-head">
                <h2>"Alerts and corrections"</h2>
                <a class="btn btn-small" href=format!("/corrections?agent={agent_id}&hours=24")>"Roll back recent work…"</a>
            </div>
            {if open {
                view! {
                    <p class="muted small">"While an alert is open, every request of this agent waits for approval. Reviewers and managers resolve alerts on their pages and in the inbox."</p>
                    <ul class="alert-list">
                        {alerts.into_iter().map(|a| view! {
                            <li>
                                <span class="badge off">{a.kind.replace('_', " ")}</span>" "
                                {a.message}" "
                                <span class="muted small">{a.created_at}</span>
                                {a.action_id.map(|id| view! { " "<a href=format!("/actions/{id}")>{format!("action #{id}")}</a> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            } else {
                view! { <p class="muted">"No open alerts."</p> }.into_any()
            }}
            {quiet}
        </section>
    }
}

/// Peer checks the agent took part in, per pair: agreement, which side people chose, and
/// agreements on actions later rolled back (correlated failures).
#[component]
pub fn PeerPanel(pairs: Vec<PeerPairRow>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Peer checks"</h2>
            {if pairs.is_empty() {
                view! { <p class="muted">"No peer checks yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table" id="peer-table">
                        <thead><tr>
                            <th>"Primary → peer"</th><th class="num">"Verdicts"</th><th class="num">"Agreement"</th>
                            <th class="num">"No answer"</th><th>"People chose"</th><th class="num">"Correlated failures"</th>
                        </tr></thead>
                        <tbody>
                            {pairs.into_iter().map(|p| view! {
                                <tr data-pair=format!("{}/{}", p.primary, p.peer)>
                                    <td>{format!("{} → {}", p.primary, p.peer)}</td>
                                    <td class="num">{p.answered}</td>
                                    <td class="num"><strong>{p.agreement_percent.map_or("—".to_owned(), |v| format!("{v}%"))}</strong></td>
                                    <td class="num">{p.timed_out}</td>
                                    <td class="small">{format!("primary {} · peer {} · neither {}", p.chose_primary, p.chose_peer, p.chose_neither)}</td>
                                    <td class="num">{p.correlated_failures}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="hint">"A correlated failure: both agents agreed, and the action was later rolled back."</p>
                }.into_any()
            }}
        </section>
    }
}
