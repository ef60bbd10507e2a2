//! An action's own page, rollbacks, and the corrective workflow ("roll back everything
//! agent X did in the last N hours").

use crate::error::AppError;
use crate::model::{ActionDetailView, CorrectionView};
use leptos::prelude::*;

/// Everything about one action, with what the viewer may do to it now.
#[server(endpoint = "actions/detail")]
pub async fn action_detail(id: i64) -> Result<ActionDetailView, AppError> {
    use crate::api::{cards::cards, evidence_row};
    use crate::server::context::{gov, kept_forms, principal, state};
    let kept = kept_forms();
    let who = principal()?;
    let member = who.as_member().map_err(gov)?;
    let st = state()?;
    let page = st.lifecycle.action_page(&member, id).await.map_err(gov)?;
    let rollback = governance::service::corrections::rollback_open(&page.action, governance::clock::now());
    let may_correct = who.as_corrector().is_ok();
    use governance::lifecycle::State;
    let disagreement = page.action.peer_review && page.action.state == State::NeedsApproval;
    let executed = page.action.state.is_any(&[State::Reversible, State::AwaitingConfirmation]);
    let track = match page.action.grant_id {
        Some(grant) => {
            Some(crate::api::scorecard_rows::scorecard_view(st.scorecards.of_grant(&member, grant).await.map_err(gov)?))
        }
        None => None,
    };
    let mut card = cards(&page.context, vec![page.action]).pop().ok_or(AppError::Unavailable)?;
    // A reviewer about to record their own decision on a shadow case decides blind.
    if card.state == State::Shadow && who.as_reviewer().is_ok() {
        crate::api::cards::blind(&mut card);
    }
    crate::api::cards::with_approvals(std::slice::from_mut(&mut card), &who).await?;
    let mut resolution = None;
    if let Some(check) = page.check.filter(|c| disagreement || c.resolution.is_some()) {
        let warnings = page
            .primary
            .as_ref()
            .map_or_else(Vec::new, |p| governance::service::inbox::shared_traits(p, page.peer.as_ref()));
        let name = page.peer.map(|p| p.name).unwrap_or_default();
        let peer = crate::api::cards::peer_side(&check, name, warnings);
        if disagreement {
            // In peer disagreement the page offers the same side-by-side choice as the inbox.
            card.peer = Some(peer);
        } else {
            resolution = resolved(&check, &page.history, &card, peer);
        }
    }
    Ok(ActionDetailView {
        can_review: who.as_reviewer().is_ok(),
        can_roll_back: may_correct && rollback.is_ok(),
        rollback_closed: match rollback {
            Err(governance::GovError::Conflict { message, .. }) if may_correct && executed => Some(message),
            _ => None,
        },
        // Oldest first: the action's story in order.
        history: page.history.into_iter().rev().map(evidence_row).collect(),
        card,
        resolution,
        track,
        kept_shadow: kept.get(crate::api::inbox::SHADOW_FORM).await,
        kept_review: kept.get(crate::api::inbox::REVIEW_FORM).await,
    })
}

/// A settled disagreement as it was: the primary's params from before the choice (kept in the
/// `action.peer_resolved` record), the peer's analysis, the choice and the reviewer's comment.
#[cfg(feature = "ssr")]
fn resolved(
    check: &governance::records::PeerCheckRecord,
    history: &[governance::evidence::Record],
    card: &crate::model::ActionCard,
    peer: crate::model::PeerSide,
) -> Option<crate::model::PeerResolution> {
    use serde_json::Value;
    let record = history.iter().find(|r| r.kind == "action.peer_resolved")?;
    let details: Value = serde_json::from_str(&record.details).unwrap_or(Value::Null);
    let before = match details.get("params_before") {
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), crate::api::cards::readable(v))).collect(),
        _ => card.params.clone(),
    };
    Some(crate::model::PeerResolution {
        choice: check.resolution.clone().unwrap_or_default(),
        by: check.resolved_by.clone().unwrap_or_else(|| record.actor_name.clone()),
        at: crate::api::show_time(&record.recorded_at),
        comment: details.get("comment").and_then(Value::as_str).unwrap_or_default().to_owned(),
        before: crate::model::ActionCard { params: before, peer: Some(peer), ..card.clone() },
    })
}

/// Asks the agent to undo an action within its window.
#[server(endpoint = "actions/rollback")]
pub async fn request_rollback(id: i64, reason: String, back: String) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_corrector().map_err(gov)?;
    state()?.lifecycle.request_rollback(&token, id, &reason).await.map_err(|e| gov(e).scoped(&id.to_string()))?;
    crate::api::inbox::done_and_back(&back, "rollback.1.0").await;
    Ok(())
}

/// The corrective workflow's preview for one agent and time span.
#[server(endpoint = "corrections/preview")]
pub async fn correction_preview(
    agent: Option<i64>,
    hours: i64,
    page: Option<usize>,
    other_page: Option<usize>,
) -> Result<Option<CorrectionView>, AppError> {
    use crate::api::cards::cards;
    use crate::model::{CORRECTION_PAGE, Paged};
    use crate::server::context::{gov, principal, state};
    let who = principal()?;
    let token = who.as_corrector().map_err(gov)?;
    let st = state()?;
    let known = st.lifecycle.card_context(&who.as_member().map_err(gov)?).await.map_err(gov)?;
    let agents = known.agent_choices();
    let Some(agent_id) = agent else {
        return Ok(Some(CorrectionView {
            agent_id: 0,
            agent: String::new(),
            hours,
            reversible: Vec::new(),
            reversible_total: 0,
            page: 1,
            other: Vec::new(),
            other_total: 0,
            other_page: 1,
            agents,
        }));
    };
    let (reversible, other) = st.lifecycle.correction_preview(&token, agent_id, hours).await.map_err(gov)?;
    // Only the rows shown become cards (a span can hold thousands of actions).
    let reversible = Paged::of(reversible, page, CORRECTION_PAGE);
    let other = Paged::of(other, other_page, CORRECTION_PAGE);
    Ok(Some(CorrectionView {
        agent_id,
        agent: agents.iter().find(|(id, _)| *id == agent_id).map(|(_, n)| n.clone()).unwrap_or_default(),
        hours,
        reversible: cards(&known, reversible.rows),
        reversible_total: reversible.total,
        page: reversible.page,
        other: cards(&known, other.rows),
        other_total: other.total,
        other_page: other.page,
        agents,
    }))
}

/// Requests a rollback of every reversible action of the agent in the span.
#[server(endpoint = "corrections/request")]
pub async fn request_corrections(agent: i64, hours: i64, reason: String) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_corrector().map_err(gov)?;
    let out = state()?.lifecycle.correct(&token, agent, hours, &reason).await.map_err(gov)?;
    crate::server::context::done(&format!("rollback.{}.{}", out.done.len(), out.skipped.len())).await;
    leptos_axum::redirect(&format!("/corrections?agent={agent}&hours={hours}"));
    Ok(())
}
