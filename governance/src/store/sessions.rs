//! Browser session records for the web layer's session store. The data is opaque here.

use crate::entity::sessions;
use crate::error::GovError;
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, SqlErr};

impl Store {
    /// Inserts a new session; `Ok(false)` when the id is already taken.
    pub async fn session_create(&self, id: &str, data: &str, expires_at: DateTime<Utc>) -> Result<bool, GovError> {
        let row =
            sessions::ActiveModel { id: Set(id.to_owned()), data: Set(data.to_owned()), expires_at: Set(expires_at) };
        match sessions::Entity::insert(row).exec_without_returning(self.db()).await {
            Ok(_) => Ok(true),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Inserts or replaces a session.
    pub async fn session_save(&self, id: &str, data: &str, expires_at: DateTime<Utc>) -> Result<(), GovError> {
        let row =
            sessions::ActiveModel { id: Set(id.to_owned()), data: Set(data.to_owned()), expires_at: Set(expires_at) };
        sessions::Entity::insert(row)
            .on_conflict(
                OnConflict::column(sessions::Column::Id)
                    .update_columns([sessions::Column::Data, sessions::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec_without_returning(self.db())
            .await?;
        Ok(())
    }

    /// A session's data if it exists and has not expired at `now`.
    pub async fn session_load(&self, id: &str, now: DateTime<Utc>) -> Result<Option<String>, GovError> {
        Ok(sessions::Entity::find_by_id(id.to_owned())
            .filter(sessions::Column::ExpiresAt.gt(now))
            .one(self.db())
            .await?
            .map(|s| s.data))
    }

    /// Deletes one session.
    pub async fn session_delete(&self, id: &str) -> Result<(), GovError> {
        sessions::Entity::delete_by_id(id.to_owned()).exec(self.db()).await?;
        Ok(())
    }

    /// Deletes every session expired at `now`; returns how many went.
    pub async fn session_delete_expired(&self, now: DateTime<Utc>) -> Result<u64, GovError> {
        let res = sessions::Entity::delete_many().filter(sessions::Column::ExpiresAt.lte(now)).exec(self.db()).await?;
        Ok(res.rows_affected)
    }
}
