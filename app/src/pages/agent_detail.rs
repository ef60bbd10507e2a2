//! One agent: what it is, its kill switch, its API keys (a new key shown once), its history.

use crate::api::agents::{IssueKey, RevokeKey, SetAgentStatus, agent_detail};
use crate::components::form::{FieldError, FormError, action_error};
use crate::components::history::History;
use crate::components::layout::Unavailable;
use crate::model::{AgentDetailView, KeyRow};
use crate::pages::agent_grants::{DecisionsPanel, GrantActions, GrantsPanel};
use crate::pages::agent_oversight::{AlertsPanel, PeerPanel, ShadowPanel};
use crate::pages::agent_track_record::TrackRecordPanel;
use leptos::prelude::*;
use leptos_meta::Title;
use vocab::AgentStatus;

/// `/agents/:id` (managers and admins).
#[component]
pub fn AgentDetailPage() -> impl IntoView {
    let id = super::number_param("id");
    let issue = ServerAction::<IssueKey>::new();
    let revoke = ServerAction::<RevokeKey>::new();
    let status = ServerAction::<SetAgentStatus>::new();
    let grant_actions = GrantActions::new();
    let detail = Resource::new(
        move || (id(), issue.version().get(), revoke.version().get(), status.version().get(), grant_actions.version()),
        |(id, ..)| async move { agent_detail(id.map_err(|raw| super::not_a_number("agent", &raw))?).await },
    );
    let errors = (action_error(issue), action_error(revoke), action_error(status));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <Detail d issue revoke status errors grant_actions /> }.into_any(),
                    Err(error) => {
                        view! { <Unavailable error what="Agent" back_href="/agents" back_label="Back to agents" /> }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

type Errors = (
    Signal<Option<crate::error::AppError>>,
    Signal<Option<crate::error::AppError>>,
    Signal<Option<crate::error::AppError>>,
);

#[component]
fn Detail(
    d: AgentDetailView,
    issue: ServerAction<IssueKey>,
    revoke: ServerAction<RevokeKey>,
    status: ServerAction<SetAgentStatus>,
    errors: Errors,
    grant_actions: GrantActions,
) -> impl IntoView {
    let (issue_error, revoke_error, status_error) = errors;
    let agent_id = d.agent.id;
    let a = d.agent;
    let id = a.id.to_string();
    let (id_for_status, id_for_issue) = (id.clone(), id.clone());
    let suspended = a.status == AgentStatus::Suspended;
    let (action, button, button_class) = if suspended {
        ("reinstate", "Reinstate agent", "btn btn-primary")
    } else {
        ("suspend", "Suspend agent", "btn btn-danger")
    };
    view! {
        <Title text=a.name.clone() />
        <p class="crumbs"><a href="/agents">"Agents"</a>" / "{a.name.clone()}</p>
        <h1>
            {a.name.clone()}" "
            <span class=if suspended { "badge off" } else { "badge ok" } data-testid="agent-status">{a.status.as_str()}</span>" "
            <span class=if a.environment == "sandbox" { "badge warn" } else { "badge" }>{a.environment.clone()}</span>
        </h1>
        {d.new_key.map(|k| view! {
            <div class="alert alert-key" role="status">
                <strong>"New API key — copy it now. It will not be shown again."</strong>
                <code class="secret" data-testid="new-key">{k}</code>
            </div>
        })}
        <div class="columns">
            <section class="panel">
                <h2>"About"</h2>
                <dl class="facts">
                    <dt>"Purpose"</dt><dd>{a.purpose.clone()}</dd>
                    <dt>"Owner"</dt><dd>{a.owner.clone()}</dd>
                    <dt>"Model / vendor"</dt><dd>{if a.model_note.is_empty() { "—".to_owned() } else { a.model_note.clone() }}</dd>
                    <dt>"Registered"</dt><dd>{a.created_at.clone()}</dd>
                </dl>
            </section>
            <section class=if suspended { "panel danger" } else { "panel" }>
                <h2>"Kill switch"</h2>
                {suspended.then(|| view! { <p><strong>"Suspended: "</strong>{a.status_reason.clone()}</p> })}
                {(!suspended).then(|| view! { <p class="muted">"A suspended agent is refused every action until reinstated."</p> })}
                <FormError error=status_error />
                <ActionForm action=status>
                    <input type="hidden" name="agent_id" value=id_for_status />
                    <input type="hidden" name="action" value=action />
                    <label for="status-reason">"Reason"</label>
                    <input id="status-reason" name="reason" required />
                    <FieldError error=status_error field="reason" />
                    <button type="submit" class=button_class>{button}</button>
                </ActionForm>
            </section>
        </div>
        <crate::pages::agent_copilot::CopilotPanel agent_id />
        <GrantsPanel
            agent_id
            grants=d.grants
            choices=d.grant_choices
            uncovered=d.uncovered
            kept=d.grant_kept
            actions=grant_actions
        />
        <TrackRecordPanel cards=d.scorecards />
        <DecisionsPanel actions=d.actions />
        <div class="columns">
            <ShadowPanel stats=d.shadow />
            <AlertsPanel agent_id alerts=d.alerts quiet=d.quiet />
        </div>
        <PeerPanel pairs=d.peer_pairs />
        <section class="panel">
            <div class="panel-head">
                <h2>"API keys"</h2>
                <ActionForm action=issue>
                    <input type="hidden" name="agent_id" value=id_for_issue />
                    <button type="submit" class="btn btn-small">"Generate key"</button>
                </ActionForm>
            </div>
            <FormError error=issue_error />
            <FormError error=revoke_error />
            <FieldError error=revoke_error field="key_id" />
            <KeyTable keys=d.keys agent_id=id revoke />
        </section>
        <section class="panel">
            <h2>"History"</h2>
            <History rows=d.history />
        </section>
    }
}

#[component]
fn KeyTable(keys: Vec<KeyRow>, agent_id: String, revoke: ServerAction<RevokeKey>) -> impl IntoView {
    if keys.is_empty() {
        return view! { <p class="muted">"No keys yet: this agent cannot call the API."</p> }.into_any();
    }
    view! {
        <table class="table" id="keys-table">
            <thead><tr><th>"Key"</th><th>"Created"</th><th>"Last used"</th><th>"State"</th><th></th></tr></thead>
            <tbody>
                {keys
                    .into_iter()
                    .map(|k| {
                        let live = k.revoked_at.is_none();
                        let agent_id = agent_id.clone();
                        view! {
                            <tr data-key=k.prefix.clone()>
                                <td><code>{format!("tnr_{}_…", k.prefix)}</code></td>
                                <td class="nowrap">{k.created_at.clone()}<div class="muted small">{format!("by {}", k.created_by)}</div></td>
                                <td class="nowrap">{k.last_used_at.clone().unwrap_or_else(|| "never".into())}</td>
                                <td>
                                    {match k.revoked_at.clone() {
                                        None => view! { <span class="badge ok">"live"</span> }.into_any(),
                                        Some(at) => view! { <span class="badge off">{format!("revoked {at}")}</span> }.into_any(),
                                    }}
                                </td>
                                <td>
                                    {live.then(|| view! {
                                        <ActionForm action=revoke>
                                            <input type="hidden" name="agent_id" value=agent_id />
                                            <input type="hidden" name="key_id" value=k.id.to_string() />
                                            <button type="submit" class="btn btn-small btn-quiet">"Revoke"</button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
