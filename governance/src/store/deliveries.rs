//! Deliveries of the notification outbox: new events matched once to the subscriptions that
//! want them (`dispatch_events`), and due deliveries leased to one instance at a time while it
//! sends them (`claim_deliveries`, `finish_delivery`), so several instances on one database send
//! each once.

use super::notifications::{NewEvent, SubscriptionRecord, event_row, filter_of};
use crate::entity::{
    notification_deliveries as deliveries, notification_subscriptions as subs, outbox_events as events,
};
use crate::error::GovError;
use crate::notify::{DeliveryState, EventKind, Filter};
use crate::store::Store;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::HashMap;

pub type DeliveryRecord = deliveries::Model;

/// How long a claimed delivery is held before another instance may take it over.
pub const LEASE: Duration = Duration::seconds(60);

/// How a claimed delivery ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finish {
    pub state: DeliveryState,
    pub status: Option<u16>,
    pub error: Option<String>,
    /// For a delivery tried again: when.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Matches up to `limit` events not yet dispatched against the active subscriptions that
    /// existed when each happened, and creates their deliveries, in one transaction; returns how
    /// many events it dispatched. `risks` gives each capability's risk.
    pub async fn dispatch_events(
        &self,
        limit: u64,
        risks: &HashMap<String, crate::capability::Risk>,
        now: DateTime<Utc>,
    ) -> Result<usize, GovError> {
        let txn = self.begin_write().await?;
        let pending = events::Entity::find()
            .filter(events::Column::DispatchedAt.is_null())
            .order_by_asc(events::Column::Id)
            .limit(limit)
            .all(&txn)
            .await?;
        if pending.is_empty() {
            txn.rollback().await?;
            return Ok(0);
        }
        let active = subs::Entity::find().filter(subs::Column::Active.eq(true)).all(&txn).await?;
        let filters: Vec<(&SubscriptionRecord, Filter)> = active.iter().map(|s| (s, filter_of(s))).collect();
        let mut rows = Vec::new();
        for e in &pending {
            let Ok(kind) = EventKind::parse(&e.kind) else { continue };
            let risk = e.capability.as_ref().and_then(|c| risks.get(c)).copied();
            for (s, f) in &filters {
                if s.created_at <= e.created_at && f.wants(kind, e.capability.as_deref(), risk) {
                    rows.push(delivery_row(e.id, s.id, now));
                }
            }
        }
        insert_deliveries(&txn, rows).await?;
        let ids: Vec<i64> = pending.iter().map(|e| e.id).collect();
        events::Entity::update_many()
            .col_expr(events::Column::DispatchedAt, Expr::value(now))
            .filter(events::Column::Id.is_in(ids))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(pending.len())
    }

    /// Queues `event_id` for subscription `subscription_id` alone (an administrator's test).
    pub async fn deliver_to(&self, event: NewEvent, subscription_id: i64, now: DateTime<Utc>) -> Result<i64, GovError> {
        let txn = self.begin_write().await?;
        let mut e = event_row(event, now);
        e.dispatched_at = Set(Some(now));
        let e = e.insert(&txn).await?;
        let d = delivery_row(e.id, subscription_id, now).insert(&txn).await?;
        txn.commit().await?;
        Ok(d.id)
    }

    /// Whether any delivery is due at `now` and free to take (a read: the sender asks it every
    /// second, and takes the write lock only when the answer is yes).
    pub async fn any_delivery_due(&self, now: DateTime<Utc>) -> Result<bool, GovError> {
        Ok(deliveries::Entity::find()
            .filter(free_at(now))
            .select_only()
            .column(deliveries::Column::Id)
            .into_tuple::<i64>()
            .one(self.db())
            .await?
            .is_some())
    }

    /// Takes up to `n` deliveries due at `now` for `owner` until `lease_until`. Another
    /// instance's live lease is respected, an expired one (it stopped mid-delivery) taken over.
    pub async fn claim_deliveries(
        &self,
        owner: &str,
        n: u64,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<DeliveryRecord>, GovError> {
        let free = || free_at(now);
        let due = Query::select()
            .column(deliveries::Column::Id)
            .from(deliveries::Entity)
            .cond_where(free())
            .order_by(deliveries::Column::NextAttemptAt, Order::Asc)
            .order_by(deliveries::Column::Id, Order::Asc)
            .limit(n)
            .to_owned();
        let txn = self.begin_write().await?;
        let claimed = deliveries::Entity::update_many()
            .col_expr(deliveries::Column::LeaseOwner, Expr::value(owner.to_owned()))
            .col_expr(deliveries::Column::LeaseUntil, Expr::value(lease_until))
            .col_expr(deliveries::Column::UpdatedAt, Expr::value(now))
            .filter(deliveries::Column::Id.in_subquery(due))
            // Checked again on the row itself: on PostgreSQL a second instance that waited for
            // the first's row locks sees the lease and skips the row.
            .filter(free())
            .exec_with_returning(&txn)
            .await?;
        txn.commit().await?;
        Ok(claimed)
    }

    /// Records how a claimed delivery ended; false when `owner` no longer holds it.
    pub async fn finish_delivery(
        &self,
        d: &DeliveryRecord,
        owner: &str,
        f: Finish,
        now: DateTime<Utc>,
    ) -> Result<bool, GovError> {
        let res = deliveries::Entity::update_many()
            .set(deliveries::ActiveModel {
                state: Set(f.state.as_str().to_owned()),
                attempts: Set(d.attempts + 1),
                next_attempt_at: Set(f.next_attempt_at.unwrap_or(d.next_attempt_at)),
                last_status: Set(f.status.map(i32::from)),
                last_error: Set(f.error),
                delivered_at: Set((f.state == DeliveryState::Delivered).then_some(now)),
                lease_owner: Set(None),
                lease_until: Set(None),
                updated_at: Set(now),
                ..Default::default()
            })
            .filter(deliveries::Column::Id.eq(d.id))
            .filter(deliveries::Column::LeaseOwner.eq(owner))
            .exec(self.db())
            .await?;
        Ok(res.rows_affected == 1)
    }

    pub async fn delivery_by_id(&self, id: i64) -> Result<Option<DeliveryRecord>, GovError> {
        Ok(deliveries::Entity::find_by_id(id).one(self.db()).await?)
    }

    /// The newest deliveries, optionally of one state, newest first.
    pub async fn recent_deliveries(
        &self,
        state: Option<DeliveryState>,
        limit: u64,
    ) -> Result<Vec<DeliveryRecord>, GovError> {
        let mut q = deliveries::Entity::find().order_by_desc(deliveries::Column::Id).limit(limit);
        if let Some(s) = state {
            q = q.filter(deliveries::Column::State.eq(s.as_str()));
        }
        Ok(q.all(self.db()).await?)
    }

    /// Deliveries per subscription and state.
    pub async fn delivery_counts(&self) -> Result<Vec<(i64, String, u64)>, GovError> {
        let rows: Vec<(i64, String, i64)> = deliveries::Entity::find()
            .select_only()
            .column(deliveries::Column::SubscriptionId)
            .column(deliveries::Column::State)
            .column_as(deliveries::Column::Id.count(), "n")
            .group_by(deliveries::Column::SubscriptionId)
            .group_by(deliveries::Column::State)
            .into_tuple()
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|(s, st, n)| (s, st, n.max(0) as u64)).collect())
    }
}

