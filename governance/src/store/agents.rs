//! Agents and their API keys.

use crate::agent::{AgentStatus, Environment};
use crate::entity::{agent_keys, agents, users};
use crate::error::GovError;
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, SqlErr,
};
use std::collections::HashMap;

/// An agent with its owner's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentRecord {
    pub id: i64,
    pub name: String,
    pub purpose: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub environment: Environment,
    pub model_note: String,
    pub status: AgentStatus,
    pub status_reason: String,
    pub created_at: DateTime<Utc>,
    /// Whom it is the copilot of, if anyone.
    pub copilot: Option<crate::copilot::Copilot>,
}

/// An API key as listed (never the secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRecord {
    pub id: i64,
    pub agent_id: i64,
    pub prefix: String,
    pub key_hash: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The columns of a new agent.
pub struct AgentInsert<'a> {
    pub name: &'a str,
    pub purpose: &'a str,
    pub owner_id: i64,
    pub environment: Environment,
    pub model_note: &'a str,
}

fn to_record(a: agents::Model, owner_name: String) -> AgentRecord {
    AgentRecord {
        id: a.id,
        name: a.name,
        purpose: a.purpose,
        owner_id: a.owner_id,
        owner_name,
        environment: Environment::parse(&a.environment).unwrap_or(Environment::Sandbox),
        model_note: a.model_note,
        status: a.status,
        status_reason: a.status_reason,
        created_at: a.created_at,
        copilot: crate::copilot::Copilot::stored(a.copilot_user_id, a.copilot_group_id, a.copilot_fallback_minutes),
    }
}

fn key_record(k: agent_keys::Model) -> KeyRecord {
    KeyRecord {
        id: k.id,
        agent_id: k.agent_id,
        prefix: k.prefix,
        key_hash: k.key_hash,
        created_at: k.created_at,
        created_by: k.created_by,
        last_used_at: k.last_used_at,
        revoked_at: k.revoked_at,
    }
}

/// Inserts an active agent; a taken name is a conflict on `name`.
pub async fn insert(db: &impl ConnectionTrait, new: AgentInsert<'_>) -> Result<i64, GovError> {
    let now = crate::clock::now();
    let row = agents::ActiveModel {
        name: Set(new.name.to_owned()),
        purpose: Set(new.purpose.to_owned()),
        owner_id: Set(new.owner_id),
        environment: Set(new.environment.as_str().to_owned()),
        model_note: Set(new.model_note.to_owned()),
        status: Set(AgentStatus::Active),
        status_reason: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let inserted = row.insert(db).await.map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            GovError::Conflict { field: "name", message: format!("an agent named '{}' already exists", new.name) }
        }
        _ => GovError::from(e),
    })?;
    Ok(inserted.id)
}

/// One agent with its owner's name, on any connection.
pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<AgentRecord>, GovError> {
    let Some(a) = agents::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    let owner = users::Entity::find_by_id(a.owner_id).one(db).await?.map(|u| u.username).unwrap_or_default();
    Ok(Some(to_record(a, owner)))
}

