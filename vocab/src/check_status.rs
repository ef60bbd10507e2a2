//! Where a peer check is.

use serde::{Deserialize, Serialize};

/// Where a peer check is: waiting to be taken, taken by a peer, answered (agreeing or not),
/// or past its deadline unanswered. Stored by its snake_case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "db", sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case"))]
pub enum CheckStatus {
    Open,
    Taken,
    Agreed,
    Disagreed,
    TimedOut,
}

impl CheckStatus {
    /// The stored name, in words ("timed out").
    pub fn words(self) -> &'static str {
        match self {
            CheckStatus::Open => "open",
            CheckStatus::Taken => "taken",
            CheckStatus::Agreed => "agreed",
            CheckStatus::Disagreed => "disagreed",
            CheckStatus::TimedOut => "timed out",
        }
    }
}
