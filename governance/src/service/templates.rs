//! Permission templates: built-ins at start, copies, rule edits as new versions, comparisons.

use crate::builtin;
use crate::error::GovError;
use crate::evidence::{Actor, Draft};
use crate::principal::AsManager;
use crate::store::templates::{self as tpl_store, TemplateRecord, VersionRecord};
use crate::store::{Store, evidence};
use crate::template::{self, Body, Change, RuleForm};
use serde_json::json;

/// A template with one of its versions and the list of all versions.
#[derive(Clone, Debug)]
pub struct TemplateView {
    pub template: TemplateRecord,
    pub shown: VersionRecord,
    pub versions: Vec<VersionRecord>,
}

/// The templates use cases.
#[derive(Clone, Debug)]
pub struct Templates {
    store: Store,
}

fn draft(actor: &Actor, kind: &'static str, t: &TemplateRecord, summary: String, details: serde_json::Value) -> Draft {
    Draft { actor: actor.clone(), kind, subject_kind: "template", subject_id: t.id.to_string(), summary, details }
}

fn name_of(raw: &str) -> Result<String, GovError> {
    let n = raw.trim();
    if n.chars().count() < 3 || n.chars().count() > 100 {
        return Err(GovError::invalid("name", "must be 3 to 100 characters"));
    }
    Ok(n.to_owned())
}

impl Templates {
    /// Templates over `store`.
    pub fn new(store: Store) -> Templates {
        Templates { store }
    }

