//! User administration (admins only).

use crate::error::AppError;
use crate::model::{ThrottleRow, UserRow};
use leptos::prelude::*;

/// One page of the users, by name.
#[server(endpoint = "users/list")]
pub async fn list_users(page: Option<usize>) -> Result<crate::model::Paged<UserRow>, AppError> {
    use crate::api::show_time;
    use crate::server::context::{gov, principal, state};
    let me = principal()?;
    let token = me.as_admin().map_err(gov)?;
    let users = state()?.accounts.list(&token).await.map_err(gov)?;
    let all = users
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
        .collect();
    Ok(crate::model::Paged::of(all, page, crate::model::LIST_PAGE))
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
    // Kept on refusal, for the form to come back filled in (the password is not kept).
    let mut typed: Vec<(&str, &str)> = vec![("username", username.as_str())];
    typed.extend(roles.iter().map(|r| ("role", r.as_str())));
    let new = NewUser { username: username.clone(), initial_password, roles: roles.clone() };
    let user = match state()?.accounts.add_user(&token, new).await {
        Ok(u) => u,
        Err(e) => {
            crate::server::context::keep_form("users/create", &typed).await;
            return Err(gov(e));
        }
    };
    crate::server::context::notice(
        true,
        format!("User {} was created. They must choose their own password at first sign-in.", user.username),
    )
    .await;
    leptos_axum::redirect("/users");
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
    crate::server::context::notice(true, format!("User {} was updated.", user.username)).await;
    leptos_axum::redirect("/users");
    Ok(())
}

/// Deactivates (`active=false`) or reactivates a user.
#[server(endpoint = "users/active")]
pub async fn set_user_active(user_id: i64, active: bool) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_admin().map_err(gov)?;
    let user = state()?.accounts.set_active(&token, user_id, active).await.map_err(gov)?;
    crate::server::context::notice(true, format!("User {} was updated.", user.username)).await;
    leptos_axum::redirect("/users");
    Ok(())
}

/// Sets a new one-time password for another user (shown once on the users page, to hand
/// over); they must change it at next sign-in.
#[server(endpoint = "users/reset_password")]
pub async fn reset_user_password(user_id: i64) -> Result<(), AppError> {
    use crate::server::context::{FLASH_KEY, Flash, fail, gov, principal, session, state};
    let token = principal()?.as_admin().map_err(gov)?;
    let session = session()?;
    let (user, secret) = state()?.accounts.reset_password(&token, user_id).await.map_err(gov)?;
    session.insert(FLASH_KEY, Flash::NewPassword { username: user.username, secret }).await.map_err(|e| {
        tracing::error!(error = %e, "could not keep the new password for the next page");
        fail(AppError::Unavailable)
    })?;
    leptos_axum::redirect("/users");
    Ok(())
}

/// The one-time password set just now, if this page is the one to show it: (user, password).
#[server(endpoint = "users/new_password")]
pub async fn new_password() -> Result<Option<(String, String)>, AppError> {
    use crate::server::context::{Flash, flash, gov, principal};
    let shown = flash();
    principal()?.as_admin().map_err(gov)?;
    Ok(match shown {
        Some(Flash::NewPassword { username, secret }) => Some((username, secret)),
        _ => None,
    })
}

/// The sign-in counters with failures in the throttling window, the most recent first.
#[server(endpoint = "users/throttles")]
pub async fn list_throttles() -> Result<Vec<ThrottleRow>, AppError> {
    use crate::api::show_time;
    use crate::server::context::{gov, principal, state};
    use governance::throttle::{retry_after_secs, wait_in_words};
    let token = principal()?.as_admin().map_err(gov)?;
    let now = governance::clock::now();
    let rows = state()?.accounts.throttles(&token).await.map_err(gov)?;
    Ok(rows
        .into_iter()
        .map(|t| ThrottleRow {
            key: t.key,
            scope: t.scope.label().to_owned(),
            named: t.named,
            failures: t.failures,
            threshold: t.threshold,
            last_failed_at: show_time(&t.last_failed_at),
            locked_for: t.locked_until.map(|u| wait_in_words(retry_after_secs(now, u))),
        })
        .collect())
}

/// Clears one sign-in counter, unlocking it.
#[server(endpoint = "users/throttles/clear")]
pub async fn clear_throttle(key: String) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_admin().map_err(gov)?;
    state()?.accounts.clear_throttle(&token, &key).await.map_err(gov)?;
    crate::server::context::notice(true, "Cleared: that counter starts again from nothing.").await;
    leptos_axum::redirect("/users/throttles");
    Ok(())
}
