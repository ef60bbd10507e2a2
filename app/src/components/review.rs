//! The forms a person uses on an action: approve or reject, confirm, record a shadow
//! decision, roll back. Each posts to its server function and comes back to `back`; errors
//! come back scoped to the action (`<id>/<field>`) and show under the form that was sent.

use crate::api::actions::RequestRollback;
use crate::api::inbox::{ConfirmAction, RecordShadow, ResolveDisagreement, ReviewAction};
use crate::components::form::{FieldError, action_error};
use crate::error::AppError;
use crate::model::ActionCard;
use leptos::prelude::*;

/// The page's server actions for action forms, created once per page.
#[derive(Clone, Copy)]
pub struct ReviewActions {
    pub review: ServerAction<ReviewAction>,
    pub confirm: ServerAction<ConfirmAction>,
    pub shadow: ServerAction<RecordShadow>,
    pub rollback: ServerAction<RequestRollback>,
    pub disagreement: ServerAction<ResolveDisagreement>,
}

impl ReviewActions {
    /// Creates the actions (reading any error a redirect brought back).
    pub fn new() -> ReviewActions {
        ReviewActions {
            review: ServerAction::new(),
            confirm: ServerAction::new(),
            shadow: ServerAction::new(),
            rollback: ServerAction::new(),
            disagreement: ServerAction::new(),
        }
    }

    /// The last error of any of them.
    pub fn error(&self) -> Signal<Option<AppError>> {
        let (a, b, c, d) = (
            action_error(self.review),
            action_error(self.confirm),
            action_error(self.shadow),
            action_error(self.rollback),
        );
        Signal::derive(move || a.get().or_else(|| b.get()).or_else(|| c.get()).or_else(|| d.get()))
    }
}

impl Default for ReviewActions {
    fn default() -> Self {
        Self::new()
    }
}

/// Errors about this action that name no field of its form (a lost race, a refusal).
#[component]
fn ItemErrors(error: Signal<Option<AppError>>, id: i64) -> impl IntoView {
    view! {
        <FieldError error field=format!("{id}/action") />
        <FieldError error field=format!("{id}/action_hash") />
    }
}

/// Approve or reject, with a comment (required to reject); or approve a changed version of
/// the params (the agent may then run only those).
#[component]
pub fn ApproveForm(
    card: ActionCard,
    actions: ReviewActions,
    #[prop(into)] back: String,
    /// What was typed into this form before it was refused (used when its `id` is this card's).
    #[prop(optional)]
    kept: crate::model::KeptForm,
) -> impl IntoView {
    let id = card.id;
    let error = action_error(actions.review);
    let mine = kept.get("id") == id.to_string();
    let comment = if mine { kept.get("comment") } else { String::new() };
    let params = if mine && !kept.get("params").is_empty() { kept.get("params") } else { card.params_json.clone() };
    // Open after an edit was refused, so the reviewer sees their text beside its error.
    let editing = mine && kept.get("params") != card.params_json && !kept.get("params").is_empty();
    let several = card.approvals_required > 1;
    let approve_label = if several {
        format!("Approve ({} of {})", card.approvals.len() + 1, card.approvals_required)
    } else {
        "Approve".to_owned()
    };
    let quorum = several.then(|| view! { <QuorumLine card=card.clone() /> });
    let rows = params.lines().count().clamp(3, 14).to_string();
    view! {
        <ActionForm action=actions.review attr:class="review-form">
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="action_hash" value=card.action_hash />
            <input type="hidden" name="back" value=back />
            <label for=format!("comment-{id}")>"Comment"</label>
            <textarea id=format!("comment-{id}") name="comment" rows="2" placeholder="Required to reject; goes into the evidence trail">{crate::components::form::area_text(comment)}</textarea>
            <FieldError error field=format!("{id}/comment") />
            <FieldError error field=format!("{id}/verdict") />
            <ItemErrors error id />
            {quorum}
            <div class="buttons">
                <button type="submit" name="verdict" value="approve" class="btn btn-primary" disabled=card.approved_by_me>{approve_label}</button>
                <button type="submit" name="verdict" value="reject" class="btn btn-danger">"Reject"</button>
            </div>
            <details class="edit-approval" open=editing hidden=several>
                <summary>"Approve with changes…"</summary>
                <label for=format!("edit-params-{id}")>"Params to approve (JSON; checked against the capability's schema and the template's limits)"</label>
                <textarea id=format!("edit-params-{id}") name="params" rows=rows class="mono">{crate::components::form::area_text(params)}</textarea>
                <FieldError error field=format!("{id}/params") />
                <button type="submit" name="verdict" value="edit" class="btn">"Approve with these changes"</button>
            </details>
        </ActionForm>
    }
}

