//! An agent's track record on its page: per grant, what it did at its tier, in the last 30
//! days and all time — every rate with its cases and its lower bound — a twelve-week chart,
//! approval per confidence band, and what its next tier still needs.

use crate::components::action::TierBadge;
use crate::components::chart::{RateBar, TrendChart};
use crate::model::{NextStepView, RateCell, ScorecardView, WindowRow};
use leptos::prelude::*;

/// Every grant's record.
#[component]
pub fn TrackRecordPanel(cards: Vec<ScorecardView>) -> impl IntoView {
    view! {
        <section class="panel" id="track-record">
            <h2>"Track record"</h2>
            {if cards.is_empty() {
                view! { <p class="muted">"No grants yet: a track record starts with the first grant."</p> }.into_any()
            } else {
                view! {
                    <p class="hint">"Rates show their cases and their 95% lower bound (Wilson): 4 of 5 approved is 80%, but could plausibly be as low as 37%. Promotion criteria are judged on the lower bound."</p>
                    {cards.into_iter().map(|c| view! { <Scorecard card=c /> }).collect_view()}
                }.into_any()
            }}
        </section>
    }
}

/// One grant's record (also on an action's page, for the reviewer judging it).
#[component]
pub fn Scorecard(card: ScorecardView) -> impl IntoView {
    let c = card;
    let head = if c.revoked {
        format!("revoked · at this tier since {}", c.since)
    } else {
        format!("at this tier since {} ({} days)", c.since, c.days_at_tier)
    };
    view! {
        <article class="scorecard" data-scorecard=c.capability.clone()>
            <header class="scorecard-head">
                <code>{c.capability.clone()}</code>" "<TierBadge tier=c.tier />
                <span class="muted small">{head}</span>
            </header>
            <NextStep next=c.next.clone() revoked=c.revoked />
            <div class="table-wrap">
                <table class="table scorecard-table">
                    <thead><tr><th>"Window"</th><th class="num">"Proposals"</th><th>"Approved"</th><th>"Shadow agreement"</th><th>"Rolled back"</th><th>"Failed"</th><th class="num">"Reviewers"</th><th class="num">"Param sets"</th></tr></thead>
                    <tbody>{c.windows.into_iter().map(|w| view! { <WindowLine w /> }).collect_view()}</tbody>
                </table>
            </div>
            <h3 class="small">{format!("Weekly {} rate", c.metric)}</h3>
            <TrendChart points=c.weeks metric=c.metric.clone() />
            <p class="hint">"Shaded: the 95% interval. Larger dots: more cases. Dashed line: the week the current tier began."</p>
            <Calibration bands=c.bands overconfident=c.overconfident />
            <Monitoring rows=c.monitoring />
        </article>
    }
}