/// Sets an agent's status and reason only if it is not already in that status; returns
/// whether it changed (so two people suspending at once record one suspension).
pub async fn set_status(
    db: &impl ConnectionTrait,
    id: i64,
    status: AgentStatus,
    reason: &str,
) -> Result<bool, GovError> {
    let res = agents::Entity::update_many()
        .set(agents::ActiveModel {
            status: Set(status),
            status_reason: Set(reason.to_owned()),
            updated_at: Set(crate::clock::now()),
            ..Default::default()
        })
        .filter(agents::Column::Id.eq(id))
        .filter(agents::Column::Status.ne(status.as_str()))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Ids and names of every active agent.
pub async fn active_ids(db: &impl ConnectionTrait) -> Result<Vec<(i64, String)>, GovError> {
    Ok(agents::Entity::find()
        .filter(agents::Column::Status.eq(AgentStatus::Active.as_str()))
        .order_by_asc(agents::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect())
}

/// Stores a new key for an agent.
pub async fn insert_key(
    db: &impl ConnectionTrait,
    agent_id: i64,
    prefix: &str,
    key_hash: &str,
    created_by: &str,
) -> Result<KeyRecord, GovError> {
    let row = agent_keys::ActiveModel {
        agent_id: Set(agent_id),
        prefix: Set(prefix.to_owned()),
        key_hash: Set(key_hash.to_owned()),
        created_at: Set(crate::clock::now()),
        created_by: Set(created_by.to_owned()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    };
    Ok(key_record(row.insert(db).await?))
}

/// Revokes one of an agent's keys if it is still live; returns the key if it changed.
pub async fn revoke_key(db: &impl ConnectionTrait, agent_id: i64, key_id: i64) -> Result<Option<KeyRecord>, GovError> {
    let res = agent_keys::Entity::update_many()
        .set(agent_keys::ActiveModel { revoked_at: Set(Some(crate::clock::now())), ..Default::default() })
        .filter(agent_keys::Column::Id.eq(key_id))
        .filter(agent_keys::Column::AgentId.eq(agent_id))
        .filter(agent_keys::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    Ok(agent_keys::Entity::find_by_id(key_id).one(db).await?.map(key_record))
}

impl Store {
    /// Every agent, by name.
    pub async fn list_agents(&self) -> Result<Vec<AgentRecord>, GovError> {
        let owners: HashMap<i64, String> =
            users::Entity::find().all(self.db()).await?.into_iter().map(|u| (u.id, u.username)).collect();
        Ok(agents::Entity::find()
            .order_by_asc(agents::Column::Name)
            .all(self.db())
            .await?
            .into_iter()
            .map(|a| {
                let owner = owners.get(&a.owner_id).cloned().unwrap_or_default();
                to_record(a, owner)
            })
            .collect())
    }

    /// Ids and names of the agents among `names` that are registered (any status).
    pub async fn agents_named(&self, names: &[String]) -> Result<Vec<(i64, String)>, GovError> {
        Ok(agents::Entity::find()
            .select_only()
            .column(agents::Column::Id)
            .column(agents::Column::Name)
            .filter(agents::Column::Name.is_in(names.iter().map(String::as_str)))
            .order_by_asc(agents::Column::Id)
            .into_tuple()
            .all(self.db())
            .await?)
    }

    /// One agent.
    pub async fn agent_by_id(&self, id: i64) -> Result<Option<AgentRecord>, GovError> {
        by_id(self.db(), id).await
    }

    /// An agent's keys, newest first.
    pub async fn keys_of(&self, agent_id: i64) -> Result<Vec<KeyRecord>, GovError> {
        Ok(agent_keys::Entity::find()
            .filter(agent_keys::Column::AgentId.eq(agent_id))
            .order_by_desc(agent_keys::Column::Id)
            .all(self.db())
            .await?
            .into_iter()
            .map(key_record)
            .collect())
    }

    /// The key with this prefix (revoked or not) with its agent and the agent's owner, in one
    /// query: every API call starts here.
    pub async fn key_with_agent(&self, prefix: &str) -> Result<Option<(KeyRecord, AgentRecord)>, GovError> {
        use crate::store::{aliased_columns, placeholder};
        use sea_orm::{FromQueryResult, Statement};
        let backend = self.backend();
        let keys = aliased_columns::<agent_keys::Column>("k");
        let agent = aliased_columns::<agents::Column>("a");
        let param = placeholder(backend, 1);
        let sql = format!(
            "SELECT {keys}, {agent}, u.username AS owner_name FROM agent_keys k \
             JOIN agents a ON a.id = k.agent_id LEFT JOIN users u ON u.id = a.owner_id WHERE k.prefix = {param}"
        );
        let stmt = Statement::from_sql_and_values(backend, sql, [prefix.into()]);
        let Some(row) = self.db().query_one_raw(stmt).await? else { return Ok(None) };
        let key = agent_keys::Model::from_query_result(&row, "k_")?;
        let agent = agents::Model::from_query_result(&row, "a_")?;
        let owner: Option<String> = row.try_get("", "owner_name")?;
        Ok(Some((key_record(key), to_record(agent, owner.unwrap_or_default()))))
    }

    /// Records that a key was used at `at`.
    pub async fn touch_key(&self, key_id: i64, at: DateTime<Utc>) -> Result<(), GovError> {
        agent_keys::Entity::update_many()
            .set(agent_keys::ActiveModel { last_used_at: Set(Some(at)), ..Default::default() })
            .filter(agent_keys::Column::Id.eq(key_id))
            .exec(self.db())
            .await?;
        Ok(())
    }
}

/// Makes agent `id` the copilot of whom `to` names (or of no one).
pub async fn set_copilot(
    db: &impl ConnectionTrait,
    id: i64,
    to: Option<crate::copilot::Copilot>,
) -> Result<bool, GovError> {
    let res = agents::Entity::update_many()
        .set(agents::ActiveModel {
            copilot_user_id: Set(to.and_then(|c| c.user_id)),
            copilot_group_id: Set(to.and_then(|c| c.group_id)),
            copilot_fallback_minutes: Set(to.map(|c| i32::try_from(c.fallback_minutes).unwrap_or(60))),
            updated_at: Set(crate::clock::now()),
            ..Default::default()
        })
        .filter(agents::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

impl Store {
    /// Ids and names of the agents that are copilots of `user` or of one of `groups`.
    pub async fn copilots_of(&self, user: i64, groups: &[i64]) -> Result<Vec<(i64, String)>, GovError> {
        use sea_orm::{Condition, QuerySelect};
        Ok(agents::Entity::find()
            .select_only()
            .column(agents::Column::Id)
            .column(agents::Column::Name)
            .filter(
                Condition::any()
                    .add(agents::Column::CopilotUserId.eq(user))
                    .add(agents::Column::CopilotGroupId.is_in(groups.iter().copied())),
            )
            .order_by_asc(agents::Column::Name)
            .into_tuple()
            .all(self.db())
            .await?)
    }
}
