//! Alerts about reviewers (migration 22): the rubber-stamping detector raises one per reviewer
//! and detector while the condition lasts; it names the reviewer instead of an agent.

use crate::entity::alerts;
use crate::error::GovError;
use crate::store::alerts::AlertRecord;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// A detector's alert about a reviewer, as the monitor raises it.
#[derive(Clone, Debug)]
pub struct AboutReviewer<'a> {
    pub reviewer: &'a str,
    pub detector: &'a str,
    pub message: String,
    /// JSON: the finding, the window, the series and the actions judged.
    pub details: String,
}

/// Raises a detector's alert about a reviewer inside the caller's transaction; none when one
/// is already open for the reviewer and detector.
pub async fn raise_about_reviewer(
    db: &impl ConnectionTrait,
    d: AboutReviewer<'_>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, GovError> {
    let row = alerts::ActiveModel {
        agent_id: Set(None),
        action_id: Set(None),
        kind: Set(format!("monitor.{}", d.detector)),
        message: Set(d.message),
        created_at: Set(now),
        detector: Set(Some(d.detector.to_owned())),
        details: Set(Some(d.details)),
        updated_at: Set(Some(now)),
        reviewer: Set(Some(d.reviewer.to_owned())),
        ..Default::default()
    };
    let inserted = alerts::Entity::insert(row)
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    Ok(open_about_reviewer(db, d.reviewer, d.detector).await?.map(|a| a.id))
}

/// The open alert of a detector about a reviewer.
pub async fn open_about_reviewer(
    db: &impl ConnectionTrait,
    reviewer: &str,
    detector: &str,
) -> Result<Option<AlertRecord>, GovError> {
    Ok(alerts::Entity::find()
        .filter(alerts::Column::Reviewer.eq(reviewer))
        .filter(alerts::Column::Detector.eq(detector))
        .filter(alerts::Column::ResolvedAt.is_null())
        .one(db)
        .await?)
}

/// Whether an alert of `detector` about the reviewer was resolved since `since`.
pub async fn closed_about_reviewer_since(
    db: &impl ConnectionTrait,
    reviewer: &str,
    detector: &str,
    since: DateTime<Utc>,
) -> Result<bool, GovError> {
    Ok(alerts::Entity::find()
        .filter(alerts::Column::Reviewer.eq(reviewer))
        .filter(alerts::Column::Detector.eq(detector))
        .filter(alerts::Column::ResolvedAt.gte(since))
        .count(db)
        .await?
        > 0)
}
