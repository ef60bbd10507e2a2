//! A peer disagreement shown side by side — the primary's proposal and the peer's
//! independent analysis, every difference highlighted — and the reviewer's choice.

use crate::components::form::{FieldError, action_error};
use crate::components::review::ReviewActions;
use crate::model::ActionCard;
use leptos::prelude::*;

/// Both analyses in two columns; rows that differ are marked. Once settled, `chosen`
/// (`primary`, `peer` or `neither`) marks the analysis that went ahead.
#[component]
pub fn SideBySide(card: ActionCard, #[prop(optional, into)] chosen: Option<String>) -> impl IntoView {
    let Some(peer) = card.peer.clone() else {
        return view! { <p class="muted">"No peer analysis is recorded for this action."</p> }.into_any();
    };
    let differs = |field: &str| peer.differences.iter().any(|d| d.field == field);
    let mut names: Vec<String> = card.params.iter().chain(&peer.params).map(|(k, _)| k.clone()).collect();
    names.sort();
    names.dedup();
    let value = |list: &[(String, String)], name: &str| {
        list.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_else(|| "—".into())
    };
    let rows = names
        .into_iter()
        .map(|n| {
            let class = if differs(&n) { "diff" } else { "" };
            let (p, q) = (value(&card.params, &n), value(&peer.params, &n));
            let field = n.clone();
            view! { <tr class=class data-field=field><th>{n}</th><td>{p}</td><td>{q}</td></tr> }
        })
        .collect_view();
    let decision_class = if differs("decision") { "diff" } else { "" };
    let peer_decision = if peer.timed_out { "no answer in time".to_owned() } else { peer.decision.clone() };
    let mark = |side: &str| if chosen.as_deref() == Some(side) { " ✓ chosen" } else { "" };
    let primary_head = format!("Primary: {}{}", card.agent, mark("primary"));
    let peer_head =
        if peer.agent.is_empty() { "Peer".to_owned() } else { format!("Peer: {}", peer.agent) } + mark("peer");
    let head_class = |side: &str| if chosen.as_deref() == Some(side) { "chosen" } else { "" };
    let (primary_class, peer_class) = (head_class("primary"), head_class("peer"));
    view! {
        {(!peer.warnings.is_empty()).then(|| view! {
            <div class="alert alert-warn small">
                {peer.warnings.iter().map(|w| view! { <div>{format!("Not fully independent: {w}.")}</div> }).collect_view()}
            </div>
        })}
        <table class="table side-by-side">
            <thead>
                <tr>
                    <th></th>
                    <th class=primary_class data-side="primary">{primary_head}</th>
                    <th class=peer_class data-side="peer">{peer_head}</th>
                </tr>
            </thead>
            <tbody>
                <tr class=decision_class data-field="decision"><th>"decision"</th><td>"proceed"</td><td>{peer_decision}</td></tr>
                {rows}
                <tr><th>"confidence"</th><td>{format!("{:.2}", card.confidence)}</td><td>{peer.confidence.map_or("—".to_owned(), |c| format!("{c:.2}"))}</td></tr>
                <tr class="reasoning-row">
                    <th>"reasoning"</th>
                    <td class="prewrap">{card.reasoning.clone()}</td>
                    <td class="prewrap">{peer.reasoning.clone()}</td>
                </tr>
            </tbody>
        </table>
        {(!peer.differences.is_empty()).then(|| view! {
            <ul class="differences small">
                {peer.differences.iter().map(|d| view! { <li><strong>{d.field.clone()}</strong>": "{d.why.clone()}</li> }).collect_view()}
            </ul>
        })}
    }
    .into_any()
}

/// The reviewer's choice: the primary's proposal, the peer's, or neither.
#[component]
pub fn DisagreementForm(card: ActionCard, actions: ReviewActions, #[prop(into)] back: String) -> impl IntoView {
    let id = card.id;
    let error = action_error(actions.disagreement);
    let peer_proposes = card.peer.as_ref().is_some_and(|p| p.decision == "proceed");
    let peer_label = card.peer.as_ref().map_or("the peer".to_owned(), |p| p.agent.clone());
    view! {
        <ActionForm action=actions.disagreement attr:class="review-form">
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="back" value=back />
            <fieldset class="choice">
                <legend>"Which analysis proceeds?"</legend>
                <label class="check"><input type="radio" name="choice" value="primary" />{format!("{}'s proposal", card.agent)}</label>
                {peer_proposes.then(|| view! {
                    <label class="check"><input type="radio" name="choice" value="peer" />{format!("{peer_label}'s analysis")}</label>
                })}
                <label class="check"><input type="radio" name="choice" value="neither" />"Neither (reject)"</label>
            </fieldset>
            <FieldError error field=format!("{id}/choice") />
            <label for=format!("disagreement-comment-{id}")>"Comment"</label>
            <textarea id=format!("disagreement-comment-{id}") name="comment" rows="2" placeholder="Required for neither; goes into the evidence trail"></textarea>
            <FieldError error field=format!("{id}/comment") />
            <FieldError error field=format!("{id}/action") />
            <button type="submit" class="btn btn-primary">"Decide"</button>
        </ActionForm>
    }
}
