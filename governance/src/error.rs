//! The engine's one error type; each layer above maps it to its own presentation.

use sea_orm::DbErr;

/// Everything a service call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum GovError {
    /// Input failed validation; `field` names the form or JSON field.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    /// The thing asked for does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The write collides with the current state (duplicate name, lost race).
    #[error("{field}: {message}")]
    Conflict { field: &'static str, message: String },
    /// The caller's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// An API caller without a valid key (missing, malformed, unknown or revoked).
    #[error("{0}")]
    Unauthenticated(String),
    /// Wrong user name or password (never says which).
    #[error("wrong user name or password")]
    BadCredentials,
    /// Too many recent failed sign-ins for this user or address.
    #[error("too many failed sign-ins; try again in {retry_after_secs} seconds")]
    Throttled { retry_after_secs: u64 },
    /// The database failed; details are logged, never shown.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// Anything else unexpected; details are logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl GovError {
    /// Shorthand for a validation error on one field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> GovError {
        GovError::Invalid { field, message: message.into() }
    }
}
