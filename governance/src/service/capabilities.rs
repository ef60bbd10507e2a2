//! The capability catalogue: define and edit capabilities, with evidence for each change.

use crate::agent::parse_text;
use crate::capability::{CapabilityName, ParamsSchema, Reversibility, Risk};
use crate::error::GovError;
use crate::evidence::{Actor, Draft};
use crate::principal::AsManager;
use crate::store::capabilities::{self as cap_store, CapabilityFields, CapabilityRecord};
use crate::store::{Store, evidence};
use serde_json::json;

/// A capability as entered in the form (raw values; validated here).
#[derive(Clone, Debug, Default)]
pub struct CapabilityForm {
    pub name: String,
    pub description: String,
    pub risk: String,
    pub reversible: bool,
    pub undo_window_minutes: String,
    pub params_schema: String,
}

/// The catalogue use cases.
#[derive(Clone, Debug)]
pub struct Capabilities {
    store: Store,
}

struct Parsed {
    description: String,
    risk: Risk,
    reversibility: Reversibility,
    schema: Option<ParamsSchema>,
}

fn parse_fields(form: &CapabilityForm) -> Result<Parsed, GovError> {
    Ok(Parsed {
        description: parse_text(&form.description, 2000, true).map_err(|m| GovError::invalid("description", m))?,
        risk: Risk::parse(&form.risk).map_err(|m| GovError::invalid("risk", m))?,
        reversibility: Reversibility::parse(form.reversible, &form.undo_window_minutes)
            .map_err(|m| GovError::invalid("undo_window_minutes", m))?,
        schema: ParamsSchema::parse(&form.params_schema).map_err(|m| GovError::invalid("params_schema", m))?,
    })
}

fn describe(c: &CapabilityRecord) -> serde_json::Value {
    json!({
        "name": c.name,
        "description": c.description,
        "risk": c.risk,
        "undo_window_minutes": c.reversibility.window_minutes(),
        "params_schema": c.params_schema.as_ref().map(|s| s.as_str()),
    })
}

impl Capabilities {
    /// The catalogue over `store`.
    pub fn new(store: Store) -> Capabilities {
        Capabilities { store }
    }

    /// Every capability.
    pub async fn list(&self, _by: &AsManager) -> Result<Vec<CapabilityRecord>, GovError> {
        self.store.list_capabilities().await
    }

    /// Adds a capability to the catalogue.
    pub async fn define(&self, by: &AsManager, form: CapabilityForm) -> Result<CapabilityRecord, GovError> {
        self.define_as(by.actor(), form).await
    }

    /// Adds a capability on behalf of `actor` (a manager, or the system installing built-ins).
    pub(crate) async fn define_as(&self, actor: &Actor, form: CapabilityForm) -> Result<CapabilityRecord, GovError> {
        let name = CapabilityName::parse(&form.name).map_err(|m| GovError::invalid("name", m))?;
        let p = parse_fields(&form)?;
        let fields = CapabilityFields {
            description: &p.description,
            risk: p.risk,
            reversibility: p.reversibility,
            params_schema: p.schema.as_ref(),
        };
        let txn = self.store.begin_write().await?;
        let cap = cap_store::insert(&txn, name.as_str(), fields).await?;
        let draft = Draft {
            actor: actor.clone(),
            kind: "capability.defined",
            subject_kind: "capability",
            subject_id: cap.id.to_string(),
            summary: format!("{} defined capability {} ({} risk)", actor.name, cap.name, cap.risk.as_str()),
            details: describe(&cap),
        };
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(cap)
    }

    /// Changes a capability's description, risk, reversibility or schema (the name is fixed,
    /// since grants and the trail refer to it).
    pub async fn edit(&self, by: &AsManager, id: i64, form: CapabilityForm) -> Result<CapabilityRecord, GovError> {
        let p = parse_fields(&form)?;
        let txn = self.store.begin_write().await?;
        let before = cap_store::by_id(&txn, id).await?.ok_or_else(|| GovError::NotFound(format!("capability {id}")))?;
        let fields = CapabilityFields {
            description: &p.description,
            risk: p.risk,
            reversibility: p.reversibility,
            params_schema: p.schema.as_ref(),
        };
        cap_store::update(&txn, id, fields).await?;
        let after = cap_store::by_id(&txn, id).await?.ok_or_else(|| GovError::NotFound(format!("capability {id}")))?;
        let draft = Draft {
            actor: by.actor().clone(),
            kind: "capability.changed",
            subject_kind: "capability",
            subject_id: id.to_string(),
            summary: format!("{} changed capability {}", by.actor().name, after.name),
            details: json!({"before": describe(&before), "after": describe(&after)}),
        };
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(after)
    }
}
