//! One template: a version's rules (editable on the current version of a copy), its version
//! history, and a side-by-side comparison of two versions.

use crate::api::templates::{RemoveRule, SaveRule, template_detail};
use crate::components::form::{FieldError, FormError, action_error};
use crate::components::layout::Unavailable;
use crate::error::AppError;
use crate::model::{KeptForm, RuleView, TemplateDetailView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/templates/:id` with optional `?version=N` and `?a=N&b=M` (managers and admins).
#[component]
pub fn TemplateDetailPage() -> impl IntoView {
    let id = super::number_param("id");
    let query = use_query_map();
    let save = ServerAction::<SaveRule>::new();
    let remove = ServerAction::<RemoveRule>::new();
    let args = move || {
        let q = query.read();
        let num = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok());
        (id(), num("version"), num("a"), num("b"))
    };
    let detail = Resource::new(
        move || (args(), save.version().get(), remove.version().get()),
        |((id, v, a, b), ..)| async move {
            template_detail(id.map_err(|raw| super::not_a_number("template", &raw))?, v, a, b).await
        },
    );
    let errors = (action_error(save), action_error(remove));
    let kept = Resource::new(|| (), |_| crate::api::auth::kept_form(crate::api::templates::RULE_FORM.into()));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let kept = kept.await.unwrap_or_default();
                match detail.await {
                    Ok(d) => view! { <Detail d kept save remove errors /> }.into_any(),
                    Err(error) => {
                        view! { <Unavailable error what="Template" back_href="/templates" back_label="Back to templates" /> }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

type Errors = (Signal<Option<AppError>>, Signal<Option<AppError>>);

#[component]
fn Detail(
    d: TemplateDetailView,
    kept: KeptForm,
    save: ServerAction<SaveRule>,
    remove: ServerAction<RemoveRule>,
    errors: Errors,
) -> impl IntoView {
    let (save_error, remove_error) = errors;
    let t = d.template.clone();
    let editable = !t.builtin && d.shown_version == t.current_version;
    let versions = d.versions.clone();
    let (latest, first) = (t.current_version, versions.last().map_or(1, |v| v.version));
    // A refused rule form comes back as it was typed; the other forms show what is saved.
    let template_id = t.id.to_string();
    let kept_for = move |scope: &str| {
        (kept.get("template_id") == template_id && kept.get("scope") == scope).then(|| RuleView::from_kept(&kept))
    };
    view! {
        <Title text=t.name.clone() />
        <p class="crumbs"><a href="/templates">"Templates"</a>" / "{t.name.clone()}</p>
        <h1>
            {t.name.clone()}" "
            <span class="badge role" data-testid="shown-version">{format!("v{}", d.shown_version)}</span>
            {t.builtin.then(|| view! { " "<span class="badge">"built in — copy it to edit"</span> })}
        </h1>
        <p class="muted">{t.description.clone()}</p>
        {(d.shown_version != t.current_version).then(|| view! {
            <div class="alert alert-warn">
                {format!("You are looking at version {} of {}. ", d.shown_version, t.current_version)}
                <a href=format!("/templates/{}", t.id)>"Show the current version"</a>
            </div>
        })}
        <FormError error=save_error />
        <FormError error=remove_error />
        <FieldErrorAnyScope error=save_error field="version" />
        <section class="panel">
            <h2>"Rules"</h2>
            {if d.rules.is_empty() {
                view! { <p class="muted">"No capability is covered: agents granted from this template are denied."</p> }.into_any()
            } else {
                d.rules
                    .into_iter()
                    .map(|r| {
                        // The summary says what is saved; the form shows what was typed.
                        let summary = summarize(&r);
                        let r = match kept_for(&r.capability).filter(|k| k.capability == r.capability) {
                            Some(k) => RuleView { peer_summary: r.peer_summary, ..k },
                            None => r,
                        };
                        view! { <RuleCard r summary template_id=t.id version=latest editable save remove error=save_error /> }
                    })
                    .collect_view()
                    .into_any()
            }}
        </section>
        {(editable && !d.addable.is_empty()).then(|| {
            let added = kept_for("add");
            let chosen = added.as_ref().map(|k| k.capability.clone()).unwrap_or_default();
            let empty = added.unwrap_or(RuleView {
                capability: String::new(),
                min_confidence: String::new(),
                limits: String::new(),
                max_per_hour: String::new(),
                new_value_params: String::new(),
                supervised: false,
                approval_expiry_minutes: String::new(),
                condition: String::new(),
                separation_of_duties: false,
                peer_mode: "off".into(),
                peer_condition: String::new(),
                peer_pool: String::new(),
                peer_tolerances: String::new(),
                peer_deadline_minutes: String::new(),
                peer_summary: String::new(),
                to_contributor: d.default_criteria.0.clone(),
                to_executor: d.default_criteria.1.clone(),
                review_observer_days: String::new(),
                review_contributor_days: String::new(),
                review_executor_days: String::new(),
                review_grace_days: String::new(),
                start_tier: String::new(),
                review_when_overdue: "flag".into(),
                reviews_summary: String::new(),
                approvals_required: String::new(),
                approvals_when: String::new(),
                approvals_distinct_groups: false,
                approvals_summary: String::new(),
            });
            view! {
                <section class="panel narrow">
                    <h2>"Add a capability"</h2>
                    <ActionForm action=save>
                        <input type="hidden" name="template_id" value=t.id.to_string() />
                        <input type="hidden" name="expected_version" value=latest.to_string() />
                        <input type="hidden" name="origin" value="add" />
                        <label for="add-capability">"Capability"</label>
                        <select id="add-capability" name="capability">
                            {d.addable.iter().map(|c| view! { <option value=c.clone() selected=*c == chosen>{c.clone()}</option> }).collect_view()}
                        </select>
                        <FieldError error=save_error field="add/capability" />
                        <RuleFields r=empty error=save_error prefix="add" scope="add" />
                        <button type="submit" class="btn btn-primary">"Add rule"</button>
                    </ActionForm>
                </section>
            }
        })}
        <div class="columns">
            <section class="panel">
                <h2>"Versions"</h2>
                <table class="table" id="versions-table">
                    <thead><tr><th>"Version"</th><th>"Change"</th><th>"By"</th><th>"When"</th></tr></thead>
                    <tbody>
                        {versions
                            .into_iter()
                            .map(|v| view! {
                                <tr>
                                    <td><a href=format!("/templates/{}?version={}", t.id, v.version)>{format!("v{}", v.version)}</a></td>
                                    <td>{v.note}</td>
                                    <td>{v.created_by}</td>
                                    <td class="nowrap">{v.created_at}</td>
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </section>
            <section class="panel">
                <h2>"Compare versions"</h2>
                <form method="get" action=format!("/templates/{}", t.id) class="inline-form">
                    <label for="cmp-a">"From"</label>
                    <input id="cmp-a" name="a" type="number" min="1" max=latest value=first.to_string() />
                    <label for="cmp-b">"to"</label>
                    <input id="cmp-b" name="b" type="number" min="1" max=latest value=latest.to_string() />
                    <button type="submit" class="btn btn-small">"Compare"</button>
                </form>
                {d.comparison.map(|(a, b, changes)| view! { <Comparison a b changes /> })}
            </section>
        </div>
    }
}

/// A field error whatever form it was scoped to (for errors such as a lost race on `version`).
#[component]
fn FieldErrorAnyScope(error: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    move || {
        error.get().filter(|e| e.field().is_some_and(|f| f == field || f.ends_with(&format!("/{field}")))).map(|e| {
            view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
        })
    }
}

#[component]
fn Comparison(a: i64, b: i64, changes: Vec<crate::model::ChangeRow>) -> impl IntoView {
    view! {
        <h3>{format!("v{a} → v{b}")}</h3>
        {if changes.is_empty() {
            view! { <p class="muted">"No differences."</p> }.into_any()
        } else {
            view! {
                <table class="table compare" id="compare-table">
                    <thead><tr><th>"Capability"</th><th>"Field"</th><th>{format!("v{a}")}</th><th>{format!("v{b}")}</th></tr></thead>
                    <tbody>
                        {changes
                            .into_iter()
                            .map(|c| view! {
                                <tr>
                                    <td><code>{c.capability}</code></td>
                                    <td>{c.field}</td>
                                    <td class="before">{c.before}</td>
                                    <td class="after">{c.after}</td>
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
                .into_any()
        }}
    }
}

#[component]
fn RuleCard(
    r: RuleView,
    summary: String,
    template_id: i64,
    version: i64,
    editable: bool,
    save: ServerAction<SaveRule>,
    remove: ServerAction<RemoveRule>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let cap = r.capability.clone();
    let label = cap.clone();
    let criteria = view! { <crate::pages::template_promotion::Criteria r=r.clone() /> };
    if !editable {
        return view! {
            <div class="rule" data-rule=cap>
                <h3><code>{label}</code></h3>
                <p class="muted">{summary}</p>
                {criteria}
            </div>
        }
        .into_any();
    }
    let prefix = cap.replace('.', "-");
    let (cap_save, cap_remove, scope) = (cap.clone(), cap.clone(), cap.clone());
    let mine = format!("{cap}/");
    // Open the rule whose form was sent with an error, so the error shows where it belongs.
    let open = move || error.get().and_then(|e| e.field().map(|f| f.starts_with(&mine))).unwrap_or(false);
    view! {
        <details class="rule" data-rule=cap open=open>
            <summary><code>{label}</code>" — "<span class="muted">{summary}</span></summary>
            <ActionForm action=save>
                <input type="hidden" name="template_id" value=template_id.to_string() />
                <input type="hidden" name="expected_version" value=version.to_string() />
                <input type="hidden" name="capability" value=cap_save />
                <input type="hidden" name="origin" value="rule" />
                {criteria}
                <RuleFields r error prefix=prefix scope=scope />
                <button type="submit" class="btn btn-primary">"Save as new version"</button>
            </ActionForm>
            <ActionForm action=remove>
                <input type="hidden" name="template_id" value=template_id.to_string() />
                <input type="hidden" name="expected_version" value=version.to_string() />
                <input type="hidden" name="capability" value=cap_remove />
                <button type="submit" class="btn btn-small btn-quiet">"Remove this capability"</button>
            </ActionForm>
        </details>
    }
    .into_any()
}

fn summarize(r: &RuleView) -> String {
    let mut parts = Vec::new();
    if !r.min_confidence.is_empty() {
        parts.push(format!("confidence ≥ {}", r.min_confidence));
    }
    if !r.limits.is_empty() {
        parts.push(r.limits.clone());
    }
    if !r.max_per_hour.is_empty() {
        parts.push(format!("≤ {}/hour", r.max_per_hour));
    }
    if !r.new_value_params.is_empty() {
        parts.push(format!("new {} escalates", r.new_value_params));
    }
    if r.supervised {
        parts.push("supervised".into());
    }
    if r.separation_of_duties {
        parts.push("owner may not approve high-risk".into());
    }
    if !r.approvals_summary.is_empty() {
        parts.push(r.approvals_summary.clone());
    }
    if !r.peer_summary.is_empty() {
        parts.push(format!("peer check {}", r.peer_summary));
    }
    if !r.condition.is_empty() {
        parts.push(format!("when {}", r.condition));
    }
    parts.push(format!("approvals expire after {} min", r.approval_expiry_minutes));
    parts.join(" · ")
}

/// The condition fields of a rule form, prefilled from `r`.
#[component]
fn RuleFields(
    r: RuleView,
    error: Signal<Option<AppError>>,
    #[prop(into)] prefix: String,
    #[prop(into)] scope: String,
) -> impl IntoView {
    let (r2, prefix2, scope2) = (r.clone(), prefix.clone(), scope.clone());
    let id = move |f: &str| format!("{prefix}-{f}");
    let at = move |f: &str| format!("{scope}/{f}");
    view! {
        <div class="grid2">
            <div>
                <label for=id("conf")>"Minimum confidence (0–1)"</label>
                <input id=id("conf") name="min_confidence" value=r.min_confidence placeholder="none" />
                <FieldError error field=at("min_confidence") />
            </div>
            <div>
                <label for=id("rate")>"Max per hour, per agent"</label>
                <input id=id("rate") name="max_per_hour" value=r.max_per_hour placeholder="no limit" />
                <FieldError error field=at("max_per_hour") />
            </div>
            <div>
                <label for=id("limits")>"Numeric limits"</label>
                <input id=id("limits") name="limits" value=r.limits placeholder="amount <= 500; items <= 3" />
                <FieldError error field=at("limits") />
            </div>
            <div>
                <label for=id("new")>"Escalate on a never-seen value of"</label>
                <input id=id("new") name="new_value_params" value=r.new_value_params placeholder="currency, iban" />
                <FieldError error field=at("new_value_params") />
            </div>
            <div>
                <label for=id("expiry")>"Approval expires after (minutes)"</label>
                <input id=id("expiry") name="approval_expiry_minutes" value=r.approval_expiry_minutes placeholder="1440" />
                <FieldError error field=at("approval_expiry_minutes") />
            </div>
            <div>
                <label class="check spaced">
                    <input type="checkbox" name="supervised" value="on" checked=r.supervised />
                    "Supervised: executor actions need a reviewer's confirmation"
                </label>
                <label class="check spaced">
                    <input type="checkbox" name="separation_of_duties" value="on" checked=r.separation_of_duties />
                    "Separation of duties: the agent's owner may not approve its high-risk actions"
                </label>
            </div>
        </div>
        <label for=id("condition")>"Condition (Cedar, optional)"</label>
        <textarea id=id("condition") name="condition" rows="2" class="mono" placeholder=r#"context.params.currency == "EUR" && context.params.amount < 100"#>{crate::components::form::area_text(r.condition)}</textarea>
        <p class="hint">
            "Must hold for an executor to act at once. Sees context.params (fractions as decimal), context.confidence, context.confidence_pct, context.agent.name, context.agent.environment."
        </p>
        <FieldError error field=at("condition") />
        <fieldset class="peer quorum">
            <legend>"Two-person approval: several people must approve"</legend>
            <div class="grid2">
                <div>
                    <label for=id("approvals")>"Approvals needed"</label>
                    <input id=id("approvals") name="approvals_required" value=r.approvals_required.clone() placeholder="1" inputmode="numeric" />
                    <FieldError error field=at("approvals_required") />
                </div>
                <div>
                    <label class="check spaced">
                        <input type="checkbox" name="approvals_distinct_groups" value="on" checked=r.approvals_distinct_groups />
                        "Distinct reviewer groups: one approval per group"
                    </label>
                </div>
            </div>
            <label for=id("approvals-when")>"Only when (Cedar, optional)"</label>
            <input id=id("approvals-when") name="approvals_when" class="mono" value=r.approvals_when.clone() placeholder="context.params.amount > 5000" />
            <FieldError error field=at("approvals_when") />
            <p class="hint">"1 is one person. With more, each approval must come from another person, never the agent's owner; the item waits until the last one and one rejection rejects it. Edits are not offered on such items."</p>
        </fieldset>
        <fieldset class="peer">
            <legend>"Peer check: a second agent analyses the task independently"</legend>
            <div class="grid2">
                <div>
                    <label for=id("peer-mode")>"Peer check"</label>
                    <select id=id("peer-mode") name="peer_mode">
                        <option value="off" selected=r.peer_mode == "off">"Off"</option>
                        <option value="always" selected=r.peer_mode == "always">"Always"</option>
                        <option value="when" selected=r.peer_mode == "when">"When the peer condition holds"</option>
                    </select>
                    <FieldError error field=at("peer_mode") />
                </div>
                <div>
                    <label for=id("peer-pool")>"Peer pool (agent names)"</label>
                    <input id=id("peer-pool") name="peer_pool" value=r.peer_pool placeholder="check-bot, audit-bot" />
                    <FieldError error field=at("peer_pool") />
                </div>
                <div>
                    <label for=id("peer-tol")>"Numeric tolerances"</label>
                    <input id=id("peer-tol") name="peer_tolerances" value=r.peer_tolerances placeholder="amount: 0.5" />
                    <FieldError error field=at("peer_tolerances") />
                </div>
                <div>
                    <label for=id("peer-deadline")>"Peer must answer within (minutes)"</label>
                    <input id=id("peer-deadline") name="peer_deadline_minutes" value=r.peer_deadline_minutes placeholder="30" />
                    <FieldError error field=at("peer_deadline_minutes") />
                </div>
            </div>
            <label for=id("peer-condition")>"Peer condition (Cedar, for “when”)"</label>
            <input id=id("peer-condition") name="peer_condition" class="mono" value=r.peer_condition placeholder="context.params.amount > 100" />
            <FieldError error field=at("peer_condition") />
            <p class="hint">"The peer never sees the primary's params, decision or reasoning. Text must match exactly; numbers may differ by their tolerance. Disagreement, or no answer in time, goes to a reviewer."</p>
        </fieldset>
        <crate::pages::template_promotion::PromotionFields r=r2 error prefix=prefix2 scope=scope2 />
    }
}
