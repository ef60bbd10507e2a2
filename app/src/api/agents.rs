//! Agents: registration, API keys and the kill switch (managers and admins).

use crate::error::AppError;
use crate::model::{AgentDetailView, AgentListRow, AgentRow};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn agent_row(a: governance::records::AgentRecord) -> AgentRow {
    AgentRow {
        id: a.id,
        name: a.name,
        purpose: a.purpose,
        owner: a.owner_name,
        environment: a.environment.as_str().to_owned(),
        model_note: a.model_note,
        status: a.status,
        status_reason: a.status_reason,
        created_at: crate::api::show_time(&a.created_at),
    }
}

#[cfg(feature = "ssr")]
fn session_failed(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "session store failed");
    crate::server::context::fail(AppError::Unavailable)
}

/// One page of the agents, by name, each with a sparkline per live grant.
#[server(endpoint = "agents/list")]
pub async fn list_agents(page: Option<usize>) -> Result<crate::model::Paged<AgentListRow>, AppError> {
    use crate::model::{LIST_PAGE, Paged};
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    let st = state()?;
    let all: Vec<AgentRow> = st.agents.list(&token).await.map_err(gov)?.into_iter().map(agent_row).collect();
    let shown = Paged::of(all, page, LIST_PAGE);
    let ids: Vec<i64> = shown.rows.iter().map(|a| a.id).collect();
    let mut trends: std::collections::HashMap<i64, Vec<crate::model::SparkView>> = std::collections::HashMap::new();
    for t in st.scorecards.trends(&token, &ids).await.map_err(gov)? {
        trends.entry(t.agent_id).or_default().push(crate::api::scorecard_rows::spark_view(t));
    }
    let rows = shown
        .rows
        .into_iter()
        .map(|agent| AgentListRow { trends: trends.remove(&agent.id).unwrap_or_default(), agent })
        .collect();
    Ok(Paged { rows, total: shown.total, page: shown.page })
}

/// Every live grant below executor and what its next step needs, those that meet their
/// criteria first (managers).
#[server(endpoint = "agents/promotion-queue")]
pub async fn promotion_queue() -> Result<Vec<crate::model::QueueRow>, AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    let st = state()?;
    let names: std::collections::HashMap<i64, String> =
        st.agents.list(&token).await.map_err(gov)?.into_iter().map(|a| (a.id, a.name)).collect();
    let cards = st.scorecards.promotion_queue(&token).await.map_err(gov)?;
    Ok(cards
        .iter()
        .filter_map(|c| {
            let name = names.get(&c.agent_id).cloned().unwrap_or_default();
            crate::api::scorecard_rows::queue_row(c, name)
        })
        .collect())
}

/// Registers an agent and opens its page.
#[server(endpoint = "agents/register")]
pub async fn register_agent(
    name: String,
    purpose: String,
    owner: String,
    environment: String,
    model_note: String,
) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    use governance::service::agents::NewAgent;
    let token = principal()?.as_manager().map_err(gov)?;
    let typed = [
        ("name", name.as_str()),
        ("purpose", purpose.as_str()),
        ("owner", owner.as_str()),
        ("environment", environment.as_str()),
        ("model_note", model_note.as_str()),
    ];
    let new = NewAgent {
        name: name.clone(),
        purpose: purpose.clone(),
        owner: owner.clone(),
        environment: environment.clone(),
        model_note: model_note.clone(),
    };
    let agent = match state()?.agents.register(&token, new).await {
        Ok(a) => a,
        Err(e) => {
            crate::server::context::keep_form("agents/register", &typed).await;
            return Err(gov(e));
        }
    };
    crate::server::context::notice(true, "Agent registered. Generate an API key for it to call Tenure.").await;
    leptos_axum::redirect(&format!("/agents/{}", agent.id));
    Ok(())
}

