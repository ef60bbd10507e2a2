//! The agent's envelope: for each capability it holds a live grant on, its tier and the
//! conditions it is decided by, what a request within them gets now and what would escalate
//! one — read the way a decision reads them, so an agent can stay inside its authority
//! instead of discovering it by being refused.

use super::Decisions;
use crate::agent::AgentStatus;
use crate::capability::{Reversibility, Risk};
use crate::error::GovError;
use crate::peer::PeerMode;
use crate::policy::standing::{Standing, standing};
use crate::policy::{Conditions, Tier};
use crate::service::agents::AgentPrincipal;
use chrono::{DateTime, Duration, Utc};

/// One capability as the agent stands on it.
#[derive(Clone, Debug, PartialEq)]
pub struct CapabilityEnvelope {
    pub capability: String,
    pub risk: Risk,
    pub reversibility: Reversibility,
    pub grant_id: i64,
    pub tier: Tier,
    pub template: String,
    pub template_version: i64,
    /// A detector suspended the grant.
    pub suspended: bool,
    /// The conditions that apply at the executor tier.
    pub conditions: Conditions,
    /// The template's Cedar condition, if it has one.
    pub condition: Option<String>,
    /// Requests of the capability in the last hour (counted only against a rate limit, and
    /// only as far as it).
    pub used_this_hour: Option<u32>,
    pub standing: Standing,
    /// How long a reviewer has to decide a held request.
    pub approval_expiry_minutes: i64,
    /// The person who approves may not be the one who asked for the agent's action.
    pub separation_of_duties: bool,
    pub peer_check: PeerMode,
    pub review_due_at: DateTime<Utc>,
}

impl Decisions {
    /// The calling agent's envelope, by capability.
    pub async fn envelope(&self, who: &AgentPrincipal) -> Result<Vec<CapabilityEnvelope>, GovError> {
        let now = crate::clock::now();
        let suspended = who.agent.status == AgentStatus::Suspended;
        let mut out = Vec::new();
        for g in self.store.live_grants_of(&[who.agent.id]).await? {
            let Some(inputs) = self.store.decision_inputs(who.agent.id, &g.capability).await? else { continue };
            let Some(applied) = self.applied_rule(inputs.grant.as_ref(), &g.capability).await? else { continue };
            let conditions = applied.view.conditions.clone();
            let used_this_hour = match conditions.max_per_hour {
                Some(max) => {
                    Some(self.store.actions_since(who.agent.id, &g.capability, now - Duration::hours(1), max).await?)
                }
                None => None,
            };
            let condition = applied.rule.condition.clone();
            let standing = standing(
                suspended,
                Some(&applied.view),
                inputs.open_alert,
                used_this_hour.unwrap_or(0),
                condition.as_deref(),
            );
            out.push(CapabilityEnvelope {
                capability: g.capability,
                risk: inputs.capability.risk,
                reversibility: inputs.capability.reversibility,
                grant_id: g.id,
                tier: applied.view.tier,
                template: applied.view.template.clone(),
                template_version: applied.view.template_version,
                suspended: applied.view.suspended,
                conditions,
                condition,
                used_this_hour,
                standing,
                approval_expiry_minutes: applied.rule.approval_expiry_minutes,
                separation_of_duties: applied.rule.separation_of_duties,
                peer_check: applied.rule.peer.mode.clone(),
                review_due_at: g.review_due_at,
            });
        }
        Ok(out)
    }
}
