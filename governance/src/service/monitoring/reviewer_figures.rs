//! Each reviewer's figures for managers: over the same decisions the rubber-stamping detector
//! judges (the last 100 of the last 7 days), how many, the median time to decide, the share
//! approved and the share of approvals within a glance; and their load now — the waiting items
//! assigned to or claimed by them.

use super::Monitoring;
use crate::error::GovError;
use crate::monitor::reviewers::{Figures, ReviewerDecision, figures};
use crate::principal::AsManager;
use crate::roles::Role;
use crate::service::monitor_job::reviewers::{DAYS, LIMIT};
use crate::store::inbox::{InboxFilter, QueueFilter};
use crate::store::queues::WAITING;
use crate::store::reviewer_decisions as decisions;
use chrono::Duration;

/// One reviewer's line.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewerFigures {
    pub reviewer: String,
    pub figures: Figures,
    /// Waiting items assigned to or claimed by them now.
    pub load: u64,
}

impl Monitoring {
    /// Every active reviewer's figures, busiest first.
    pub async fn reviewer_figures(&self, _by: &AsManager) -> Result<Vec<ReviewerFigures>, GovError> {
        let since = crate::clock::now() - Duration::days(DAYS);
        let mut out = Vec::new();
        for user in self.store.list_users().await? {
            if !user.active || !user.roles.contains(Role::Reviewer) {
                continue;
            }
            let decided = decisions::recent_of(self.store.db(), &user.username, since, LIMIT).await?;
            let seen: Vec<ReviewerDecision> =
                decided.iter().map(|d| ReviewerDecision { approved: d.approved, seconds: d.seconds }).collect();
            let mine =
                InboxFilter { states: WAITING.to_vec(), queue: QueueFilter::Mine(user.id), ..InboxFilter::default() };
            out.push(ReviewerFigures {
                reviewer: user.username,
                figures: figures(&seen),
                load: self.store.inbox_count(&mine).await?,
            });
        }
        out.sort_by(|a, b| b.figures.decided.cmp(&a.figures.decided).then(a.reviewer.cmp(&b.reviewer)));
        Ok(out)
    }
}
