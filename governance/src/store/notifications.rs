//! The notification outbox (migration 24): events enqueued inside the transaction of the change
//! that caused them, and the subscriptions that want them. Their deliveries are
//! [`super::deliveries`].

use crate::entity::{
    notification_deliveries as deliveries, notification_subscriptions as subs, outbox_events as events,
};
use crate::error::GovError;
use crate::notify::{EventKind, Filter};
use crate::store::Store;
use crate::store::actions::{ActionInsert, ActionRecord};
use crate::store::alerts::AlertRecord;
use crate::store::grants::GrantRecord;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, SqlErr,
};
use serde_json::{Value, json};

pub type EventRecord = events::Model;
pub type SubscriptionRecord = subs::Model;

/// An event to enqueue.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    pub kind: EventKind,
    /// What it is about, e.g. `action:17`.
    pub subject: String,
    pub agent_id: Option<i64>,
    pub capability: Option<String>,
    pub data: Value,
    /// Set when a recurring check raises it: the same key is enqueued once.
    pub dedupe_key: Option<String>,
}

/// A time as events write it: RFC 3339 in UTC, to the second.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// What each event says, built where its change is made.
impl NewEvent {
    /// An event about action `action_id`.
    pub fn about_action(kind: EventKind, action_id: i64, agent_id: i64, capability: &str, data: Value) -> NewEvent {
        NewEvent::about("action", action_id, kind, agent_id, capability, data)
    }

    /// An event about grant `grant_id`.
    pub fn about_grant(kind: EventKind, grant_id: i64, agent_id: i64, capability: &str, data: Value) -> NewEvent {
        NewEvent::about("grant", grant_id, kind, agent_id, capability, data)
    }

    fn about(what: &str, id: i64, kind: EventKind, agent_id: i64, capability: &str, data: Value) -> NewEvent {
        NewEvent {
            kind,
            subject: format!("{what}:{id}"),
            agent_id: Some(agent_id),
            capability: Some(capability.to_owned()),
            data,
            dedupe_key: None,
        }
    }

    /// A decision (action `id`) waits for a person.
    pub fn approval_requested(id: i64, a: &ActionInsert) -> NewEvent {
        let data = json!({
            "action_id": id,
            "agent_id": a.agent_id,
            "rule": a.rule,
            "confidence": a.confidence,
            "reasoning": a.reasoning.chars().take(500).collect::<String>(),
            "expires_at": a.expires_at.map(stamp),
        });
        NewEvent::about_action(EventKind::ApprovalRequested, id, a.agent_id, &a.capability, data)
    }

    /// A second agent disagreed on `differing`; a reviewer must choose by `review_by`.
    pub fn peer_disagreement(a: &ActionRecord, differing: String, review_by: Option<DateTime<Utc>>) -> NewEvent {
        let data = json!({
            "action_id": a.id,
            "agent_id": a.agent_id,
            "differing": differing,
            "expires_at": review_by.map(stamp),
        });
        NewEvent::about_action(EventKind::PeerDisagreement, a.id, a.agent_id, &a.capability, data)
    }

    /// Alert `a` was raised; `capability` when it is about one.
    pub fn alert_raised(a: &AlertRecord, capability: Option<String>) -> NewEvent {
        let data = json!({
            "alert_id": a.id,
            "agent_id": a.agent_id,
            "action_id": a.action_id,
            "grant_id": a.grant_id,
            "detector": a.detector,
            "reviewer": a.reviewer,
            "message": a.message,
        });
        NewEvent {
            kind: EventKind::AlertRaised,
            subject: format!("alert:{}", a.id),
            agent_id: a.agent_id,
            capability,
            data,
            dedupe_key: None,
        }
    }

    /// Authority on grant `g` was withdrawn without a person (`response`: what was done;
    /// `what`: in words; `alert_id`: the alert that did it, if one did).
    pub fn autonomy_withdrawn(g: &GrantRecord, response: &str, what: String, alert_id: Option<i64>) -> NewEvent {
        let data =
            json!({"alert_id": alert_id, "agent_id": g.agent_id, "grant_id": g.id, "response": response, "what": what});
        NewEvent::about_grant(EventKind::AutonomyWithdrawn, g.id, g.agent_id, &g.capability, data)
    }

    /// Grant `g`'s trust review is due (once per grant and due date).
    pub fn review_due(g: &GrantRecord) -> NewEvent {
        let due = g.review_due_at.format("%Y-%m-%d").to_string();
        let data = json!({"agent_id": g.agent_id, "grant_id": g.id, "tier": g.tier.as_str(), "due": due});
        let dedupe_key = Some(format!("review.due:{}:{due}", g.id));
        NewEvent { dedupe_key, ..NewEvent::about_grant(EventKind::ReviewDue, g.id, g.agent_id, &g.capability, data) }
    }

    /// Audit export `id` is ready.
    pub fn export_finished(id: i64, records: i64, bytes: i64, requested_by: Option<String>) -> NewEvent {
        NewEvent {
            kind: EventKind::ExportFinished,
            subject: format!("export:{id}"),
            agent_id: None,
            capability: None,
            data: json!({"export_id": id, "records": records, "bytes": bytes, "requested_by": requested_by}),
            dedupe_key: None,
        }
    }
}

