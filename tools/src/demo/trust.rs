//! The earned-autonomy part of the demo: two support agents start as observers on a template
//! that asks for 40 shadow comparisons by two reviewers before contributor, and two simulated
//! reviewers (rosa and raj) record their own decision on each recommendation a few seconds
//! after it arrives. apprentice-bot recommends what they would do almost every time and is
//! listed ready to promote within a few minutes; shaky-bot often does not, and its record says
//! exactly what it lacks. Every verdict goes through the same service a person's form uses.

use app::server::state::AppState;
use governance::shadow::Verdict;
use governance::template::RuleForm;
use governance::{GovError, Principal};
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// What contributor takes on the demo template (see docs/reliability.md for each item).
pub const CRITERIA: &str =
    "samples >= 40; lower_bound >= 0.8; reviewers >= 2; patterns >= 10; days >= 0; no_open_alert";

/// The observers: name, purpose, how often the simulated reviewers decide as they recommended.
pub const OBSERVERS: [(&str, &str, f64); 2] = [
    ("apprentice-bot", "Drafts support replies; on trial as an observer", 0.98),
    ("shaky-bot", "Drafts support replies; often misreads the ticket", 0.6),
];

/// The simulated reviewers who record their own decision on each recommendation.
pub struct Judges {
    state: AppState,
    pub reviewers: Vec<Principal>,
}

/// Seeds the template and the simulated reviewers; returns the template and the judges.
pub async fn seed(state: &AppState, mona: &Principal) -> Result<(i64, Arc<Judges>), GovError> {
    let rule = RuleForm {
        capability: "support.reply.send".into(),
        min_confidence: "0.8".into(),
        max_per_hour: "3000".into(),
        approval_expiry_minutes: "240".into(),
        to_contributor: CRITERIA.into(),
        ..RuleForm::default()
    };
    let template = crate::seed::template_copy(state, mona, "Support replies", "Support replies (trial)", rule).await?;
    let mut reviewers = Vec::new();
    for name in ["rosa", "raj"] {
        // Nobody signs in as a simulated reviewer: its password is thrown away.
        let password = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        reviewers.push(crate::seed::person(state, name, &["reviewer"], &password).await?);
    }
    Ok((template, Arc::new(Judges { state: state.clone(), reviewers })))
}

/// After a few seconds, one of the simulated reviewers records their own decision on shadow
/// action `id`: the agent's recommendation with probability `agree`, the opposite otherwise —
/// unless the demo is stopping by then.
pub fn judge(judges: Arc<Judges>, id: i64, agree: f64, stop: watch::Receiver<bool>) {
    tokio::spawn(super::until_stopped(stop, async move {
        let (pause, who, same) = {
            let mut rng = rand::rng();
            (rng.random_range(1500..5000), rng.random_range(0..judges.reviewers.len()), rng.random_bool(agree))
        };
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let Some(reviewer) = judges.reviewers.get(who) else { return };
        let Ok(token) = reviewer.as_reviewer() else { return };
        let (verdict, note) = if same {
            (Verdict::Approve, "Would have sent this reply as drafted.")
        } else {
            (Verdict::Reject, "Would not send this: it answers a different question.")
        };
        // Agreeing means the same params (reviews are blind: the reviewer gives them).
        let params = match (same, reviewer.as_member()) {
            (true, Ok(member)) => match judges.state.lifecycle.action_page(&member, id).await {
                Ok(page) => page.action.params,
                Err(_) => return,
            },
            _ => String::new(),
        };
        if let Err(e) = judges.state.lifecycle.record_shadow(&token, id, verdict, &params, note).await {
            tracing::warn!(error = %e, action = id, "the simulated reviewer could not record a shadow decision");
        }
    }));
}
