//! Signing in and out, the current user, and changing one's own password.

use crate::error::AppError;
use crate::model::Me;
use leptos::prelude::*;

/// Where to go after signing in: only a local path, never another site; without one (or
/// with the dashboard, where every sign-in form starts) where the person's work is
/// ([`Section::home`](crate::sections::Section::home)).
pub fn safe_next(next: Option<&str>, roles: &[String]) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && n != "/"
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.starts_with("/login") =>
        {
            n.to_owned()
        }
        _ => crate::sections::Section::home(roles).to_owned(),
    }
}

/// Signs in; renews the session id so a planted id is useless afterwards.
#[server(endpoint = "login")]
pub async fn login(username: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::context::{USER_ID_KEY, client_addr, fail, gov, session, state};
    if username.trim().is_empty() {
        return Err(fail(AppError::Field { field: "username".into(), message: "enter your user name".into() }));
    }
    if password.is_empty() {
        return Err(fail(AppError::Field { field: "password".into(), message: "enter your password".into() }));
    }
    let st = state()?;
    let session = session()?;
    let addr = client_addr().await;
    let principal = st.accounts.login(&username, &password, &addr).await.map_err(gov)?;
    let stored = async {
        session.cycle_id().await?;
        session.insert(USER_ID_KEY, principal.user_id).await
    };
    stored.await.map_err(|e| {
        tracing::error!(error = %e, "could not store the session");
        fail(AppError::Unavailable)
    })?;
    let roles: Vec<String> = principal.roles.iter().map(|r| r.as_str().to_owned()).collect();
    let to = if principal.must_change_password {
        "/account/password".to_owned()
    } else {
        safe_next(next.as_deref(), &roles)
    };
    leptos_axum::redirect(&to);
    Ok(())
}

/// Signs out: the session is deleted from the store and the cookie cleared.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::context::{fail, session};
    session()?.flush().await.map_err(|e| {
        tracing::error!(error = %e, "could not delete the session");
        fail(AppError::Unavailable)
    })?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The notice the last form left for this page (shown once), or none.
#[server(endpoint = "notice")]
pub async fn take_notice() -> Result<Option<crate::model::Notice>, AppError> {
    Ok(crate::server::context::take_notice().await)
}

/// What was typed into `form` before it was refused, for the page to show again (once).
#[server(endpoint = "kept_form")]
pub async fn kept_form(form: String) -> Result<crate::model::KeptForm, AppError> {
    Ok(crate::server::context::take_kept_form(&form).await)
}

/// The signed-in user, or none.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<Me>, AppError> {
    use crate::server::context::{gov, principal, state};
    let Ok(p) = principal() else { return Ok(None) };
    let inbox_waiting = match p.as_reviewer() {
        Ok(token) => Some(state()?.inbox.counts(&token).await.map_err(gov)?.total()),
        Err(_) => None,
    };
    let reviews_overdue = match p.as_manager() {
        Ok(token) => Some(state()?.trust_reviews.overdue_count(&token).await.map_err(gov)?),
        Err(_) => None,
    };
    let alerts_open = match p.as_member() {
        Ok(token) => Some(state()?.alerts.open_count(&token).await.map_err(gov)?),
        Err(_) => None,
    };
    Ok(Some(Me {
        username: p.username,
        roles: p.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        must_change_password: p.must_change_password,
        inbox_waiting,
        reviews_overdue,
        alerts_open,
    }))
}

/// Changes the caller's own password (also allowed while a change is required).
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use crate::server::context::{fail, gov, principal, session, state};
    let who = principal()?;
    let st = state()?;
    let session = session()?;
    st.accounts.change_own_password(&who, &current_password, &new_password, &confirm_password).await.map_err(gov)?;
    session.cycle_id().await.map_err(|e| {
        tracing::error!(error = %e, "could not renew the session");
        fail(AppError::Unavailable)
    })?;
    if who.must_change_password {
        crate::server::context::notice(true, "Your password is set. Welcome to Tenure.").await;
        let roles: Vec<String> = who.roles.iter().map(|r| r.as_str().to_owned()).collect();
        leptos_axum::redirect(crate::sections::Section::home(&roles));
    } else {
        crate::server::context::notice(true, "Your password is changed.").await;
        leptos_axum::redirect("/account/password");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_only_ever_a_local_path() {
        let reviewer = ["reviewer".to_owned()];
        assert_eq!(safe_next(Some("/users"), &reviewer), "/users");
        assert_eq!(safe_next(Some("//evil.example"), &reviewer), "/inbox");
        assert_eq!(safe_next(Some("https://evil.example"), &reviewer), "/inbox");
        assert_eq!(safe_next(Some("/\\evil.example"), &reviewer), "/inbox");
        assert_eq!(safe_next(None, &reviewer), "/inbox");
        assert_eq!(safe_next(Some("/"), &["auditor".to_owned()]), "/audit", "the form's default is no choice");
        assert_eq!(safe_next(None, &["manager".to_owned()]), "/");
    }
}
