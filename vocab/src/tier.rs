//! How much an agent is trusted with one capability.

use serde::{Deserialize, Serialize};

/// How much an agent is trusted with one capability (stored by its name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "db", sea_orm(rs_type = "String", db_type = "Text", rename_all = "lowercase"))]
pub enum Tier {
    /// Recommendations only: recorded, never executed.
    Observer,
    /// Every action needs a human approval first.
    Contributor,
    /// Routine actions within the conditions run at once; anything else escalates.
    Executor,
}

impl Tier {
    /// Every tier, from least to most trusted.
    pub const ALL: [Tier; 3] = [Tier::Observer, Tier::Contributor, Tier::Executor];

    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Observer => "observer",
            Tier::Contributor => "contributor",
            Tier::Executor => "executor",
        }
    }

    /// Parses a tier name.
    pub fn parse(s: &str) -> Result<Tier, String> {
        Tier::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("'{}' is not a tier: choose observer, contributor or executor", s.trim()))
    }

    /// One step up, if there is one.
    pub fn promoted(self) -> Option<Tier> {
        match self {
            Tier::Observer => Some(Tier::Contributor),
            Tier::Contributor => Some(Tier::Executor),
            Tier::Executor => None,
        }
    }

    /// One step down, if there is one.
    pub fn demoted(self) -> Option<Tier> {
        match self {
            Tier::Observer => None,
            Tier::Contributor => Some(Tier::Observer),
            Tier::Executor => Some(Tier::Contributor),
        }
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
