//! What the inbox knows beside its queues: the approvals given so far to actions that need
//! several people, and an agent's review figures for its page (shadow agreement per
//! capability, open alerts, peer-check figures per pair).

use crate::error::GovError;
use crate::principal::{AsManager, AsMember};
use crate::service::inbox::Inbox;
use crate::store::alerts::AlertRecord;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// One approval given to an action that needs several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GivenApproval {
    pub action_id: i64,
    pub user_id: i64,
    pub username: String,
    pub group: Option<String>,
    pub at: DateTime<Utc>,
}

impl Inbox {
    /// The approvals given so far to those of `actions` (id, current action hash) that need
    /// several; approvals of params an action no longer has are left out.
    pub async fn approvals_given(
        &self,
        _who: &AsMember,
        actions: &[(i64, String)],
    ) -> Result<Vec<GivenApproval>, GovError> {
        let ids: Vec<i64> = actions.iter().map(|(id, _)| *id).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .store
            .approvals_of(&ids)
            .await?
            .into_iter()
            .filter(|g| actions.iter().any(|(id, hash)| *id == g.action_id && *hash == g.action_hash))
            .map(|g| GivenApproval {
                action_id: g.action_id,
                user_id: g.user_id,
                username: g.username,
                group: g.group_name,
                at: g.approved_at,
            })
            .collect())
    }

    /// An agent's shadow agreement per capability, by capability name.
    pub async fn shadow_tallies(
        &self,
        _by: &AsManager,
        agent_id: i64,
    ) -> Result<Vec<(String, crate::shadow::Tally)>, GovError> {
        let mut out: std::collections::BTreeMap<String, crate::shadow::Tally> = Default::default();
        for (capability, agreement) in self.store.shadow_agreements(agent_id).await? {
            if let Some(a) = agreement.as_deref().and_then(crate::shadow::Agreement::parse) {
                out.entry(capability).or_default().add(a);
            }
        }
        Ok(out.into_iter().collect())
    }

    /// Open alerts about one agent.
    pub async fn alerts_of(&self, _by: &AsManager, agent_id: i64) -> Result<Vec<AlertRecord>, GovError> {
        self.store.open_alerts(Some(agent_id)).await
    }
}

impl Inbox {
    /// Peer-check figures for every pair the agent took part in, as primary or as peer.
    pub async fn peer_stats(
        &self,
        _by: &AsManager,
        agent_id: i64,
    ) -> Result<Vec<crate::peer_stats::PairStats>, GovError> {
        use crate::peer_stats::{CheckRow, by_pair};
        let checks = self.store.peer_checks_involving(agent_id).await?;
        let names: HashMap<i64, String> = self.store.list_agents().await?.into_iter().map(|a| (a.id, a.name)).collect();
        let ids: Vec<i64> = checks.iter().map(|c| c.action_id).collect();
        let mut states: HashMap<i64, crate::lifecycle::State> = HashMap::new();
        for chunk in ids.chunks(500) {
            for a in self.store.actions_by_ids(chunk).await? {
                states.insert(a.id, a.state);
            }
        }
        let name = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("agent {id}"));
        let rows: Vec<CheckRow> = checks
            .into_iter()
            .map(|c| CheckRow {
                primary: name(c.primary_agent_id),
                peer: c.peer_agent_id.map(name),
                action_state: states.get(&c.action_id).map(|s| s.as_str().to_owned()).unwrap_or_default(),
                status: c.status,
                resolution: c.resolution,
            })
            .collect();
        Ok(by_pair(&rows))
    }
}
