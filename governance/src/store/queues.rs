//! Storing the inbox's queues: reviewer groups and their members, routing rules, and the
//! assignment and claim on each waiting action (each change a compare-and-set on the row, so
//! of two people claiming at once exactly one gets it).

use crate::entity::{actions, reviewer_group_members as members, reviewer_groups as groups, routing_rules as routes};
use crate::error::GovError;
use crate::lifecycle::State;
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr,
};

/// A reviewer group as read.
pub type GroupRecord = groups::Model;
/// A routing rule as stored.
pub type RouteRecord = routes::Model;

/// States in which an item waits for a person and can be claimed or assigned.
pub const WAITING: [State; 3] = [State::NeedsApproval, State::AwaitingConfirmation, State::Shadow];

fn waiting() -> impl Iterator<Item = &'static str> {
    WAITING.iter().map(|s| s.as_str())
}

/// Who an item is assigned to: a person, a group, or (both none) no one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Assignee {
    pub user_id: Option<i64>,
    pub group_id: Option<i64>,
}

/// Creates a group; `None` when the name is taken.
pub async fn create_group(db: &impl ConnectionTrait, name: &str, now: DateTime<Utc>) -> Result<Option<i64>, GovError> {
    let row = groups::ActiveModel { name: Set(name.to_owned()), created_at: Set(now), ..Default::default() };
    match groups::Entity::insert(row).exec(db).await {
        Ok(r) => Ok(Some(r.last_insert_id)),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Adds a member; `false` when they already were one.
pub async fn add_member(db: &impl ConnectionTrait, group_id: i64, user_id: i64) -> Result<bool, GovError> {
    let row = members::ActiveModel { group_id: Set(group_id), user_id: Set(user_id) };
    let res = members::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([members::Column::GroupId, members::Column::UserId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(res == 1)
}

/// Removes a member; `false` when they were not one.
pub async fn remove_member(db: &impl ConnectionTrait, group_id: i64, user_id: i64) -> Result<bool, GovError> {
    let res = members::Entity::delete_many()
        .filter(members::Column::GroupId.eq(group_id))
        .filter(members::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Adds a routing rule; its id.
pub async fn add_route(
    db: &impl ConnectionTrait,
    capability: &str,
    condition: &str,
    group_id: i64,
    now: DateTime<Utc>,
) -> Result<i64, GovError> {
    let row = routes::ActiveModel {
        capability: Set(capability.to_owned()),
        condition: Set(condition.to_owned()),
        group_id: Set(group_id),
        created_at: Set(now),
        ..Default::default()
    };
    Ok(routes::Entity::insert(row).exec(db).await?.last_insert_id)
}

/// Removes a routing rule; the rule as it was, if there was one.
pub async fn remove_route(db: &impl ConnectionTrait, id: i64) -> Result<Option<RouteRecord>, GovError> {
    let Some(rule) = routes::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    routes::Entity::delete_by_id(id).exec(db).await?;
    Ok(Some(rule))
}

/// Claims waiting action `id` for `user` at `now`, unless someone else's claim made after
/// `lapsed_before` holds it. `false`: it is not waiting, or someone else holds it.
pub async fn claim(
    db: &impl ConnectionTrait,
    id: i64,
    user: i64,
    now: DateTime<Utc>,
    lapsed_before: DateTime<Utc>,
) -> Result<bool, GovError> {
    let free = Condition::any()
        .add(actions::Column::ClaimedBy.is_null())
        .add(actions::Column::ClaimedBy.eq(user))
        .add(actions::Column::ClaimedAt.lte(lapsed_before));
    let res = actions::Entity::update_many()
        .col_expr(actions::Column::ClaimedBy, Expr::value(user))
        .col_expr(actions::Column::ClaimedAt, Expr::value(now))
        .filter(actions::Column::Id.eq(id))
        .filter(actions::Column::State.is_in(waiting()))
        .filter(free)
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Lets go of `user`'s claim on `id`; `false` when they held none.
pub async fn release(db: &impl ConnectionTrait, id: i64, user: i64) -> Result<bool, GovError> {
    let res = actions::Entity::update_many()
        .col_expr(actions::Column::ClaimedBy, Expr::value(Option::<i64>::None))
        .col_expr(actions::Column::ClaimedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(actions::Column::Id.eq(id))
        .filter(actions::Column::ClaimedBy.eq(user))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Assigns waiting action `id` to `to`; `false` when it is not waiting.
pub async fn assign(db: &impl ConnectionTrait, id: i64, to: Assignee) -> Result<bool, GovError> {
    let res = actions::Entity::update_many()
        .col_expr(actions::Column::AssignedUserId, Expr::value(to.user_id))
        .col_expr(actions::Column::AssignedGroupId, Expr::value(to.group_id))
        // A person's assignment holds until changed (a copilot's first claim had a time).
        .col_expr(actions::Column::AssignedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(actions::Column::Id.eq(id))
        .filter(actions::Column::State.is_in(waiting()))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

impl Store {
    /// Every reviewer group, by name.
    pub async fn groups(&self) -> Result<Vec<GroupRecord>, GovError> {
        Ok(groups::Entity::find().order_by_asc(groups::Column::Name).all(self.db()).await?)
    }

    /// One group by id.
    pub async fn group(&self, id: i64) -> Result<Option<GroupRecord>, GovError> {
        Ok(groups::Entity::find_by_id(id).one(self.db()).await?)
    }

    /// Every membership as (group id, user id).
    pub async fn memberships(&self) -> Result<Vec<(i64, i64)>, GovError> {
        let rows = members::Entity::find().all(self.db()).await?;
        Ok(rows.into_iter().map(|m| (m.group_id, m.user_id)).collect())
    }

    /// The groups `user` is in.
    pub async fn groups_of(&self, user: i64) -> Result<Vec<i64>, GovError> {
        Ok(members::Entity::find()
            .select_only()
            .column(members::Column::GroupId)
            .filter(members::Column::UserId.eq(user))
            .into_tuple()
            .all(self.db())
            .await?)
    }

    /// Every routing rule, oldest first (the order they are tried in).
    pub async fn routes(&self) -> Result<Vec<RouteRecord>, GovError> {
        Ok(routes::Entity::find().order_by_asc(routes::Column::Id).all(self.db()).await?)
    }

    /// The routing rules of one capability, in the order they are tried.
    pub async fn routes_of(&self, capability: &str) -> Result<Vec<RouteRecord>, GovError> {
        Ok(routes::Entity::find()
            .filter(routes::Column::Capability.eq(capability))
            .order_by_asc(routes::Column::Id)
            .all(self.db())
            .await?)
    }
}
