//! User administration (admins only).

use crate::error::AppError;
use crate::model::UserRow;
use leptos::prelude::*;

/// Every user.
#[server(endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    use crate::api::show_time;
    use crate::server::context::{gov, principal, state};
    let me = principal()?;
    let token = me.as_admin().map_err(gov)?;
    let users = state()?.accounts.list(&token).await.map_err(gov)?;
    Ok(users
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            username: u.username,
            roles: u.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            active: u.active,
            must_change_password: u.must_change_password,
            created_at: show_time(&u.created_at),
            last_login_at: u.last_login_at.as_ref().map(show_time),
            is_you: u.id == me.user_id,
        })
        .collect())
}

/// Creates a user with an initial password they must change at first sign-in.
#[server(endpoint = "users/create")]
pub async fn create_user(
    username: String,
    initial_password: String,
    role_admin: Option<String>,
    role_manager: Option<String>,
    role_reviewer: Option<String>,
    role_auditor: Option<String>,
) -> Result<(), AppError> {
    use crate::api::ticked_roles;
    use crate::server::context::{gov, principal, state};
    use governance::service::accounts::NewUser;
    let token = principal()?.as_admin().map_err(gov)?;
    let roles = ticked_roles(&role_admin, &role_manager, &role_reviewer, &role_auditor);
    let user = state()?.accounts.add_user(&token, NewUser { username, initial_password, roles }).await.map_err(gov)?;
    leptos_axum::redirect(&format!("/users?created={}", user.username));
    Ok(())
}

/// Replaces a user's roles.
#[server(endpoint = "users/roles")]
pub async fn set_user_roles(
    user_id: i64,
    role_admin: Option<String>,
    role_manager: Option<String>,
    role_reviewer: Option<String>,
    role_auditor: Option<String>,
) -> Result<(), AppError> {
    use crate::api::ticked_roles;
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_admin().map_err(gov)?;
    let roles = ticked_roles(&role_admin, &role_manager, &role_reviewer, &role_auditor);
    let user = state()?.accounts.set_roles(&token, user_id, &roles).await.map_err(gov)?;
    leptos_axum::redirect(&format!("/users?updated={}", user.username));
    Ok(())
}

/// Deactivates (`active=false`) or reactivates a user.
#[server(endpoint = "users/active")]
pub async fn set_user_active(user_id: i64, active: bool) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_admin().map_err(gov)?;
    let user = state()?.accounts.set_active(&token, user_id, active).await.map_err(gov)?;
    leptos_axum::redirect(&format!("/users?updated={}", user.username));
    Ok(())
}
