//! Templates and their immutable versions.

use crate::entity::{template_versions, templates};
use crate::error::GovError;
use crate::store::Store;
use crate::template::Body;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, SqlErr,
};

/// A template's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateRecord {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub current_version: i64,
    pub created_at: DateTime<Utc>,
}

/// One version of a template.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionRecord {
    pub template_id: i64,
    pub version: i64,
    pub body: Body,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

fn header(m: templates::Model) -> TemplateRecord {
    TemplateRecord {
        id: m.id,
        name: m.name,
        description: m.description,
        builtin: m.builtin,
        current_version: m.current_version,
        created_at: m.created_at,
    }
}

fn version(m: template_versions::Model) -> Result<VersionRecord, GovError> {
    Ok(VersionRecord {
        template_id: m.template_id,
        version: m.version,
        body: Body::from_json(&m.body).map_err(GovError::Internal)?,
        note: m.note,
        created_by: m.created_by,
        created_at: m.created_at,
    })
}

async fn insert_version(
    db: &impl ConnectionTrait,
    template_id: i64,
    v: i64,
    body: &Body,
    note: &str,
    by: &str,
) -> Result<(), GovError> {
    template_versions::ActiveModel {
        template_id: Set(template_id),
        version: Set(v),
        body: Set(body.to_json()),
        note: Set(note.to_owned()),
        created_by: Set(by.to_owned()),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Creates a template at version 1; a taken name is a conflict on `name`.
pub async fn insert(
    db: &impl ConnectionTrait,
    name: &str,
    description: &str,
    builtin: bool,
    body: &Body,
    note: &str,
    by: &str,
) -> Result<TemplateRecord, GovError> {
    let row = templates::ActiveModel {
        name: Set(name.to_owned()),
        description: Set(description.to_owned()),
        builtin: Set(builtin),
        current_version: Set(1),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    };
    let t = row.insert(db).await.map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            GovError::Conflict { field: "name", message: format!("a template named '{name}' already exists") }
        }
        _ => GovError::from(e),
    })?;
    insert_version(db, t.id, 1, body, note, by).await?;
    Ok(header(t))
}

/// Adds the version after `expected`; if someone saved in between, nothing is written and the
/// caller gets a conflict.
pub async fn append_version(
    db: &impl ConnectionTrait,
    template_id: i64,
    expected: i64,
    body: &Body,
    note: &str,
    by: &str,
) -> Result<i64, GovError> {
    let res = templates::Entity::update_many()
        .set(templates::ActiveModel { current_version: Set(expected + 1), ..Default::default() })
        .filter(templates::Column::Id.eq(template_id))
        .filter(templates::Column::CurrentVersion.eq(expected))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(GovError::Conflict {
            field: "version",
            message: format!("the template changed since version {expected}; reload and apply your edit again"),
        });
    }
    insert_version(db, template_id, expected + 1, body, note, by).await?;
    Ok(expected + 1)
}

/// One template's header, on any connection.
pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<TemplateRecord>, GovError> {
    Ok(templates::Entity::find_by_id(id).one(db).await?.map(header))
}

/// One version of a template, on any connection.
pub async fn version_of(db: &impl ConnectionTrait, id: i64, v: i64) -> Result<Option<VersionRecord>, GovError> {
    template_versions::Entity::find()
        .filter(template_versions::Column::TemplateId.eq(id))
        .filter(template_versions::Column::Version.eq(v))
        .one(db)
        .await?
        .map(version)
        .transpose()
}

impl Store {
    /// Every template, by name.
    pub async fn list_templates(&self) -> Result<Vec<TemplateRecord>, GovError> {
        Ok(templates::Entity::find()
            .order_by_asc(templates::Column::Name)
            .all(self.db())
            .await?
            .into_iter()
            .map(header)
            .collect())
    }

    /// Every version of a template, newest first.
    pub async fn template_versions(&self, id: i64) -> Result<Vec<VersionRecord>, GovError> {
        template_versions::Entity::find()
            .filter(template_versions::Column::TemplateId.eq(id))
            .order_by_desc(template_versions::Column::Version)
            .all(self.db())
            .await?
            .into_iter()
            .map(version)
            .collect()
    }

    /// A template by name.
    pub async fn template_by_name(&self, name: &str) -> Result<Option<TemplateRecord>, GovError> {
        Ok(templates::Entity::find().filter(templates::Column::Name.eq(name)).one(self.db()).await?.map(header))
    }
}
