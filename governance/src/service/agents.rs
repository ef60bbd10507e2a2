//! Agents: registration, API keys, and the kill switch — each change with its evidence record
//! in the same transaction.

use crate::agent::{AgentName, AgentStatus, Environment, parse_reason, parse_text};
use crate::api_key;
use crate::error::GovError;
use crate::evidence::{Actor, Draft, Record};
use crate::principal::{AsAdmin, AsManager};
use crate::store::agents::{self as agent_store, AgentInsert, AgentRecord, KeyRecord};
use crate::store::{Store, evidence};
use chrono::Duration;
use serde_json::json;

/// A new agent as entered by a manager (raw form values; validated here).
#[derive(Clone, Debug, Default)]
pub struct NewAgent {
    pub name: String,
    pub purpose: String,
    /// The owner's user name; empty means the registering manager.
    pub owner: String,
    pub environment: String,
    pub model_note: String,
}

/// An agent's page: the agent, its keys and what the trail says about it.
#[derive(Clone, Debug)]
pub struct AgentDetail {
    pub agent: AgentRecord,
    pub keys: Vec<KeyRecord>,
    pub history: Vec<Record>,
}

/// The agent behind a valid API key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentPrincipal {
    pub agent: AgentRecord,
    pub key_id: i64,
    pub key_prefix: String,
}

impl AgentPrincipal {
    /// The agent as an evidence actor.
    pub fn actor(&self) -> Actor {
        Actor { kind: "agent".into(), id: Some(self.agent.id), name: self.agent.name.clone() }
    }
}

/// The agents use cases.
#[derive(Clone, Debug)]
pub struct Agents {
    pub(crate) store: Store,
}

pub(crate) fn draft(
    actor: &Actor,
    kind: &'static str,
    agent: &AgentRecord,
    summary: String,
    details: serde_json::Value,
) -> Draft {
    Draft { actor: actor.clone(), kind, subject_kind: "agent", subject_id: agent.id.to_string(), summary, details }
}

/// Suspends or reinstates an agent inside `txn` with its evidence record, by `actor` (a manager,
/// or a detector); the agent as it was when it already had that status (nothing written).
pub(crate) async fn change_status(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    agent_id: i64,
    status: AgentStatus,
    reason: &str,
) -> Result<Result<AgentRecord, AgentRecord>, GovError> {
    let before = agent_store::by_id(txn, agent_id).await?.ok_or_else(|| not_found(agent_id))?;
    if !agent_store::set_status(txn, agent_id, status, reason).await? {
        return Ok(Err(before));
    }
    let (kind, verb) = match status {
        AgentStatus::Suspended => ("agent.suspended", "suspended"),
        AgentStatus::Active => ("agent.reinstated", "reinstated"),
    };
    let summary = format!("{} {verb} {}: {reason}", actor.name, before.name);
    let details = json!({"before": before.status, "after": status, "reason": reason});
    evidence::append(txn, &draft(actor, kind, &before, summary, details)).await?;
    Ok(Ok(AgentRecord { status, status_reason: reason.to_owned(), ..before }))
}

fn not_found(id: i64) -> GovError {
    GovError::NotFound(format!("agent {id}"))
}

impl Agents {
    /// Agents over `store`.
    pub fn new(store: Store) -> Agents {
        Agents { store }
    }

    /// Registers an agent; it starts active, with no key and no grant.
    pub async fn register(&self, by: &AsManager, new: NewAgent) -> Result<AgentRecord, GovError> {
        self.register_by(by.actor(), new).await
    }

    /// Registers an agent from the command line (`tenure agent add`) and issues its first key;
    /// the owner must be named. Returns the agent and the key's secret, shown only this once.
    pub async fn register_cli(&self, new: NewAgent) -> Result<(AgentRecord, String), GovError> {
        if new.owner.trim().is_empty() {
            return Err(GovError::invalid("--owner", "name the user who owns the agent"));
        }
        let actor = Actor::system("command line");
        let agent = self.register_by(&actor, new).await?;
        let (_, secret) = self.issue_key_by(&actor, agent.id).await?;
        Ok((agent, secret))
    }

