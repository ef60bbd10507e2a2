//! The copilot panel of an agent's page: whose copilot it is, and the form to change it.

use crate::api::copilots::{SetCopilot, copilot_panel};
use crate::components::form::{FieldError, FormError, action_error};
use crate::model::CopilotView;
use leptos::prelude::*;

/// The panel, reading its own data.
#[component]
pub fn CopilotPanel(agent_id: i64) -> impl IntoView {
    let set = ServerAction::<SetCopilot>::new();
    let data = Resource::new(move || set.version().get(), move |_| copilot_panel(agent_id));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(c) => view! { <CopilotForm c set /> }.into_any(),
                    Err(e) => view! { <div class="alert alert-error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CopilotForm(c: CopilotView, set: ServerAction<SetCopilot>) -> impl IntoView {
    let error = action_error(set);
    let now = match &c.of {
        Some(of) => format!("Copilot of {of}: its escalations are theirs for {} minutes, then everyone's.", c.fallback),
        None => "Not a copilot: its escalations go to the shared inbox (or where routing sends them).".to_owned(),
    };
    let current = c.value.clone();
    view! {
        <section class="panel" data-testid="copilot">
            <h2>"Copilot"</h2>
            <p class="small">{now}</p>
            <p class="muted small">
                "A copilot works for one person (or a group). They accept, edit or dismiss its proposals in their "
                "inbox's “Mine” queue, and those decisions count on its track record like anyone's. "
                "It never acts alone on a tier it was granted by override."
            </p>
            <FormError error />
            <ActionForm action=set attr:class="copilot-form">
                <input type="hidden" name="agent_id" value=c.agent_id.to_string() />
                <label for="copilot-person">"Copilot of"</label>
                <select id="copilot-person" name="person">
                    <option value="" selected=current.is_empty()>"No one"</option>
                    {c.choices.into_iter().map(|(value, label)| {
                        let selected = value == current;
                        view! { <option value=value selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
                <FieldError error field="person" />
                <label for="copilot-fallback">"Then the shared inbox after (minutes)"</label>
                <input id="copilot-fallback" name="fallback_minutes" value=c.fallback placeholder="60" inputmode="numeric" />
                <FieldError error field="fallback_minutes" />
                <button type="submit" class="btn btn-small">"Save"</button>
            </ActionForm>
        </section>
    }
}