/// Each detector's judgement now: the last two days against the 28 before, or why there is
/// too little to say.
#[component]
fn Monitoring(rows: Vec<crate::model::MonitorRow>) -> impl IntoView {
    view! {
        <h3 class="small">"Drift: the last two days against the 28 before"</h3>
        <div class="table-wrap">
            <table class="table monitoring">
                <tbody>
                    {rows.into_iter().map(|r| {
                        let (class, word) = match r.verdict.as_str() {
                            "fires" => ("badge off", "drifted"),
                            "quiet" => ("badge ok", "steady"),
                            _ => ("badge", "too few"),
                        };
                        let name = r.detector.clone();
                        view! {
                            <tr data-detector=name>
                                <th scope="row" class="nowrap">{r.detector}</th>
                                <td><span class=class>{word}</span></td>
                                <td class="small">{r.observed}{(!r.baseline.is_empty()).then(|| view! { <div class="muted">{format!("baseline: {}", r.baseline)}</div> })}</td>
                                <td class="small muted">{r.test}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="hint">"These judgements are shown for a person to act on: nothing is demoted or suspended because of them. docs/monitoring.md gives each test."</p>
    }
}

#[component]
fn WindowLine(w: WindowRow) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{w.label}</th>
            <td class="num">{w.proposals}</td>
            <td><Cell rate=w.approval /></td>
            <td><Cell rate=w.agreement /></td>
            <td><Cell rate=w.rollback /></td>
            <td><Cell rate=w.failure /></td>
            <td class="num">{w.reviewers}</td>
            <td class="num">{w.patterns}</td>
        </tr>
    }
}

#[component]
fn Cell(rate: RateCell) -> impl IntoView {
    view! { <span class="rate-cell" data-n=rate.n.to_string()>{rate.words()}</span> }
}

#[component]
fn NextStep(next: Option<NextStepView>, revoked: bool) -> impl IntoView {
    match next {
        None if revoked => view! { <p class="muted small">"Revoked: no next step."</p> }.into_any(),
        None => view! { <p class="muted small">"Executor is the highest tier."</p> }.into_any(),
        Some(n) if n.ready => view! {
            <div class="alert alert-ok" data-testid="ready">
                <strong>{format!("Meets every criterion for {}.", n.to.as_str())}</strong>
                <ul class="small">{n.met.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
            </div>
        }
        .into_any(),
        Some(n) => view! {
            <div class="next-step" data-testid="missing">
                <strong>{format!("Not yet ready for {}:", n.to.as_str())}</strong>
                <ul class="small">{n.missing.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                <details class="small"><summary>{format!("{} criteria met", n.met.len())}</summary>
                    <ul>{n.met.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                </details>
            </div>
        }
        .into_any(),
    }
}

#[component]
fn Calibration(bands: Vec<(String, RateCell)>, overconfident: bool) -> impl IntoView {
    view! {
        <h3 class="small">"Approval by stated confidence"</h3>
        {overconfident.then(|| view! { <p class="alert alert-warn small" data-testid="overconfident">"Its proposals stated at 0.9 or more are approved no more often than those below 0.7: its confidence does not tell reviewers much."</p> })}
        <table class="table calibration">
            <tbody>
                {bands.into_iter().map(|(band, rate)| view! {
                    <tr>
                        <th scope="row" class="nowrap">{band}</th>
                        <td class="bar-cell"><RateBar rate /></td>
                        <td class="small"><Cell rate /></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The managers' promotion queue: grants that meet their criteria, and the nearest of the rest
/// with what they lack.
#[component]
pub fn PromotionQueue(rows: Vec<crate::model::QueueRow>) -> impl IntoView {
    let (ready, waiting): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.ready);
    let waiting_count = waiting.len();
    let row = |r: crate::model::QueueRow| {
        let first = r.missing.first().cloned().unwrap_or_default();
        view! {
            <tr data-queue=format!("{}:{}", r.agent, r.capability)>
                <td><a href=format!("/agents/{}#track-record", r.agent_id)><strong>{r.agent.clone()}</strong></a></td>
                <td><code>{r.capability.clone()}</code></td>
                <td class="nowrap">{format!("{} → {}", r.tier.as_str(), r.to.as_str())}</td>
                <td><Cell rate=r.measured /></td>
                <td class="small">{if r.ready { "meets every criterion".to_owned() } else { first }}</td>
            </tr>
        }
    };
    let head = || view! { <thead><tr><th>"Agent"</th><th>"Capability"</th><th>"Step"</th><th>"Measured at tier"</th><th>"Criteria"</th></tr></thead> };
    view! {
        <section class="panel" id="promotion-queue">
            <h2>"Ready to promote"</h2>
            {if ready.is_empty() {
                view! { <p class="muted" data-testid="none-ready">"No grant meets its promotion criteria yet."</p> }.into_any()
            } else {
                view! { <table class="table">{head()}<tbody>{ready.into_iter().map(row).collect_view()}</tbody></table> }.into_any()
            }}
            {(waiting_count > 0).then(|| view! {
                <details class="small">
                    <summary>{format!("{waiting_count} grants not ready yet, nearest first")}</summary>
                    <table class="table">{head()}<tbody>{waiting.into_iter().take(20).map(row).collect_view()}</tbody></table>
                </details>
            })}
        </section>
    }
}
