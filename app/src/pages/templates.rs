//! The templates list: built-in templates to start from, and copies managers edit.

use crate::api::templates::{CopyTemplate, list_templates};
use crate::components::form::{FieldError, FormError, action_error};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/templates` (managers and admins).
#[component]
pub fn TemplatesPage() -> impl IntoView {
    let copy = ServerAction::<CopyTemplate>::new();
    let templates = Resource::new(move || copy.version().get(), |_| list_templates());
    let error = action_error(copy);
    let kept = Resource::new(|| (), |_| crate::api::auth::kept_form(crate::api::templates::COPY_FORM.into()));
    view! {
        <Title text="Templates" />
        <h1>"Permission templates"</h1>
        <p class="muted lead">
            "A template is a job description: for each capability, when an executor may act at once and how long an approval may wait. "
            "Editing makes a new version; grants keep pointing at the version they were made from."
        </p>
        <FormError error />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let kept = kept.await.unwrap_or_default();
                match templates.await {
                    Ok(rows) => view! {
                        <div class="cards templates">
                            {rows
                                .into_iter()
                                .map(|t| {
                                    let from = t.id.to_string();
                                    let suggested = if kept.get("from") == from { kept.get("name") } else { format!("{} (copy)", t.name) };
                                    let field = format!("{from}/name");
                                    view! {
                                        <div class="card" data-template=t.name.clone()>
                                            <div class="card-title">
                                                <a href=format!("/templates/{}", t.id)>{t.name.clone()}</a>
                                                " "
                                                {t.builtin.then(|| view! { <span class="badge">"built in"</span> })}
                                                " "<span class="badge role">{format!("v{}", t.current_version)}</span>
                                            </div>
                                            <p class="muted small">{t.description.clone()}</p>
                                            <ActionForm action=copy>
                                                <input type="hidden" name="from" value=from />
                                                <label class="small" for=format!("copy-{}", t.id)>"Copy as"</label>
                                                <input id=format!("copy-{}", t.id) name="name" value=suggested required />
                                                <button type="submit" class="btn btn-small">"Copy"</button>
                                            </ActionForm>
                                            <FieldError error field=field />
                                        </div>
                                    }
                                })
                                .collect_view()}
                        </div>
                    }
                        .into_any(),
                    Err(e) => view! { <div class="alert alert-error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}
