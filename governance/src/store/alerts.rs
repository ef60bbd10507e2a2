//! Alerts: something that needs a human — a failed rollback, a detector that fired about a
//! grant (one open alert per grant and detector, migration 20) or about a reviewer (one per
//! reviewer and detector, migration 22). Open alerts about an agent send its requests to
//! approval until a reviewer resolves them.

use crate::entity::alerts;
use crate::error::GovError;
use crate::store::Store;
use crate::store::notifications::NewEvent;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

/// An alert as stored.
pub type AlertRecord = alerts::Model;

/// Raises an alert inside the caller's transaction, about an action (its id and capability) if
/// given; returns its id.
pub async fn raise(
    db: &impl ConnectionTrait,
    agent_id: i64,
    action: Option<(i64, &str)>,
    kind: &str,
    message: &str,
    now: DateTime<Utc>,
) -> Result<i64, GovError> {
    let row = alerts::ActiveModel {
        agent_id: Set(Some(agent_id)),
        action_id: Set(action.map(|(id, _)| id)),
        kind: Set(kind.to_owned()),
        message: Set(message.to_owned()),
        created_at: Set(now),
        ..Default::default()
    };
    let alert = row.insert(db).await?;
    // Announced in the transaction that raised it, about the action's capability.
    let event = NewEvent::alert_raised(&alert, action.map(|(_, c)| c.to_owned()));
    crate::store::notifications::enqueue(db, vec![event], now).await?;
    Ok(alert.id)
}

