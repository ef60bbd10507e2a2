//! How an action is shown wherever it appears: its state, its risk, and what the agent
//! proposed and why. Agent-supplied text is only ever rendered as escaped text.

use crate::model::ActionCard;
use leptos::prelude::*;
use vocab::{Decision, State, Tier};

/// The state as a coloured badge: settled well, waiting for someone, or refused or failed.
#[component]
pub fn StateBadge(state: State) -> impl IntoView {
    let class = match state {
        State::Allowed | State::Approved | State::Final | State::ShadowCompared | State::RolledBack => "badge ok",
        State::NeedsApproval
        | State::AwaitingConfirmation
        | State::Reversible
        | State::RollbackRequested
        | State::Shadow
        | State::AwaitingPeer => "badge warn",
        State::Denied | State::Rejected | State::Expired | State::Failed | State::RollbackFailed => "badge off",
    };
    view! { <span class=class data-state=state.as_str()>{state.as_str().replace('_', " ")}</span> }
}

/// What the agent was told, as a coloured badge.
#[component]
pub fn DecisionBadge(decision: Decision) -> impl IntoView {
    let class = match decision {
        Decision::Allowed => "badge ok",
        Decision::NeedsApproval => "badge warn",
        Decision::Denied => "badge off",
        Decision::AwaitingPeer | Decision::Shadow => "badge",
    };
    view! { <span class=class>{decision.as_str()}</span> }
}

/// A grant's tier, as a coloured badge.
#[component]
pub fn TierBadge(tier: Tier) -> impl IntoView {
    let class = match tier {
        Tier::Executor => "badge ok",
        Tier::Contributor => "badge warn",
        Tier::Observer => "badge",
    };
    view! { <span class=class data-testid="tier">{tier.as_str()}</span> }
}

/// The capability's risk as a badge.
#[component]
pub fn RiskBadge(#[prop(into)] risk: String) -> impl IntoView {
    let class = match risk.as_str() {
        "high" => "badge off",
        "medium" => "badge warn",
        _ => "badge",
    };
    view! { <span class=class>{format!("{risk} risk")}</span> }
}

