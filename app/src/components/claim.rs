//! Who works an inbox item: its assignee, a claim that holds (by whom, since and until when),
//! and the forms to claim it, let it go or assign it to a reviewer or a group.

use crate::api::inbox::{AssignItem, ClaimItem, ReleaseItem};
use crate::components::form::{FieldError, action_error};
use crate::model::QueueLine;
use leptos::prelude::*;

/// The page's server actions for claims and assignments.
#[derive(Clone, Copy)]
pub struct QueueActions {
    pub claim: ServerAction<ClaimItem>,
    pub release: ServerAction<ReleaseItem>,
    pub assign: ServerAction<AssignItem>,
}

impl QueueActions {
    /// Creates the actions (reading any error a redirect brought back).
    pub fn new() -> QueueActions {
        QueueActions { claim: ServerAction::new(), release: ServerAction::new(), assign: ServerAction::new() }
    }
}

impl Default for QueueActions {
    fn default() -> Self {
        Self::new()
    }
}

/// One line above an item's forms: assigned to whom, claimed by whom, and the buttons.
#[component]
pub fn ClaimBar(
    id: i64,
    line: QueueLine,
    actions: QueueActions,
    assignees: Vec<(String, String)>,
    #[prop(into)] back: String,
) -> impl IntoView {
    let (claim_error, release_error, assign_error) =
        (action_error(actions.claim), action_error(actions.release), action_error(actions.assign));
    let who = match (&line.claimed_by, line.mine) {
        (Some(_), true) => view! { <span class="badge ok" data-testid="claim">"Claimed by you"</span> }.into_any(),
        (Some(by), false) => {
            view! { <span class="badge warn" data-testid="claim">{format!("Claimed by {by}")}</span> }.into_any()
        }
        (None, _) => view! { <span class="muted" data-testid="claim">"Not claimed"</span> }.into_any(),
    };
    let times =
        (!line.claim_times.is_empty()).then(|| view! { <span class="muted small">{line.claim_times.clone()}</span> });
    let assigned = match &line.assigned {
        Some(a) => format!("Assigned to {a}"),
        None => "Shared inbox".to_owned(),
    };
    let back_assign = back.clone();
    let back_button = back;
    let button = if line.mine {
        view! {
            <ActionForm action=actions.release attr:class="inline-form">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="back" value=back_button.clone() />
                <button type="submit" class="btn btn-small">"Let go"</button>
            </ActionForm>
        }
        .into_any()
    } else {
        let label = if line.claimed_by.is_some() { "Claim (held)" } else { "Claim" };
        view! {
            <ActionForm action=actions.claim attr:class="inline-form">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="back" value=back_button.clone() />
                <button type="submit" class="btn btn-small" disabled=line.claimed_by.is_some()>{label}</button>
            </ActionForm>
        }
        .into_any()
    };
    let current = line.assigned_value.clone();
    view! {
        <div class="claim-bar" data-testid="claim-bar">
            <span class="small" data-testid="assigned">{assigned}</span>
            {who}
            {times}
            {button}
            <ActionForm action=actions.assign attr:class="inline-form assign-form">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="back" value=back_assign />
                <label for=format!("assign-{id}") class="sr-only">"Assign to"</label>
                <select id=format!("assign-{id}") name="assignee">
                    <option value="" selected=current.is_empty()>"Shared inbox"</option>
                    {assignees.into_iter().map(|(value, label)| {
                        let selected = value == current;
                        view! { <option value=value selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
                <button type="submit" class="btn btn-small">"Assign"</button>
            </ActionForm>
        </div>
        <FieldError error=claim_error field=format!("{id}/action") />
        <FieldError error=release_error field=format!("{id}/action") />
        <FieldError error=assign_error field=format!("{id}/assignee") />
        <FieldError error=assign_error field=format!("{id}/action") />
    }
}