    async fn register_by(&self, actor: &Actor, new: NewAgent) -> Result<AgentRecord, GovError> {
        let name = AgentName::parse(&new.name).map_err(|m| GovError::invalid("name", m))?;
        let purpose = parse_text(&new.purpose, 2000, true).map_err(|m| GovError::invalid("purpose", m))?;
        let environment = Environment::parse(&new.environment).map_err(|m| GovError::invalid("environment", m))?;
        let model_note = parse_text(&new.model_note, 200, false).map_err(|m| GovError::invalid("model_note", m))?;
        let owner_name = if new.owner.trim().is_empty() { actor.name.clone() } else { new.owner.trim().to_lowercase() };
        let owner = self
            .store
            .user_by_name(&owner_name)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| GovError::invalid("owner", format!("'{owner_name}' is not an active user")))?;
        let txn = self.store.begin_write().await?;
        let insert = AgentInsert {
            name: name.as_str(),
            purpose: &purpose,
            owner_id: owner.id,
            environment,
            model_note: &model_note,
        };
        let id = agent_store::insert(&txn, insert).await?;
        let agent = agent_store::by_id(&txn, id).await?.ok_or_else(|| not_found(id))?;
        let summary = format!(
            "{} registered agent {} ({}, owner {})",
            actor.name,
            agent.name,
            environment.as_str(),
            owner.username
        );
        let details =
            json!({"purpose": purpose, "owner": owner.username, "environment": environment, "model_note": model_note});
        evidence::append(&txn, &draft(actor, "agent.registered", &agent, summary, details)).await?;
        txn.commit().await?;
        Ok(agent)
    }

    /// Every agent.
    pub async fn list(&self, _by: &AsManager) -> Result<Vec<AgentRecord>, GovError> {
        self.store.list_agents().await
    }

    /// One agent with its keys and recent history.
    pub async fn detail(&self, _by: &AsManager, id: i64) -> Result<AgentDetail, GovError> {
        let agent = self.store.agent_by_id(id).await?.ok_or_else(|| not_found(id))?;
        let keys = self.store.keys_of(id).await?;
        let history = self.store.evidence_about("agent", &id.to_string(), 20).await?;
        Ok(AgentDetail { agent, keys, history })
    }

    /// Issues a new API key; the returned secret is the only copy there will ever be.
    pub async fn issue_key(&self, by: &AsManager, agent_id: i64) -> Result<(KeyRecord, String), GovError> {
        self.issue_key_by(by.actor(), agent_id).await
    }

    async fn issue_key_by(&self, actor: &Actor, agent_id: i64) -> Result<(KeyRecord, String), GovError> {
        let generated = api_key::generate();
        let txn = self.store.begin_write().await?;
        let agent = agent_store::by_id(&txn, agent_id).await?.ok_or_else(|| not_found(agent_id))?;
        let key = agent_store::insert_key(&txn, agent_id, &generated.prefix, &generated.hash, &actor.name).await?;
        let summary = format!("{} issued API key {} for {}", actor.name, key.prefix, agent.name);
        evidence::append(&txn, &draft(actor, "agent.key_issued", &agent, summary, json!({"prefix": key.prefix})))
            .await?;
        txn.commit().await?;
        Ok((key, generated.secret))
    }

    /// Revokes one key of an agent; revoking a revoked key is a conflict.
    pub async fn revoke_key(&self, by: &AsManager, agent_id: i64, key_id: i64) -> Result<KeyRecord, GovError> {
        let txn = self.store.begin_write().await?;
        let agent = agent_store::by_id(&txn, agent_id).await?.ok_or_else(|| not_found(agent_id))?;
        let Some(key) = agent_store::revoke_key(&txn, agent_id, key_id).await? else {
            return Err(GovError::Conflict {
                field: "key_id",
                message: "this key is already revoked or is not this agent's".into(),
            });
        };
        let summary = format!("{} revoked API key {} of {}", by.actor().name, key.prefix, agent.name);
        evidence::append(&txn, &draft(by.actor(), "agent.key_revoked", &agent, summary, json!({"prefix": key.prefix})))
            .await?;
        txn.commit().await?;
        Ok(key)
    }

    /// Suspends (kill switch) or reinstates an agent, with a reason.
    pub async fn set_status(
        &self,
        by: &AsManager,
        agent_id: i64,
        status: AgentStatus,
        reason: &str,
    ) -> Result<AgentRecord, GovError> {
        let reason = parse_reason(reason).map_err(|m| GovError::invalid("reason", m))?;
        let txn = self.store.begin_write().await?;
        let changed = change_status(&txn, by.actor(), agent_id, status, &reason).await?;
        let after = changed.map_err(|before| GovError::Conflict {
            field: "status",
            message: format!("{} is already {}", before.name, status.as_str()),
        })?;
        txn.commit().await?;
        Ok(after)
    }

    /// Emergency stop: suspends every active agent at once (admins only); returns how many.
    pub async fn suspend_all(&self, by: &AsAdmin, reason: &str) -> Result<usize, GovError> {
        let reason = parse_reason(reason).map_err(|m| GovError::invalid("reason", m))?;
        let txn = self.store.begin_write().await?;
        let active = agent_store::active_ids(&txn).await?;
        for (id, name) in &active {
            if agent_store::set_status(&txn, *id, AgentStatus::Suspended, &reason).await? {
                let d = Draft {
                    actor: by.actor().clone(),
                    kind: "agent.suspended",
                    subject_kind: "agent",
                    subject_id: id.to_string(),
                    summary: format!("{} suspended {name} (suspend all): {reason}", by.actor().name),
                    details: json!({"before": "active", "after": "suspended", "reason": reason, "all": true}),
                };
                evidence::append(&txn, &d).await?;
            }
        }
        txn.commit().await?;
        Ok(active.len())
    }

    /// The agent behind a presented API key. Suspended agents authenticate (so they can be
    /// told they are suspended); revoked, unknown and malformed keys do not.
    pub async fn authenticate(&self, presented: &str) -> Result<AgentPrincipal, GovError> {
        let prefix = api_key::prefix_of(presented).ok_or_else(refuse_key)?;
        let (key, agent) = self.store.key_with_agent(prefix).await?.ok_or_else(refuse_key)?;
        check_key(presented, &key)?;
        let now = crate::clock::now();
        // Recording every use would add a write to every API call; a minute's precision is enough.
        if key.last_used_at.is_none_or(|t| now - t > Duration::minutes(1)) {
            self.store.touch_key(key.id, now).await?;
        }
        Ok(AgentPrincipal { agent, key_id: key.id, key_prefix: key.prefix })
    }
}

/// The one answer to a key that does not authenticate, whatever the reason.
pub(crate) fn refuse_key() -> GovError {
    GovError::Unauthenticated("invalid or revoked API key".into())
}

/// Checks a presented key against the stored key with its prefix: it must be live and match.
pub(crate) fn check_key(presented: &str, key: &KeyRecord) -> Result<(), GovError> {
    if key.revoked_at.is_some() || !api_key::hashes_match(&api_key::hash(presented), &key.key_hash) {
        return Err(refuse_key());
    }
    Ok(())
}
