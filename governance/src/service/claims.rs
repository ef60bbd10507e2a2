//! Claiming and assigning inbox items. A claim tells other reviewers "I am on this one": it
//! holds while its holder touches it (a claim again refreshes it) and lapses after the idle
//! time; while it holds, only its holder can decide the item ([`crate::service::lifecycle`]
//! checks under the same lock). Each claim, release and assignment is a compare-and-set on the
//! row with its evidence record in one transaction, so of two reviewers claiming at once exactly
//! one gets the item and one record is written.

use crate::error::GovError;
use crate::evidence::Draft;
use crate::principal::AsReviewer;
use crate::queue::{Claim, held_by_other};
use crate::roles::Role;
use crate::service::inbox::Inbox;
use crate::store::queues::{self, Assignee};
use crate::store::{evidence, transitions};
use serde_json::{Value, json};

/// Whom an item is assigned to, as a form sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignTo {
    User(i64),
    Group(i64),
    /// Back to the shared inbox.
    NoOne,
}

impl AssignTo {
    /// Reads `user:<id>`, `group:<id>` or an empty value.
    pub fn parse(text: &str) -> Result<AssignTo, GovError> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(AssignTo::NoOne);
        }
        let bad = || GovError::invalid("assignee", format!("'{t}' is not a person or a group"));
        let (kind, id) = t.split_once(':').ok_or_else(bad)?;
        let id: i64 = id.parse().map_err(|_| bad())?;
        match kind {
            "user" => Ok(AssignTo::User(id)),
            "group" => Ok(AssignTo::Group(id)),
            _ => Err(bad()),
        }
    }
}

/// The refusal for an item that is not waiting for a person any more.
fn no_longer_waits(row: &crate::store::actions::ActionRecord) -> GovError {
    GovError::Conflict {
        field: "action",
        message: format!("action {} no longer waits for a reviewer: it is {}", row.id, row.state.as_str()),
    }
}

impl Inbox {
    /// One write: under the evidence lock, `change` moves the row (or says why not), and the
    /// record is appended beside it.
    async fn record_change<F, Fut>(
        &self,
        id: i64,
        kind: &'static str,
        who: &AsReviewer,
        change: F,
    ) -> Result<(), GovError>
    where
        F: FnOnce(sea_orm::DatabaseTransaction, crate::store::actions::ActionRecord) -> Fut,
        Fut: std::future::Future<Output = Result<(sea_orm::DatabaseTransaction, String, Value), GovError>>,
    {
        let txn = self.store.begin_write().await?;
        evidence::lock(&txn).await?;
        let Some(row) = transitions::by_id(&txn, id).await? else {
            txn.rollback().await?;
            return Err(GovError::NotFound(format!("action {id}")));
        };
        let (txn, summary, details) = change(txn, row).await?;
        let draft = Draft {
            actor: who.actor().clone(),
            kind,
            subject_kind: "action",
            subject_id: id.to_string(),
            summary,
            details,
        };
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(())
    }

    async fn user_name(&self, id: i64) -> String {
        match self.store.user_by_id(id).await {
            Ok(Some(u)) => u.username,
            _ => format!("user {id}"),
        }
    }

    /// Claims a waiting item, or refreshes the caller's own claim on it. Refused (409) while
    /// someone else's claim holds, or when the item no longer waits.
    pub async fn claim(&self, who: &AsReviewer, id: i64) -> Result<(), GovError> {
        let me = who.user_id();
        let idle = self.claim_idle;
        self.record_change(id, "action.claimed", who, |txn, row| async move {
            let now = crate::clock::now();
            let claim = Claim::stored(row.claimed_by, row.claimed_at);
            if let Some(c) = claim.filter(|_| held_by_other(claim, me, now, idle).is_some()) {
                txn.rollback().await?;
                return Err(GovError::Conflict {
                    field: "action",
                    message: format!(
                        "action {id} is claimed by {} since {} (until {} unless they let go)",
                        self.user_name(c.by).await,
                        c.at.format("%H:%M UTC"),
                        c.lapses_at(idle).format("%H:%M UTC")
                    ),
                });
            }
            if !queues::WAITING.contains(&row.state) || !queues::claim(&txn, id, me, now, now - idle).await? {
                txn.rollback().await?;
                return Err(no_longer_waits(&row));
            }
            let lapsed = claim.filter(|c| c.by != me).map(|c| c.by);
            let summary = format!("{} claimed action {id} ({})", who.actor().name, row.capability);
            Ok((txn, summary, json!({"idle_minutes": idle.num_minutes(), "took_lapsed_claim_of": lapsed})))
        })
        .await
    }

    /// Lets go of the caller's claim on an item.
    pub async fn release(&self, who: &AsReviewer, id: i64) -> Result<(), GovError> {
        let me = who.user_id();
        self.record_change(id, "action.released", who, |txn, row| async move {
            if !queues::release(&txn, id, me).await? {
                txn.rollback().await?;
                return Err(GovError::Conflict {
                    field: "action",
                    message: format!("you hold no claim on action {id}"),
                });
            }
            Ok((txn, format!("{} let go of action {id} ({})", who.actor().name, row.capability), json!({})))
        })
        .await
    }

    /// Assigns a waiting item to a reviewer, a reviewer group, or back to no one.
    pub async fn assign(&self, who: &AsReviewer, id: i64, to: AssignTo) -> Result<(), GovError> {
        let (to, named) = match to {
            AssignTo::NoOne => (Assignee::default(), "the shared inbox".to_owned()),
            AssignTo::User(u) => {
                let user = self.store.user_by_id(u).await?.filter(|u| u.active);
                let user =
                    user.ok_or_else(|| GovError::invalid("assignee", format!("user {u} is not an active user")))?;
                if !user.roles.contains(Role::Reviewer) {
                    return Err(GovError::invalid("assignee", format!("{} is not a reviewer", user.username)));
                }
                (Assignee { user_id: Some(u), group_id: None }, user.username)
            }
            AssignTo::Group(g) => {
                let group = self.store.group(g).await?;
                let group = group.ok_or_else(|| GovError::invalid("assignee", format!("there is no group {g}")))?;
                (Assignee { user_id: None, group_id: Some(g) }, format!("the group {}", group.name))
            }
        };
        self.record_change(id, "action.assigned", who, |txn, row| async move {
            if !queues::WAITING.contains(&row.state) || !queues::assign(&txn, id, to).await? {
                txn.rollback().await?;
                return Err(no_longer_waits(&row));
            }
            let summary = format!("{} assigned action {id} ({}) to {named}", who.actor().name, row.capability);
            let details = json!({"user_id": to.user_id, "group_id": to.group_id, "to": named,
                "before": {"user_id": row.assigned_user_id, "group_id": row.assigned_group_id}});
            Ok((txn, summary, details))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::AssignTo;

    #[test]
    fn assignees_read_from_the_form() {
        assert_eq!(AssignTo::parse("user:4").unwrap(), AssignTo::User(4));
        assert_eq!(AssignTo::parse(" group:2 ").unwrap(), AssignTo::Group(2));
        assert_eq!(AssignTo::parse("").unwrap(), AssignTo::NoOne);
        for bad in ["user:x", "team:1", "4"] {
            assert!(AssignTo::parse(bad).is_err(), "{bad}");
        }
    }
}