pub(super) fn event_row(e: NewEvent, now: DateTime<Utc>) -> events::ActiveModel {
    events::ActiveModel {
        kind: Set(e.kind.as_str().to_owned()),
        subject: Set(e.subject),
        agent_id: Set(e.agent_id),
        capability: Set(e.capability),
        payload: Set(e.data.to_string()),
        dedupe_key: Set(e.dedupe_key),
        created_at: Set(now),
        dispatched_at: Set(None),
        ..Default::default()
    }
}

/// Enqueues events inside the caller's transaction (one statement); an event whose dedupe key
/// was enqueued before is left out.
pub async fn enqueue(db: &impl ConnectionTrait, new: Vec<NewEvent>, now: DateTime<Utc>) -> Result<(), GovError> {
    if new.is_empty() {
        return Ok(());
    }
    events::Entity::insert_many(new.into_iter().map(|e| event_row(e, now)))
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// A subscription's fields as entered (checked by the service).
#[derive(Clone, Debug)]
pub struct SubscriptionFields {
    pub name: String,
    pub url: String,
    pub format: String,
    pub kinds: Vec<String>,
    pub capabilities: Vec<String>,
    pub min_risk: Option<String>,
}

/// Inserts a subscription; 409 naming `name` when one has that name.
pub async fn insert_subscription(
    db: &impl ConnectionTrait,
    f: SubscriptionFields,
    secret: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<SubscriptionRecord, GovError> {
    let name = f.name.clone();
    let row = subs::ActiveModel {
        name: Set(f.name),
        url: Set(f.url),
        format: Set(f.format),
        secret: Set(secret.to_owned()),
        kinds: Set(Value::from(f.kinds).to_string()),
        capabilities: Set(Value::from(f.capabilities).to_string()),
        min_risk: Set(f.min_risk),
        active: Set(true),
        created_by: Set(by.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    row.insert(db).await.map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            GovError::Conflict { field: "name", message: format!("a subscription named '{name}' already exists") }
        }
        _ => GovError::from(e),
    })
}

/// Pauses or resumes a subscription; false when there is none.
pub async fn set_active(
    db: &impl ConnectionTrait,
    id: i64,
    active: bool,
    now: DateTime<Utc>,
) -> Result<bool, GovError> {
    let res = subs::Entity::update_many()
        .set(subs::ActiveModel { active: Set(active), updated_at: Set(now), ..Default::default() })
        .filter(subs::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Replaces a subscription's signing secret; false when there is none.
pub async fn set_secret(
    db: &impl ConnectionTrait,
    id: i64,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<bool, GovError> {
    let res = subs::Entity::update_many()
        .set(subs::ActiveModel { secret: Set(secret.to_owned()), updated_at: Set(now), ..Default::default() })
        .filter(subs::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Deletes a subscription and its deliveries; false when there is none.
pub async fn delete_subscription(db: &impl ConnectionTrait, id: i64) -> Result<bool, GovError> {
    deliveries::Entity::delete_many().filter(deliveries::Column::SubscriptionId.eq(id)).exec(db).await?;
    Ok(subs::Entity::delete_by_id(id).exec(db).await?.rows_affected == 1)
}

/// A subscription's filter as stored.
pub fn filter_of(s: &SubscriptionRecord) -> Filter {
    let list = |text: &str| serde_json::from_str::<Vec<String>>(text).unwrap_or_default();
    Filter {
        kinds: list(&s.kinds).iter().filter_map(|k| EventKind::parse(k).ok()).collect(),
        capabilities: list(&s.capabilities),
        min_risk: s.min_risk.as_deref().and_then(|r| crate::capability::Risk::parse(r).ok()),
    }
}

impl Store {
    /// Every subscription, by name.
    pub async fn subscriptions(&self) -> Result<Vec<SubscriptionRecord>, GovError> {
        Ok(subs::Entity::find().order_by_asc(subs::Column::Name).all(self.db()).await?)
    }

    pub async fn subscription_by_id(&self, id: i64) -> Result<Option<SubscriptionRecord>, GovError> {
        Ok(subs::Entity::find_by_id(id).one(self.db()).await?)
    }

    /// Events by id.
    pub async fn events_by_ids(&self, ids: Vec<i64>) -> Result<Vec<EventRecord>, GovError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(events::Entity::find().filter(events::Column::Id.is_in(ids)).all(self.db()).await?)
    }

    /// Events not yet dispatched (for tests and the page's backlog figure).
    pub async fn undispatched_count(&self) -> Result<u64, GovError> {
        Ok(events::Entity::find().filter(events::Column::DispatchedAt.is_null()).count(self.db()).await?)
    }

    /// Events of `kind`, newest first.
    pub async fn events_of_kind(&self, kind: EventKind, limit: u64) -> Result<Vec<EventRecord>, GovError> {
        Ok(events::Entity::find()
            .filter(events::Column::Kind.eq(kind.as_str()))
            .order_by_desc(events::Column::Id)
            .limit(limit)
            .all(self.db())
            .await?)
    }
}
