//! The engine's one error type; each layer above maps it to its own presentation.

use sea_orm::{DbErr, RuntimeErr};

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
    #[error("too many failed sign-ins; try again in {}", crate::throttle::wait_in_words(*retry_after_secs))]
    Throttled { retry_after_secs: u64 },
    /// The database cannot take the request now but may soon (connection lost, busy or
    /// locked, disk full, no pooled connection in time): nothing was recorded; retrying later
    /// can succeed. Details are logged, never shown.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database refused the request for good (a value or statement it will never
    /// accept); retrying cannot help. Details are logged, never shown.
    #[error("database error: {0}")]
    Db(DbErr),
    /// Anything else unexpected; details are logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl GovError {
    /// Shorthand for a validation error on one field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> GovError {
        GovError::Invalid { field, message: message.into() }
    }

    /// A validation error from a `(field, message)` pair, as the pure checks return them.
    pub fn field((field, message): (&'static str, String)) -> GovError {
        GovError::Invalid { field, message }
    }

    /// Whether the same request may succeed later unchanged.
    pub fn is_transient(&self) -> bool {
        matches!(self, GovError::Unavailable(_))
    }
}

impl From<DbErr> for GovError {
    /// Sorts a database error into transient ([`GovError::Unavailable`]) or permanent
    /// ([`GovError::Db`]) by what the driver reports.
    fn from(e: DbErr) -> GovError {
        if is_transient(&e) { GovError::Unavailable(e.to_string()) } else { GovError::Db(e) }
    }
}

/// SQLite result codes (primary code, the low byte of an extended one) that a later try can
/// get past: BUSY, LOCKED, NOMEM, IOERR, FULL, CANTOPEN, PROTOCOL.
const SQLITE_TRANSIENT: [i64; 7] = [5, 6, 7, 10, 13, 14, 15];

/// PostgreSQL SQLSTATE classes and codes that a later try can get past: connection exceptions
/// (08), insufficient resources such as a full disk (53), operator intervention such as a
/// shutdown (57), serialization failures and deadlocks (40001, 40P01), lock not available (55P03).
fn postgres_transient(code: &str) -> bool {
    ["08", "53", "57"].iter().any(|class| code.starts_with(class)) || ["40001", "40P01", "55P03"].contains(&code)
}

/// Whether `e` is a fault of the moment rather than a refusal of the request itself.
pub fn is_transient(e: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    match e {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(s)) | DbErr::Query(RuntimeErr::SqlxError(s)) => match s.as_ref() {
            Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed | Sqlx::Protocol(_) => true,
            Sqlx::Tls(_) | Sqlx::BeginFailed => true,
            Sqlx::Database(db) => {
                let code = db.code().unwrap_or_default();
                if db.try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>().is_some() {
                    postgres_transient(&code)
                } else {
                    code.parse::<i64>().is_ok_and(|n| SQLITE_TRANSIENT.contains(&(n & 0xff)))
                }
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_faults_are_transient_and_refusals_are_not() {
        assert!(is_transient(&DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout)));
        assert!(!is_transient(&DbErr::Custom("no".into())));
        assert!(!is_transient(&DbErr::RecordNotFound("x".into())));
        assert!(postgres_transient("08006") && postgres_transient("53100") && postgres_transient("57P01"));
        assert!(postgres_transient("40001"));
        // invalid byte sequence (a NUL in text), unique violation, check violation
        assert!(!postgres_transient("22021") && !postgres_transient("23505") && !postgres_transient("23514"));
        assert!(matches!(GovError::from(DbErr::Custom("x".into())), GovError::Db(_)));
        assert!(GovError::from(DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::ConnectionClosed)).is_transient());
    }
}
