//! `/actions/:id`: one action — what was asked, why, what was decided and done, its story in
//! the evidence trail, and the forms the viewer may use on it now.

use crate::api::actions::action_detail;
use crate::components::action::StateBadge;
use crate::components::action::{ActionFacts, ActionHead};
use crate::components::disagreement::{DisagreementForm, SideBySide};
use crate::components::form::FormError;
use crate::components::history::History;
use crate::components::layout::Unavailable;
use crate::components::review::{ApproveForm, ConfirmForm, ReviewActions, RollbackForm, ShadowForm};
use crate::model::ActionDetailView;
use crate::pages::agent_track_record::Scorecard;
use leptos::prelude::*;
use leptos_meta::Title;
use vocab::State;

/// The action page (any signed-in role may read it; forms follow the viewer's roles).
#[component]
pub fn ActionDetailPage() -> impl IntoView {
    let id = super::number_param("id");
    let actions = ReviewActions::new();
    let data = Resource::new(
        move || (id(), actions.review.version().get(), actions.rollback.version().get()),
        |(id, ..)| async move { action_detail(id.map_err(|raw| super::not_a_number("action", &raw))?).await },
    );
    view! {
        <FormError error=actions.error() />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Detail d actions back=format!("/actions/{}", id().unwrap_or_default()) /> }.into_any(),
                    Err(error) => view! { <Unavailable error what="Action" back_href="/" back_label="Back to the dashboard" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Detail(d: ActionDetailView, actions: ReviewActions, back: String) -> impl IntoView {
    let c = d.card;
    let state = c.state;
    let disagreement = c.peer.is_some() && state == State::NeedsApproval;
    let forms = if d.can_review {
        match state {
            // Two analyses disagree: the reviewer chooses one, the other or neither (the plain
            // approve form would be refused for it).
            State::NeedsApproval if disagreement => {
                Some(view! { <DisagreementForm card=c.clone() actions back=back.clone() /> }.into_any())
            }
            State::NeedsApproval => Some(
                view! { <ApproveForm card=c.clone() actions back=back.clone() kept=d.kept_review.clone() /> }
                    .into_any(),
            ),
            State::AwaitingConfirmation => {
                Some(view! { <ConfirmForm card=c.clone() actions back=back.clone() /> }.into_any())
            }
            State::Shadow => Some(
                view! { <ShadowForm card=c.clone() actions back=back.clone() kept=d.kept_shadow.clone() /> }.into_any(),
            ),
            _ => None,
        }
    } else {
        None
    };
    let settled = d.resolution.clone().map(|r| view! { <Settled r /> });
    let rollback = d.can_roll_back.then(|| view! { <RollbackForm card=c.clone() actions back=back.clone() /> });
    let shadow = c.shadow_verdict.clone().map(|v| {
        view! {
            <section class="panel">
                <h2>"Shadow comparison"</h2>
                <dl class="facts">
                    <dt>"Reviewer decided"</dt><dd>{v}</dd>
                    <dt>"Agreement"</dt><dd data-testid="agreement">{c.shadow_agreement.clone().unwrap_or_default().replace('_', " ")}</dd>
                    {c.shadow_params.clone().map(|p| view! { <dt>"Reviewer's params"</dt><dd><pre class="json">{p}</pre></dd> })}
                </dl>
            </section>
        }
    });
    let rollback_facts = c.rollback_reason.clone().map(|r| {
        view! {
            <section class="panel">
                <h2>"Rollback"</h2>
                <dl class="facts">
                    <dt>"Asked by"</dt><dd>{c.rollback_requested_by.clone().unwrap_or_default()}</dd>
                    <dt>"Reason"</dt><dd>{r}</dd>
                    {c.rollback_output.clone().map(|o| view! { <dt>"Agent's report"</dt><dd><pre class="json">{o}</pre></dd> })}
                </dl>
            </section>
        }
    });
    view! {
        <Title text=format!("Action #{}", c.id) />
        // Back to where this viewer came from: reviewers work the inbox; others may not open it.
        <p class="crumbs">
            {if d.can_review { view! { <a href="/inbox">"Inbox"</a> } } else { view! { <a href="/">"Dashboard"</a> } }}
            " / "{format!("action #{}", c.id)}
        </p>
        <h1>{format!("{} ", c.capability)}<StateBadge state=state /></h1>
        <article class="item panel" data-action=c.id.to_string()>
            <header class="item-head"><ActionHead card=c.clone() /></header>
            {d.resolution.as_ref().filter(|r| r.choice == "peer").map(|r| view! {
                <p class="alert alert-info small" data-testid="params-from-peer">
                    {format!(
                        "These params are {}'s analysis, chosen by {} in a peer disagreement; {}'s own proposal is under Peer disagreement below.",
                        r.before.peer.as_ref().map_or("the peer", |p| p.agent.as_str()),
                        r.by,
                        c.agent,
                    )}
                </p>
            })}
            {if disagreement {
                view! { <p class="why small"><strong>"Why it is here: "</strong>{c.rule.clone()}</p><SideBySide card=c.clone() /> }.into_any()
            } else {
                view! { <ActionFacts card=c.clone() /> }.into_any()
            }}
            {forms.map(|f| view! { <div class="item-forms">{f}</div> })}
        </article>
        {settled}
        {d.track.map(|t| view! {
            <section class="panel" id="track-record">
                <h2>{format!("Track record of {} with this capability", c.agent)}</h2>
                <Scorecard card=t />
            </section>
        })}
        {shadow}
        {rollback_facts}
        {(rollback.is_some() || d.rollback_closed.is_some()).then(|| view! {
            <section class="panel narrow">
                <h2>"Undo"</h2>
                {c.deadline.clone().map(|dl| view! { <p class="muted">{format!("Reversible until {dl}.")}</p> })}
                {d.rollback_closed.map(|why| view! { <p class="muted">{why}</p> })}
                {rollback}
            </section>
        })}
        <section class="panel">
            <h2>"Timeline"</h2>
            <History rows=d.history />
        </section>
    }
}

/// A settled peer disagreement: which analysis went ahead, who chose it and why, and both
/// analyses as they stood.
#[component]
fn Settled(r: crate::model::PeerResolution) -> impl IntoView {
    let peer = r.before.peer.as_ref().map_or("the peer".to_owned(), |p| p.agent.clone());
    let outcome = match r.choice.as_str() {
        "primary" => format!("{}'s proposal went ahead", r.before.agent),
        "peer" => format!("{peer}'s analysis went ahead"),
        _ => "Neither went ahead: both analyses were rejected".to_owned(),
    };
    view! {
        <section class="panel" data-testid="peer-resolution">
            <h2>"Peer disagreement"</h2>
            <p><strong>{outcome}</strong>{format!(" — chosen by {}, {}.", r.by, r.at)}</p>
            {if r.comment.is_empty() {
                view! { <p class="muted small">"No comment was given."</p> }.into_any()
            } else {
                view! { <blockquote class="comment prewrap">{r.comment.clone()}</blockquote> }.into_any()
            }}
            <SideBySide card=r.before.clone() chosen=r.choice.clone() />
        </section>
    }
}
