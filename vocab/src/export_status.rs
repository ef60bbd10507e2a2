//! Where an audit export stands.

use serde::{Deserialize, Serialize};

/// Where an export stands; stored by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", sea_orm(rs_type = "String", db_type = "Text", rename_all = "lowercase"))]
#[serde(rename_all = "lowercase")]
pub enum ExportStatus {
    Preparing,
    Ready,
    Failed,
}

impl ExportStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportStatus::Preparing => "preparing",
            ExportStatus::Ready => "ready",
            ExportStatus::Failed => "failed",
        }
    }
}

impl std::fmt::Display for ExportStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
