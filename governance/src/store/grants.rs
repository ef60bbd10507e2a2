//! Grants: one row per agent and capability.

use crate::entity::{capabilities, grants, templates};
use crate::error::GovError;
use crate::policy::Tier;
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// A grant with the names it refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantRecord {
    pub id: i64,
    pub agent_id: i64,
    pub capability_id: i64,
    pub capability: String,
    pub template_id: i64,
    pub template: String,
    pub template_version: i64,
    pub tier: Tier,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
    pub review_due_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// When the current tier began.
    pub tier_since: DateTime<Utc>,
    /// When a detector suspended it (its requests are refused until a manager undoes that).
    pub suspended_at: Option<DateTime<Utc>>,
    /// Its current tier was reached without meeting the criteria (an override).
    pub tier_override: bool,
}

/// A new grant's columns.
pub struct GrantInsert<'a> {
    pub agent_id: i64,
    pub capability_id: i64,
    pub template_id: i64,
    pub template_version: i64,
    pub tier: Tier,
    pub granted_by: &'a str,
    pub review_due_at: DateTime<Utc>,
    /// It starts above the template's free start without the record for it.
    pub tier_override: bool,
}

async fn named(db: &impl ConnectionTrait, rows: Vec<grants::Model>) -> Result<Vec<GrantRecord>, GovError> {
    let caps: HashMap<i64, String> =
        capabilities::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let tpls: HashMap<i64, String> =
        templates::Entity::find().all(db).await?.into_iter().map(|t| (t.id, t.name)).collect();
    Ok(rows
        .into_iter()
        .map(|g| GrantRecord {
            id: g.id,
            agent_id: g.agent_id,
            capability_id: g.capability_id,
            capability: caps.get(&g.capability_id).cloned().unwrap_or_default(),
            template_id: g.template_id,
            template: tpls.get(&g.template_id).cloned().unwrap_or_default(),
            template_version: g.template_version,
            tier: g.tier,
            granted_by: g.granted_by,
            granted_at: g.granted_at,
            review_due_at: g.review_due_at,
            revoked_at: g.revoked_at,
            tier_since: g.tier_since.unwrap_or(g.granted_at),
            suspended_at: g.suspended_at,
            tier_override: g.tier_override,
        })
        .collect())
}

/// The grant row for an agent and capability, live or revoked, on any connection.
pub async fn find(
    db: &impl ConnectionTrait,
    agent_id: i64,
    capability_id: i64,
) -> Result<Option<GrantRecord>, GovError> {
    let rows = grants::Entity::find()
        .filter(grants::Column::AgentId.eq(agent_id))
        .filter(grants::Column::CapabilityId.eq(capability_id))
        .all(db)
        .await?;
    Ok(named(db, rows).await?.into_iter().next())
}

/// One grant by id, on any connection.
pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<GrantRecord>, GovError> {
    let rows = grants::Entity::find_by_id(id).all(db).await?;
    Ok(named(db, rows).await?.into_iter().next())
}

/// Creates the grant, or re-activates a revoked one with the new terms.
pub async fn upsert(db: &impl ConnectionTrait, g: GrantInsert<'_>, existing: Option<i64>) -> Result<i64, GovError> {
    let now = crate::clock::now();
    let mut row = grants::ActiveModel {
        agent_id: Set(g.agent_id),
        capability_id: Set(g.capability_id),
        template_id: Set(g.template_id),
        template_version: Set(g.template_version),
        tier: Set(g.tier),
        granted_by: Set(g.granted_by.to_owned()),
        granted_at: Set(now),
        review_due_at: Set(g.review_due_at),
        revoked_at: Set(None),
        tier_since: Set(Some(now)),
        suspended_at: Set(None),
        tier_override: Set(g.tier_override),
        ..Default::default()
    };
    match existing {
        Some(id) => {
            row.id = Set(id);
            Ok(row.update(db).await?.id)
        }
        None => Ok(row.insert(db).await?.id),
    }
}

