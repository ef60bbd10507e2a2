//! UI types for actions after their decision: inbox items, an action's page, rollbacks,
//! shadow statistics and alerts.

use serde::{Deserialize, Serialize};
use vocab::{Decision, State, Tier};

/// One action as a reviewer sees it. Agent-supplied text is carried as plain strings and
/// only ever rendered as escaped text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionCard {
    pub id: i64,
    pub agent_id: i64,
    pub agent: String,
    pub capability: String,
    pub risk: String,
    pub reversible: bool,
    pub state: State,
    pub decision: Decision,
    pub rule: String,
    pub tier: Option<Tier>,
    pub confidence: f64,
    /// Top-level params as (name, readable value).
    pub params: Vec<(String, String)>,
    /// The params a reviewer changed when approving: (name, what the agent proposed, what was
    /// approved), "—" for a param one side lacks. Empty for a plain approval.
    pub edited: Vec<(String, String, String)>,
    /// The params as pretty JSON (prefills the shadow form and the edit of an approval).
    pub params_json: String,
    pub reasoning: String,
    /// Pretty JSON; empty when the agent sent none.
    pub inputs: String,
    pub alternatives: Vec<String>,
    pub task_ref: String,
    pub created_at: String,
    /// The deadline that matters now (approval expiry or end of the undo window), readable.
    pub deadline: Option<String>,
    /// "in 3 h 20 min", or "overdue".
    pub time_left: Option<String>,
    pub supervised: bool,
    pub sandbox: bool,
    pub separation_of_duties: bool,
    pub action_hash: String,
    pub result_status: Option<String>,
    /// Pretty JSON of the agent's execution output.
    pub output: Option<String>,
    pub rollback_reason: Option<String>,
    pub rollback_requested_by: Option<String>,
    pub rollback_output: Option<String>,
    pub shadow_verdict: Option<String>,
    pub shadow_params: Option<String>,
    pub shadow_agreement: Option<String>,
    /// The peer's independent analysis, for a disagreement review.
    pub peer: Option<PeerSide>,
    /// The agent's standing with the capability, beside the item (the inbox).
    pub standing: Option<StandingLine>,
    /// A shadow case shown blind: the agent's recommendation (params, reasoning, confidence,
    /// alternatives) is not sent until the reviewer has recorded their own decision; the
    /// params hold only their names, each `null`.
    pub blind: bool,
    /// Who works the item (the inbox): its assignee and any claim that holds.
    pub queue: Option<QueueLine>,
    /// Approvals from distinct people it needs (1 for most).
    pub approvals_required: i32,
    /// Those given so far: (who, the group it counted for).
    pub approvals: Vec<(String, Option<String>)>,
    /// The viewer gave one of them.
    pub approved_by_me: bool,
}

/// Who works an inbox item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueLine {
    /// "rita" or "group finance reviewers"; none for the shared inbox.
    pub assigned: Option<String>,
    /// Who holds a claim on it (none when unclaimed or lapsed).
    pub claimed_by: Option<String>,
    /// The viewer holds the claim.
    pub mine: bool,
    /// "since 10:02 UTC · until 10:32 UTC".
    pub claim_times: String,
    /// The `user:<id>` / `group:<id>` value it is assigned to (preselected in the form).
    pub assigned_value: String,
}

/// A peer's analysis beside the primary's, with where they differ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeerSide {
    pub agent: String,
    /// `proceed`, `decline`, or empty when the peer never answered.
    pub decision: String,
    pub params: Vec<(String, String)>,
    pub reasoning: String,
    pub confidence: Option<f64>,
    pub differences: Vec<DifferenceRow>,
    /// No peer answered before the deadline.
    pub timed_out: bool,
    /// The peer shares the primary's owner or model.
    pub warnings: Vec<String>,
}

/// One difference between the two analyses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DifferenceRow {
    pub field: String,
    pub primary: String,
    pub peer: String,
    pub why: String,
}

