//! The notifications page: subscriptions with how their deliveries stand, and the deliveries.

use serde::{Deserialize, Serialize};

/// One subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionRow {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// `json` or `slack`.
    pub format: String,
    /// Event kinds by label; empty: every kind.
    pub kinds: Vec<String>,
    /// Empty: every capability.
    pub capabilities: Vec<String>,
    pub min_risk: Option<String>,
    pub active: bool,
    pub created_by: String,
    pub created_at: String,
    pub pending: u64,
    pub delivered: u64,
    pub dead: u64,
}

/// One delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub subscription: String,
    /// The event kind's label, and what it said.
    pub kind: String,
    pub summary: String,
    /// `pending`, `delivered` or `dead`.
    pub state: String,
    pub attempts: i32,
    /// The receiver's last answer, or why it could not be reached.
    pub last: Option<String>,
    pub created_at: String,
    /// For a pending delivery: when it is tried next.
    pub next: Option<String>,
}

/// A signing secret just made, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSecret {
    pub subscription: String,
    pub secret: String,
}

/// Everything the page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationsView {
    pub subscriptions: Vec<SubscriptionRow>,
    pub deliveries: Vec<DeliveryRow>,
    /// The deliveries listed: `all`, `pending`, `dead` or `delivered`.
    pub showing: String,
    /// The event kinds to choose from: (wire name, label).
    pub kinds: Vec<(String, String)>,
    /// The catalogue's capability names.
    pub capabilities: Vec<String>,
    pub new_secret: Option<NewSecret>,
}

/// The form field of each event kind's checkbox.
pub fn kind_field(kind: &str) -> String {
    format!("kind_{}", kind.replace('.', "_"))
}
