//! The reviewers' inbox: list what waits, approve or reject (one or several), confirm
//! supervised actions, record shadow decisions and resolve alerts.

use crate::error::AppError;
use crate::model::InboxView;
use leptos::prelude::*;

/// Where to go after a form on the inbox or an action page: back where the form was (only
/// console pages that have these forms), keeping its filters but not its page number.
#[cfg(feature = "ssr")]
pub(crate) fn back_to(back: &str) -> String {
    let safe = ["/inbox", "/actions/", "/corrections"].iter().any(|p| back.starts_with(p)) && !back.contains("//");
    let base = if safe { back } else { "/inbox" };
    let (path, query) = base.split_once('?').unwrap_or((base, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("__") && !p.starts_with("page=") && !p.starts_with("done="))
        .collect();
    if kept.is_empty() { path.to_owned() } else { format!("{path}?{}", kept.join("&")) }
}

/// Leaves the notice for outcome `done` (see `done_notice`) and goes back where the form was.
#[cfg(feature = "ssr")]
pub(crate) async fn done_and_back(back: &str, done: &str) {
    crate::server::context::done(done).await;
    leptos_axum::redirect(&back_to(back));
}

/// One page of one inbox section.
#[server(endpoint = "inbox/page")]
pub async fn inbox_page(
    view: String,
    agent: Option<i64>,
    capability: Option<String>,
    sort: String,
    #[server(default)] queue: String,
    #[server(default)] search: String,
    page: u64,
) -> Result<InboxView, AppError> {
    use crate::api::cards::{Context, alert_row, card, peer_side};
    use crate::model::InboxCounts;
    use crate::server::context::{gov, kept_forms, principal, state};
    use governance::service::inbox::{InboxQuery, View};
    let kept = kept_forms();
    let who = principal()?;
    let token = who.as_reviewer().map_err(gov)?;
    let member = who.as_member().map_err(gov)?;
    let q = InboxQuery {
        view: View::parse(&view),
        agent_id: agent,
        capability: capability.filter(|c| !c.is_empty()),
        by_risk: sort == "risk",
        oldest_first: sort == "oldest",
        queue: governance::queue::Queue::parse(&queue),
        search: Some(search).filter(|s| !s.trim().is_empty()),
        page,
    };
    let st = state()?;
    let p = st.inbox.page(&token, q).await.map_err(gov)?;
    let now = governance::clock::now();
    // Each item's agent's standing with its capability, read once per grant on the page.
    let pairs: Vec<(i64, String)> = p.items.iter().map(|i| (i.action.agent_id, i.action.capability.clone())).collect();
    let standings = st.scorecards.standings(&member, &pairs).await.map_err(gov)?;
    let mut view = InboxView {
        items: p
            .items
            .into_iter()
            .map(|i| {
                let ctx = Context { agent: &i.agent, risk: i.risk.as_str(), reversible: i.reversible };
                let mut c = card(i.action.clone(), ctx, now);
                c.peer = i.peer.map(|(check, name, warnings)| peer_side(&check, name, warnings));
                c.standing = standings
                    .iter()
                    .find(|s| s.agent_id == c.agent_id && s.capability == c.capability)
                    .map(crate::api::cards::standing_line);
                if c.state == governance::lifecycle::State::Shadow {
                    crate::api::cards::blind(&mut c);
                }
                c.queue = Some(crate::model::QueueLine {
                    assigned: i.assigned,
                    assigned_value: i.assigned_value,
                    claimed_by: i.claim.as_ref().map(|k| k.by.clone()),
                    mine: i.claim.as_ref().is_some_and(|k| k.mine),
                    claim_times: i.claim.as_ref().map_or_else(String::new, |k| {
                        format!("since {} · until {}", k.since.format("%H:%M UTC"), k.lapses_at.format("%H:%M UTC"))
                    }),
                });
                c
            })
            .collect(),
        alerts: p.alerts.into_iter().map(|(a, name)| alert_row(a, name)).collect(),
        total: p.total,
        page: p.page,
        pages: p.pages,
        counts: InboxCounts {
            approval: p.counts.approval,
            supervised: p.counts.supervised,
            shadow: p.counts.shadow,
            disagreements: p.counts.disagreements,
            alerts: p.counts.alerts,
        },
        agents: p.agents,
        capabilities: p.capabilities,
        kept_bulk: kept.get(BULK_FORM).await,
        kept_shadow: kept.get(SHADOW_FORM).await,
        kept_review: kept.get(REVIEW_FORM).await,
        queues: p.queues.into_iter().map(|(q, n)| (q.as_str().to_owned(), q.label().to_owned(), n)).collect(),
        assignees: p.assignees,
        copilots: if queue == "mine" {
            st.scorecards
                .copilots_of(&member, who.user_id)
                .await
                .map_err(gov)?
                .iter()
                .map(|(name, s)| (name.clone(), s.capability.clone(), crate::api::cards::standing_line(s)))
                .collect()
        } else {
            Vec::new()
        },
    };
    crate::api::cards::with_approvals(&mut view.items, &who).await?;
    Ok(view)
}

/// Where the bulk form keeps its ticks and comment after a refusal.
pub const BULK_FORM: &str = "inbox/bulk";
/// Where an approval keeps its comment and edited params (with the action's id) after a refusal.
pub const REVIEW_FORM: &str = "inbox/review";
/// Where a shadow decision keeps what was typed (with the action's id) after a refusal.
pub const SHADOW_FORM: &str = "inbox/shadow";

#[cfg(feature = "ssr")]
fn verdict(v: Option<String>) -> Result<governance::shadow::Verdict, AppError> {
    governance::shadow::Verdict::parse(v.as_deref().unwrap_or_default())
        .map_err(|m| crate::server::context::fail(AppError::Field { field: "verdict".into(), message: m }))
}

/// Approves or rejects one action, bound to the hash of the action shown; `verdict=edit`
/// approves the changed `params` instead of the agent's.
#[server(endpoint = "inbox/review")]
pub async fn review_action(
    id: i64,
    action_hash: String,
    verdict: Option<String>,
    #[server(default)] params: Option<String>,
    comment: String,
    back: String,
) -> Result<(), AppError> {
    use crate::server::context::{gov, kept_if_refused, principal, state};
    let token = principal()?.as_reviewer().map_err(gov)?;
    let sid = id.to_string();
    let params = params.unwrap_or_default();
    let typed = [("id", sid.as_str()), ("params", params.as_str()), ("comment", comment.as_str())];
    let done = async {
        let st = state()?;
        if verdict.as_deref() == Some("edit") {
            st.lifecycle.approve_edited(&token, id, &action_hash, &params, &comment).await.map_err(gov)?;
            return Ok::<_, AppError>("approved-edited");
        }
        let v = self::verdict(verdict)?;
        let after = st.lifecycle.review(&token, id, v, &action_hash, &comment).await.map_err(gov)?;
        Ok(match v {
            // One of several approvals: the action still waits for another person.
            governance::shadow::Verdict::Approve if after.state == governance::lifecycle::State::NeedsApproval => {
                "approval-added"
            }
            governance::shadow::Verdict::Approve => "approved",
            governance::shadow::Verdict::Reject => "rejected",
        })
    };
    let word = kept_if_refused(REVIEW_FORM, &typed, done.await.map_err(|e| e.scoped(&sid))).await?;
    done_and_back(&back, &format!("{word}.1.0")).await;
    Ok(())
}

/// Approves or rejects the ticked actions with one comment. Each tick is `id:hash`.
#[server(endpoint = "inbox/review_selected")]
pub async fn review_selected(
    selected: Option<Vec<String>>,
    verdict: Option<String>,
    comment: String,
    back: String,
) -> Result<(), AppError> {
    use crate::server::context::{fail, gov, kept_if_refused, principal, state};
    let token = principal()?.as_reviewer().map_err(gov)?;
    let ticked = selected.unwrap_or_default();
    let mut typed: Vec<(&str, &str)> = vec![("comment", comment.as_str())];
    typed.extend(ticked.iter().map(|s| ("selected", s.as_str())));
    let done = async {
        let v = self::verdict(verdict).map_err(|e| e.scoped("bulk"))?;
        let mut picks = Vec::new();
        for s in &ticked {
            let parsed = s.split_once(':').and_then(|(id, hash)| Some((id.parse::<i64>().ok()?, hash.to_owned())));
            let pick = parsed.ok_or_else(|| {
                fail(AppError::Field { field: "bulk/ids".into(), message: format!("'{s}' is not an action") })
            })?;
            picks.push(pick);
        }
        let out =
            state()?.lifecycle.review_many(&token, &picks, v, &comment).await.map_err(|e| gov(e).scoped("bulk"))?;
        Ok((v, out))
    };
    let (v, out) = kept_if_refused(BULK_FORM, &typed, done.await).await?;
    let word = if v == governance::shadow::Verdict::Approve { "approved" } else { "rejected" };
    done_and_back(&back, &format!("{word}.{}.{}", out.done.len(), out.skipped.len())).await;
    Ok(())
}

/// Confirms a supervised action: it becomes final.
#[server(endpoint = "inbox/confirm")]
pub async fn confirm_action(id: i64, comment: String, back: String) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_reviewer().map_err(gov)?;
    state()?.lifecycle.confirm(&token, id, &comment).await.map_err(|e| gov(e).scoped(&id.to_string()))?;
    done_and_back(&back, "confirmed.1.0").await;
    Ok(())
}