/// One agent's page; takes (and forgets) a key issued just before.
#[server(endpoint = "agents/detail")]
pub async fn agent_detail(id: i64) -> Result<AgentDetailView, AppError> {
    use crate::api::agent_page::{action_row, grant_form, grant_row, key_row, peer_pair_row, shadow_stat};
    use crate::api::evidence_row;
    use crate::server::context::{Flash, flash, gov, kept_forms, principal, state};
    let kept = kept_forms();
    let who = principal()?;
    let token = who.as_manager().map_err(gov)?;
    let member = who.as_member().map_err(gov)?;
    let new_key = match flash() {
        Some(Flash::NewKey { agent_id, secret }) if agent_id == id => Some(secret),
        _ => None,
    };
    let st = state()?;
    let d = st.agents.detail(&token, id).await.map_err(gov)?;
    let now = chrono::Utc::now();
    let choices = st.grants.choices(&token).await.map_err(gov)?;
    let mut grants: Vec<_> =
        st.grants.of_agent(&token, id).await.map_err(gov)?.into_iter().map(|g| grant_row(g, &choices, now)).collect();
    for g in &mut grants {
        g.kept_reason = kept.get(&step_form_key(g.id)).await.get("reason");
    }
    let catalogue = st.capabilities.list(&token).await.map_err(gov)?.into_iter().map(|c| c.name).collect();
    let (grant_choices, uncovered) = grant_form(&choices, &grants, catalogue);
    let agent_name = d.agent.name.clone();
    Ok(AgentDetailView {
        shadow: st.inbox.shadow_tallies(&token, id).await.map_err(gov)?.into_iter().map(shadow_stat).collect(),
        alerts: st
            .inbox
            .alerts_of(&token, id)
            .await
            .map_err(gov)?
            .into_iter()
            .map(|a| crate::api::cards::alert_row(a, agent_name.clone()))
            .collect(),
        peer_pairs: st.inbox.peer_stats(&token, id).await.map_err(gov)?.into_iter().map(peer_pair_row).collect(),
        scorecards: st
            .scorecards
            .of_agent(&member, id)
            .await
            .map_err(gov)?
            .into_iter()
            .map(crate::api::scorecard_rows::scorecard_view)
            .collect(),
        agent: agent_row(d.agent),
        keys: d.keys.into_iter().map(key_row).collect(),
        history: d.history.into_iter().map(evidence_row).collect(),
        new_key,
        grants,
        actions: st.decisions.recent(&token, id, 25).await.map_err(gov)?.into_iter().map(action_row).collect(),
        grant_choices,
        uncovered,
        grant_kept: kept.get(&grant_form_key(id)).await,
        quiet: st
            .alerts
            .quiet_periods(&member, id)
            .await
            .map_err(gov)?
            .into_iter()
            .map(|q| crate::model::QuietRow {
                capability: q.capability,
                detector: crate::api::scorecard_rows::detector_name(q.detector).to_owned(),
                alert_id: q.alert_id,
                resolved_by: q.resolved_by,
                until: crate::api::show_time(&q.until),
            })
            .collect(),
    })
}

/// Issues an API key; the agent page shows it exactly once.
#[server(endpoint = "agents/keys/issue")]
pub async fn issue_key(agent_id: i64) -> Result<(), AppError> {
    use crate::server::context::{FLASH_KEY, Flash, gov, principal, session, state};
    let token = principal()?.as_manager().map_err(gov)?;
    let session = session()?;
    let (_, secret) = state()?.agents.issue_key(&token, agent_id).await.map_err(gov)?;
    session.insert(FLASH_KEY, Flash::NewKey { agent_id, secret }).await.map_err(session_failed)?;
    leptos_axum::redirect(&format!("/agents/{agent_id}"));
    Ok(())
}

/// Revokes one API key.
#[server(endpoint = "agents/keys/revoke")]
pub async fn revoke_key(agent_id: i64, key_id: i64) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    let key = state()?.agents.revoke_key(&token, agent_id, key_id).await.map_err(gov)?;
    crate::server::context::notice(
        true,
        format!("Key {} revoked: requests with it are refused from now on.", key.prefix),
    )
    .await;
    leptos_axum::redirect(&format!("/agents/{agent_id}"));
    Ok(())
}

/// Suspends (`action=suspend`) or reinstates (`action=reinstate`) an agent, with a reason.
#[server(endpoint = "agents/status")]
pub async fn set_agent_status(agent_id: i64, action: String, reason: String) -> Result<(), AppError> {
    use crate::server::context::{fail, gov, principal, state};
    use governance::agent::AgentStatus;
    let token = principal()?.as_manager().map_err(gov)?;
    let status = match action.as_str() {
        "suspend" => AgentStatus::Suspended,
        "reinstate" => AgentStatus::Active,
        other => {
            return Err(fail(AppError::Field {
                field: "action".into(),
                message: format!("'{other}' is not suspend or reinstate"),
            }));
        }
    };
    state()?.agents.set_status(&token, agent_id, status, &reason).await.map_err(gov)?;
    crate::server::context::notice(true, if action == "suspend" { "Agent suspended." } else { "Agent reinstated." })
        .await;
    leptos_axum::redirect(&format!("/agents/{agent_id}"));
    Ok(())
}

