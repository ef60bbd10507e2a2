//! The reviewers' inbox: what waits for a person, filtered, sorted and paged, with the
//! counts the navigation shows.

use crate::capability::Risk;
use crate::error::GovError;
use crate::lifecycle::State;
use crate::principal::AsReviewer;
use crate::queue::{Claim, Queue};
use crate::store::Store;
use crate::store::actions::ActionRecord;
use crate::store::alerts::AlertRecord;
use crate::store::inbox::{InboxFilter, InboxOrder, QueueFilter};
use crate::store::peer_checks::PeerCheckRecord;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Items per page.
pub const PAGE_SIZE: u64 = 20;

/// A section of the inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Pending approvals.
    Approval,
    /// Supervised actions awaiting confirmation.
    Supervised,
    /// Observer recommendations awaiting the reviewer's own decision.
    Shadow,
    /// Peer disagreements (or unanswered peer checks) awaiting a side-by-side choice.
    Disagreements,
    /// Open alerts.
    Alerts,
}

impl View {
    /// Parses the URL value; anything unknown is the approvals view.
    pub fn parse(s: &str) -> View {
        match s {
            "supervised" => View::Supervised,
            "shadow" => View::Shadow,
            "disagreements" => View::Disagreements,
            "alerts" => View::Alerts,
            _ => View::Approval,
        }
    }

    /// The URL value ([`View::parse`] reads it back).
    pub fn as_str(self) -> &'static str {
        match self {
            View::Approval => "approval",
            View::Supervised => "supervised",
            View::Shadow => "shadow",
            View::Disagreements => "disagreements",
            View::Alerts => "alerts",
        }
    }

    fn filter(self) -> InboxFilter {
        let (states, peer_review) = match self {
            View::Approval => (vec![State::NeedsApproval], Some(false)),
            View::Disagreements => (vec![State::NeedsApproval], Some(true)),
            View::Supervised => (vec![State::AwaitingConfirmation], None),
            View::Shadow => (vec![State::Shadow], None),
            View::Alerts => (Vec::new(), None),
        };
        InboxFilter { states, peer_review, ..InboxFilter::default() }
    }
}

/// What the reviewer asked to see.
#[derive(Clone, Debug)]
pub struct InboxQuery {
    pub view: View,
    pub agent_id: Option<i64>,
    pub capability: Option<String>,
    /// By risk (highest first) instead of by deadline.
    pub by_risk: bool,
    /// Longest waiting first instead of by deadline.
    pub oldest_first: bool,
    /// Whose items.
    pub queue: Queue,
    /// Text the items contain (capability, params, reasoning, task reference).
    pub search: Option<String>,
    /// From 1.
    pub page: u64,
}

/// Who holds a claim on an item and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimView {
    pub by: String,
    /// The caller holds it.
    pub mine: bool,
    pub since: DateTime<Utc>,
    pub lapses_at: DateTime<Utc>,
}

/// One waiting action with what a reviewer needs beside it.
#[derive(Clone, Debug)]
pub struct InboxItem {
    pub action: ActionRecord,
    pub agent: String,
    pub risk: Risk,
    pub reversible: bool,
    /// The peer check beside it (disagreements), with the peer's name and any warnings
    /// (the peer shares the primary's owner or model).
    pub peer: Option<(PeerCheckRecord, String, Vec<String>)>,
    /// The person or group it is assigned to ("rita", "group finance"), if any.
    pub assigned: Option<String>,
    /// The same as the assignment form's value (`user:<id>`, `group:<id>`, empty).
    pub assigned_value: String,
    /// A claim that still holds.
    pub claim: Option<ClaimView>,
}

/// How many items wait in each section.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub approval: u64,
    pub supervised: u64,
    pub shadow: u64,
    pub disagreements: u64,
    pub alerts: u64,
}

impl Counts {
    /// Everything waiting for a person.
    pub fn total(&self) -> u64 {
        self.approval + self.supervised + self.shadow + self.disagreements + self.alerts
    }
}

/// One inbox section's depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionDepth {
    pub view: View,
    pub waiting: u64,
    /// When the oldest waiting action was proposed.
    pub oldest: Option<DateTime<Utc>>,
}

/// One page of the inbox.
#[derive(Clone, Debug)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub alerts: Vec<(AlertRecord, String)>,
    /// Matching items in all pages.
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub counts: Counts,
    /// Filter choices: every agent (id, name) and capability name.
    pub agents: Vec<(i64, String)>,
    pub capabilities: Vec<String>,
    /// How many items of this section each queue holds (with the other filters applied).
    pub queues: Vec<(Queue, u64)>,
    /// Whom an item can be assigned to: (`user:<id>` or `group:<id>`, how it reads).
    pub assignees: Vec<(String, String)>,
}

