//! A reviewer's decisions as the rubber-stamping detector reads them: the approvals and
//! rejections people recorded in the evidence trail, each with how long after its action was
//! proposed (when the item arrived) the decision came.

use crate::entity::{actions, evidence};
use crate::error::GovError;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;

/// The kinds of record in which a person approved or rejected an action.
/// (An approval that was one of several people's counts as the approver's decision too.)
pub const KINDS: [&str; 3] = ["action.approved", "action.rejected", "action.approval_added"];

/// One decision: the action, approved or not, and the seconds from its proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct Decided {
    pub action_id: i64,
    pub approved: bool,
    pub seconds: f64,
    pub at: DateTime<Utc>,
}

/// People who approved or rejected something since `since`, in records after `after_seq`.
pub async fn deciding(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
    after_seq: i64,
) -> Result<Vec<String>, GovError> {
    use evidence::Column as C;
    Ok(evidence::Entity::find()
        .select_only()
        .column(C::ActorName)
        .distinct()
        .filter(C::Kind.is_in(KINDS))
        .filter(C::RecordedAt.gte(since))
        .filter(C::Seq.gt(after_seq))
        .filter(C::ActorKind.eq("user"))
        .into_tuple()
        .all(db)
        .await?)
}

/// The reviewer's last `limit` decisions since `since`, oldest first.
pub async fn recent_of(
    db: &impl ConnectionTrait,
    reviewer: &str,
    since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Decided>, GovError> {
    use evidence::Column as C;
    let rows: Vec<(String, String, DateTime<Utc>)> = evidence::Entity::find()
        .select_only()
        .column(C::SubjectId)
        .column(C::Kind)
        .column(C::RecordedAt)
        .filter(C::ActorName.eq(reviewer))
        .filter(C::ActorKind.eq("user"))
        .filter(C::Kind.is_in(KINDS))
        .filter(C::RecordedAt.gte(since))
        .order_by_desc(C::Seq)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().filter_map(|(id, _, _)| id.parse().ok()).collect();
    let proposed: BTreeMap<i64, DateTime<Utc>> = actions::Entity::find()
        .select_only()
        .column(actions::Column::Id)
        .column(actions::Column::CreatedAt)
        .filter(actions::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .rev()
        .filter_map(|(id, kind, at)| {
            let action_id: i64 = id.parse().ok()?;
            let arrived = proposed.get(&action_id)?;
            let seconds = (at - *arrived).num_milliseconds().max(0) as f64 / 1000.0;
            Some(Decided { action_id, approved: kind != "action.rejected", seconds, at })
        })
        .collect())
}