/// Emergency stop: suspends every active agent (admins only).
#[server(endpoint = "agents/suspend-all")]
pub async fn suspend_all_agents(reason: String) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_admin().map_err(gov)?;
    let n = state()?.agents.suspend_all(&token, &reason).await.map_err(gov)?;
    crate::server::context::notice(true, format!("Suspended {n} active agent(s).")).await;
    leptos_axum::redirect("/agents");
    Ok(())
}

/// Grants one capability to the agent at a tier, from a template's current version. `choice`
/// is `<template id>:<capability>`, one option of the form's single list; `justification` is
/// needed only for a tier above what the template allows without the record for it.
#[server(endpoint = "agents/grants/create")]
pub async fn grant_capability(
    agent_id: i64,
    choice: String,
    tier: String,
    justification: Option<String>,
) -> Result<(), AppError> {
    use crate::server::context::{fail, gov, kept_if_refused, principal, state};
    use governance::service::grants::GrantForm;
    let token = principal()?.as_manager().map_err(gov)?;
    let justification = justification.unwrap_or_default();
    let typed = [("choice", choice.as_str()), ("tier", tier.as_str()), ("justification", justification.as_str())];
    let done = async {
        let (template_id, capability) = choice
            .split_once(':')
            .and_then(|(t, c)| Some((t.trim().parse::<i64>().ok()?, c.to_owned())))
            .ok_or_else(|| {
                fail(AppError::Field { field: "choice".into(), message: "choose a capability from a template".into() })
            })?;
        let form =
            GrantForm { agent_id, capability, template_id, tier: tier.clone(), justification: justification.clone() };
        state()?.grants.grant(&token, form).await.map_err(gov)
    };
    let g = kept_if_refused(&grant_form_key(agent_id), &typed, done.await).await?;
    crate::server::context::notice(true, format!("Granted {} at {}.", g.capability, g.tier.as_str())).await;
    leptos_axum::redirect(&format!("/agents/{agent_id}"));
    Ok(())
}

/// Where the grant form of agent `agent_id` keeps what was typed into it.
pub fn grant_form_key(agent_id: i64) -> String {
    format!("agents/{agent_id}/grant")
}

/// Where a grant's tier-step form keeps its reason.
pub fn step_form_key(grant_id: i64) -> String {
    format!("grants/{grant_id}/step")
}

/// Promotes or demotes a grant one step (`step=promote|demote`), with a reason.
#[server(endpoint = "agents/grants/step")]
pub async fn step_grant(agent_id: i64, grant_id: i64, step: String, reason: String) -> Result<(), AppError> {
    use crate::server::context::{fail, gov, principal, state};
    use governance::service::grants::Step;
    let token = principal()?.as_manager().map_err(gov)?;
    let step = match step.as_str() {
        "promote" => Step::Promote,
        "demote" => Step::Demote,
        other => {
            return Err(fail(AppError::Field {
                field: "step".into(),
                message: format!("'{other}' is not promote or demote"),
            }));
        }
    };
    let g = match state()?.grants.step(&token, grant_id, step, &reason).await {
        Ok(g) => g,
        Err(e) => {
            crate::server::context::keep_form(&step_form_key(grant_id), &[("reason", &reason)]).await;
            return Err(gov(e).scoped(&grant_id.to_string()));
        }
    };
    crate::server::context::notice(true, format!("{} is now at {}.", g.capability, g.tier.as_str())).await;
    leptos_axum::redirect(&format!("/agents/{agent_id}"));
    Ok(())
}

/// Moves a grant to its template's current version, keeping its tier, and says whether its
/// record meets that version's criteria at the tier.
#[server(endpoint = "agents/grants/move")]
pub async fn move_grant(agent_id: i64, grant_id: i64, from_version: i64) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    let moved = state()?
        .grants
        .move_to_current(&token, grant_id, from_version)
        .await
        .map_err(|e| gov(e).scoped(&grant_id.to_string()))?;
    let g = &moved.grant;
    let meets = !moved.check.judged() || moved.check.ready();
    crate::server::context::notice(
        meets,
        format!("{} now follows {} v{}: {}.", g.capability, g.template, g.template_version, moved.verdict()),
    )
    .await;
    leptos_axum::redirect(&format!("/agents/{agent_id}"));
    Ok(())
}

/// Revokes a grant, with a reason.
#[server(endpoint = "agents/grants/revoke")]
pub async fn revoke_grant(agent_id: i64, grant_id: i64, reason: String) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    state()?.grants.revoke(&token, grant_id, &reason).await.map_err(|e| gov(e).scoped(&grant_id.to_string()))?;
    crate::server::context::notice(true, "Grant revoked.").await;
    leptos_axum::redirect(&format!("/agents/{agent_id}"));
    Ok(())
}