/// What the agent proposed, why, and on what basis.
#[component]
pub fn ActionFacts(card: ActionCard) -> impl IntoView {
    let c = card;
    if c.blind {
        return view! { <BlindFacts card=c /> }.into_any();
    }
    view! {
        <div class="facts-grid">
            <div>
                <h4>{if c.edited.is_empty() { "Proposed" } else { "Approved (changed by a reviewer)" }}</h4>
                {if c.params.is_empty() {
                    view! { <p class="muted">"No params."</p> }.into_any()
                } else {
                    view! {
                        <dl class="facts params">
                            {c.params.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                        </dl>
                    }
                        .into_any()
                }}
                {(!c.edited.is_empty()).then(|| view! { <EditedParams rows=c.edited.clone() /> })}
                <p class="muted small meta">
                    {format!("confidence {:.2}", c.confidence)}
                    {c.tier.map(|t| format!(" · {t} tier"))}
                    {(!c.task_ref.is_empty()).then(|| format!(" · task {}", c.task_ref))}
                    {format!(" · asked {}", c.created_at)}
                </p>
                <p class="why small"><strong>"Why it is here: "</strong>{c.rule}</p>
            </div>
            <div>
                <h4>"Reasoning"</h4>
                {if c.reasoning.is_empty() {
                    view! { <p class="muted">"The agent gave no reasoning."</p> }.into_any()
                } else {
                    view! { <p class="prewrap reasoning">{c.reasoning}</p> }.into_any()
                }}
                {(!c.inputs.is_empty()).then(|| view! { <h4>"Inputs"</h4><pre class="json">{c.inputs}</pre> })}
                {(!c.alternatives.is_empty()).then(|| view! {
                    <h4>"Alternatives considered"</h4>
                    <ul class="alternatives">{c.alternatives.into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul>
                })}
            </div>
        </div>
        {c.result_status.map(|s| view! {
            <div class="outcome">
                <h4>{format!("Execution: {s}")}</h4>
                {c.output.map(|o| view! { <pre class="json">{o}</pre> })}
            </div>
        })}
    }
    .into_any()
}

/// The params a reviewer changed before approving: what the agent proposed beside what runs.
#[component]
fn EditedParams(rows: Vec<(String, String, String)>) -> impl IntoView {
    view! {
        <div class="edited" data-testid="edited">
            <p class="small"><strong>"Approved with changes."</strong>" The agent may run only the approved params above."</p>
            <table class="table compact">
                <thead><tr><th>"Param"</th><th>"The agent proposed"</th><th>"Approved"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(k, before, after)| view! {
                        <tr><td>{k}</td><td><del>{before}</del></td><td><ins>{after}</ins></td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// What a reviewer sees of a shadow case before deciding it: the task and what the agent was
/// given, not what it recommended (that comes after, beside their own decision).
#[component]
fn BlindFacts(card: ActionCard) -> impl IntoView {
    let c = card;
    view! {
        <div class="facts-grid" data-testid="blind">
            <div>
                <h4>"The task"</h4>
                <p class="muted small meta">
                    {c.tier.map(|t| format!("{t} tier"))}
                    {(!c.task_ref.is_empty()).then(|| format!(" · task {}", c.task_ref))}
                    {format!(" · asked {}", c.created_at)}
                </p>
                <p class="why small"><strong>"Blind review: "</strong>"decide as you would have, from the task and its inputs. The agent's recommendation — its params, reasoning and confidence — is shown once you have recorded your own decision."</p>
            </div>
            <div>
                <h4>"Inputs"</h4>
                {if c.inputs.is_empty() {
                    view! { <p class="muted">"The agent sent no inputs."</p> }.into_any()
                } else {
                    view! { <pre class="json">{c.inputs}</pre> }.into_any()
                }}
            </div>
        </div>
    }
}

/// The heading line of an action: id, capability, risk, agent, flags and time left.
#[component]
pub fn ActionHead(card: ActionCard, #[prop(optional)] link: bool) -> impl IntoView {
    let c = card;
    let id = c.id;
    view! {
        <span class="item-id">
            {if link {
                view! { <a href=format!("/actions/{id}")>{format!("#{id}")}</a> }.into_any()
            } else {
                view! { <span>{format!("#{id}")}</span> }.into_any()
            }}
        </span>
        <code class="item-cap">{c.capability}</code>
        <RiskBadge risk=c.risk />
        <span class="item-agent">{format!("by {}", c.agent)}</span>
        {c.sandbox.then(|| view! { <span class="badge warn">"sandbox"</span> })}
        {c.supervised.then(|| view! { <span class="badge">"supervised"</span> })}
        {c.separation_of_duties.then(|| view! { <span class="badge" title="The agent's owner may not approve it">"four eyes"</span> })}
        <span class="item-time">
            {c.time_left.map(|t| {
                let overdue = t == "overdue";
                view! {
                    <span class=if overdue { "badge off" } else { "badge" } title=c.deadline.unwrap_or_default()>
                        {t}
                    </span>
                }
            })}
        </span>
    }
}

/// The notice after a form: `done=<what>.<count>.<skipped>` in the URL.
pub fn done_notice(done: Option<String>) -> Option<(bool, String)> {
    let d = done?;
    let mut parts = d.split('.');
    let what = parts.next()?.to_owned();
    let n: u64 = parts.next()?.parse().ok()?;
    let skipped: u64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let noun = if n == 1 { "action" } else { "actions" };
    let text = match what.as_str() {
        "approved" | "rejected" | "confirmed" => format!("{n} {noun} {what}."),
        "approved-edited" => {
            format!("{n} {noun} approved with your changes: the agent may run only the changed params.")
        }
        "approval-added" => {
            "Your approval is recorded. The action needs another person's approval before the agent may run it."
                .to_owned()
        }
        "claimed" => "You claimed the item: other reviewers see it is yours until your claim lapses.".to_owned(),
        "released" => "You let go of the item: any reviewer may take it.".to_owned(),
        "assigned" => "The item was assigned.".to_owned(),
        "rollback" => format!("Rollback requested for {n} {noun}; the agent will be told."),
        "resolved" => "Alert resolved.".to_owned(),
        w if w.starts_with("compared-") => {
            let how = match &w["compared-".len()..] {
                "same" => "you agree with the agent",
                "different_params" => "you would act, with different params",
                _ => "you would not act",
            };
            format!("Your decision is recorded: {how}.")
        }
        _ => return None,
    };
    if skipped > 0 {
        return Some((false, format!("{text} {skipped} skipped: decided by someone else first, or no longer open.")));
    }
    Some((true, text))
}

#[cfg(test)]
mod tests {
    use super::done_notice;

    #[test]
    fn notices_read_from_the_url() {
        assert_eq!(done_notice(Some("approved.3.0".into())), Some((true, "3 actions approved.".into())));
        assert_eq!(
            done_notice(Some("rejected.1.2".into())).map(|(ok, t)| (ok, t.contains("2 skipped"))),
            Some((false, true))
        );
        assert!(done_notice(Some("compared-opposite.1.0".into())).unwrap().1.contains("would not act"));
        assert_eq!(done_notice(Some("<script>.1.0".into())), None);
        assert!(done_notice(Some("approved-edited.1.0".into())).unwrap().1.contains("only the changed params"));
        assert_eq!(done_notice(None), None);
    }
}
