//! The parts of an agent's page about its authority: grants (one capability at a time, tier
//! steps with reasons, review dates) and the decisions its requests received.

use crate::api::agents::{GrantCapability, MoveGrant, RevokeGrant, StepGrant};
use crate::components::action::{DecisionBadge, StateBadge, TierBadge};
use crate::components::form::{FieldError, FormError, action_error};
use crate::model::{ActionRow, GrantChoiceRow, GrantRow, KeptForm};
use leptos::prelude::*;

/// The actions of the grants panel.
#[derive(Clone, Copy)]
pub struct GrantActions {
    pub grant: ServerAction<GrantCapability>,
    pub step: ServerAction<StepGrant>,
    pub revoke: ServerAction<RevokeGrant>,
    pub move_to: ServerAction<MoveGrant>,
}

impl GrantActions {
    /// Creates the actions (call once per page).
    pub fn new() -> GrantActions {
        GrantActions {
            grant: ServerAction::new(),
            step: ServerAction::new(),
            revoke: ServerAction::new(),
            move_to: ServerAction::new(),
        }
    }

    /// A value that changes whenever any of them completes, for refetching.
    pub fn version(&self) -> (usize, usize, usize, usize) {
        (
            self.grant.version().get(),
            self.step.version().get(),
            self.revoke.version().get(),
            self.move_to.version().get(),
        )
    }
}

impl Default for GrantActions {
    fn default() -> Self {
        GrantActions::new()
    }
}

/// Grants, their tier steps, and the form to grant one more capability.
#[component]
pub fn GrantsPanel(
    agent_id: i64,
    grants: Vec<GrantRow>,
    choices: Vec<GrantChoiceRow>,
    uncovered: Vec<String>,
    kept: KeptForm,
    actions: GrantActions,
) -> impl IntoView {
    let grant_error = action_error(actions.grant);
    let step_error = action_error(actions.step);
    let revoke_error = action_error(actions.revoke);
    let move_error = action_error(actions.move_to);
    let errors = RowErrors { step: step_error, revoke: revoke_error, move_to: move_error };
    let rows = grants.into_iter().map(|g| view! { <GrantRowView agent_id g actions errors /> }).collect_view();
    view! {
        <section class="panel">
            <h2>"Grants"</h2>
            <p class="muted small">"Each capability is granted and promoted on its own: observer → contributor → executor."</p>
            <FormError error=step_error />
            <FormError error=revoke_error />
            <FormError error=move_error />
            <table class="table stack" id="grants-table">
                <thead><tr><th>"Capability"</th><th>"Tier"</th><th>"Template"</th><th>"Review"</th><th>"Change tier or revoke"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <h3>"Grant a capability"</h3>
            <FormError error=grant_error />
            {(!uncovered.is_empty()).then(|| view! {
                <p class="muted small" data-testid="uncovered">
                    {format!("No template has a rule for {}: add one to a template to grant it.", uncovered.join(", "))}
                </p>
            })}
            {if choices.is_empty() {
                view! { <p class="muted" data-testid="nothing-to-grant">"Nothing left to grant: every capability a template covers is held already."</p> }.into_any()
            } else {
                view! { <GrantForm agent_id choices kept actions error=grant_error /> }.into_any()
            }}
        </section>
    }
}

