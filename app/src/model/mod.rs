//! UI types: what pages show, kept apart from the engine's types.

mod actions;
mod alerts;
mod exports;
mod groups;
mod notifications;
mod reviews;
mod scorecards;
pub use actions::*;
pub use alerts::*;
pub use exports::*;
pub use groups::*;
pub use notifications::*;
pub use reviews::*;
pub use scorecards::*;

use serde::{Deserialize, Serialize};

/// The signed-in user, as the shell shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub roles: Vec<String>,
    pub must_change_password: bool,
    /// Items waiting in the inbox (reviewers only).
    pub inbox_waiting: Option<u64>,
    /// Trust reviews past their due date (managers and admins only).
    pub reviews_overdue: Option<u64>,
    /// Alerts open and not yet acknowledged.
    pub alerts_open: Option<u64>,
}

/// A one-time message for the next page a session shows, left by the form that was sent (a
/// flash): pages take their messages from the server, never from the URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Success (green) or a warning (amber).
    pub ok: bool,
    pub text: String,
}

/// What a person typed into a form that was refused, kept for the page the form comes back to
/// (after a plain form post the page is loaded anew; the values come from the session, like a
/// notice). Passwords are never kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptForm(pub Vec<(String, String)>);

impl KeptForm {
    /// The value typed into `field`, or empty.
    pub fn get(&self, field: &str) -> String {
        self.0.iter().find(|(k, _)| k == field).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Whether the refused form had `field` ticked (or selected as `value`).
    pub fn has(&self, field: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == field && v == value)
    }
}

/// One row of the users page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub roles: Vec<String>,
    pub active: bool,
    pub must_change_password: bool,
    pub created_at: String,
    pub last_login_at: Option<String>,
    /// Whether this row is the signed-in admin (who cannot deactivate themself).
    pub is_you: bool,
}

/// One sign-in counter on the throttles page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottleRow {
    /// The stored key, which clearing names.
    pub key: String,
    /// What it counts ("account on one address", ...).
    pub scope: String,
    /// The user name, the address, or both.
    pub named: String,
    pub failures: u64,
    /// Failures from which it locks.
    pub threshold: u64,
    pub last_failed_at: String,
    /// How long it stays locked, in words; none while it is open.
    pub locked_for: Option<String>,
}

/// One evidence record, as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRow {
    pub seq: i64,
    pub recorded_at: String,
    pub actor: String,
    pub kind: String,
    pub summary: String,
    pub hash_prefix: String,
}

/// The dashboard's figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    pub users_total: u64,
    pub users_active: u64,
    pub active_by_role: Vec<(String, u64)>,
    pub sign_ins_24h: u64,
    pub failed_sign_ins_24h: u64,
    pub evidence_records: u64,
    pub recent: Vec<EvidenceRow>,
    /// Alerts open, acknowledged and resolved.
    pub alerts: [u64; 3],
}

/// The role names a user can hold, in display order.
pub const ROLE_NAMES: [&str; 4] = ["admin", "manager", "reviewer", "auditor"];

/// One agent, as listed and shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRow {
    pub id: i64,
    pub name: String,
    pub purpose: String,
    pub owner: String,
    pub environment: String,
    pub model_note: String,
    pub status: vocab::AgentStatus,
    pub status_reason: String,
    pub created_at: String,
}

/// One API key, as listed (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRow {
    pub id: i64,
    pub prefix: String,
    pub created_at: String,
    pub created_by: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// An agent's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentDetailView {
    pub agent: AgentRow,
    pub keys: Vec<KeyRow>,
    pub history: Vec<EvidenceRow>,
    /// A key issued just now, shown this once and then gone.
    pub new_key: Option<String>,
    pub grants: Vec<GrantRow>,
    pub actions: Vec<ActionRow>,
    /// How the agent's shadow recommendations compared with reviewers' decisions.
    pub shadow: Vec<ShadowStat>,
    /// Open alerts about the agent.
    pub alerts: Vec<AlertRow>,
    /// Peer-check figures per pair the agent took part in.
    pub peer_pairs: Vec<PeerPairRow>,
    /// Its track record per grant.
    pub scorecards: Vec<ScorecardView>,
    /// What the grant form offers: per template, the capabilities its current version covers
    /// and the agent does not hold yet.
    pub grant_choices: Vec<GrantChoiceRow>,
    /// Catalogue capabilities no template covers (nothing can grant them yet).
    pub uncovered: Vec<String>,
    /// What was typed into the grant form, when the page shows its error.
    pub grant_kept: KeptForm,
    /// Detectors in their quiet period after a person resolved their alert.
    pub quiet: Vec<QuietRow>,
}

/// A detector keeping quiet about one of the agent's grants after its alert was resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietRow {
    pub capability: String,
    /// The detector in words.
    pub detector: String,
    pub alert_id: i64,
    pub resolved_by: String,
    /// "2026-12-09 14:02 UTC".
    pub until: String,
}

