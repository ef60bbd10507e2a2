//! The capability catalogue: what agents may ask to do, how risky it is, how long it can be
//! undone, and the schema its params must meet. Define new ones; edit one in place.

use crate::api::capabilities::{DefineCapability, EditCapability, list_capabilities};
use crate::components::form::{FieldError, FormError, action_error};
use crate::error::AppError;
use crate::model::{CapabilityRow, KeptForm};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/capabilities` (managers and admins); `?edit=ID` opens one for editing.
#[component]
pub fn CapabilitiesPage() -> impl IntoView {
    let define = ServerAction::<DefineCapability>::new();
    let edit = ServerAction::<EditCapability>::new();
    let caps = Resource::new(move || (define.version().get(), edit.version().get()), |_| list_capabilities());
    let define_error = action_error(define);
    let kept = Resource::new(|| (), |_| crate::api::auth::kept_form("capabilities/define".into()));
    let edit_error = action_error(edit);
    let query = use_query_map();
    let editing = move || query.read().get("edit").and_then(|v| v.parse::<i64>().ok());
    view! {
        <Title text="Capabilities" />
        <h1>"Capabilities"</h1>
        <section class="panel">
            <h2>"Catalogue"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match caps.await {
                        Ok(rows) if rows.is_empty() => {
                            view! { <p class="muted">"The catalogue is empty. Define the first capability below."</p> }.into_any()
                        }
                        Ok(rows) => {
                            let open = editing();
                            let edited = open.and_then(|id| rows.iter().find(|c| c.id == id).cloned());
                            view! {
                                <CapabilityTable rows />
                                {edited.map(|c| view! { <EditForm c edit error=edit_error /> })}
                            }
                                .into_any()
                        }
                        Err(e) => view! { <div class="alert alert-error">{e.to_string()}</div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section class="panel narrow">
            <h2>"Define a capability"</h2>
            <FormError error=define_error />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let kept = kept.await.unwrap_or_default();
                    view! {
            <ActionForm action=define>
                <label for="cap-name">"Name"</label>
                <input id="cap-name" name="name" autocomplete="off" required placeholder="finance.refund.issue" value=kept.get("name") />
                <p class="hint">"Dotted lowercase parts, e.g. support.reply.send. Fixed once defined."</p>
                <FieldError error=define_error field="name" />
                <CapabilityFields c=None kept error=define_error />
                <button type="submit" class="btn btn-primary">"Define capability"</button>
            </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CapabilityTable(rows: Vec<CapabilityRow>) -> impl IntoView {
    view! {
        <table class="table" id="capabilities-table">
            <thead><tr><th>"Capability"</th><th>"Risk"</th><th>"Undo"</th><th>"Params schema"</th><th></th></tr></thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|c| {
                        let risk_class = match c.risk.as_str() {
                            "high" => "badge off",
                            "medium" => "badge warn",
                            _ => "badge ok",
                        };
                        let undo = c.undo_window_minutes.map_or_else(|| "irreversible".to_owned(), |m| format!("{m} min"));
                        view! {
                            <tr data-capability=c.name.clone()>
                                <td><code>{c.name.clone()}</code><div class="muted small">{c.description.clone()}</div></td>
                                <td><span class=risk_class>{c.risk.clone()}</span></td>
                                <td class="nowrap">{undo}</td>
                                <td>{if c.params_schema.is_some() { "yes" } else { "—" }}</td>
                                <td><a class="btn btn-small" href=format!("/capabilities?edit={}", c.id)>"Edit"</a></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn EditForm(c: CapabilityRow, edit: ServerAction<EditCapability>, error: Signal<Option<AppError>>) -> impl IntoView {
    let name = c.name.clone();
    let id = c.id.to_string();
    view! {
        <div class="subpanel" id="edit-capability">
            <h2>"Edit " <code>{name}</code></h2>
            <FormError error />
            <ActionForm action=edit>
                <input type="hidden" name="id" value=id />
                <CapabilityFields c=Some(c) kept=KeptForm::default() error />
                <button type="submit" class="btn btn-primary">"Save changes"</button>
                " "
                <a href="/capabilities" class="btn btn-quiet">"Cancel"</a>
            </ActionForm>
        </div>
    }
}

/// The fields shared by the define and edit forms, prefilled from `c` when editing, or with
/// what was typed into a refused form (`kept`).
#[component]
fn CapabilityFields(c: Option<CapabilityRow>, kept: KeptForm, error: Signal<Option<AppError>>) -> impl IntoView {
    let again = !kept.0.is_empty();
    let description =
        if again { kept.get("description") } else { c.as_ref().map(|c| c.description.clone()).unwrap_or_default() };
    let risk =
        if again { kept.get("risk") } else { c.as_ref().map(|c| c.risk.clone()).unwrap_or_else(|| "medium".into()) };
    let window = if again {
        Some(kept.get("undo_window_minutes"))
    } else {
        c.as_ref().and_then(|c| c.undo_window_minutes).map(|w| w.to_string())
    };
    let reversible =
        if again { kept.has("reversible", "on") } else { c.as_ref().is_none_or(|c| c.undo_window_minutes.is_some()) };
    let schema = if again {
        kept.get("params_schema")
    } else {
        c.as_ref().and_then(|c| c.params_schema.clone()).unwrap_or_default()
    };
    let prefix = if c.is_some() { "edit" } else { "cap" };
    view! {
        <label for=format!("{prefix}-description")>"Description"</label>
        <input id=format!("{prefix}-description") name="description" value=description required />
        <FieldError error field="description" />
        <label for=format!("{prefix}-risk")>"Risk"</label>
        <select id=format!("{prefix}-risk") name="risk">
            {["low", "medium", "high"]
                .into_iter()
                .map(|r| view! { <option value=r selected=risk == r>{r}</option> })
                .collect_view()}
        </select>
        <FieldError error field="risk" />
        <label class="check spaced">
            <input type="checkbox" name="reversible" value="on" checked=reversible />
            "Reversible"
        </label>
        <label for=format!("{prefix}-window")>"Undo window (minutes)"</label>
        <input id=format!("{prefix}-window") name="undo_window_minutes" inputmode="numeric" value=window.unwrap_or_else(|| "60".into()) />
        <p class="hint">"How long after success a reviewer may still roll the action back. Ignored if irreversible."</p>
        <FieldError error field="undo_window_minutes" />
        <label for=format!("{prefix}-schema")>"Params JSON Schema (optional)"</label>
        <textarea id=format!("{prefix}-schema") name="params_schema" rows="6" class="mono" placeholder=r#"{"type": "object", "required": ["amount"]}"#>{crate::components::form::area_text(schema)}</textarea>
        <p class="hint">"Requests whose params do not match are refused with the failing JSON pointer."</p>
        <FieldError error field="params_schema" />
    }
}
