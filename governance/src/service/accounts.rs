//! Accounts: first-run admin, sign-in with throttling, and user administration.

use crate::error::GovError;
use crate::evidence::{Actor, Draft};
use crate::password::{self, NewPassword};
use crate::principal::{AsAdmin, Principal};
use crate::roles::{Role, RoleSet};
use crate::store::throttle::Attempt;
use crate::store::users::{self, UserChange, UserRecord};
use crate::store::{Store, evidence, throttle};
use crate::throttle::Scope;
use crate::username::Username;
use chrono::{DateTime, Utc};
use serde_json::json;

pub use crate::throttle::ThrottlePolicy;

/// A sign-in counter as the admins see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThrottleView {
    /// The stored key (what clearing names).
    pub key: String,
    pub scope: Scope,
    /// The user name, the address, or both.
    pub named: String,
    pub failures: u64,
    /// Failures from which it locks.
    pub threshold: u64,
    pub last_failed_at: DateTime<Utc>,
    /// Set while it is locked.
    pub locked_until: Option<DateTime<Utc>>,
}

/// The accounts use cases.
#[derive(Clone, Debug)]
pub struct Accounts {
    store: Store,
    throttle: ThrottlePolicy,
}

/// A new user as entered by an admin (raw form values; validated by the service).
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    pub username: String,
    pub initial_password: String,
    pub roles: Vec<String>,
}

async fn hash_blocking(secret: String) -> Result<String, GovError> {
    tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| GovError::Internal(e.to_string()))?
        .map_err(GovError::Internal)
}

async fn verify_blocking(stored: String, secret: String) -> Result<bool, GovError> {
    tokio::task::spawn_blocking(move || password::verify(&stored, &secret))
        .await
        .map_err(|e| GovError::Internal(e.to_string()))
}

fn principal_of(u: &UserRecord) -> Principal {
    Principal {
        user_id: u.id,
        username: u.username.clone(),
        roles: u.roles.clone(),
        must_change_password: u.must_change_password,
    }
}

fn user_draft(
    actor: &Actor,
    kind: &'static str,
    user: &UserRecord,
    summary: String,
    details: serde_json::Value,
) -> Draft {
    Draft { actor: actor.clone(), kind, subject_kind: "user", subject_id: user.id.to_string(), summary, details }
}

impl Accounts {
    /// Accounts over `store` with the given sign-in throttle.
    pub fn new(store: Store, throttle: ThrottlePolicy) -> Accounts {
        Accounts { store, throttle }
    }