/// One template in the grant form, with the capabilities it can grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantChoiceRow {
    pub template_id: i64,
    /// "EU refunds (v3)".
    pub label: String,
    /// Each capability with its option's text (capability, template and version, and the
    /// tier a grant may start at without a justification when above observer).
    pub capabilities: Vec<(String, String)>,
}

/// One grant on an agent's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRow {
    pub id: i64,
    pub capability: String,
    pub tier: vocab::Tier,
    pub template: String,
    pub template_id: i64,
    pub template_version: i64,
    pub granted_by: String,
    pub granted_at: String,
    pub review_due: String,
    pub overdue: bool,
    pub revoked: bool,
    /// The reason typed into its tier-step form, when the page shows that form's error.
    pub kept_reason: String,
    /// The template's newer current version, and whether it still has a rule for the
    /// capability (the grant can move to it only then).
    pub newer: Option<(i64, bool)>,
}

/// One decision on an agent's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionRow {
    pub id: i64,
    pub created_at: String,
    pub capability: String,
    pub decision: vocab::Decision,
    pub state: vocab::State,
    pub rule: String,
    pub confidence: f64,
    pub reasoning: String,
    pub sandbox: bool,
    pub supervised: bool,
}

/// One capability of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapabilityRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub risk: String,
    /// None: irreversible.
    pub undo_window_minutes: Option<i64>,
    pub params_schema: Option<String>,
}

/// One template, as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub current_version: i64,
}

/// One capability's rule in a template version, as the form shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleView {
    pub capability: String,
    pub min_confidence: String,
    pub limits: String,
    pub max_per_hour: String,
    pub new_value_params: String,
    pub supervised: bool,
    pub approval_expiry_minutes: String,
    pub condition: String,
    pub separation_of_duties: bool,
    /// `off`, `always` or `when`, and the rest of the peer check as the form shows it.
    pub peer_mode: String,
    pub peer_condition: String,
    pub peer_pool: String,
    pub peer_tolerances: String,
    pub peer_deadline_minutes: String,
    /// The peer check in one line (empty when off).
    pub peer_summary: String,
    /// Promotion criteria per step, as the editor reads them (empty: the shipped default).
    pub to_contributor: String,
    pub to_executor: String,
    /// Days between trust reviews per tier, the grace period and `flag` or `demote`.
    pub review_observer_days: String,
    pub review_contributor_days: String,
    pub review_executor_days: String,
    pub review_grace_days: String,
    pub review_when_overdue: String,
    /// The highest tier a new grant may start at without a justification.
    pub start_tier: String,
    /// The review cadence in one line.
    pub reviews_summary: String,
    /// Two-person approval: how many people, for which actions, from distinct groups.
    pub approvals_required: String,
    pub approvals_when: String,
    pub approvals_distinct_groups: bool,
    /// The quorum in one line (empty when one person suffices).
    pub approvals_summary: String,
}

impl RuleView {
    /// The rule as it was typed into a refused form (see `KeptForm`).
    pub fn from_kept(k: &KeptForm) -> Self {
        RuleView {
            capability: k.get("capability"),
            min_confidence: k.get("min_confidence"),
            limits: k.get("limits"),
            max_per_hour: k.get("max_per_hour"),
            new_value_params: k.get("new_value_params"),
            supervised: k.has("supervised", "on"),
            approval_expiry_minutes: k.get("approval_expiry_minutes"),
            condition: k.get("condition"),
            separation_of_duties: k.has("separation_of_duties", "on"),
            peer_mode: k.get("peer_mode"),
            peer_condition: k.get("peer_condition"),
            peer_pool: k.get("peer_pool"),
            peer_tolerances: k.get("peer_tolerances"),
            peer_deadline_minutes: k.get("peer_deadline_minutes"),
            peer_summary: String::new(),
            to_contributor: k.get("to_contributor"),
            to_executor: k.get("to_executor"),
            review_observer_days: k.get("review_observer_days"),
            review_contributor_days: k.get("review_contributor_days"),
            review_executor_days: k.get("review_executor_days"),
            review_grace_days: k.get("review_grace_days"),
            review_when_overdue: k.get("review_when_overdue"),
            start_tier: k.get("start_tier"),
            reviews_summary: String::new(),
            approvals_required: k.get("approvals_required"),
            approvals_when: k.get("approvals_when"),
            approvals_distinct_groups: k.has("approvals_distinct_groups", "on"),
            approvals_summary: String::new(),
        }
    }
}

/// One version in a template's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRow {
    pub version: i64,
    pub note: String,
    pub created_by: String,
    pub created_at: String,
}

/// One difference between two versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRow {
    pub capability: String,
    pub field: String,
    pub before: String,
    pub after: String,
}

/// A template's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateDetailView {
    pub template: TemplateRow,
    pub shown_version: i64,
    pub rules: Vec<RuleView>,
    pub versions: Vec<VersionRow>,
    /// Catalogue capabilities this version has no rule for yet.
    pub addable: Vec<String>,
    /// The shipped criteria (to contributor, to executor), as the editor shows them.
    pub default_criteria: (String, String),
    /// A comparison of two versions, when asked for: (a, b, changes).
    pub comparison: Option<(i64, i64, Vec<ChangeRow>)>,
}
