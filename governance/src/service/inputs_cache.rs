//! The read side of a decision, kept in memory: API keys with their agents, and per agent and
//! capability the catalogue entry, the live grant and whether an alert is open. A decision then
//! runs no query before the group commit.
//!
//! Everything cached carries the value of the database's decision inputs counter it was read
//! at (migration 14: triggers move it with every change to keys, agents, capabilities, grants,
//! templates and alerts, on any instance). The decision writer reads the counter once per batch
//! under its lock and refuses a decision made from an older value; the request then drops the
//! cache and decides again from fresh reads. So a suspension, a revoked key or a demotion holds
//! for the very next decision on every instance, and nothing is cached for a time.

use crate::error::GovError;
use crate::store::Store;
use crate::store::agents::{AgentRecord, KeyRecord};
use crate::store::decision_inputs::DecisionInputs;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

/// Entries kept before the cache starts over (capability names come from requests, so an agent
/// asking for made-up names must not grow it without bound).
const MOST_ENTRIES: usize = 20_000;

/// An API key with its agent, as a decision authenticates it.
#[derive(Debug)]
pub struct KeyEntry {
    pub key: KeyRecord,
    pub agent: AgentRecord,
    /// When this instance last recorded the key's use (seconds since the epoch), so the
    /// minute-precision `last_used_at` is written about once a minute, not on every call.
    recorded_use: AtomicI64,
}

impl KeyEntry {
    /// Whether a use at `now` should be written (the last one recorded is over a minute old);
    /// claims the write, so concurrent requests do not all write it.
    pub fn claim_use(&self, now: DateTime<Utc>) -> bool {
        let last = self.recorded_use.load(Ordering::Relaxed);
        now.timestamp() - last > 60
            && self.recorded_use.compare_exchange(last, now.timestamp(), Ordering::Relaxed, Ordering::Relaxed).is_ok()
    }
}

/// The cached entries, all read at `version`.
#[derive(Debug, Default)]
struct Entries {
    version: i64,
    keys: HashMap<String, Arc<KeyEntry>>,
    /// `None`: the capability is not catalogued.
    inputs: HashMap<(i64, String), Option<Arc<DecisionInputs>>>,
}

impl Entries {
    fn len(&self) -> usize {
        self.keys.len() + self.inputs.len()
    }
}

/// The cache; cheap to clone (clones share it).
#[derive(Clone, Debug, Default)]
pub struct InputsCache {
    entries: Arc<RwLock<Entries>>,
}

impl InputsCache {
    /// The key with this prefix and its agent (none if unknown), and the counter value they were
    /// read at.
    pub async fn key(&self, store: &Store, prefix: &str) -> Result<(Option<Arc<KeyEntry>>, i64), GovError> {
        if let Some(hit) = self.look(|e| e.keys.get(prefix).cloned()) {
            return Ok((Some(hit.0), hit.1));
        }
        // The counter first: what is read after it is at least that new.
        let version = store.decision_inputs_version().await?;
        let found = store.key_with_agent(prefix).await?.map(|(key, agent)| {
            let recorded_use = AtomicI64::new(key.last_used_at.map_or(0, |t| t.timestamp()));
            Arc::new(KeyEntry { key, agent, recorded_use })
        });
        // Unknown prefixes are not remembered: anyone can send those.
        if let Some(entry) = &found {
            self.keep(version, |e| {
                e.keys.insert(prefix.to_owned(), entry.clone());
            });
        }
        Ok((found, version))
    }

    /// What a decision reads about `agent_id` asking for `capability` (none if the capability
    /// is not catalogued), and the counter value it was read at.
    pub async fn inputs(
        &self,
        store: &Store,
        agent_id: i64,
        capability: &str,
    ) -> Result<(Option<Arc<DecisionInputs>>, i64), GovError> {
        let at = (agent_id, capability.to_owned());
        if let Some(hit) = self.look(|e| e.inputs.get(&at).cloned()) {
            return Ok(hit);
        }
        let version = store.decision_inputs_version().await?;
        let found = store.decision_inputs(agent_id, capability).await?.map(Arc::new);
        self.keep(version, |e| {
            e.inputs.insert(at, found.clone());
        });
        Ok((found, version))
    }

    /// The database's counter has reached `version`: everything read before it goes.
    pub fn moved_to(&self, version: i64) {
        self.keep(version, |_| {});
    }

    fn look<T>(&self, find: impl FnOnce(&Entries) -> Option<T>) -> Option<(T, i64)> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        find(&entries).map(|found| (found, entries.version))
    }

    /// Runs `add` on the entries if they are at `version`, after dropping older ones; a read
    /// older than what is cached is not kept.
    fn keep(&self, version: i64, add: impl FnOnce(&mut Entries)) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if version > entries.version || entries.len() >= MOST_ENTRIES {
            *entries = Entries { version: version.max(entries.version), ..Entries::default() };
        }
        if version == entries.version {
            add(&mut entries);
        }
    }
}