    /// Adds the built-in capabilities and templates that are missing (idempotent; safe with
    /// several instances starting at once).
    pub async fn ensure_builtins(&self) -> Result<(), GovError> {
        let system = Actor::system("built-in catalogue");
        let caps = crate::service::capabilities::Capabilities::new(self.store.clone());
        for c in builtin::CAPABILITIES {
            if self.store.capability_by_name(c.name).await?.is_none() {
                match caps.define_as(&system, c.form()).await {
                    Ok(_) | Err(GovError::Conflict { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        for (name, description, body) in builtin::templates() {
            if self.store.template_by_name(name).await?.is_some() {
                continue;
            }
            let txn = self.store.begin_write().await?;
            match tpl_store::insert(&txn, name, description, true, &body, "shipped with Tenure", &system.name).await {
                Ok(t) => {
                    let summary = format!("built-in template {name} v1 installed");
                    evidence::append(&txn, &draft(&system, "template.created", &t, summary, json!({"body": body})))
                        .await?;
                    txn.commit().await?;
                }
                Err(GovError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Every template.
    pub async fn list(&self, _by: &AsManager) -> Result<Vec<TemplateRecord>, GovError> {
        self.store.list_templates().await
    }

    /// A template at `version` (default: current), with its version list.
    pub async fn view(&self, _by: &AsManager, id: i64, version: Option<i64>) -> Result<TemplateView, GovError> {
        let template =
            tpl_store::by_id(self.store.db(), id).await?.ok_or_else(|| GovError::NotFound(format!("template {id}")))?;
        let v = version.unwrap_or(template.current_version);
        let shown = tpl_store::version_of(self.store.db(), id, v)
            .await?
            .ok_or_else(|| GovError::NotFound(format!("version {v} of {}", template.name)))?;
        let versions = self.store.template_versions(id).await?;
        Ok(TemplateView { template, shown, versions })
    }

    /// Copies a template's current version into a new, editable template.
    pub async fn copy(&self, by: &AsManager, from: i64, name: &str) -> Result<TemplateRecord, GovError> {
        let name = name_of(name)?;
        let txn = self.store.begin_write().await?;
        let source =
            tpl_store::by_id(&txn, from).await?.ok_or_else(|| GovError::NotFound(format!("template {from}")))?;
        let body = tpl_store::version_of(&txn, from, source.current_version)
            .await?
            .ok_or_else(|| GovError::NotFound(format!("template {from}")))?
            .body;
        let note = format!("copied from {} v{}", source.name, source.current_version);
        let t = tpl_store::insert(&txn, &name, &source.description, false, &body, &note, &by.actor().name).await?;
        let summary = format!("{} created template {} ({note})", by.actor().name, t.name);
        let details = json!({"from": source.id, "from_version": source.current_version, "body": body});
        evidence::append(&txn, &draft(by.actor(), "template.created", &t, summary, details)).await?;
        txn.commit().await?;
        Ok(t)
    }

    async fn change(
        &self,
        by: &AsManager,
        id: i64,
        expected: i64,
        edit: impl FnOnce(&Body) -> Result<(Body, String), GovError>,
    ) -> Result<i64, GovError> {
        let txn = self.store.begin_write().await?;
        let t = tpl_store::by_id(&txn, id).await?.ok_or_else(|| GovError::NotFound(format!("template {id}")))?;
        if t.builtin {
            return Err(GovError::Conflict {
                field: "template",
                message: format!("{} is built in: copy it to edit", t.name),
            });
        }
        let current = tpl_store::version_of(&txn, id, t.current_version)
            .await?
            .ok_or_else(|| GovError::NotFound(format!("template {id}")))?;
        let (body, note) = edit(&current.body)?;
        let v = tpl_store::append_version(&txn, id, expected, &body, &note, &by.actor().name).await?;
        let changes = template::compare(&current.body, &body);
        let summary = format!("{} saved {} v{v}: {note}", by.actor().name, t.name);
        evidence::append(
            &txn,
            &draft(by.actor(), "template.versioned", &t, summary, json!({"version": v, "changes": changes})),
        )
        .await?;
        txn.commit().await?;
        Ok(v)
    }

    /// Adds or replaces one capability's rule; returns the new version. `expected` is the version
    /// the editor saw: if another save came first, this one is refused with a conflict.
    pub async fn save_rule(&self, by: &AsManager, id: i64, expected: i64, form: RuleForm) -> Result<i64, GovError> {
        let rule = template::parse_rule(&form).map_err(GovError::field)?;
        if self.store.capability_by_name(&rule.capability).await?.is_none() {
            return Err(GovError::invalid("capability", format!("'{}' is not in the catalogue", rule.capability)));
        }
        if !rule.peer.pool.is_empty() {
            let known: Vec<String> =
                self.store.agents_named(&rule.peer.pool).await?.into_iter().map(|(_, name)| name).collect();
            if let Some(unknown) = rule.peer.pool.iter().find(|n| !known.contains(n)) {
                return Err(GovError::invalid("peer_pool", format!("'{unknown}' is not a registered agent")));
            }
        }
        self.change(by, id, expected, |body| {
            let verb = if body.rule(&rule.capability).is_some() { "changed" } else { "added" };
            let note = format!("{verb} {}", rule.capability);
            Ok((body.with_rule(rule), note))
        })
        .await
    }

    /// Removes one capability's rule; returns the new version.
    pub async fn remove_rule(&self, by: &AsManager, id: i64, expected: i64, capability: &str) -> Result<i64, GovError> {
        self.change(by, id, expected, |body| {
            if body.rule(capability).is_none() {
                return Err(GovError::invalid("capability", format!("the template has no rule for '{capability}'")));
            }
            Ok((body.without(capability), format!("removed {capability}")))
        })
        .await
    }

    /// What changed between two versions of a template.
    pub async fn compare(
        &self,
        _by: &AsManager,
        id: i64,
        a: i64,
        b: i64,
    ) -> Result<(VersionRecord, VersionRecord, Vec<Change>), GovError> {
        let get = |v: i64| async move {
            tpl_store::version_of(self.store.db(), id, v)
                .await?
                .ok_or_else(|| GovError::NotFound(format!("version {v}")))
        };
        let (va, vb) = (get(a).await?, get(b).await?);
        let changes = template::compare(&va.body, &vb.body);
        Ok((va, vb, changes))
    }
}