/// Moves a live grant from `from` to `to`, due for review at `review_due_at`; false if it was
/// not at `from` any more (a race).
pub async fn set_tier(
    db: &impl ConnectionTrait,
    id: i64,
    (from, to): (Tier, Tier),
    review_due_at: DateTime<Utc>,
    by_override: bool,
) -> Result<bool, GovError> {
    let row = grants::ActiveModel {
        tier: Set(to),
        tier_since: Set(Some(crate::clock::now())),
        review_due_at: Set(review_due_at),
        tier_override: Set(by_override),
        ..Default::default()
    };
    let res = grants::Entity::update_many()
        .set(row)
        .filter(grants::Column::Id.eq(id))
        .filter(grants::Column::Tier.eq(from))
        .filter(grants::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Marks whether the grant's current tier was reached by override (an undo restoring a tier
/// restores its mark too).
pub async fn set_override(db: &impl ConnectionTrait, id: i64, by_override: bool) -> Result<(), GovError> {
    grants::Entity::update_many()
        .set(grants::ActiveModel { tier_override: Set(by_override), ..Default::default() })
        .filter(grants::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Moves a live grant from template version `from` to `to`; false if it was not at `from`
/// any more (a race).
pub async fn set_template_version(db: &impl ConnectionTrait, id: i64, from: i64, to: i64) -> Result<bool, GovError> {
    let res = grants::Entity::update_many()
        .set(grants::ActiveModel { template_version: Set(to), ..Default::default() })
        .filter(grants::Column::Id.eq(id))
        .filter(grants::Column::TemplateVersion.eq(from))
        .filter(grants::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Sets when a live grant is next due for review, if it was still due at `was` (a second
/// review of the same due date is a race); false otherwise.
pub async fn set_review_due(
    db: &impl ConnectionTrait,
    id: i64,
    was: DateTime<Utc>,
    due: DateTime<Utc>,
) -> Result<bool, GovError> {
    let res = grants::Entity::update_many()
        .set(grants::ActiveModel { review_due_at: Set(due), ..Default::default() })
        .filter(grants::Column::Id.eq(id))
        .filter(grants::Column::ReviewDueAt.eq(was))
        .filter(grants::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Revokes a live grant; false if it was already revoked.
pub async fn revoke(db: &impl ConnectionTrait, id: i64) -> Result<bool, GovError> {
    let res = grants::Entity::update_many()
        .set(grants::ActiveModel { revoked_at: Set(Some(crate::clock::now())), ..Default::default() })
        .filter(grants::Column::Id.eq(id))
        .filter(grants::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Suspends a live grant (`Some(at)`) or lifts its suspension (`None`); false when it was
/// already so, or is revoked.
pub async fn set_suspended(db: &impl ConnectionTrait, id: i64, at: Option<DateTime<Utc>>) -> Result<bool, GovError> {
    let was = match at {
        Some(_) => grants::Column::SuspendedAt.is_null(),
        None => grants::Column::SuspendedAt.is_not_null(),
    };
    let res = grants::Entity::update_many()
        .set(grants::ActiveModel { suspended_at: Set(at), ..Default::default() })
        .filter(grants::Column::Id.eq(id))
        .filter(grants::Column::RevokedAt.is_null())
        .filter(was)
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

impl Store {
    /// Every live grant below executor (those that have a next step), by id.
    pub async fn grants_below_executor(&self) -> Result<Vec<GrantRecord>, GovError> {
        let rows = grants::Entity::find()
            .filter(grants::Column::RevokedAt.is_null())
            .filter(grants::Column::Tier.ne(Tier::Executor))
            .order_by_asc(grants::Column::Id)
            .all(self.db())
            .await?;
        named(self.db(), rows).await
    }

    /// Every live grant due for review by `until`, soonest (most overdue) first.
    pub async fn grants_due_by(&self, until: DateTime<Utc>) -> Result<Vec<GrantRecord>, GovError> {
        let rows = grants::Entity::find()
            .filter(grants::Column::RevokedAt.is_null())
            .filter(grants::Column::ReviewDueAt.lte(until))
            .order_by_asc(grants::Column::ReviewDueAt)
            .order_by_asc(grants::Column::Id)
            .all(self.db())
            .await?;
        named(self.db(), rows).await
    }

    /// One page of the live grants due for review after `after`, soonest first, and how many
    /// there are in all.
    pub async fn grants_due_after(
        &self,
        after: DateTime<Utc>,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<GrantRecord>, u64), GovError> {
        let q = grants::Entity::find()
            .filter(grants::Column::RevokedAt.is_null())
            .filter(grants::Column::ReviewDueAt.gt(after));
        let total = q.clone().count(self.db()).await?;
        let rows = q
            .order_by_asc(grants::Column::ReviewDueAt)
            .order_by_asc(grants::Column::Id)
            .offset(offset)
            .limit(limit)
            .all(self.db())
            .await?;
        Ok((named(self.db(), rows).await?, total))
    }

    /// How many live grants were due for review before `now`.
    pub async fn grants_overdue_count(&self, now: DateTime<Utc>) -> Result<u64, GovError> {
        Ok(grants::Entity::find()
            .filter(grants::Column::RevokedAt.is_null())
            .filter(grants::Column::ReviewDueAt.lte(now))
            .count(self.db())
            .await?)
    }

    /// The live grants of several agents.
    pub async fn live_grants_of(&self, agent_ids: &[i64]) -> Result<Vec<GrantRecord>, GovError> {
        if agent_ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = grants::Entity::find()
            .filter(grants::Column::AgentId.is_in(agent_ids.iter().copied()))
            .filter(grants::Column::RevokedAt.is_null())
            .all(self.db())
            .await?;
        let mut out = named(self.db(), rows).await?;
        out.sort_by(|a, b| (a.agent_id, &a.capability).cmp(&(b.agent_id, &b.capability)));
        Ok(out)
    }

    /// An agent's grants, live and revoked, by capability.
    pub async fn grants_of(&self, agent_id: i64) -> Result<Vec<GrantRecord>, GovError> {
        let rows = grants::Entity::find()
            .filter(grants::Column::AgentId.eq(agent_id))
            .order_by_asc(grants::Column::Id)
            .all(self.db())
            .await?;
        let mut out = named(self.db(), rows).await?;
        out.sort_by(|a, b| a.capability.cmp(&b.capability));
        Ok(out)
    }
}
