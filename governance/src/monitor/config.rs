//! How a detector is set up: on or off, how sensitive, and what it does when it fires.

use serde::{Deserialize, Serialize};

/// How readily a detector fires: the significance level its test must reach.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// p < 0.0001: only the unmistakable.
    Low,
    /// p < 0.001.
    #[default]
    Normal,
    /// p < 0.01: earlier, with more false alarms.
    High,
}

impl Sensitivity {
    /// The significance level a test must beat.
    pub fn alpha(self) -> f64 {
        match self {
            Sensitivity::Low => 0.0001,
            Sensitivity::Normal => 0.001,
            Sensitivity::High => 0.01,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sensitivity::Low => "low",
            Sensitivity::Normal => "normal",
            Sensitivity::High => "high",
        }
    }

    pub fn parse(s: &str) -> Result<Sensitivity, String> {
        match s.trim() {
            "low" => Ok(Sensitivity::Low),
            "normal" | "" => Ok(Sensitivity::Normal),
            "high" => Ok(Sensitivity::High),
            other => Err(format!("'{other}' is not low, normal or high")),
        }
    }
}

/// What happens when a detector fires (always with an alert and its evidence record).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// An alert only (an open alert also sends the agent's actions to approval).
    #[default]
    Alert,
    /// The grant goes down one tier.
    DemoteGrant,
    /// The grant is suspended.
    SuspendGrant,
    /// The whole agent is suspended.
    SuspendAgent,
}

impl Response {
    pub fn as_str(self) -> &'static str {
        match self {
            Response::Alert => "alert",
            Response::DemoteGrant => "demote_grant",
            Response::SuspendGrant => "suspend_grant",
            Response::SuspendAgent => "suspend_agent",
        }
    }

    pub fn parse(s: &str) -> Result<Response, String> {
        match s.trim() {
            "alert" | "" => Ok(Response::Alert),
            "demote_grant" => Ok(Response::DemoteGrant),
            "suspend_grant" => Ok(Response::SuspendGrant),
            "suspend_agent" => Ok(Response::SuspendAgent),
            other => Err(format!("'{other}' is not alert, demote_grant, suspend_grant or suspend_agent")),
        }
    }
}

/// One detector's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectorConfig {
    pub enabled: bool,
    pub sensitivity: Sensitivity,
    pub response: Response,
}

impl Default for DetectorConfig {
    /// On, normal sensitivity, an alert only: a person decides what follows until an
    /// organisation chooses to let a detector act on its own.
    fn default() -> DetectorConfig {
        DetectorConfig { enabled: true, sensitivity: Sensitivity::Normal, response: Response::Alert }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higher_sensitivity_accepts_weaker_evidence() {
        assert!(Sensitivity::Low.alpha() < Sensitivity::Normal.alpha());
        assert!(Sensitivity::Normal.alpha() < Sensitivity::High.alpha());
        for s in [Sensitivity::Low, Sensitivity::Normal, Sensitivity::High] {
            assert_eq!(Sensitivity::parse(s.as_str()), Ok(s));
        }
        assert!(Sensitivity::parse("paranoid").unwrap_err().contains("'paranoid'"));
    }

    #[test]
    fn responses_read_back_and_the_default_only_alerts() {
        for r in [Response::Alert, Response::DemoteGrant, Response::SuspendGrant, Response::SuspendAgent] {
            assert_eq!(Response::parse(r.as_str()), Ok(r));
        }
        assert_eq!(DetectorConfig::default().response, Response::Alert);
        assert!(Response::parse("delete").is_err());
    }
}
