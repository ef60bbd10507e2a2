//! Failed sign-ins, counted per key (see `crate::throttle` for the scopes) over a sliding
//! window. The check and the count are one transaction: an attempt is counted as a failure
//! before its password is checked, under a lock, so forty simultaneous guesses against a limit
//! of five get five checks, not forty. A successful sign-in then removes its own counts.

use crate::entity::login_failures;
use crate::error::GovError;
use crate::store::{Store, placeholder};
use crate::throttle::{Scope, ThrottlePolicy, locked_until, retry_after_secs};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, Statement,
};

/// The PostgreSQL advisory lock that serialises sign-in checks across instances (SQLite's
/// write transaction does it there).
const SIGN_IN_LOCK: i64 = 0x5445_4e55_5245_5349; // "TENURESI"

/// What the check before a password says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Go on: the attempt is counted as a failure in every scope until a success takes it
    /// back ([`succeeded`]).
    Counted {
        /// The address scope's row for this attempt, which a success removes (the address's
        /// other failures stay).
        address_row: i64,
    },
    /// Refused without checking the password: the narrowest lock in force ends after this wait.
    Locked { retry_after_secs: u64 },
}

/// One counter as the admins' page shows it.
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct ThrottleRow {
    pub throttle_key: String,
    pub failures: i64,
    pub last_failed_at: DateTime<Utc>,
}

/// Records one failure for `key`; returns its row id.
pub async fn record(db: &impl ConnectionTrait, key: &str, at: DateTime<Utc>) -> Result<i64, GovError> {
    let row =
        login_failures::ActiveModel { throttle_key: Set(key.to_owned()), failed_at: Set(at), ..Default::default() }
            .insert(db)
            .await?;
    Ok(row.id)
}

/// Takes back a counted attempt that succeeded: the account's counters on that address and
/// overall are cleared, and the address loses this attempt's count only.
pub async fn succeeded(db: &impl ConnectionTrait, name: &str, addr: &str, address_row: i64) -> Result<(), GovError> {
    for scope in Scope::ALL.into_iter().filter(|s| s.cleared_by_success()) {
        clear(db, &scope.key(name, addr)).await?;
    }
    login_failures::Entity::delete_by_id(address_row).exec(db).await?;
    Ok(())
}

/// Forgets the failures of `key` (after a successful sign-in, or an admin clearing it).
pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<u64, GovError> {
    let res =
        login_failures::Entity::delete_many().filter(login_failures::Column::ThrottleKey.eq(key)).exec(db).await?;
    Ok(res.rows_affected)
}

/// How many failures `key` has at or after `since`, and the last one's time.
async fn window(
    db: &impl ConnectionTrait,
    key: &str,
    since: DateTime<Utc>,
) -> Result<(u64, Option<DateTime<Utc>>), GovError> {
    #[derive(FromQueryResult)]
    struct Row {
        n: i64,
        last: Option<DateTime<Utc>>,
    }
    let backend = db.get_database_backend();
    let (k, s) = (placeholder(backend, 1), placeholder(backend, 2));
    let sql = format!(
        "SELECT COUNT(*) AS n, MAX(failed_at) AS last FROM login_failures WHERE throttle_key = {k} AND failed_at >= {s}"
    );
    let stmt = Statement::from_sql_and_values(backend, sql, [key.into(), since.into()]);
    let row = Row::find_by_statement(stmt).one(db).await?;
    Ok(row.map_or((0, None), |r| (r.n.max(0) as u64, r.last)))
}

impl Store {
    /// Checks every scope's counter for `name` signing in from `addr` and, unless one is
    /// locked, counts this attempt in each: one transaction, serialised across instances.
    pub async fn begin_sign_in(
        &self,
        name: &str,
        addr: &str,
        policy: &ThrottlePolicy,
        now: DateTime<Utc>,
    ) -> Result<Attempt, GovError> {
        let txn = self.begin_write().await?;
        if self.backend() == DbBackend::Postgres {
            let lock = "SELECT pg_advisory_xact_lock($1)";
            txn.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, lock, [SIGN_IN_LOCK.into()])).await?;
        }
        let since = now - policy.window;
        let mut wait = None;
        for scope in Scope::ALL {
            let (failures, last) = window(&txn, &scope.key(name, addr), since).await?;
            if let Some(until) = locked_until(scope, policy, failures, last).filter(|u| *u > now) {
                wait = Some(wait.map_or(until, |w: DateTime<Utc>| w.max(until)));
            }
        }
        if let Some(until) = wait {
            txn.rollback().await?;
            return Ok(Attempt::Locked { retry_after_secs: retry_after_secs(now, until) });
        }
        let mut address_row = 0;
        for scope in Scope::ALL {
            let id = record(&txn, &scope.key(name, addr), now).await?;
            if scope == Scope::Address {
                address_row = id;
            }
        }
        txn.commit().await?;
        Ok(Attempt::Counted { address_row })
    }

    /// Every counter with failures at or after `since`, the most recent first.
    pub async fn throttles_since(&self, since: DateTime<Utc>) -> Result<Vec<ThrottleRow>, GovError> {
        let backend = self.backend();
        let p = placeholder(backend, 1);
        let sql = format!(
            "SELECT throttle_key, COUNT(*) AS failures, MAX(failed_at) AS last_failed_at FROM login_failures \
             WHERE failed_at >= {p} GROUP BY throttle_key ORDER BY last_failed_at DESC LIMIT 500"
        );
        let stmt = Statement::from_sql_and_values(backend, sql, [since.into()]);
        Ok(ThrottleRow::find_by_statement(stmt).all(self.db()).await?)
    }

    /// Deletes failures older than `before`; returns how many went.
    pub async fn prune_failures(&self, before: DateTime<Utc>) -> Result<u64, GovError> {
        let res = login_failures::Entity::delete_many()
            .filter(login_failures::Column::FailedAt.lt(before))
            .exec(self.db())
            .await?;
        Ok(res.rows_affected)
    }
}
