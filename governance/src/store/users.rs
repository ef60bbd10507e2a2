//! Users and their roles.

use crate::entity::{user_roles, users};
use crate::error::GovError;
use crate::roles::{Role, RoleSet};
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, SqlErr,
};
use std::collections::HashMap;

/// A user with the roles they hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub active: bool,
    pub must_change_password: bool,
    pub roles: RoleSet,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

fn roles_of(rows: &[user_roles::Model]) -> RoleSet {
    RoleSet::from_roles(rows.iter().filter_map(|r| Role::parse(&r.role).ok()))
}

fn record(u: users::Model, roles: RoleSet) -> UserRecord {
    UserRecord {
        id: u.id,
        username: u.username,
        password_hash: u.password_hash,
        active: u.active,
        must_change_password: u.must_change_password,
        roles,
        created_at: u.created_at,
        last_login_at: u.last_login_at,
    }
}

/// Loads one user by id on any connection (inside a transaction or not).
pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<UserRecord>, GovError> {
    let Some(u) = users::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    let roles = user_roles::Entity::find().filter(user_roles::Column::UserId.eq(id)).all(db).await?;
    Ok(Some(record(u, roles_of(&roles))))
}

/// Inserts a user with roles; a taken name is a conflict on `username`.
pub async fn insert(
    db: &impl ConnectionTrait,
    username: &str,
    password_hash: String,
    roles: &RoleSet,
    must_change_password: bool,
) -> Result<i64, GovError> {
    let now = crate::clock::now();
    let row = users::ActiveModel {
        username: Set(username.to_owned()),
        password_hash: Set(password_hash),
        active: Set(true),
        must_change_password: Set(must_change_password),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(None),
        ..Default::default()
    };
    let inserted = row.insert(db).await.map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            GovError::Conflict { field: "username", message: format!("'{username}' is already taken") }
        }
        _ => GovError::from(e),
    })?;
    replace_roles(db, inserted.id, roles).await?;
    Ok(inserted.id)
}

/// Replaces a user's roles with `roles`.
pub async fn replace_roles(db: &impl ConnectionTrait, user_id: i64, roles: &RoleSet) -> Result<(), GovError> {
    user_roles::Entity::delete_many().filter(user_roles::Column::UserId.eq(user_id)).exec(db).await?;
    let rows: Vec<user_roles::ActiveModel> = roles
        .iter()
        .map(|r| user_roles::ActiveModel { user_id: Set(user_id), role: Set(r.as_str().to_owned()) })
        .collect();
    if !rows.is_empty() {
        user_roles::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([user_roles::Column::UserId, user_roles::Column::Role]).do_nothing().to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Updates some columns of one user; zero rows touched means the user does not exist.
pub async fn update(db: &impl ConnectionTrait, user_id: i64, change: UserChange) -> Result<(), GovError> {
    let mut row = users::ActiveModel { id: Set(user_id), updated_at: Set(crate::clock::now()), ..Default::default() };
    if let Some(active) = change.active {
        row.active = Set(active);
    }
    if let Some((hash, must_change)) = change.password {
        row.password_hash = Set(hash);
        row.must_change_password = Set(must_change);
    }
    if let Some(at) = change.last_login_at {
        row.last_login_at = Set(Some(at));
    }
    let res = users::Entity::update_many().set(row).filter(users::Column::Id.eq(user_id)).exec(db).await?;
    if res.rows_affected == 0 {
        return Err(GovError::NotFound(format!("user {user_id}")));
    }
    Ok(())
}

/// Which columns [`update`] changes.
#[derive(Default)]
pub struct UserChange {
    pub active: Option<bool>,
    pub password: Option<(String, bool)>,
    pub last_login_at: Option<DateTime<Utc>>,
}

/// How many active users hold `role`, on any connection.
pub async fn count_active_with_role(db: &impl ConnectionTrait, role: Role) -> Result<u64, GovError> {
    Ok(users::Entity::find()
        .join(JoinType::InnerJoin, user_roles::Relation::User.def().rev())
        .filter(user_roles::Column::Role.eq(role.as_str()))
        .filter(users::Column::Active.eq(true))
        .count(db)
        .await?)
}

impl Store {
    /// One user by id.
    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>, GovError> {
        by_id(self.db(), id).await
    }

    /// One user by (normalised) name.
    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>, GovError> {
        let found = users::Entity::find().filter(users::Column::Username.eq(username)).one(self.db()).await?;
        match found {
            Some(u) => by_id(self.db(), u.id).await,
            None => Ok(None),
        }
    }

    /// Every user with roles, by name.
    pub async fn list_users(&self) -> Result<Vec<UserRecord>, GovError> {
        let users = users::Entity::find().order_by_asc(users::Column::Username).all(self.db()).await?;
        let mut roles: HashMap<i64, Vec<user_roles::Model>> = HashMap::new();
        for r in user_roles::Entity::find().all(self.db()).await? {
            roles.entry(r.user_id).or_default().push(r);
        }
        Ok(users
            .into_iter()
            .map(|u| {
                let set = roles.get(&u.id).map(|r| roles_of(r)).unwrap_or_default();
                record(u, set)
            })
            .collect())
    }

    /// How many users exist at all.
    pub async fn user_count(&self) -> Result<u64, GovError> {
        Ok(users::Entity::find().count(self.db()).await?)
    }
}
