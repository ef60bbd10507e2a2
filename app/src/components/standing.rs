//! The line beside an inbox item that says where its agent stands with the capability: tier
//! and since when, the rate that tier is judged by with its cases and lower bound (flagged
//! when the cases are too few to say much), open alerts, and whether the tier was reached by
//! override — with a link to the whole track record on the action's page.

use crate::components::action::TierBadge;
use crate::model::StandingLine;
use leptos::prelude::*;

/// The agent's standing beside item `action_id` (with a link to its track record there).
#[component]
pub fn Standing(s: StandingLine, #[prop(optional)] action_id: Option<i64>) -> impl IntoView {
    let alerts = match s.open_alerts {
        0 => "no open alert".to_owned(),
        1 => "1 open alert".to_owned(),
        n => format!("{n} open alerts"),
    };
    let alert_class = if s.open_alerts > 0 { "badge off" } else { "muted" };
    view! {
        <p class="standing small" data-testid="standing">
            <TierBadge tier=s.tier />" "
            <span class="muted">{s.since}</span>
            " · "
            <span data-testid="standing-rate">{format!("{} {}", s.measure, s.rate.words())}</span>
            {s.few_cases.then(|| view! { " "<span class="badge" title="Fewer than 30 cases: the rate says little yet">"few cases"</span> })}
            " · "
            <span class=alert_class>{alerts}</span>
            {s.by_override.then(|| view! {
                " "<span class="badge warn" data-testid="by-override" title="This tier was granted or promoted without meeting its criteria, with a written justification">"tier by override"</span>
            })}
            {action_id.map(|id| view! { " · "<a href=format!("/actions/{id}#track-record")>"track record"</a> })}
        </p>
    }
}