/// Sends a dead (or delivered) delivery again from its first attempt; false when it is
/// pending already or does not exist.
pub async fn redeliver(db: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<bool, GovError> {
    let res = deliveries::Entity::update_many()
        .set(deliveries::ActiveModel {
            state: Set(DeliveryState::Pending.as_str().to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            lease_owner: Set(None),
            lease_until: Set(None),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(deliveries::Column::Id.eq(id))
        .filter(deliveries::Column::State.ne(DeliveryState::Pending.as_str()))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Pending, due at `now`, and not leased (or its lease ran out).
fn free_at(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(deliveries::Column::State.eq(DeliveryState::Pending.as_str()))
        .add(deliveries::Column::NextAttemptAt.lte(now))
        .add(Condition::any().add(deliveries::Column::LeaseUntil.is_null()).add(deliveries::Column::LeaseUntil.lt(now)))
}

fn delivery_row(event_id: i64, subscription_id: i64, now: DateTime<Utc>) -> deliveries::ActiveModel {
    deliveries::ActiveModel {
        event_id: Set(event_id),
        subscription_id: Set(subscription_id),
        state: Set(DeliveryState::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

async fn insert_deliveries(db: &impl ConnectionTrait, rows: Vec<deliveries::ActiveModel>) -> Result<(), GovError> {
    // Bounded statements: a busy backlog times many subscriptions stays under the parameter limits.
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        deliveries::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([deliveries::Column::EventId, deliveries::Column::SubscriptionId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
