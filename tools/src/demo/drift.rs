//! The monitoring part of the demo: drift-bot proposes refunds at contributor, each decided by
//! one of the simulated reviewers (rosa, raj). It arrives with a quiet month behind it (six
//! proposals a day for 28 days, about one in twenty rejected — real actions, their dates moved
//! back), and after `drift_after` it degrades: it asks three times as often and most of what it
//! proposes is rejected. The monitoring job's rejection-rate detector, which the demo sets to
//! demote the grant, fires within a pass or two, demotes drift-bot to observer and raises an
//! alert with its figures and chart; a manager can undo the demotion from the alert.
//!
//! drift-bot talks to the services directly (as the simulated reviewers do), not over HTTP.

use app::server::state::AppState;
use governance::action::ActionRequest;
use governance::service::agents::NewAgent;
use governance::service::monitoring::SettingForm;
use governance::shadow::Verdict;
use governance::template::RuleForm;
use governance::{GovError, Principal};
use rand::Rng;
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::time::Duration;
use tokio::sync::watch;

/// The degrading agent's name.
pub const NAME: &str = "drift-bot";
/// Days of quiet history it arrives with, and proposals on each.
const HISTORY_DAYS: i64 = 28;
const PER_DAY: u32 = 6;

/// A refund request from drift-bot.
fn refund(n: u64, rng: &mut rand::rngs::ThreadRng) -> Result<ActionRequest, GovError> {
    serde_json::from_value(json!({
        "capability": "finance.refund.issue",
        "params": {"order_id": format!("D-{n}"), "amount": rng.random_range(10..140), "currency": "EUR"},
        "reasoning": "The parcel is marked lost by the carrier; refund per policy.",
        "confidence": rng.random_range(0.85..0.97),
    }))
    .map_err(|e| GovError::Internal(format!("demo refund: {e}")))
}

/// One proposal decided by `reviewer` (approved with probability `approve`), made `dated`
/// when given (history: dated back before it is decided, so the reviewer's decision comes
/// as long after it as it would have); its id.
async fn propose(
    state: &AppState,
    key: &str,
    reviewer: &Principal,
    n: u64,
    approve: f64,
    dated: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<i64, GovError> {
    let (req, yes) = {
        let mut rng = rand::rng();
        (refund(n, &mut rng)?, rng.random_bool(approve))
    };
    let who = state.agents.authenticate(key).await?;
    let asked = state.decisions.request(&who, req).await?;
    if let Some(at) = dated {
        date_back(state, asked.id, at).await?;
    }
    let token = reviewer.as_reviewer()?;
    let (verdict, note) = if yes {
        (Verdict::Approve, "Carrier confirms the loss; refund is right.")
    } else {
        (Verdict::Reject, "Carrier shows it delivered; this refund is wrong.")
    };
    match asked.decision.as_str() {
        "needs_approval" => {
            let hash = state.lifecycle.action_page(&reviewer.as_member()?, asked.id).await?.action.action_hash;
            state.lifecycle.review(&token, asked.id, verdict, &hash, note).await?;
        }
        // Demoted to observer: the reviewer records their own decision beside its recommendation.
        "shadow" => {
            // Agreeing means the same params (reviews are blind: the reviewer gives them).
            let params = if yes {
                state.lifecycle.action_page(&reviewer.as_member()?, asked.id).await?.action.params
            } else {
                String::new()
            };
            state.lifecycle.record_shadow(&token, asked.id, verdict, &params, note).await?;
        }
        _ => {}
    }
    Ok(asked.id)
}

/// Seeds drift-bot (once: a demo run again on the same data keeps its history) and the
/// detector's response; returns its key.
pub async fn seed(state: &AppState, mona: &Principal, reviewers: &[Principal]) -> Result<String, GovError> {
    let token = mona.as_manager()?;
    let rule = RuleForm {
        capability: "finance.refund.issue".into(),
        limits: "amount <= 500".into(),
        approval_expiry_minutes: "240".into(),
        ..RuleForm::default()
    };
    let template =
        crate::seed::template_copy(state, mona, "Finance analysis and refunds", "Refunds (watched)", rule).await?;
    if let Some(a) = state.agents.list(&token).await?.into_iter().find(|a| a.name == NAME) {
        return Ok(state.agents.issue_key(&token, a.id).await?.1);
    }
    let new = NewAgent {
        name: NAME.into(),
        purpose: "Refunds lost parcels; starts to misjudge them a few minutes into the demo".into(),
        owner: "mona".into(),
        environment: "production".into(),
        model_note: "demo simulation".into(),
    };
    let (_, key) = crate::seed::agent(state, mona, new, &[("finance.refund.issue", template, "contributor")]).await?;
    if reviewers.is_empty() {
        return Err(GovError::Internal("no simulated reviewer".into()));
    }
    let today = governance::clock::now().date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
    for n in 0..(HISTORY_DAYS as u64 * u64::from(PER_DAY)) {
        // Over the 28 days before yesterday, six a day between 09:00 and 16:00.
        let i = n as i64;
        let at = today - chrono::Duration::days(2 + i / i64::from(PER_DAY)) + chrono::Duration::hours(9 + i % 8);
        propose(state, &key, &reviewers[n as usize % reviewers.len()], n, 0.95, Some(at)).await?;
    }
    migrations::recount_scorecards(state.services.store().db()).await.map_err(GovError::from)?;
    let quiet = SettingForm {
        detector: "rejection_rate".into(),
        enabled: true,
        sensitivity: "normal".into(),
        response: "demote_grant".into(),
    };
    state.monitoring.configure(&token, quiet).await?;
    Ok(key)
}

/// Dates an action back to `at` (its counts are recounted once the history is in).
async fn date_back(state: &AppState, id: i64, at: chrono::DateTime<chrono::Utc>) -> Result<(), GovError> {
    let store = state.services.store();
    let db = store.db();
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE actions SET created_at = $1 WHERE id = $2",
        _ => "UPDATE actions SET created_at = ? WHERE id = ?",
    };
    db.execute_raw(sea_orm::Statement::from_sql_and_values(backend, sql, [at.into(), id.into()]))
        .await
        .map_err(GovError::from)?;
    Ok(())
}

/// Runs drift-bot: steady until `drift_after`, then degrading, until `stop`.
pub async fn run(
    state: AppState,
    key: String,
    reviewers: Vec<Principal>,
    drift_after: Duration,
    stop: watch::Receiver<bool>,
) {
    let started = std::time::Instant::now();
    let mut n: u64 = 10_000 + rand::rng().random_range(0..1_000_000);
    let mut announced = false;
    loop {
        if *stop.borrow() {
            return;
        }
        let drifting = started.elapsed() >= drift_after;
        if drifting && !announced {
            announced = true;
            tracing::info!(agent = NAME, "drift-bot starts to degrade: more requests, most of them rejected");
        }
        let (approve, pause) = if drifting { (0.25, 300) } else { (0.95, 2000) };
        let reviewer = &reviewers[(n as usize) % reviewers.len()];
        if let Err(e) = propose(&state, &key, reviewer, n, approve, None).await {
            tracing::warn!(agent = NAME, error = %e, "drift-bot's request or its review failed");
        }
        n += 1;
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
}
