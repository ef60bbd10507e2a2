//! What pages about actions read beside the rows: agent names and the catalogue, and one
//! action with its story in the evidence trail and its peer check.

use crate::error::GovError;
use crate::evidence::Record;
use crate::principal::AsMember;
use crate::service::lifecycle::Lifecycle;
use crate::store::actions::ActionRecord;
use crate::store::agents::AgentRecord;
use crate::store::capabilities::CapabilityRecord;
use crate::store::peer_checks::PeerCheckRecord;
use std::collections::HashMap;

/// Agent names by id and the catalogue, to show actions with.
#[derive(Clone, Debug, Default)]
pub struct CardContext {
    pub agents: HashMap<i64, String>,
    pub capabilities: Vec<CapabilityRecord>,
}

impl CardContext {
    /// The agents by name, for choosing one.
    pub fn agent_choices(&self) -> Vec<(i64, String)> {
        let mut out: Vec<(i64, String)> = self.agents.iter().map(|(id, n)| (*id, n.clone())).collect();
        out.sort_by(|a, b| a.1.cmp(&b.1));
        out
    }
}

/// One action and what its page shows about it.
#[derive(Clone, Debug)]
pub struct ActionPage {
    pub action: ActionRecord,
    /// Its evidence records, newest first (at most 100).
    pub history: Vec<Record>,
    /// Its peer check, if it had one, with the two agents.
    pub check: Option<PeerCheckRecord>,
    pub primary: Option<AgentRecord>,
    pub peer: Option<AgentRecord>,
    pub context: CardContext,
}

impl Lifecycle {
    /// Agent names and the catalogue (any signed-in role).
    pub async fn card_context(&self, _by: &AsMember) -> Result<CardContext, GovError> {
        Ok(CardContext {
            agents: self.store.list_agents().await?.into_iter().map(|a| (a.id, a.name)).collect(),
            capabilities: self.store.list_capabilities().await?,
        })
    }

    /// One action for its page (any signed-in role).
    pub async fn action_page(&self, by: &AsMember, id: i64) -> Result<ActionPage, GovError> {
        let action = self.load(id).await?;
        let history = self.store.evidence_about("action", &id.to_string(), 100).await?;
        let check = self.store.peer_check_of(id).await?;
        let primary = self.store.agent_by_id(action.agent_id).await?;
        let peer = match check.as_ref().and_then(|c| c.peer_agent_id) {
            Some(p) => self.store.agent_by_id(p).await?,
            None => None,
        };
        Ok(ActionPage { action, history, check, primary, peer, context: self.card_context(by).await? })
    }
}