/// Resolves an open alert; `false` when it was already resolved (or does not exist).
pub async fn resolve(
    db: &impl ConnectionTrait,
    id: i64,
    by: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, GovError> {
    let res = alerts::Entity::update_many()
        .set(alerts::ActiveModel {
            resolved_at: Set(Some(now)),
            resolved_by: Set(Some(by.to_owned())),
            resolution: Set(Some(note.to_owned())),
            ..Default::default()
        })
        .filter(alerts::Column::Id.eq(id))
        .filter(alerts::Column::ResolvedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// What a detector's alert is about: an agent's grant, or a reviewer (a detector watching
/// people). One alert is open per subject and detector (partial unique indexes, migrations
/// 20 and 22).
#[derive(Clone, Copy, Debug)]
pub enum About<'a> {
    Grant { agent_id: i64, grant_id: i64, capability: &'a str },
    Reviewer(&'a str),
}

impl About<'_> {
    /// The subject's alerts of `detector`.
    fn alerts_of(self, detector: &str) -> Condition {
        let subject = match self {
            About::Grant { grant_id, .. } => alerts::Column::GrantId.eq(grant_id),
            About::Reviewer(name) => alerts::Column::Reviewer.eq(name),
        };
        Condition::all().add(subject).add(alerts::Column::Detector.eq(detector))
    }
}

/// A detector's alert, as the monitor raises it.
#[derive(Clone, Debug)]
pub struct Detected<'a> {
    pub about: About<'a>,
    pub detector: &'a str,
    pub message: String,
    /// JSON: the finding, the window and the series (for a reviewer, also the actions judged).
    pub details: String,
}

/// Raises a detector's alert inside the caller's transaction; none when one is already open
/// for its subject and detector (another instance raised it first).
pub async fn raise_detected(
    db: &impl ConnectionTrait,
    d: Detected<'_>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, GovError> {
    let mut row = alerts::ActiveModel {
        action_id: Set(None),
        kind: Set(format!("monitor.{}", d.detector)),
        message: Set(d.message),
        created_at: Set(now),
        detector: Set(Some(d.detector.to_owned())),
        details: Set(Some(d.details)),
        updated_at: Set(Some(now)),
        ..Default::default()
    };
    match d.about {
        About::Grant { agent_id, grant_id, capability } => {
            row.agent_id = Set(Some(agent_id));
            row.grant_id = Set(Some(grant_id));
            row.capability = Set(Some(capability.to_owned()));
        }
        About::Reviewer(name) => {
            row.agent_id = Set(None);
            row.reviewer = Set(Some(name.to_owned()));
        }
    }
    let inserted = alerts::Entity::insert(row)
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    let Some(alert) = open_for(db, d.about, d.detector).await? else { return Ok(None) };
    let event = NewEvent::alert_raised(&alert, alert.capability.clone());
    crate::store::notifications::enqueue(db, vec![event], now).await?;
    Ok(Some(alert.id))
}

/// Records what a detector did besides alerting, and what undoing it restores, on an open
/// alert that has no response yet (compare-and-set); false when it was resolved or given one
/// meanwhile.
pub async fn set_response(db: &impl ConnectionTrait, id: i64, response: &str, undo: &str) -> Result<bool, GovError> {
    let res = alerts::Entity::update_many()
        .set(alerts::ActiveModel {
            response: Set(Some(response.to_owned())),
            undo: Set(Some(undo.to_owned())),
            ..Default::default()
        })
        .filter(alerts::Column::Id.eq(id))
        .filter(alerts::Column::ResolvedAt.is_null())
        .filter(alerts::Column::Response.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The open alert of a detector about its subject.
pub async fn open_for(
    db: &impl ConnectionTrait,
    about: About<'_>,
    detector: &str,
) -> Result<Option<AlertRecord>, GovError> {
    Ok(alerts::Entity::find()
        .filter(about.alerts_of(detector))
        .filter(alerts::Column::ResolvedAt.is_null())
        .one(db)
        .await?)
}

/// Whether an alert of `detector` about the subject was resolved since `since` (a person's
/// decision is not overruled at once by the same evidence).
pub async fn closed_since(
    db: &impl ConnectionTrait,
    about: About<'_>,
    detector: &str,
    since: DateTime<Utc>,
) -> Result<bool, GovError> {
    Ok(alerts::Entity::find()
        .filter(about.alerts_of(detector))
        .filter(alerts::Column::ResolvedAt.gte(since))
        .count(db)
        .await?
        > 0)
}

/// What a later pass sees while an open alert's condition lasts: kept beside the figures it
/// fired with (which stay as they were), for the alert's "since then".
pub async fn refresh(db: &impl ConnectionTrait, id: i64, details: &str, now: DateTime<Utc>) -> Result<bool, GovError> {
    let res = alerts::Entity::update_many()
        .set(alerts::ActiveModel {
            latest_details: Set(Some(details.to_owned())),
            updated_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(alerts::Column::Id.eq(id))
        .filter(alerts::Column::ResolvedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Marks an open alert acknowledged (someone is on it); false when it already was, or is
/// resolved.
pub async fn acknowledge(
    db: &impl ConnectionTrait,
    id: i64,
    by: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, GovError> {
    let res = alerts::Entity::update_many()
        .set(alerts::ActiveModel {
            acknowledged_at: Set(Some(now)),
            acknowledged_by: Set(Some(by.to_owned())),
            acknowledgement: Set(Some(note.to_owned())),
            ..Default::default()
        })
        .filter(alerts::Column::Id.eq(id))
        .filter(alerts::Column::ResolvedAt.is_null())
        .filter(alerts::Column::AcknowledgedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Marks the alert's automatic response undone; false when it already was (or had none).
pub async fn mark_undone(db: &impl ConnectionTrait, id: i64, by: &str, now: DateTime<Utc>) -> Result<bool, GovError> {
    let res = alerts::Entity::update_many()
        .set(alerts::ActiveModel {
            undone_at: Set(Some(now)),
            undone_by: Set(Some(by.to_owned())),
            ..Default::default()
        })
        .filter(alerts::Column::Id.eq(id))
        .filter(alerts::Column::Response.is_not_null())
        .filter(alerts::Column::UndoneAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Which alerts a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlertFilter {
    pub agent_id: Option<i64>,
    pub capability: Option<String>,
    pub detector: Option<String>,
    pub state: Option<AlertState>,
}

/// Where an alert stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertState {
    /// Open, nobody has acknowledged it.
    Open,
    /// Open, someone acknowledged it.
    Acknowledged,
    Resolved,
}

impl AlertState {
    pub fn of(a: &AlertRecord) -> AlertState {
        match (a.resolved_at, a.acknowledged_at) {
            (Some(_), _) => AlertState::Resolved,
            (None, Some(_)) => AlertState::Acknowledged,
            (None, None) => AlertState::Open,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Open => "open",
            AlertState::Acknowledged => "acknowledged",
            AlertState::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Result<Option<AlertState>, String> {
        match s.trim() {
            "" | "all" => Ok(None),
            "open" => Ok(Some(AlertState::Open)),
            "acknowledged" => Ok(Some(AlertState::Acknowledged)),
            "resolved" => Ok(Some(AlertState::Resolved)),
            other => Err(format!("'{other}' is not open, acknowledged, resolved or all")),
        }
    }
}

impl Store {
    /// Alerts matching `f`, open ones first (newest first within each), at most `limit`; and
    /// how many match in all.
    pub async fn alerts_matching(&self, f: &AlertFilter, limit: u64) -> Result<(Vec<AlertRecord>, u64), GovError> {
        use alerts::Column as C;
        let mut q = alerts::Entity::find();
        if let Some(a) = f.agent_id {
            q = q.filter(C::AgentId.eq(a));
        }
        if let Some(c) = &f.capability {
            q = q.filter(C::Capability.eq(c.clone()));
        }
        if let Some(d) = &f.detector {
            q = q.filter(C::Detector.eq(d.clone()));
        }
        q = match f.state {
            None => q,
            Some(AlertState::Open) => q.filter(C::ResolvedAt.is_null()).filter(C::AcknowledgedAt.is_null()),
            Some(AlertState::Acknowledged) => q.filter(C::ResolvedAt.is_null()).filter(C::AcknowledgedAt.is_not_null()),
            Some(AlertState::Resolved) => q.filter(C::ResolvedAt.is_not_null()),
        };
        let total = q.clone().count(self.db()).await?;
        let rows = q
            .order_by(Expr::cust("CASE WHEN resolved_at IS NULL THEN 0 ELSE 1 END"), Order::Asc)
            .order_by_desc(C::Id)
            .limit(limit)
            .all(self.db())
            .await?;
        Ok((rows, total))
    }

    /// The agents and capabilities alerts were raised about (for a list's filters).
    pub async fn alert_facets(&self) -> Result<(Vec<i64>, Vec<String>), GovError> {
        use alerts::Column as C;
        let agents: Vec<Option<i64>> =
            alerts::Entity::find().select_only().column(C::AgentId).distinct().into_tuple().all(self.db()).await?;
        let agents = agents.into_iter().flatten().collect();
        let caps: Vec<Option<String>> =
            alerts::Entity::find().select_only().column(C::Capability).distinct().into_tuple().all(self.db()).await?;
        let mut caps: Vec<String> = caps.into_iter().flatten().collect();
        caps.sort();
        Ok((agents, caps))
    }

    /// The detectors' alerts about an agent that people resolved at or after `since`, the
    /// latest resolution first.
    pub async fn alerts_resolved_since(
        &self,
        agent_id: i64,
        since: DateTime<Utc>,
    ) -> Result<Vec<AlertRecord>, GovError> {
        use alerts::Column as C;
        Ok(alerts::Entity::find()
            .filter(C::AgentId.eq(agent_id))
            .filter(C::Detector.is_not_null())
            .filter(C::ResolvedAt.gte(since))
            .order_by_desc(C::ResolvedAt)
            .all(self.db())
            .await?)
    }

    /// Open alerts about grants that did nothing but alert (no response recorded), oldest
    /// first: what a detector's new response could still be applied to.
    pub async fn open_alerts_without_response(&self, detector: &str) -> Result<Vec<AlertRecord>, GovError> {
        use alerts::Column as C;
        Ok(alerts::Entity::find()
            .filter(C::Detector.eq(detector))
            .filter(C::ResolvedAt.is_null())
            .filter(C::Response.is_null())
            .filter(C::GrantId.is_not_null())
            .order_by_asc(C::Id)
            .all(self.db())
            .await?)
    }

    /// Open alerts nobody has acknowledged.
    pub async fn unacknowledged_count(&self) -> Result<u64, GovError> {
        use alerts::Column as C;
        Ok(alerts::Entity::find()
            .filter(C::ResolvedAt.is_null())
            .filter(C::AcknowledgedAt.is_null())
            .count(self.db())
            .await?)
    }

    /// Open, acknowledged and resolved alerts, counted.
    pub async fn alert_state_counts(&self) -> Result<[u64; 3], GovError> {
        use alerts::Column as C;
        let state: sea_orm::sea_query::Expr =
            Expr::case(C::ResolvedAt.is_not_null(), 2).case(C::AcknowledgedAt.is_not_null(), 1).finally(0).into();
        let rows: Vec<(i32, i64)> = alerts::Entity::find()
            .select_only()
            .column_as(state, "state")
            .column_as(C::Id.count(), "n")
            // By its alias: PostgreSQL would not see two bound copies of the CASE as one.
            .group_by(Expr::cust("state"))
            .into_tuple()
            .all(self.db())
            .await?;
        let mut out = [0u64; 3];
        for (state, n) in rows {
            if let Some(slot) = usize::try_from(state).ok().and_then(|i| out.get_mut(i)) {
                *slot = n.max(0).unsigned_abs();
            }
        }
        Ok(out)
    }

    /// One alert.
    pub async fn alert_by_id(&self, id: i64) -> Result<Option<AlertRecord>, GovError> {
        Ok(alerts::Entity::find_by_id(id).one(self.db()).await?)
    }

    /// Open alerts, newest first, optionally for one agent.
    pub async fn open_alerts(&self, agent_id: Option<i64>) -> Result<Vec<AlertRecord>, GovError> {
        let mut q = alerts::Entity::find().filter(alerts::Column::ResolvedAt.is_null());
        if let Some(a) = agent_id {
            q = q.filter(alerts::Column::AgentId.eq(a));
        }
        Ok(q.order_by_desc(alerts::Column::Id).all(self.db()).await?)
    }

    /// How many alerts are open, optionally for one agent.
    pub async fn open_alert_count(&self, agent_id: Option<i64>) -> Result<u64, GovError> {
        let mut q = alerts::Entity::find().filter(alerts::Column::ResolvedAt.is_null());
        if let Some(a) = agent_id {
            q = q.filter(alerts::Column::AgentId.eq(a));
        }
        Ok(q.count(self.db()).await?)
    }
}
