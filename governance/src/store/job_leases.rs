//! Leases on background jobs: one instance at a time runs a job (the monitor), holding its row
//! until a time; another takes over once that has passed (its holder stopped or hung). The
//! row also keeps how far the job got, so a new holder resumes where the last one stopped.

use crate::entity::job_leases as jl;
use crate::error::GovError;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

/// A lease held: how far the job got and when it last did work.
#[derive(Clone, Debug, PartialEq)]
pub struct Held {
    pub watermark: i64,
    pub last_run_at: Option<DateTime<Utc>>,
}

/// Takes or renews `job` for `holder` until `until`, if no other instance holds it past `now`.
pub async fn take(
    db: &impl ConnectionTrait,
    job: &str,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Option<Held>, GovError> {
    let first = jl::ActiveModel {
        job: Set(job.to_owned()),
        holder: Set(holder.to_owned()),
        expires_at: Set(until),
        watermark: Set(0),
        last_run_at: Set(None),
        runs: Set(0),
    };
    let inserted = jl::Entity::insert(first)
        .on_conflict(OnConflict::column(jl::Column::Job).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    if inserted == 0 {
        let taken = jl::Entity::update_many()
            .col_expr(jl::Column::Holder, Expr::value(holder))
            .col_expr(jl::Column::ExpiresAt, Expr::value(until))
            .filter(jl::Column::Job.eq(job))
            .filter(Condition::any().add(jl::Column::Holder.eq(holder)).add(jl::Column::ExpiresAt.lt(now)))
            .exec(db)
            .await?;
        if taken.rows_affected != 1 {
            return Ok(None);
        }
    }
    let row = jl::Entity::find_by_id(job)
        .one(db)
        .await?
        .ok_or_else(|| GovError::Internal(format!("lease {job} vanished")))?;
    Ok(Some(Held { watermark: row.watermark, last_run_at: row.last_run_at }))
}

/// Records how far the holder got; false when it no longer holds the lease (nothing written).
pub async fn advance(
    db: &impl ConnectionTrait,
    job: &str,
    holder: &str,
    watermark: i64,
    now: DateTime<Utc>,
) -> Result<bool, GovError> {
    let res = jl::Entity::update_many()
        .col_expr(jl::Column::Watermark, Expr::value(watermark))
        .col_expr(jl::Column::LastRunAt, Expr::value(now))
        .col_expr(jl::Column::Runs, Expr::col(jl::Column::Runs).add(1))
        .filter(jl::Column::Job.eq(job))
        .filter(jl::Column::Holder.eq(holder))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Gives the lease up (at shutdown), so another instance need not wait for it to expire.
pub async fn release(db: &impl ConnectionTrait, job: &str, holder: &str, now: DateTime<Utc>) -> Result<(), GovError> {
    jl::Entity::update_many()
        .col_expr(jl::Column::ExpiresAt, Expr::value(now))
        .filter(jl::Column::Job.eq(job))
        .filter(jl::Column::Holder.eq(holder))
        .exec(db)
        .await?;
    Ok(())
}

/// How far a job that runs under another's lease got (none before its first run).
pub async fn watermark(db: &impl ConnectionTrait, job: &str) -> Result<Option<i64>, GovError> {
    Ok(jl::Entity::find_by_id(job).one(db).await?.map(|row| row.watermark))
}

/// Records how far a job that runs under another's lease got (inserting its row if missing).
pub async fn set_watermark(
    db: &impl ConnectionTrait,
    job: &str,
    holder: &str,
    watermark: i64,
    now: DateTime<Utc>,
) -> Result<(), GovError> {
    let row = jl::ActiveModel {
        job: Set(job.to_owned()),
        holder: Set(holder.to_owned()),
        expires_at: Set(now),
        watermark: Set(watermark),
        last_run_at: Set(Some(now)),
        runs: Set(1),
    };
    jl::Entity::insert(row)
        .on_conflict(
            OnConflict::column(jl::Column::Job)
                .update_columns([jl::Column::Holder, jl::Column::Watermark, jl::Column::LastRunAt])
                .value(jl::Column::Runs, Expr::col((jl::Entity, jl::Column::Runs)).add(1))
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