/// Records the reviewer's own decision on an observer's recommendation.
#[server(endpoint = "inbox/shadow")]
pub async fn record_shadow(
    id: i64,
    verdict: Option<String>,
    params: String,
    comment: String,
    back: String,
) -> Result<(), AppError> {
    use crate::server::context::{gov, kept_if_refused, principal, state};
    let token = principal()?.as_reviewer().map_err(gov)?;
    let sid = id.to_string();
    let picked = verdict.clone().unwrap_or_default();
    let typed = [
        ("id", sid.as_str()),
        ("verdict", picked.as_str()),
        ("params", params.as_str()),
        ("comment", comment.as_str()),
    ];
    let done = async {
        let v = self::verdict(verdict)?;
        state()?.lifecycle.record_shadow(&token, id, v, &params, &comment).await.map_err(gov)
    };
    let after = kept_if_refused(SHADOW_FORM, &typed, done.await.map_err(|e| e.scoped(&sid))).await?;
    let agreement = after.shadow_agreement.unwrap_or_default();
    done_and_back(&back, &format!("compared-{agreement}.1.0")).await;
    Ok(())
}

/// Resolves a peer disagreement: the primary's proposal, the peer's, or neither.
#[server(endpoint = "inbox/disagreement")]
pub async fn resolve_disagreement(
    id: i64,
    choice: Option<String>,
    comment: String,
    back: String,
) -> Result<(), AppError> {
    use crate::server::context::{fail, gov, principal, state};
    use governance::service::peer_checks::Choice;
    let token = principal()?.as_reviewer().map_err(gov)?;
    let choice = Choice::parse(choice.as_deref().unwrap_or_default())
        .map_err(|m| fail(AppError::Field { field: format!("{id}/choice"), message: m }))?;
    state()?
        .lifecycle
        .resolve_disagreement(&token, id, choice, &comment)
        .await
        .map_err(|e| gov(e).scoped(&id.to_string()))?;
    let word = if choice == Choice::Neither { "rejected" } else { "approved" };
    done_and_back(&back, &format!("{word}.1.0")).await;
    Ok(())
}

