//! An agent's copilot setting on its page (managers): whose copilot it is and how long its
//! escalations stay with them before the shared inbox.

use crate::error::AppError;
use crate::model::CopilotView;
use leptos::prelude::*;

/// Where the copilot form keeps what was typed after a refusal.
pub const COPILOT_FORM: &str = "agents/copilot";

/// The copilot panel of agent `agent_id`.
#[server(endpoint = "agents/copilot/show")]
pub async fn copilot_panel(agent_id: i64) -> Result<CopilotView, AppError> {
    use crate::server::context::{gov, kept_forms, principal, state};
    let kept = kept_forms();
    let who = principal()?;
    let token = who.as_manager().map_err(gov)?;
    let member = who.as_member().map_err(gov)?;
    let st = state()?;
    let agent = st.agents.detail(&token, agent_id).await.map_err(gov)?.agent;
    let choices = st.queues.assignees(&member).await.map_err(gov)?;
    let (value, fallback) = match agent.copilot {
        Some(c) => (
            match (c.user_id, c.group_id) {
                (Some(u), _) => format!("user:{u}"),
                (None, Some(g)) => format!("group:{g}"),
                _ => String::new(),
            },
            c.fallback_minutes.to_string(),
        ),
        None => (String::new(), String::new()),
    };
    let of = choices.iter().find(|(v, _)| *v == value).map(|(_, label)| label.clone());
    let typed = kept.get(COPILOT_FORM).await;
    let mine = typed.get("agent_id") == agent_id.to_string();
    Ok(CopilotView {
        agent_id,
        of,
        value: if mine { typed.get("person") } else { value },
        fallback: if mine { typed.get("fallback_minutes") } else { fallback },
        choices,
    })
}

/// Makes the agent the copilot of a reviewer or a group (empty: of no one).
#[server(endpoint = "agents/copilot")]
pub async fn set_copilot(agent_id: i64, person: String, fallback_minutes: String) -> Result<(), AppError> {
    use crate::server::context::{gov, kept_if_refused, notice, principal, state};
    use governance::service::claims::AssignTo;
    let token = principal()?.as_manager().map_err(gov)?;
    let aid = agent_id.to_string();
    let typed =
        [("agent_id", aid.as_str()), ("person", person.as_str()), ("fallback_minutes", fallback_minutes.as_str())];
    let done = async {
        let to = AssignTo::parse(&person).map_err(|e| {
            crate::server::context::fail(AppError::Field { field: "person".into(), message: e.to_string() })
        })?;
        state()?.agents.set_copilot(&token, agent_id, to, &fallback_minutes).await.map_err(gov)
    };
    kept_if_refused(COPILOT_FORM, &typed, done.await).await?;
    let text = if person.trim().is_empty() {
        "The agent is no one's copilot any more: its escalations go to the shared inbox."
    } else {
        "Saved: the agent's escalations go to its person first."
    };
    notice(true, text).await;
    leptos_axum::redirect(&format!("/agents/{agent_id}"));
    Ok(())
}