/// How many items wait in each inbox section.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxCounts {
    pub approval: u64,
    pub supervised: u64,
    pub shadow: u64,
    pub disagreements: u64,
    pub alerts: u64,
}

/// An open alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRow {
    pub id: i64,
    /// The agent it is about (none for an alert about a reviewer).
    pub agent_id: Option<i64>,
    pub agent: String,
    /// The reviewer it is about (a detector watching people).
    pub reviewer: Option<String>,
    /// While open, the agent's requests wait for approval (not for detectors about people).
    pub holds_agent: bool,
    pub action_id: Option<i64>,
    pub kind: String,
    pub message: String,
    pub created_at: String,
}

/// One page of the inbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboxView {
    pub items: Vec<ActionCard>,
    pub alerts: Vec<AlertRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub counts: InboxCounts,
    pub agents: Vec<(i64, String)>,
    pub capabilities: Vec<String>,
    /// What was ticked and typed into the bulk form, when the page shows its error.
    pub kept_bulk: super::KeptForm,
    /// What was typed into a shadow decision (its `id` says which), likewise.
    pub kept_shadow: super::KeptForm,
    /// What was typed into an approval (its comment, edited params) before it was refused.
    pub kept_review: super::KeptForm,
    /// The queues of this section: (URL value, label, items).
    pub queues: Vec<(String, String, u64)>,
    /// Whom an item can be assigned to: (`user:<id>` or `group:<id>`, how it reads).
    pub assignees: Vec<(String, String)>,
    /// The viewer's copilots (shown with "Mine"): agent, capability and standing.
    pub copilots: Vec<(String, String, StandingLine)>,
}

/// An action's own page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionDetailView {
    pub card: ActionCard,
    pub history: Vec<super::EvidenceRow>,
    /// The viewer may approve, reject, confirm or record a shadow decision.
    pub can_review: bool,
    /// The viewer may roll back, and a rollback is possible now.
    pub can_roll_back: bool,
    /// Why a rollback is not possible now, when the viewer could otherwise ask for one.
    pub rollback_closed: Option<String>,
    /// How a reviewer settled the action's peer disagreement, when one was settled.
    pub resolution: Option<PeerResolution>,
    /// The agent's track record with the grant that decided it (read-only, for any member).
    pub track: Option<super::ScorecardView>,
    /// What was typed into its shadow decision, when the page shows that form's error.
    pub kept_shadow: super::KeptForm,
    /// What was typed into an approval (its comment, edited params) before it was refused.
    pub kept_review: super::KeptForm,
}

/// A settled peer disagreement: both analyses as they were, which one went ahead and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeerResolution {
    /// `primary`, `peer` or `neither`.
    pub choice: String,
    pub by: String,
    pub at: String,
    pub comment: String,
    /// The card as it was in disagreement: the primary's proposal (its params before the
    /// choice; the action's card holds those that went ahead) beside the peer's.
    pub before: ActionCard,
}

/// The corrective workflow's preview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CorrectionView {
    pub agent_id: i64,
    pub agent: String,
    pub hours: i64,
    /// One page of what can still be rolled back, of `reversible_total`.
    pub reversible: Vec<ActionCard>,
    pub reversible_total: usize,
    pub page: usize,
    /// One page of what cannot, of `other_total`.
    pub other: Vec<ActionCard>,
    pub other_total: usize,
    pub other_page: usize,
    pub agents: Vec<(i64, String)>,
}

/// Rows per page in the corrections lists.
pub const CORRECTION_PAGE: usize = 50;

/// How many pages `total` rows fill (at least one).
pub fn pages(total: usize, per_page: usize) -> usize {
    total.div_ceil(per_page.max(1)).max(1)
}

/// Rows per page in the agents and users lists.
pub const LIST_PAGE: usize = 50;

/// One page of a list, with how long the whole list is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paged<T> {
    pub rows: Vec<T>,
    pub total: usize,
    /// 1-based, within the pages there are.
    pub page: usize,
}