/// The grant form: one list of what can be granted (each template's capabilities, grouped by
/// template, so a template that lacks the rule is never offered), the tier, and the
/// justification a tier above the template's free start needs without the record for it.
/// After an error it shows what was chosen and typed.
#[component]
fn GrantForm(
    agent_id: i64,
    choices: Vec<GrantChoiceRow>,
    kept: KeptForm,
    actions: GrantActions,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let grant_error = error;
    let chosen = kept.get("choice");
    let tier = kept.get("tier");
    let tier_option = move |value: &'static str, label: &'static str| {
        view! { <option value=value selected=tier == value>{label}</option> }
    };
    view! {
            <ActionForm action=actions.grant>
                <input type="hidden" name="agent_id" value=agent_id.to_string() />
                <div class="grid3">
                    <div>
                        <label for="grant-choice">"Capability, from template"</label>
                        <select id="grant-choice" name="choice">
                            {choices
                                .into_iter()
                                .map(|t| {
                                    let options = t
                                        .capabilities
                                        .iter()
                                        .map(|(c, text)| {
                                            let value = format!("{}:{c}", t.template_id);
                                            let selected = value == chosen;
                                            view! { <option value=value selected=selected>{text.clone()}</option> }
                                        })
                                        .collect_view();
                                    view! { <optgroup label=t.label.clone()>{options}</optgroup> }
                                })
                                .collect_view()}
                        </select>
                        <FieldError error=grant_error field="choice" />
                        <FieldError error=grant_error field="capability" />
                        <FieldError error=grant_error field="template_id" />
                    </div>
                    <div>
                        <label for="grant-tier">"Tier"</label>
                        <select id="grant-tier" name="tier">
                            {tier_option("observer", "observer — recommendations only")}
                            {tier_option("contributor", "contributor — every action approved")}
                            {tier_option("executor", "executor — routine actions at once")}
                        </select>
                        <FieldError error=grant_error field="tier" />
                    </div>
                </div>
                <label for="grant-justification">"Justification (for a tier above where the template lets a grant start)"</label>
                <textarea id="grant-justification" name="justification" rows="2">{crate::components::form::area_text(kept.get("justification"))}</textarea>
                <p class="hint">
                    {format!(
                        "A new grant starts at observer unless its template's rule says otherwise. A higher tier skips promotions, so it is judged by their criteria on what the agent has done with the capability; without that record it is an override and needs a justification of at least {} characters, kept in the evidence trail.",
                        MIN_OVERRIDE_JUSTIFICATION
                    )}
                </p>
                <FieldError error=grant_error field="justification" />
                <button type="submit" class="btn btn-primary">"Grant"</button>
            </ActionForm>
    }
}

/// Fewest characters of an override's justification (the engine's rule, shown in the hint).
const MIN_OVERRIDE_JUSTIFICATION: usize = 20;
#[cfg(feature = "ssr")]
const _: () = assert!(MIN_OVERRIDE_JUSTIFICATION == governance::service::grants::MIN_OVERRIDE_JUSTIFICATION);

/// The errors of a grant row's forms.
#[derive(Clone, Copy)]
struct RowErrors {
    step: Signal<Option<crate::error::AppError>>,
    revoke: Signal<Option<crate::error::AppError>>,
    move_to: Signal<Option<crate::error::AppError>>,
}