    /// The store, for read-only figures.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// On first start (no users at all) creates `admin` with a random password, which it
    /// returns so it can be printed once; the admin must change it at first sign-in.
    pub async fn ensure_first_admin(&self) -> Result<Option<String>, GovError> {
        if self.store.user_count().await? > 0 {
            return Ok(None);
        }
        let secret = password::generate(20);
        let roles = RoleSet::from_roles([Role::Admin]);
        match self.create(&Actor::system("first start"), "admin", &secret, &roles).await {
            Ok(_) => Ok(Some(secret)),
            // Another instance created it first.
            Err(GovError::Conflict { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn create(
        &self,
        actor: &Actor,
        username: &str,
        secret: &str,
        roles: &RoleSet,
    ) -> Result<UserRecord, GovError> {
        let hash = hash_blocking(secret.to_owned()).await?;
        let txn = self.store.begin_write().await?;
        let id = users::insert(&txn, username, hash, roles, true).await?;
        let user = users::by_id(&txn, id).await?.ok_or_else(|| GovError::NotFound(format!("user {id}")))?;
        let summary = format!("{} created user {} ({})", actor.name, user.username, roles);
        evidence::append(&txn, &user_draft(actor, "user.created", &user, summary, json!({"roles": roles}))).await?;
        txn.commit().await?;
        Ok(user)
    }

    /// Signs in: refuses while a throttle covers the name or the client address (see
    /// [`crate::throttle`]); takes as long for an unknown or inactive user as for a wrong
    /// password.
    pub async fn login(&self, username: &str, secret: &str, client_addr: &str) -> Result<Principal, GovError> {
        let name = username.trim().to_lowercase();
        // Not a name anyone has, and not one to key a throttle by.
        crate::text::storable("username", &name).map_err(GovError::field)?;
        crate::text::storable("client", client_addr).map_err(GovError::field)?;
        let now = crate::clock::now();
        let address_row = match self.store.begin_sign_in(&name, client_addr, &self.throttle, now).await? {
            Attempt::Locked { retry_after_secs } => return Err(GovError::Throttled { retry_after_secs }),
            Attempt::Counted { address_row } => address_row,
        };
        let user = self.store.user_by_name(&name).await?;
        let stored = user.as_ref().map_or_else(|| password::dummy_hash().to_owned(), |u| u.password_hash.clone());
        let matches = verify_blocking(stored, secret.to_owned()).await?;
        let txn = self.store.begin_write().await?;
        match user {
            Some(u) if matches && u.active => {
                throttle::succeeded(&txn, &name, client_addr, address_row).await?;
                users::update(&txn, u.id, UserChange { last_login_at: Some(now), ..Default::default() }).await?;
                let actor = Actor::user(u.id, &u.username);
                let summary = format!("{} signed in", u.username);
                evidence::append(&txn, &user_draft(&actor, "auth.login", &u, summary, json!({"client": client_addr})))
                    .await?;
                txn.commit().await?;
                Ok(principal_of(&u))
            }
            _ => {
                // The failure was counted before the password was checked.
                let draft = Draft {
                    actor: Actor::system("sign-in"),
                    kind: "auth.login_failed",
                    subject_kind: "user",
                    subject_id: name.clone(),
                    summary: format!("failed sign-in as '{name}'"),
                    details: json!({"client": client_addr}),
                };
                evidence::append(&txn, &draft).await?;
                txn.commit().await?;
                Err(GovError::BadCredentials)
            }
        }
    }

    /// The sign-in counters with failures in the window, the most recent first (admin only).
    pub async fn throttles(&self, _by: &AsAdmin) -> Result<Vec<ThrottleView>, GovError> {
        let now = crate::clock::now();
        let rows = self.store.throttles_since(now - self.throttle.window).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let (scope, named) = Scope::of_key(&r.throttle_key)?;
                let failures = r.failures.max(0) as u64;
                let locked_until =
                    crate::throttle::locked_until(scope, &self.throttle, failures, Some(r.last_failed_at))
                        .filter(|u| *u > now);
                Some(ThrottleView {
                    key: r.throttle_key,
                    scope,
                    named,
                    failures,
                    threshold: scope.threshold(&self.throttle),
                    last_failed_at: r.last_failed_at,
                    locked_until,
                })
            })
            .collect())
    }

    /// Forgets one counter's failures, unlocking it (admin only); recorded as evidence.
    pub async fn clear_throttle(&self, by: &AsAdmin, key: &str) -> Result<u64, GovError> {
        let (scope, named) = Scope::of_key(key).ok_or_else(|| GovError::invalid("key", "not a sign-in counter"))?;
        let txn = self.store.begin_write().await?;
        let cleared = throttle::clear(&txn, key).await?;
        if cleared == 0 {
            return Err(GovError::NotFound(format!("sign-in counter for {named}")));
        }
        let actor = by.actor();
        let draft = Draft {
            actor: actor.clone(),
            kind: "auth.throttle_cleared",
            subject_kind: "throttle",
            subject_id: key.to_owned(),
            summary: format!("{} cleared the sign-in throttle of {} ({})", actor.name, named, scope.label()),
            details: json!({"key": key, "failures": cleared}),
        };
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(cleared)
    }

    /// The principal for a session's user id, if the user still exists and is active.
    pub async fn principal(&self, user_id: i64) -> Result<Option<Principal>, GovError> {
        Ok(self.store.user_by_id(user_id).await?.filter(|u| u.active).map(|u| principal_of(&u)))
    }

    /// Every user (admin only).
    pub async fn list(&self, _by: &AsAdmin) -> Result<Vec<UserRecord>, GovError> {
        self.store.list_users().await
    }

    /// Creates a user with an initial password they must change at first sign-in (admin only).
    pub async fn add_user(&self, by: &AsAdmin, new: NewUser) -> Result<UserRecord, GovError> {
        let username = Username::parse(&new.username).map_err(|m| GovError::invalid("username", m))?;
        let roles = RoleSet::parse(new.roles.iter().map(String::as_str)).map_err(|m| GovError::invalid("roles", m))?;
        let secret = NewPassword::parse(&new.initial_password, username.as_str())
            .map_err(|m| GovError::invalid("initial_password", m))?;
        self.create(by.actor(), username.as_str(), secret.expose(), &roles).await
    }

    /// The active user `username` as a principal, for the operator's own tools on the machine
    /// (the command line, seeding a demo); `None` if there is no such active user.
    pub async fn principal_cli(&self, username: &str) -> Result<Option<Principal>, GovError> {
        match self.store.user_by_name(&username.trim().to_lowercase()).await? {
            Some(u) => self.principal(u.id).await,
            None => Ok(None),
        }
    }

    /// Creates a user from the command line with a generated password, which it returns.
    pub async fn add_user_cli(&self, username: &str, roles: &[String]) -> Result<(UserRecord, String), GovError> {
        let username = Username::parse(username).map_err(|m| GovError::invalid("NAME", m))?;
        let roles = RoleSet::parse(roles.iter().map(String::as_str)).map_err(|m| GovError::invalid("--role", m))?;
        let secret = password::generate(20);
        let user = self.create(&Actor::system("command line"), username.as_str(), &secret, &roles).await?;
        Ok((user, secret))
    }

    /// Replaces a user's roles (admin only); the last active admin keeps the admin role.
    pub async fn set_roles(&self, by: &AsAdmin, user_id: i64, roles: &[String]) -> Result<UserRecord, GovError> {
        let roles = RoleSet::parse(roles.iter().map(String::as_str)).map_err(|m| GovError::invalid("roles", m))?;
        let txn = self.store.begin_write().await?;
        let before = users::by_id(&txn, user_id).await?.ok_or_else(|| GovError::NotFound(format!("user {user_id}")))?;
        if before.roles == roles {
            return Ok(before);
        }
        if before.active
            && before.roles.contains(Role::Admin)
            && !roles.contains(Role::Admin)
            && users::count_active_with_role(&txn, Role::Admin).await? <= 1
        {
            return Err(GovError::Conflict {
                field: "roles",
                message: "the last active admin must keep the admin role".into(),
            });
        }
        users::replace_roles(&txn, user_id, &roles).await?;
        let summary =
            format!("{} changed the roles of {} from {} to {}", by.actor().name, before.username, before.roles, roles);
        let draft = user_draft(
            by.actor(),
            "user.roles_changed",
            &before,
            summary,
            json!({"before": before.roles, "after": roles}),
        );
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(UserRecord { roles, ..before })
    }

    /// Deactivates or reactivates a user (admin only); an admin cannot deactivate themself.
    pub async fn set_active(&self, by: &AsAdmin, user_id: i64, active: bool) -> Result<UserRecord, GovError> {
        if !active && by.actor().id == Some(user_id) {
            return Err(GovError::Conflict {
                field: "active",
                message: "you cannot deactivate your own account".into(),
            });
        }
        let txn = self.store.begin_write().await?;
        let before = users::by_id(&txn, user_id).await?.ok_or_else(|| GovError::NotFound(format!("user {user_id}")))?;
        if before.active == active {
            return Ok(before);
        }
        users::update(&txn, user_id, UserChange { active: Some(active), ..Default::default() }).await?;
        let (kind, verb) =
            if active { ("user.reactivated", "reactivated") } else { ("user.deactivated", "deactivated") };
        let summary = format!("{} {verb} {}", by.actor().name, before.username);
        evidence::append(&txn, &user_draft(by.actor(), kind, &before, summary, json!({"active": active}))).await?;
        txn.commit().await?;
        Ok(UserRecord { active, ..before })
    }

    /// Changes the caller's own password after checking the current one.
    pub async fn change_own_password(
        &self,
        who: &Principal,
        current: &str,
        new: &str,
        confirm: &str,
    ) -> Result<(), GovError> {
        let user =
            self.store.user_by_id(who.user_id).await?.ok_or_else(|| GovError::NotFound("your account".into()))?;
        if !verify_blocking(user.password_hash.clone(), current.to_owned()).await? {
            return Err(GovError::invalid("current_password", "this is not your current password"));
        }
        let secret = NewPassword::parse(new, &user.username).map_err(|m| GovError::invalid("new_password", m))?;
        if new != confirm {
            return Err(GovError::invalid("confirm_password", "does not match the new password"));
        }
        if new == current {
            return Err(GovError::invalid("new_password", "must differ from the current password"));
        }
        let hash = hash_blocking(secret.expose().to_owned()).await?;
        self.store_password(
            &who.actor(),
            &user,
            hash,
            false,
            "user.password_changed",
            format!("{} changed their password", user.username),
        )
        .await
    }

    /// An admin sets a new random one-time password for another user (shown to the admin once,
    /// to hand over); the user must change it at next sign-in, and a session they still have
    /// can do nothing else until then. An admin changes their own on their account page.
    pub async fn reset_password(&self, by: &AsAdmin, user_id: i64) -> Result<(UserRecord, String), GovError> {
        if by.actor().id == Some(user_id) {
            return Err(GovError::Conflict {
                field: "user_id",
                message: "change your own password on your account page".into(),
            });
        }
        let user =
            self.store.user_by_id(user_id).await?.ok_or_else(|| GovError::NotFound(format!("user {user_id}")))?;
        if !user.active {
            return Err(GovError::Conflict {
                field: "user_id",
                message: format!("{} is deactivated: reactivate the account first", user.username),
            });
        }
        let secret = password::generate(20);
        let hash = hash_blocking(secret.clone()).await?;
        let summary = format!("{} reset the password of {}", by.actor().name, user.username);
        self.store_password(by.actor(), &user, hash, true, "user.password_reset", summary).await?;
        Ok((UserRecord { must_change_password: true, ..user }, secret))
    }

    /// Sets a new random password from the command line; the user must change it at next sign-in.
    pub async fn reset_password_cli(&self, username: &str) -> Result<String, GovError> {
        let name = username.trim().to_lowercase();
        let user = self.store.user_by_name(&name).await?.ok_or_else(|| GovError::NotFound(format!("user '{name}'")))?;
        let secret = password::generate(20);
        let hash = hash_blocking(secret.clone()).await?;
        let summary = format!("password of {} reset from the command line", user.username);
        self.store_password(&Actor::system("command line"), &user, hash, true, "user.password_reset", summary).await?;
        Ok(secret)
    }

    async fn store_password(
        &self,
        actor: &Actor,
        user: &UserRecord,
        hash: String,
        must_change: bool,
        kind: &'static str,
        summary: String,
    ) -> Result<(), GovError> {
        let txn = self.store.begin_write().await?;
        users::update(&txn, user.id, UserChange { password: Some((hash, must_change)), ..Default::default() }).await?;
        evidence::append(&txn, &user_draft(actor, kind, user, summary, json!({"must_change_password": must_change})))
            .await?;
        txn.commit().await?;
        Ok(())
    }
}