impl<T> Paged<T> {
    /// Page `page` (1 when absent; the last one when past it) of `all`, `per_page` at a time.
    pub fn of(all: Vec<T>, page: Option<usize>, per_page: usize) -> Paged<T> {
        let total = all.len();
        let page = page.unwrap_or(1).clamp(1, pages(total, per_page));
        Paged { rows: all.into_iter().skip((page - 1) * per_page).take(per_page).collect(), total, page }
    }
}

/// Shadow agreement for one capability of an agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShadowStat {
    pub capability: String,
    pub same: u64,
    pub different_params: u64,
    pub opposite: u64,
    pub agreement_percent: Option<u64>,
}

/// Peer-check figures for one pair of agents, on an agent's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerPairRow {
    pub primary: String,
    pub peer: String,
    pub answered: u64,
    pub agreement_percent: Option<u64>,
    pub timed_out: u64,
    pub chose_primary: u64,
    pub chose_peer: u64,
    pub chose_neither: u64,
    pub correlated_failures: u64,
}

/// The audit page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    /// The newest record's sequence number.
    pub head_seq: i64,
    pub key_id: String,
    pub public_key: String,
    pub checkpoints: Vec<CheckpointRow>,
}

/// One signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointRow {
    pub seq: i64,
    pub head_hash: String,
    pub signed_at: String,
    pub key_id: String,
    pub signature_prefix: String,
}

/// One search result on the audit page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub seq: i64,
    pub recorded_at: String,
    pub actor: String,
    pub kind: String,
    /// What it is about ("agent refund-bot (#5)", "action 12").
    pub subject: String,
    pub summary: String,
    /// The action the record is about, for its timeline.
    pub action_id: Option<i64>,
}

/// One page of an audit search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSearchView {
    pub rows: Vec<AuditRow>,
    /// How many records match ("1 record", "2 records", "more than 10,000 records").
    pub matches: String,
    /// The kinds and the decisions or states in the trail, to choose from.
    pub kinds: Vec<String>,
    pub outcomes: Vec<String>,
    /// Continue with `before=` this to see older matches.
    pub older: Option<i64>,
    pub agents: Vec<(i64, String)>,
    pub capabilities: Vec<String>,
}

/// One evidence record, every field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    pub seq: i64,
    pub recorded_at: String,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub kind: String,
    /// What it is about, an agent by its name ("agent refund-bot (#5)").
    pub subject: String,
    pub summary: String,
    /// The details, pretty-printed.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
    pub action_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::{Paged, pages};

    #[test]
    fn a_page_holds_its_share_and_out_of_range_pages_land_on_the_nearest() {
        let all: Vec<u32> = (1..=120).collect();
        let p = Paged::of(all.clone(), Some(3), 50);
        assert_eq!((p.rows.first(), p.rows.len(), p.total, p.page), (Some(&101), 20, 120, 3));
        assert_eq!(Paged::of(all.clone(), Some(99), 50).page, 3, "past the end: the last page");
        assert_eq!(Paged::of(all.clone(), Some(0), 50).page, 1);
        assert_eq!(Paged::of(all, None, 50).rows.len(), 50);
        let empty = Paged::of(Vec::<u32>::new(), Some(2), 50);
        assert_eq!((empty.rows.len(), empty.page, pages(0, 50)), (0, 1, 1));
    }
}

/// An agent's standing with one capability, in one line beside an inbox item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StandingLine {
    pub tier: Tier,
    /// "since 2026-12-01".
    pub since: String,
    /// "approval" or "agreement" (observers).
    pub measure: String,
    /// The rate with its cases and lower bound.
    pub rate: super::RateCell,
    pub open_alerts: u64,
    /// The tier was reached without meeting its criteria.
    pub by_override: bool,
    /// Fewer than 30 cases: the figure says little yet.
    pub few_cases: bool,
}
