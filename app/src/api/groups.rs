//! Reviewer groups and routing rules (managers): form groups, add and remove members, send a
//! capability's escalations (or those matching a Cedar condition) to a group.

use crate::error::AppError;
use crate::model::GroupsView;
use leptos::prelude::*;

/// Where the new-group form keeps its name after a refusal.
pub const GROUP_FORM: &str = "groups/create";
/// Where the add-member form keeps what was typed (with the group's id).
pub const MEMBER_FORM: &str = "groups/members/add";
/// Where the routing form keeps what was typed.
pub const ROUTE_FORM: &str = "groups/routes/add";

/// The groups page: every group with its members, every routing rule, and the choices.
#[server(endpoint = "groups/page")]
pub async fn groups_page() -> Result<GroupsView, AppError> {
    use crate::model::{GroupRow, RouteRow};
    use crate::server::context::{gov, kept_forms, principal, state};
    let kept = kept_forms();
    let who = principal()?;
    let manager = who.as_manager().map_err(gov)?;
    let member = who.as_member().map_err(gov)?;
    let st = state()?;
    let groups = st.queues.groups(&member).await.map_err(gov)?;
    let routes = st.queues.routes(&member).await.map_err(gov)?;
    let capabilities = st.capabilities.list(&manager).await.map_err(gov)?;
    Ok(GroupsView {
        groups: groups.into_iter().map(|g| GroupRow { id: g.id, name: g.name, members: g.members }).collect(),
        routes: routes
            .into_iter()
            .map(|r| RouteRow { id: r.id, capability: r.capability, condition: r.condition, group: r.group })
            .collect(),
        capabilities: capabilities.into_iter().map(|c| c.name).collect(),
        kept_group: kept.get(GROUP_FORM).await,
        kept_member: kept.get(MEMBER_FORM).await,
        kept_route: kept.get(ROUTE_FORM).await,
    })
}

/// Creates a reviewer group.
#[server(endpoint = "groups/create")]
pub async fn create_group(name: String) -> Result<(), AppError> {
    use crate::server::context::{gov, kept_if_refused, notice, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    let done = async { state()?.queues.create_group(&token, &name).await.map_err(gov) };
    kept_if_refused(GROUP_FORM, &[("name", name.as_str())], done.await).await?;
    notice(true, format!("The group {} was created. Add its reviewers below.", name.trim())).await;
    leptos_axum::redirect("/groups");
    Ok(())
}

/// Adds a reviewer to a group by user name.
#[server(endpoint = "groups/members/add")]
pub async fn add_group_member(group_id: i64, username: String) -> Result<(), AppError> {
    use crate::server::context::{gov, kept_if_refused, notice, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    let gid = group_id.to_string();
    let done = async {
        state()?.queues.add_member(&token, group_id, &username).await.map_err(gov).map_err(|e| e.scoped(&gid))
    };
    kept_if_refused(MEMBER_FORM, &[("group_id", gid.as_str()), ("username", username.as_str())], done.await).await?;
    notice(true, format!("{} was added to the group.", username.trim())).await;
    leptos_axum::redirect("/groups");
    Ok(())
}

/// Takes a member out of a group.
#[server(endpoint = "groups/members/remove")]
pub async fn remove_group_member(group_id: i64, user_id: i64) -> Result<(), AppError> {
    use crate::server::context::{gov, notice, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    state()?.queues.remove_member(&token, group_id, user_id).await.map_err(|e| gov(e).scoped(&group_id.to_string()))?;
    notice(true, "The member was taken out of the group.").await;
    leptos_axum::redirect("/groups");
    Ok(())
}

/// Adds a routing rule.
#[server(endpoint = "groups/routes/add")]
pub async fn add_route(capability: String, condition: String, group_id: String) -> Result<(), AppError> {
    use crate::server::context::{gov, kept_if_refused, notice, principal, state};
    use governance::service::queues::RouteForm;
    let token = principal()?.as_manager().map_err(gov)?;
    let typed =
        [("capability", capability.as_str()), ("condition", condition.as_str()), ("group_id", group_id.as_str())];
    // No group chosen reads as no such group, which the service names.
    let form = RouteForm {
        capability: capability.clone(),
        condition: condition.clone(),
        group_id: group_id.trim().parse().unwrap_or(0),
    };
    let done = async { state()?.queues.add_route(&token, form).await.map_err(gov) };
    kept_if_refused(ROUTE_FORM, &typed, done.await).await?;
    notice(true, format!("New escalations of {} are routed by the new rule.", capability.trim())).await;
    leptos_axum::redirect("/groups");
    Ok(())
}

/// Removes a routing rule.
#[server(endpoint = "groups/routes/remove")]
pub async fn remove_route(id: i64) -> Result<(), AppError> {
    use crate::server::context::{gov, notice, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    state()?.queues.remove_route(&token, id).await.map_err(|e| gov(e).scoped(&format!("route{id}")))?;
    notice(true, "The routing rule was removed; items it routed stay where they are.").await;
    leptos_axum::redirect("/groups");
    Ok(())
}
