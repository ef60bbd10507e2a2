//! What an agent is told when it asks.

use serde::{Deserialize, Serialize};

/// What the agent is told (stored by its snake_case name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "db", sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case"))]
pub enum Decision {
    Allowed,
    NeedsApproval,
    Shadow,
    Denied,
    /// Waiting for a second agent's independent analysis (a template's peer check).
    AwaitingPeer,
}

impl Decision {
    /// The wire and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::NeedsApproval => "needs_approval",
            Decision::Shadow => "shadow",
            Decision::Denied => "denied",
            Decision::AwaitingPeer => "awaiting_peer",
        }
    }
}

/// A decision equals its wire name, so callers holding wire text (tests, JSON) compare directly.
impl PartialEq<&str> for Decision {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
