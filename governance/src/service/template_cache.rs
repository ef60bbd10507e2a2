//! Template versions as decisions need them, parsed once: a version never changes once saved.

use crate::condition::CedarCondition;
use crate::error::GovError;
use crate::store::{Store, templates as tpl_store};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// A template version with its rules' conditions parsed.
#[derive(Debug)]
pub(crate) struct CachedVersion {
    pub template: String,
    pub body: crate::template::Body,
    /// Each rule's Cedar condition, parsed once (an error if it no longer parses).
    pub conditions: HashMap<String, Result<CedarCondition, String>>,
    /// Each rule's peer-check condition, parsed once.
    pub peer_conditions: HashMap<String, Result<CedarCondition, String>>,
}

/// Template versions by (template id, version).
type Versions = HashMap<(i64, i64), Arc<CachedVersion>>;

/// The cache of template versions; cheap to clone (clones share it).
#[derive(Clone, Debug, Default)]
pub(crate) struct TemplateCache {
    versions: Arc<RwLock<Versions>>,
}

/// Each rule's condition (as `pick` finds it) parsed, by capability.
fn parsed(
    body: &crate::template::Body,
    pick: impl Fn(&crate::template::Rule) -> Option<&str>,
) -> HashMap<String, Result<CedarCondition, String>> {
    body.rules
        .iter()
        .filter_map(|r| {
            let parsed = CedarCondition::parse(pick(r)?).and_then(|c| c.ok_or_else(|| "empty".to_owned()));
            Some((r.capability.clone(), parsed))
        })
        .collect()
}

impl TemplateCache {
    /// A template version, from the cache or the store.
    pub async fn version(
        &self,
        store: &Store,
        template_id: i64,
        version: i64,
    ) -> Result<Option<Arc<CachedVersion>>, GovError> {
        if let Some(v) = self.versions.read().ok().and_then(|m| m.get(&(template_id, version)).cloned()) {
            return Ok(Some(v));
        }
        let Some(header) = tpl_store::by_id(store.db(), template_id).await? else { return Ok(None) };
        let Some(found) = tpl_store::version_of(store.db(), template_id, version).await? else { return Ok(None) };
        let conditions = parsed(&found.body, |r| r.condition.as_deref());
        let peer_conditions = parsed(&found.body, |r| r.peer.condition.as_deref());
        let cached = Arc::new(CachedVersion { template: header.name, body: found.body, conditions, peer_conditions });
        if let Ok(mut m) = self.versions.write() {
            m.insert((template_id, version), cached.clone());
        }
        Ok(Some(cached))
    }
}