/// What the peer has in common with the primary that weakens its independence.
pub fn shared_traits(
    primary: &crate::store::agents::AgentRecord,
    peer: Option<&crate::store::agents::AgentRecord>,
) -> Vec<String> {
    let Some(peer) = peer else { return Vec::new() };
    let mut out = Vec::new();
    if peer.owner_id == primary.owner_id {
        out.push(format!("{} and {} have the same owner ({})", primary.name, peer.name, primary.owner_name));
    }
    let model = primary.model_note.trim();
    if !model.is_empty() && model.eq_ignore_ascii_case(peer.model_note.trim()) {
        out.push(format!("{} and {} run the same model ({model})", primary.name, peer.name));
    }
    out
}

/// The inbox use cases.
#[derive(Clone, Debug)]
pub struct Inbox {
    pub(crate) store: Store,
    /// How long a claim holds untouched.
    pub(crate) claim_idle: chrono::Duration,
}

impl Inbox {
    /// The inbox over `store`.
    pub fn new(store: Store) -> Inbox {
        Inbox { store, claim_idle: chrono::Duration::minutes(crate::queue::DEFAULT_CLAIM_IDLE_MINUTES) }
    }

    /// The same, with claims lapsing after `idle` untouched.
    pub fn claims_lapse_after(self, idle: chrono::Duration) -> Inbox {
        Inbox { claim_idle: idle, ..self }
    }

    /// How many items wait in each section (all agents).
    pub async fn counts(&self, _who: &AsReviewer) -> Result<Counts, GovError> {
        let depth = self.depth().await?;
        let count = |view: View| depth.iter().find(|d| d.view == view).map_or(0, |d| d.waiting);
        Ok(Counts {
            approval: count(View::Approval),
            supervised: count(View::Supervised),
            shadow: count(View::Shadow),
            disagreements: count(View::Disagreements),
            alerts: self.store.open_alert_count(None).await?,
        })
    }

    /// How many actions wait in each section and since when the oldest (alerts are counted
    /// apart). For the console's counts and for `/metrics`, which the server guards itself.
    pub async fn depth(&self) -> Result<Vec<SectionDepth>, GovError> {
        let sections = [View::Approval, View::Disagreements, View::Supervised, View::Shadow];
        let states: Vec<State> = sections.iter().flat_map(|v| v.filter().states).collect();
        let waiting = self.store.waiting_counts(&states).await?;
        Ok(sections
            .into_iter()
            .map(|view| {
                let f = view.filter();
                let of_view = || {
                    waiting
                        .iter()
                        .filter(|w| f.states.contains(&w.state) && f.peer_review.is_none_or(|p| p == w.peer_review))
                };
                SectionDepth {
                    view,
                    waiting: of_view().map(|w| w.count).sum(),
                    oldest: of_view().filter_map(|w| w.oldest).min(),
                }
            })
            .collect())
    }

