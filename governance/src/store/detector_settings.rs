//! Detector settings as stored: only those a manager changed; the rest are defaults.

use crate::entity::detector_settings as ds;
use crate::error::GovError;
use crate::monitor::{Detector, Response, Sensitivity};
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

/// A stored setting: the detector, on or off, its sensitivity, who changed it and when.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredSetting {
    pub detector: Detector,
    pub enabled: bool,
    pub sensitivity: Sensitivity,
    pub response: Response,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// Writes one detector's setting, replacing what was there.
pub async fn put(db: &impl ConnectionTrait, s: &StoredSetting) -> Result<(), GovError> {
    let row = ds::ActiveModel {
        detector: Set(s.detector.as_str().to_owned()),
        enabled: Set(s.enabled),
        sensitivity: Set(s.sensitivity.as_str().to_owned()),
        response: Set(s.response.as_str().to_owned()),
        updated_by: Set(s.updated_by.clone()),
        updated_at: Set(s.updated_at),
    };
    let conflict = OnConflict::column(ds::Column::Detector)
        .update_columns([
            ds::Column::Enabled,
            ds::Column::Sensitivity,
            ds::Column::Response,
            ds::Column::UpdatedBy,
            ds::Column::UpdatedAt,
        ])
        .to_owned();
    ds::Entity::insert(row).on_conflict(conflict).exec_without_returning(db).await?;
    Ok(())
}

impl Store {
    /// Every stored setting (rows naming a detector this version does not know are skipped).
    pub async fn detector_settings(&self) -> Result<Vec<StoredSetting>, GovError> {
        let rows = ds::Entity::find().all(self.db()).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(StoredSetting {
                    detector: Detector::parse(&r.detector).ok()?,
                    enabled: r.enabled,
                    sensitivity: Sensitivity::parse(&r.sensitivity).ok()?,
                    response: Response::parse(&r.response).ok()?,
                    updated_by: r.updated_by,
                    updated_at: r.updated_at,
                })
            })
            .collect())
    }
}