/// Who has approved an action that needs several people, and how many more it needs.
#[component]
fn QuorumLine(card: ActionCard) -> impl IntoView {
    let given = card.approvals.len();
    let missing = usize::try_from(card.approvals_required).unwrap_or(2).saturating_sub(given);
    let who = if card.approvals.is_empty() {
        "no one yet".to_owned()
    } else {
        card.approvals
            .iter()
            .map(|(name, group)| group.as_ref().map_or_else(|| name.clone(), |g| format!("{name} ({g})")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mine = card.approved_by_me.then(|| view! { <span class="badge ok">"You approved"</span> });
    view! {
        <p class="quorum-line small" data-testid="quorum">
            <span class="badge warn">{format!("Needs {} people", card.approvals_required)}</span>
            " Approved so far: "<strong>{who}</strong>
            {format!(" · {missing} more needed")}
            " "{mine}
        </p>
    }
}

/// Confirm a supervised action (it becomes final).
#[component]
pub fn ConfirmForm(card: ActionCard, actions: ReviewActions, #[prop(into)] back: String) -> impl IntoView {
    let id = card.id;
    let error = action_error(actions.confirm);
    view! {
        <ActionForm action=actions.confirm attr:class="review-form">
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="back" value=back />
            <label for=format!("confirm-comment-{id}")>"Comment (optional)"</label>
            <textarea id=format!("confirm-comment-{id}") name="comment" rows="1"></textarea>
            <FieldError error field=format!("{id}/comment") />
            <ItemErrors error id />
            <button type="submit" class="btn btn-primary">"Confirm — make it final"</button>
        </ActionForm>
    }
}

/// Ask the agent to undo the action.
#[component]
pub fn RollbackForm(card: ActionCard, actions: ReviewActions, #[prop(into)] back: String) -> impl IntoView {
    let id = card.id;
    let error = action_error(actions.rollback);
    view! {
        <ActionForm action=actions.rollback attr:class="review-form">
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="back" value=back />
            <label for=format!("rollback-reason-{id}")>"Reason for rolling back"</label>
            <input id=format!("rollback-reason-{id}") name="reason" required placeholder="e.g. refunded the wrong order" />
            <FieldError error field=format!("{id}/reason") />
            <ItemErrors error id />
            <button type="submit" class="btn btn-danger">"Roll back"</button>
        </ActionForm>
    }
}

/// Record what the reviewer would have decided on an observer's recommendation.
#[component]
pub fn ShadowForm(
    card: ActionCard,
    actions: ReviewActions,
    #[prop(into)] back: String,
    /// What was typed into this form before it was refused (used when its `id` is this card's).
    #[prop(optional)]
    kept: crate::model::KeptForm,
) -> impl IntoView {
    let id = card.id;
    let error = action_error(actions.shadow);
    let mine = kept.get("id") == id.to_string();
    let params = if mine { kept.get("params") } else { card.params_json.clone() };
    let comment = if mine { kept.get("comment") } else { String::new() };
    // Blind: nothing is chosen for the reviewer.
    let (approve, reject) = (mine && kept.get("verdict") == "approve", mine && kept.get("verdict") == "reject");
    let rows = params.lines().count().clamp(3, 14).to_string();
    view! {
        <ActionForm action=actions.shadow attr:class="review-form">
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="back" value=back />
            <fieldset class="choice">
                <legend>"Your decision on this case"</legend>
                <label class="check"><input type="radio" name="verdict" value="approve" checked=approve required />"Approve"</label>
                <label class="check"><input type="radio" name="verdict" value="reject" checked=reject />"Reject"</label>
            </fieldset>
            <FieldError error field=format!("{id}/verdict") />
            <label for=format!("shadow-params-{id}")>"Params you would use (fill in the values; not needed to reject)"</label>
            <textarea id=format!("shadow-params-{id}") name="params" rows=rows class="mono">{crate::components::form::area_text(params)}</textarea>
            <FieldError error field=format!("{id}/params") />
            <label for=format!("shadow-comment-{id}")>"Comment (optional)"</label>
            <textarea id=format!("shadow-comment-{id}") name="comment" rows="1">{crate::components::form::area_text(comment)}</textarea>
            <FieldError error field=format!("{id}/comment") />
            <ItemErrors error id />
            <button type="submit" class="btn btn-primary">"Record my decision"</button>
        </ActionForm>
    }
}
