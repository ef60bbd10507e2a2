//! The capability catalogue.

use crate::capability::{ParamsSchema, Reversibility, Risk};
use crate::entity::capabilities;
use crate::error::GovError;
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, SqlErr,
};

/// A capability as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapabilityRecord {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub risk: Risk,
    pub reversibility: Reversibility,
    pub params_schema: Option<ParamsSchema>,
    pub updated_at: DateTime<Utc>,
}

/// The editable columns.
pub struct CapabilityFields<'a> {
    pub description: &'a str,
    pub risk: Risk,
    pub reversibility: Reversibility,
    pub params_schema: Option<&'a ParamsSchema>,
}

pub(crate) fn record(m: capabilities::Model) -> CapabilityRecord {
    CapabilityRecord {
        id: m.id,
        name: m.name,
        description: m.description,
        // An unreadable stored risk is treated as the most cautious one.
        risk: Risk::parse(&m.risk).unwrap_or(Risk::High),
        reversibility: match m.undo_window_minutes {
            Some(w) => Reversibility::Reversible { undo_window_minutes: w },
            None => Reversibility::Irreversible,
        },
        params_schema: m.params_schema.as_deref().and_then(ParamsSchema::stored),
        updated_at: m.updated_at,
    }
}

/// Inserts a capability; a taken name is a conflict on `name`.
pub async fn insert(
    db: &impl ConnectionTrait,
    name: &str,
    f: CapabilityFields<'_>,
) -> Result<CapabilityRecord, GovError> {
    let now = crate::clock::now();
    let row = capabilities::ActiveModel {
        name: Set(name.to_owned()),
        description: Set(f.description.to_owned()),
        risk: Set(f.risk.as_str().to_owned()),
        undo_window_minutes: Set(f.reversibility.window_minutes()),
        params_schema: Set(f.params_schema.map(|s| s.as_str().to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let m = row.insert(db).await.map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            GovError::Conflict { field: "name", message: format!("a capability named '{name}' already exists") }
        }
        _ => GovError::from(e),
    })?;
    Ok(record(m))
}

/// Replaces the editable columns; zero rows touched means no such capability.
pub async fn update(db: &impl ConnectionTrait, id: i64, f: CapabilityFields<'_>) -> Result<(), GovError> {
    let res = capabilities::Entity::update_many()
        .set(capabilities::ActiveModel {
            description: Set(f.description.to_owned()),
            risk: Set(f.risk.as_str().to_owned()),
            undo_window_minutes: Set(f.reversibility.window_minutes()),
            params_schema: Set(f.params_schema.map(|s| s.as_str().to_owned())),
            updated_at: Set(crate::clock::now()),
            ..Default::default()
        })
        .filter(capabilities::Column::Id.eq(id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(GovError::NotFound(format!("capability {id}")));
    }
    Ok(())
}

/// One capability by id, on any connection.
pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<CapabilityRecord>, GovError> {
    Ok(capabilities::Entity::find_by_id(id).one(db).await?.map(record))
}

impl Store {
    /// The whole catalogue, by name.
    pub async fn list_capabilities(&self) -> Result<Vec<CapabilityRecord>, GovError> {
        Ok(capabilities::Entity::find()
            .order_by_asc(capabilities::Column::Name)
            .all(self.db())
            .await?
            .into_iter()
            .map(record)
            .collect())
    }

    /// One capability by name.
    pub async fn capability_by_name(&self, name: &str) -> Result<Option<CapabilityRecord>, GovError> {
        Ok(capabilities::Entity::find().filter(capabilities::Column::Name.eq(name)).one(self.db()).await?.map(record))
    }
}