    /// One page of one section.
    pub async fn page(&self, who: &AsReviewer, q: InboxQuery) -> Result<InboxPage, GovError> {
        let caps = self.store.list_capabilities().await?;
        let records = self.store.list_agents().await?;
        let agents: Vec<(i64, String)> = records.iter().map(|a| (a.id, a.name.clone())).collect();
        let names: HashMap<i64, String> = agents.iter().cloned().collect();
        let by_id: HashMap<i64, &crate::store::agents::AgentRecord> = records.iter().map(|a| (a.id, a)).collect();
        let counts = self.counts(who).await?;
        let page = q.page.max(1);
        if q.view == View::Alerts {
            let alerts: Vec<(AlertRecord, String)> = self
                .store
                .open_alerts(q.agent_id)
                .await?
                .into_iter()
                .map(|a| {
                    let name = a.agent_id.and_then(|id| names.get(&id).cloned()).unwrap_or_default();
                    (a, name)
                })
                .collect();
            let total = alerts.len() as u64;
            return Ok(InboxPage {
                items: Vec::new(),
                alerts,
                total,
                page: 1,
                pages: 1,
                counts,
                agents,
                capabilities: caps.into_iter().map(|c| c.name).collect(),
                queues: Vec::new(),
                assignees: Vec::new(),
            });
        }
        let me = who.user_id();
        let my_groups = self.store.groups_of(me).await?;
        let base = InboxFilter {
            agent_id: q.agent_id,
            capability: q.capability.clone(),
            search: q.search.clone().filter(|t| !t.trim().is_empty()),
            ..q.view.filter()
        };
        let of_queue = |queue: Queue| InboxFilter {
            queue: match queue {
                Queue::All => QueueFilter::All,
                Queue::Mine => QueueFilter::Mine(me),
                Queue::MyGroups => QueueFilter::Groups(my_groups.clone()),
                Queue::Unassigned => QueueFilter::Unassigned,
            },
            ..base.clone()
        };
        let filters: Vec<QueueFilter> = Queue::ALL.iter().map(|queue| of_queue(*queue).queue).collect();
        let counted = self.store.queue_counts(&base, &filters).await?;
        let queues: Vec<(Queue, u64)> = Queue::ALL.into_iter().zip(counted).collect();
        let filter = of_queue(q.queue);
        let order = if q.by_risk {
            let at = |r: Risk| caps.iter().filter(|c| c.risk == r).map(|c| c.name.clone()).collect();
            InboxOrder::Risk { high: at(Risk::High), medium: at(Risk::Medium) }
        } else if q.oldest_first {
            InboxOrder::Oldest
        } else {
            InboxOrder::Deadline
        };
        let total = queues.iter().find(|(queue, _)| *queue == q.queue).map_or(0, |(_, n)| *n);
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let rows = self.store.inbox_page(&filter, &order, (page.min(pages) - 1) * PAGE_SIZE, PAGE_SIZE).await?;
        let by_name: HashMap<&str, _> = caps.iter().map(|c| (c.name.as_str(), c)).collect();
        let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
        let mut checks: HashMap<i64, PeerCheckRecord> = if q.view == View::Disagreements {
            self.store.peer_checks_of(&ids).await?.into_iter().map(|c| (c.action_id, c)).collect()
        } else {
            HashMap::new()
        };
        let people = self.store.list_users().await?;
        let users: HashMap<i64, String> = people.iter().map(|u| (u.id, u.username.clone())).collect();
        let groups = self.store.groups().await?;
        let now = crate::clock::now();
        let items = rows
            .into_iter()
            .map(|a| {
                let cap = by_name.get(a.capability.as_str());
                let claim = Claim::stored(a.claimed_by, a.claimed_at).filter(|c| c.holds(now, self.claim_idle));
                let lapsed = a.assigned_until.is_some_and(|t| t <= now);
                let until = a.assigned_until.map_or_else(String::new, |t| format!(" until {}", t.format("%H:%M UTC")));
                let assigned = match (a.assigned_user_id, a.assigned_group_id) {
                    _ if lapsed => None,
                    (Some(u), _) => users.get(&u).map(|n| format!("{n}{until}")),
                    (None, Some(g)) => groups.iter().find(|x| x.id == g).map(|x| format!("group {}{until}", x.name)),
                    _ => None,
                };
                let assigned_value = match (a.assigned_user_id, a.assigned_group_id) {
                    _ if lapsed => String::new(),
                    (Some(u), _) => format!("user:{u}"),
                    (None, Some(g)) => format!("group:{g}"),
                    _ => String::new(),
                };
                InboxItem {
                    assigned,
                    assigned_value,
                    claim: claim.map(|c| ClaimView {
                        by: users.get(&c.by).cloned().unwrap_or_else(|| format!("user {}", c.by)),
                        mine: c.by == me,
                        since: c.at,
                        lapses_at: c.lapses_at(self.claim_idle),
                    }),
                    agent: names.get(&a.agent_id).cloned().unwrap_or_default(),
                    // A capability removed from the catalogue is shown at the most cautious risk.
                    risk: cap.map_or(Risk::High, |c| c.risk),
                    reversible: cap.is_some_and(|c| c.reversibility.window_minutes().is_some()),
                    peer: checks.remove(&a.id).map(|c| {
                        let peer = c.peer_agent_id.and_then(|id| by_id.get(&id).copied());
                        let warnings = by_id.get(&a.agent_id).map_or_else(Vec::new, |p| shared_traits(p, peer));
                        (c, peer.map(|p| p.name.clone()).unwrap_or_default(), warnings)
                    }),
                    action: a,
                }
            })
            .collect();
        Ok(InboxPage {
            items,
            alerts: Vec::new(),
            total,
            page: page.min(pages),
            pages,
            counts,
            agents,
            capabilities: caps.into_iter().map(|c| c.name).collect(),
            queues,
            assignees: crate::service::queues::assignees_of(&people, &groups),
        })
    }
}
