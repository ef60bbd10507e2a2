//! An agent's standing with one capability, in one line beside each inbox item: its tier and
//! since when, what that tier is measured by (approval of the proposals people decided, or
//! shadow agreement for an observer) with its cases and Wilson lower bound, its open alerts,
//! and whether the tier was reached by override. A reviewer judging an item sees the record
//! without leaving the inbox; a few counts per grant, whatever the size of its history.

use crate::error::GovError;
use crate::policy::Tier;
use crate::principal::AsMember;
use crate::reliability::Rate;
use crate::service::scorecards::Scorecards;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// One grant's standing, as an inbox card shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Standing {
    pub grant_id: i64,
    pub agent_id: i64,
    pub capability: String,
    pub tier: Tier,
    pub tier_since: DateTime<Utc>,
    /// Proposals people decided at this tier, approved of them.
    pub approval: Rate,
    /// Shadow recommendations compared at this tier, matched of them (observers).
    pub agreement: Rate,
    /// Open alerts about the agent.
    pub open_alerts: u64,
    /// The tier was reached without meeting its criteria.
    pub by_override: bool,
}

impl Standing {
    /// The rate the tier is judged by: agreement for an observer, approval otherwise.
    pub fn measured(&self) -> (&'static str, Rate) {
        match self.tier {
            Tier::Observer => ("agreement", self.agreement),
            _ => ("approval", self.approval),
        }
    }
}

impl Scorecards {
    /// The standing of each live grant among `pairs` (agent id, capability); a pair without a
    /// live grant has none. Agents' open alerts are read once per agent.
    pub async fn standings(&self, _by: &AsMember, pairs: &[(i64, String)]) -> Result<Vec<Standing>, GovError> {
        let mut agents: Vec<i64> = pairs.iter().map(|(a, _)| *a).collect();
        agents.sort_unstable();
        agents.dedup();
        let mut alerts: HashMap<i64, u64> = HashMap::new();
        for a in &agents {
            alerts.insert(*a, self.store.open_alert_count(Some(*a)).await?);
        }
        let mut out = Vec::new();
        for g in self.store.live_grants_of(&agents).await? {
            if !pairs.iter().any(|(a, c)| *a == g.agent_id && *c == g.capability) {
                continue;
            }
            let days = self.store.daily_groups(g.agent_id, &g.capability).await?;
            let t = self.at_tier_counts(&g, &days).await?;
            out.push(Standing {
                grant_id: g.id,
                agent_id: g.agent_id,
                approval: t.approval(),
                agreement: t.agreement(),
                open_alerts: alerts.get(&g.agent_id).copied().unwrap_or_default(),
                by_override: g.tier_override,
                tier: g.tier,
                tier_since: g.tier_since,
                capability: g.capability,
            });
        }
        Ok(out)
    }
}

impl Scorecards {
    /// The copilots working for `who` (directly or through a group), each with its standing per
    /// live grant: the track record its person judges it by.
    pub async fn copilots_of(&self, who: &AsMember, user_id: i64) -> Result<Vec<(String, Standing)>, GovError> {
        let groups = self.store.groups_of(user_id).await?;
        let agents = self.store.copilots_of(user_id, &groups).await?;
        let ids: Vec<i64> = agents.iter().map(|(id, _)| *id).collect();
        let pairs: Vec<(i64, String)> =
            self.store.live_grants_of(&ids).await?.into_iter().map(|g| (g.agent_id, g.capability)).collect();
        let standings = self.standings(who, &pairs).await?;
        Ok(standings
            .into_iter()
            .map(|s| (agents.iter().find(|(id, _)| *id == s.agent_id).map(|(_, n)| n.clone()).unwrap_or_default(), s))
            .collect())
    }
}
