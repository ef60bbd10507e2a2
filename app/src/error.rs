//! The error every server function returns, shaped for showing next to a form field.

use serde::{Deserialize, Serialize};
use server_fn_error::*;

mod server_fn_error {
    pub use leptos::server_fn::codec::JsonEncoding;
    pub use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
}

/// What went wrong, in words a person can act on. Internal details are logged, never sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// A field's value is not acceptable.
    #[error("{message}")]
    Field { field: String, message: String },
    /// The value collides with what exists (taken name, lost race, last admin).
    #[error("{message}")]
    Conflict { field: String, message: String },
    /// Not signed in, or the session ended.
    #[error("please sign in")]
    Unauthenticated,
    /// The role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// Nothing by that name or id.
    #[error("{0} not found")]
    NotFound(String),
    /// Wrong user name or password.
    #[error("wrong user name or password")]
    BadCredentials,
    /// Too many failed sign-ins.
    #[error("too many failed sign-ins; try again in {wait}")]
    Throttled { retry_after_secs: u64, wait: String },
    /// The database is unreachable or failed; try again.
    #[error("Tenure could not complete this just now; please try again")]
    Unavailable,
    /// A fault that retrying will not fix; logged under this request id for the operators.
    #[error("Tenure could not complete this request (reference {request_id}); it has been logged")]
    Internal { request_id: String },
    /// The request itself was malformed.
    #[error("the request could not be read: {0}")]
    Request(String),
}

impl AppError {
    /// The form field this error belongs to, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Field { field, .. } | AppError::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The same error with its field placed in a scope (`scope/field`), so a page with several
    /// forms for one server function shows it next to the form that was sent.
    pub fn scoped(self, scope: &str) -> AppError {
        match self {
            AppError::Field { field, message } => AppError::Field { field: format!("{scope}/{field}"), message },
            AppError::Conflict { field, message } => AppError::Conflict { field: format!("{scope}/{field}"), message },
            other => other,
        }
    }

    /// The HTTP status an API client should see.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Field { .. } => 422,
            AppError::Conflict { .. } => 409,
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Throttled { .. } => 429,
            AppError::Unavailable => 503,
            AppError::Internal { .. } => 500,
            AppError::Request(_) => 400,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// A form the server function cannot read (a field missing or of the wrong kind, as a stale
    /// or hand-made form sends) is named like any other field error, not a bare 500.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match &value {
            ServerFnErrorErr::Args(why) => match why.split('`').nth(1).filter(|_| why.contains("missing field")) {
                Some(field) => AppError::Field {
                    field: field.to_owned(),
                    message: "this field was missing from the form; reload the page and send it again".into(),
                },
                None => {
                    AppError::Request(format!("the form could not be read ({why}); reload the page and send it again"))
                }
            },
            _ => AppError::Request(value.to_string()),
        }
    }
}