#[component]
fn GrantRowView(agent_id: i64, g: GrantRow, actions: GrantActions, errors: RowErrors) -> impl IntoView {
    let RowErrors { step: step_error, revoke: revoke_error, move_to: move_error } = errors;
    let scope = g.id.to_string();
    let newer = g.newer.map(|(v, covers)| {
        let (agent, grant, from) = (agent_id.to_string(), g.id.to_string(), g.template_version.to_string());
        if covers {
            view! {
                <ActionForm action=actions.move_to attr:class="inline-form">
                    <input type="hidden" name="agent_id" value=agent />
                    <input type="hidden" name="grant_id" value=grant />
                    <input type="hidden" name="from_version" value=from />
                    <button type="submit" class="btn btn-small">{format!("Move to v{v}")}</button>
                </ActionForm>
            }
            .into_any()
        } else {
            view! { <div class="muted small">{format!("v{v} has no rule for it")}</div> }.into_any()
        }
    });
    let review_class = if g.overdue { "badge off" } else { "muted small" };
    let ids = (agent_id.to_string(), g.id.to_string());
    let (a2, g2) = ids.clone();
    let step_label = format!("Reason for {}", g.capability);
    // Nothing above executor to promote to, nothing below observer to demote to.
    let can_promote = g.tier.promoted().is_some();
    let can_demote = g.tier.demoted().is_some();
    let revoke_label = format!("Reason to revoke {}", g.capability);
    view! {
        <tr data-grant=g.capability.clone()>
            <td class="card-title"><code>{g.capability.clone()}</code><div class="muted small">{format!("by {} · {}", g.granted_by, g.granted_at)}</div></td>
            <td data-label="Tier">
                {if g.revoked {
                    view! { <span class="badge off">"revoked"</span> }.into_any()
                } else {
                    view! { <TierBadge tier=g.tier /> }.into_any()
                }}
            </td>
            <td data-label="Template">
                <a href=format!("/templates/{}?version={}", g.template_id, g.template_version)>{format!("{} v{}", g.template, g.template_version)}</a>
                {newer}
                <FieldError error=move_error field=format!("{scope}/template_version") />
            </td>
            <td data-label="Review">
                {if g.revoked {
                    view! { <span class="muted small">"—"</span> }.into_any()
                } else {
                    view! { <a class=review_class href=format!("/reviews/{}", g.id)>{g.review_due.clone()}</a> }.into_any()
                }}
            </td>
            <td data-label="Change tier or revoke">
                {(!g.revoked).then(move || view! {
                    <ActionForm action=actions.step>
                        <input type="hidden" name="agent_id" value=ids.0.clone() />
                        <input type="hidden" name="grant_id" value=ids.1.clone() />
                        <input name="reason" placeholder="reason" aria-label=step_label required class="reason" value=g.kept_reason.clone() />
                        {can_promote.then(|| view! { <button type="submit" name="step" value="promote" class="btn btn-small">"Promote"</button> })}
                        {can_demote.then(|| view! { <button type="submit" name="step" value="demote" class="btn btn-small">"Demote"</button> })}
                    </ActionForm>
                    <ActionForm action=actions.revoke>
                        <input type="hidden" name="agent_id" value=a2 />
                        <input type="hidden" name="grant_id" value=g2 />
                        <input name="reason" placeholder="reason to revoke" aria-label=revoke_label required class="reason" />
                        <button type="submit" class="btn btn-small btn-quiet">"Revoke"</button>
                    </ActionForm>
                })}
                <FieldError error=step_error field=format!("{scope}/reason") />
                <FieldError error=step_error field=format!("{scope}/tier") />
                <FieldError error=revoke_error field=format!("{scope}/reason") />
            </td>
        </tr>
    }
}

/// The agent's newest decisions, with the rule that produced each.
#[component]
pub fn DecisionsPanel(actions: Vec<ActionRow>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Recent decisions"</h2>
            {if actions.is_empty() {
                view! { <p class="muted">"This agent has not asked to act yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table stack" id="decisions-table">
                        <thead><tr><th>"#"</th><th>"When"</th><th>"Capability"</th><th>"Decision"</th><th>"Now"</th><th>"Rule"</th><th>"Reasoning"</th></tr></thead>
                        <tbody>
                            {actions
                                .into_iter()
                                .map(|a| {
                                    view! {
                                        <tr data-action=a.id.to_string()>
                                            <td class="num card-title"><a href=format!("/actions/{}", a.id)>{format!("#{}", a.id)}</a></td>
                                            <td class="nowrap" data-label="When">{a.created_at}</td>
                                            <td data-label="Capability"><code>{a.capability}</code></td>
                                            <td data-label="Decision">
                                                <DecisionBadge decision=a.decision />
                                                {a.supervised.then(|| view! { " "<span class="badge">"supervised"</span> })}
                                                {a.sandbox.then(|| view! { " "<span class="badge warn">"sandbox"</span> })}
                                                <div class="muted small">{format!("confidence {:.2}", a.confidence)}</div>
                                            </td>
                                            <td data-label="Now"><StateBadge state=a.state /></td>
                                            <td class="small" data-label="Rule">{a.rule}</td>
                                            <td class="small clip-wrap" data-label="Reasoning">{a.reasoning}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
}
