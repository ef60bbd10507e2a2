//! Registering an agent as the copilot of a person (or a reviewer group): its escalations go
//! to them first, for a fallback time, and it acts alone only on an executor tier it earned by
//! the criteria ([`crate::copilot`]). The person works them in the inbox's "Mine" queue, where
//! each item's standing line shows the copilot's track record.

use crate::copilot::{Copilot, parse_fallback};
use crate::error::GovError;
use crate::principal::AsManager;
use crate::roles::Role;
use crate::service::agents::{Agents, draft};
use crate::service::claims::AssignTo;
use crate::store::{agents as agent_store, evidence};
use serde_json::json;

impl Agents {
    /// Makes agent `agent_id` the copilot of `to` (a reviewer or a group; no one ends it), its
    /// escalations falling back to the shared inbox after `fallback` minutes (empty: 60).
    pub async fn set_copilot(
        &self,
        by: &AsManager,
        agent_id: i64,
        to: AssignTo,
        fallback: &str,
    ) -> Result<(), GovError> {
        let minutes = parse_fallback(fallback).map_err(|m| GovError::invalid("fallback_minutes", m))?;
        let store = &self.store;
        let (copilot, named) = match to {
            AssignTo::NoOne => (None, "no one".to_owned()),
            AssignTo::User(u) => {
                let user = store.user_by_id(u).await?.filter(|u| u.active);
                let user =
                    user.ok_or_else(|| GovError::invalid("person", format!("user {u} is not an active user")))?;
                if !user.roles.contains(Role::Reviewer) {
                    return Err(GovError::invalid(
                        "person",
                        format!("{} is not a reviewer: they could not decide its proposals", user.username),
                    ));
                }
                (Some(Copilot { user_id: Some(u), group_id: None, fallback_minutes: minutes }), user.username)
            }
            AssignTo::Group(g) => {
                let group = store
                    .group(g)
                    .await?
                    .ok_or_else(|| GovError::invalid("person", format!("there is no group {g}")))?;
                (
                    Some(Copilot { user_id: None, group_id: Some(g), fallback_minutes: minutes }),
                    format!("the group {}", group.name),
                )
            }
        };
        let txn = store.begin_write().await?;
        evidence::lock(&txn).await?;
        let before =
            agent_store::by_id(&txn, agent_id).await?.ok_or_else(|| GovError::NotFound(format!("agent {agent_id}")))?;
        agent_store::set_copilot(&txn, agent_id, copilot).await?;
        let summary = match copilot {
            Some(_) => format!(
                "{} made {} the copilot of {named} (its escalations theirs for {minutes} min)",
                by.actor().name,
                before.name
            ),
            None => format!("{} ended {}'s work as a copilot", by.actor().name, before.name),
        };
        let details = json!({
            "user_id": copilot.and_then(|c| c.user_id),
            "group_id": copilot.and_then(|c| c.group_id),
            "to": named,
            "fallback_minutes": copilot.map(|c| c.fallback_minutes),
            "before": before.copilot.map(|c| json!({"user_id": c.user_id, "group_id": c.group_id})),
        });
        evidence::append(&txn, &draft(by.actor(), "agent.copilot_set", &before, summary, details)).await?;
        txn.commit().await?;
        Ok(())
    }
}
