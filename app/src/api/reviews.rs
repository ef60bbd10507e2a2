//! Scheduled trust reviews (managers and admins): the list of reviews due, one review's page
//! with the grant's record, and recording a review's decision.

use crate::error::AppError;
use crate::model::{ReviewPageView, ReviewRow};
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

/// Live grants due for review in the next two weeks, most overdue first.
#[server(endpoint = "reviews/due")]
pub async fn reviews_due() -> Result<Vec<ReviewRow>, AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    Ok(state()?.trust_reviews.due(&token).await.map_err(gov)?.into_iter().map(review_row).collect())
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