/// Claims an item (or refreshes the caller's claim): others see who works on it.
#[server(endpoint = "inbox/claim")]
pub async fn claim_item(id: i64, back: String) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_reviewer().map_err(gov)?;
    state()?.inbox.claim(&token, id).await.map_err(|e| gov(e).scoped(&id.to_string()))?;
    done_and_back(&back, "claimed.1.0").await;
    Ok(())
}

/// Lets go of the caller's claim on an item.
#[server(endpoint = "inbox/release")]
pub async fn release_item(id: i64, back: String) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_reviewer().map_err(gov)?;
    state()?.inbox.release(&token, id).await.map_err(|e| gov(e).scoped(&id.to_string()))?;
    done_and_back(&back, "released.1.0").await;
    Ok(())
}

/// Assigns an item to a reviewer (`user:<id>`), a group (`group:<id>`) or no one (empty).
#[server(endpoint = "inbox/assign")]
pub async fn assign_item(id: i64, assignee: String, back: String) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    use governance::service::claims::AssignTo;
    let token = principal()?.as_reviewer().map_err(gov)?;
    let scoped = |e| gov(e).scoped(&id.to_string());
    let to = AssignTo::parse(&assignee).map_err(scoped)?;
    state()?.inbox.assign(&token, id, to).await.map_err(scoped)?;
    done_and_back(&back, "assigned.1.0").await;
    Ok(())
}

/// Resolves an open alert with a note.
#[server(endpoint = "inbox/alerts/resolve")]
pub async fn resolve_alert(id: i64, note: String, back: String) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_corrector().map_err(gov)?;
    state()?.lifecycle.resolve_alert(&token, id, &note).await.map_err(|e| gov(e).scoped(&format!("alert{id}")))?;
    done_and_back(&back, "resolved.1.0").await;
    Ok(())
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::back_to;

    #[test]
    fn back_stays_on_the_console_and_replaces_old_notices() {
        assert_eq!(back_to("/inbox?view=shadow&page=2"), "/inbox?view=shadow");
        assert_eq!(back_to("https://evil.example/"), "/inbox");
        assert_eq!(back_to("/inbox//evil.example"), "/inbox");
        assert_eq!(back_to("/actions/7"), "/actions/7");
        assert_eq!(back_to("/inbox?page=3&agent=2"), "/inbox?agent=2");
    }
}
