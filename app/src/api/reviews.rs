//! Scheduled trust reviews (managers and admins): the list of reviews due, one review's page
//! with the grant's record, and recording a review's decision.

use crate::error::AppError;
use crate::model::{ReviewPageView, ReviewRow, ReviewsView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn review_row(r: governance::service::trust_reviews::DueReview) -> ReviewRow {
    use crate::model::DueState;
    use governance::reliability::ReviewStatus;
    let g = r.grant;
    ReviewRow {
        grant_id: g.id,
        agent_id: g.agent_id,
        agent: r.agent_name,
        capability: g.capability,
        tier: g.tier,
        revoked: g.revoked_at.is_some(),
        due: g.review_due_at.format("%Y-%m-%d").to_string(),
        due_at: g.review_due_at.to_rfc3339(),
        state: match r.status {
            ReviewStatus::Upcoming(n) => DueState::Upcoming(n),
            ReviewStatus::Overdue(n) => DueState::Overdue(n),
            ReviewStatus::PastGrace(n) => DueState::PastGrace(n),
        },
        cadence: format!(
            "every {} days at {}; after {} days' grace: {}",
            r.cadence.every(g.tier),
            g.tier.as_str(),
            r.cadence.grace_days,
            match r.cadence.when_overdue {
                governance::reliability::WhenOverdue::Flag => "flagged here",
                governance::reliability::WhenOverdue::Demote => "demoted one tier",
            }
        ),
    }
}

/// `/reviews`: the live grants overdue and due in the next two weeks (most overdue first),
/// page `page` of those further ahead, and the reviews recorded lately.
#[server(endpoint = "reviews/overview")]
pub async fn reviews_overview(page: Option<usize>) -> Result<ReviewsView, AppError> {
    use crate::api::show_time;
    use crate::model::{DueState, Paged, RECENT_REVIEWS, RecordedRow, UPCOMING_PAGE};
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    let st = state()?;
    let (overdue, due_soon): (Vec<ReviewRow>, Vec<ReviewRow>) = st
        .trust_reviews
        .due(&token)
        .await
        .map_err(gov)?
        .into_iter()
        .map(review_row)
        .partition(|r| !matches!(r.state, DueState::Upcoming(_)));
    let per = UPCOMING_PAGE as u64;
    let wanted = page.unwrap_or(1).max(1) as u64;
    let (mut rows, total) = st.trust_reviews.upcoming(&token, wanted - 1, per).await.map_err(gov)?;
    // Past the end is the last page.
    let at = wanted.min(total.div_ceil(per).max(1));
    if at < wanted {
        rows = st.trust_reviews.upcoming(&token, at - 1, per).await.map_err(gov)?.0;
    }
    let upcoming = Paged { rows: rows.into_iter().map(review_row).collect(), total: total as usize, page: at as usize };
    let recent = st
        .trust_reviews
        .recent(&token, RECENT_REVIEWS)
        .await
        .map_err(gov)?
        .into_iter()
        .map(|r| RecordedRow {
            seq: r.seq,
            when: show_time(&r.recorded_at),
            reviewer: r.reviewer,
            agent_id: r.agent_id,
            agent: r.agent_name,
            grant_id: r.grant_id,
            capability: r.capability,
            tier: if r.tier_before == r.tier_after || r.tier_after.is_empty() {
                r.tier_before
            } else {
                format!("{} → {}", r.tier_before, r.tier_after)
            },
            decision: r.decision,
            comment: r.comment,
        })
        .collect();
    Ok(ReviewsView { overdue, due_soon, upcoming, recent })
}

/// One grant's review page: where its review stands and its track record.
#[server(endpoint = "reviews/page")]
pub async fn review_page(grant_id: i64) -> Result<ReviewPageView, AppError> {
    use crate::server::context::{gov, principal, state};
    let who = principal()?;
    let token = who.as_manager().map_err(gov)?;
    let member = who.as_member().map_err(gov)?;
    let st = state()?;
    let row = review_row(st.trust_reviews.of_grant(&token, grant_id).await.map_err(gov)?);
    let card =
        crate::api::scorecard_rows::scorecard_view(st.scorecards.of_grant(&member, grant_id).await.map_err(gov)?);
    Ok(ReviewPageView { row, card })
}

/// Records a review: keep, promote, demote or revoke, with a comment; sets the next due date.
#[server(endpoint = "reviews/record")]
pub async fn record_review(grant_id: i64, decision: String, comment: String, due_at: String) -> Result<(), AppError> {
    use crate::server::context::{gov, keep_form, notice, principal, state};
    use governance::service::trust_reviews::ReviewForm;
    let token = principal()?.as_manager().map_err(gov)?;
    let form = ReviewForm { decision: decision.clone(), comment: comment.clone(), due_at };
    match state()?.trust_reviews.record(&token, grant_id, form).await {
        Ok(g) => {
            let next = if g.revoked_at.is_some() {
                format!("{} is revoked.", g.capability)
            } else {
                format!(
                    "Review recorded: {} is at {}, next review due {}.",
                    g.capability,
                    g.tier.as_str(),
                    g.review_due_at.format("%Y-%m-%d")
                )
            };
            notice(true, next).await;
            leptos_axum::redirect("/reviews");
            Ok(())
        }
        Err(e) => {
            keep_form(&format!("reviews/{grant_id}"), &[("decision", &decision), ("comment", &comment)]).await;
            Err(gov(e))
        }
    }
}
