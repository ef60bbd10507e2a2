//! The calling agent, from `Authorization: Bearer tnr_…`.

use crate::api::error::ApiError;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use governance::service::agents::AgentPrincipal;
use governance::{GovError, Services};

/// An authenticated agent (suspended agents included: they are told they are suspended),
/// read from the database.
#[derive(Debug, Clone)]
pub struct AgentAuth(pub AgentPrincipal);

/// The key an agent presented, not yet checked (for the decision endpoint, which checks it
/// against the decision inputs kept in memory).
pub struct BearerKey(pub String);

impl<S: Sync> FromRequestParts<S> for BearerKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
        match header.strip_prefix("Bearer ").map(str::trim).filter(|k| !k.is_empty()) {
            Some(key) => Ok(BearerKey(key.to_owned())),
            None => {
                Err(GovError::Unauthenticated("send the agent's API key as 'Authorization: Bearer tnr_…'".into())
                    .into())
            }
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AgentAuth
where
    Services: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let BearerKey(key) = BearerKey::from_request_parts(parts, state).await?;
        Ok(AgentAuth(Services::from_ref(state).agents.authenticate(&key).await?))
    }
}
