//! Loads the signed-in principal for every console request and keeps people where they
//! belong: signed-out visitors go to the sign-in page, and a user with a temporary password
//! goes to the password page until they have chosen their own.

use app::server::context::{CurrentFlash, CurrentUser, FLASH_KEY, Flash, USER_ID_KEY};
use app::server::state::AppState;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Paths that are not pages: server functions, assets, the agent API and probes.
fn is_page(path: &str) -> bool {
    !["/api/", "/style/", "/pkg/", "/v1/"].iter().any(|p| path.starts_with(p))
        && path != "/healthz"
        && path != "/readyz"
}

fn encode_next(path_and_query: &str) -> String {
    path_and_query
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Puts a [`CurrentUser`] in the request's extensions and redirects page requests as needed.
pub async fn load_principal(State(state): State<AppState>, session: Session, mut req: Request, next: Next) -> Response {
    let user_id = match session.get::<i64>(USER_ID_KEY).await {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(error = %e, "could not read the session");
            return (StatusCode::SERVICE_UNAVAILABLE, "Tenure cannot reach its database; try again shortly.")
                .into_response();
        }
    };
    let principal = match user_id {
        Some(id) => match state.accounts.principal(id).await {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "could not load the signed-in user");
                return (StatusCode::SERVICE_UNAVAILABLE, "Tenure cannot reach its database; try again shortly.")
                    .into_response();
            }
        },
        None => None,
    };
    if user_id.is_some() && principal.is_none() {
        // The account was deactivated or removed: end the session.
        if let Err(e) = session.flush().await {
            tracing::warn!(error = %e, "could not end a stale session");
        }
    }
    let path = req.uri().path().to_owned();
    if req.method() == Method::GET && is_page(&path) {
        match &principal {
            None if path != "/login" => {
                let target = req.uri().path_and_query().map_or(path.as_str(), |pq| pq.as_str());
                let to =
                    if target == "/" { "/login".to_owned() } else { format!("/login?next={}", encode_next(target)) };
                return Redirect::to(&to).into_response();
            }
            Some(_) if path == "/login" => return Redirect::to("/").into_response(),
            Some(p) if p.must_change_password && path != "/account/password" => {
                return Redirect::to("/account/password").into_response();
            }
            _ => {}
        }
    }
    if req.method() == Method::GET && is_page(&path) && principal.is_some() {
        // A flash belongs to the page after the form that set it: take it now, once.
        match session.remove::<Flash>(FLASH_KEY).await {
            Ok(flash) => {
                req.extensions_mut().insert(CurrentFlash(flash));
            }
            Err(e) => tracing::warn!(error = %e, "could not read the flash message"),
        }
    }
    req.extensions_mut().insert(CurrentUser(principal));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_told_apart_from_other_paths() {
        assert!(is_page("/") && is_page("/users") && is_page("/login"));
        assert!(
            !is_page("/api/login") && !is_page("/style/main.css") && !is_page("/healthz") && !is_page("/v1/actions")
        );
    }

    #[test]
    fn next_is_percent_encoded() {
        assert_eq!(encode_next("/users?created=a b&x=1"), "/users%3Fcreated%3Da%20b%26x%3D1");
    }
}
