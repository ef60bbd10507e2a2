//! The reviewers' inbox as queries: actions waiting in given states, filtered, ordered by
//! deadline or risk, one page at a time.

use crate::entity::actions;
use crate::error::GovError;
use crate::lifecycle::State;
use crate::store::Store;
use crate::store::actions::ActionRecord;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr, NullOrdering};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
};

/// Actions waiting in one state (and peer-review flag): how many, and since when the oldest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub state: State,
    pub peer_review: bool,
    pub count: u64,
    pub oldest: Option<DateTime<Utc>>,
}

/// Which waiting actions to list.
#[derive(Clone, Debug, Default)]
pub struct InboxFilter {
    pub states: Vec<State>,
    pub agent_id: Option<i64>,
    pub capability: Option<String>,
    /// Only actions that do (or do not) wait for a peer-disagreement review.
    pub peer_review: Option<bool>,
    pub queue: QueueFilter,
    /// Text the capability, params, reasoning or task reference contain (any case).
    pub search: Option<String>,
}

/// Whose items: everyone's, one person's (assigned to or claimed by them), some groups', or
/// no one's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum QueueFilter {
    #[default]
    All,
    Mine(i64),
    Groups(Vec<i64>),
    Unassigned,
}

/// `col` contains `text`, ASCII letters in any case and everything else as it is — the same
/// matches on both databases: SQLite by `lower(col) LIKE`, PostgreSQL by a regular expression
/// with each ASCII letter as `[xX]` (its `lower()` would fold every script, and `translate`
/// over long params is slow).
fn contains(col: actions::Column, text: &str, backend: DbBackend) -> Expr {
    match backend {
        DbBackend::Postgres => {
            let mut re = String::new();
            for c in text.chars() {
                if c.is_ascii_alphabetic() {
                    re.push('[');
                    re.push(c.to_ascii_lowercase());
                    re.push(c.to_ascii_uppercase());
                    re.push(']');
                } else if c.is_ascii_alphanumeric() || !c.is_ascii() || c == ' ' {
                    re.push(c);
                } else {
                    re.push('\\');
                    re.push(c);
                }
            }
            let name = sea_orm::IdenStatic::as_str(&col);
            Expr::cust_with_values(format!(r#""actions"."{name}" ~ $1"#), [re])
        }
        // SQLite's lower() folds ASCII letters only.
        _ => Expr::expr(Func::lower(Expr::col((actions::Entity, col))))
            .like(LikeExpr::new(contains_pattern(text)).escape('\\')),
    }
}

/// `text` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally.
fn contains_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.to_ascii_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// How to order them.
#[derive(Clone, Debug)]
pub enum InboxOrder {
    /// Soonest deadline first (approval deadline, else the end of the undo window); none last.
    Deadline,
    /// Highest risk first (the capabilities named at each level), then by deadline.
    Risk { high: Vec<String>, medium: Vec<String> },
    /// Longest waiting first.
    Oldest,
}

/// Which rows a queue holds (none: every row). A copilot's escalation is its person's (or
/// group's) only until `assigned_until`.
fn queue_condition(queue: &QueueFilter, now: DateTime<Utc>) -> Option<Condition> {
    let held =
        || Condition::any().add(actions::Column::AssignedUntil.is_null()).add(actions::Column::AssignedUntil.gt(now));
    match queue {
        QueueFilter::All => None,
        QueueFilter::Mine(me) => Some(
            Condition::any()
                .add(Condition::all().add(actions::Column::AssignedUserId.eq(*me)).add(held()))
                .add(actions::Column::ClaimedBy.eq(*me)),
        ),
        QueueFilter::Groups(groups) => {
            Some(Condition::all().add(actions::Column::AssignedGroupId.is_in(groups.iter().copied())).add(held()))
        }
        QueueFilter::Unassigned => Some(
            Condition::any()
                .add(
                    Condition::all()
                        .add(actions::Column::AssignedUserId.is_null())
                        .add(actions::Column::AssignedGroupId.is_null()),
                )
                .add(actions::Column::AssignedUntil.lte(now)),
        ),
    }
}

fn filtered(f: &InboxFilter, backend: DbBackend) -> Select<actions::Entity> {
    let mut q = actions::Entity::find().filter(actions::Column::State.is_in(f.states.iter().map(|s| s.as_str())));
    if let Some(a) = f.agent_id {
        q = q.filter(actions::Column::AgentId.eq(a));
    }
    if let Some(c) = &f.capability {
        q = q.filter(actions::Column::Capability.eq(c.as_str()));
    }
    if let Some(p) = f.peer_review {
        q = q.filter(actions::Column::PeerReview.eq(p));
    }
    if let Some(c) = queue_condition(&f.queue, crate::clock::now()) {
        q = q.filter(c);
    }
    if let Some(text) = f.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let cols = [
            actions::Column::Capability,
            actions::Column::Params,
            actions::Column::Reasoning,
            actions::Column::TaskRef,
        ];
        let mut any = Condition::any();
        for col in cols {
            any = any.add(contains(col, text, backend));
        }
        q = q.filter(any);
    }
    q
}

impl Store {
    /// How many actions wait in each of `states`, split by whether they wait for a
    /// peer-disagreement review, with the oldest one's proposal time: one grouped query for all
    /// the inbox's sections.
    pub async fn waiting_counts(&self, states: &[State]) -> Result<Vec<Waiting>, GovError> {
        let rows: Vec<(String, bool, i64, Option<DateTime<Utc>>)> = actions::Entity::find()
            .select_only()
            .column(actions::Column::State)
            .column(actions::Column::PeerReview)
            .column_as(actions::Column::Id.count(), "n")
            .column_as(actions::Column::CreatedAt.min(), "oldest")
            .filter(actions::Column::State.is_in(states.iter().map(|s| s.as_str())))
            .group_by(actions::Column::State)
            .group_by(actions::Column::PeerReview)
            .into_tuple()
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(state, peer_review, n, oldest)| {
                State::parse(&state).map(|state| Waiting {
                    state,
                    peer_review,
                    count: u64::try_from(n).unwrap_or(0),
                    oldest,
                })
            })
            .collect())
    }

    /// How many actions match `f` in each of `queues` (its own queue ignored), in one pass.
    pub async fn queue_counts(&self, f: &InboxFilter, queues: &[QueueFilter]) -> Result<Vec<u64>, GovError> {
        let now = crate::clock::now();
        let all = InboxFilter { queue: QueueFilter::All, ..f.clone() };
        let mut q = filtered(&all, self.backend()).select_only();
        for (i, queue) in queues.iter().enumerate() {
            let counted: Expr = match queue_condition(queue, now) {
                Some(c) => Expr::case(c, 1).finally(0).into(),
                None => Expr::val(1),
            };
            let summed: Expr = Func::coalesce([Func::sum(counted).into(), Expr::val(0)]).into();
            q = q.column_as(summed, format!("q{i}"));
        }
        let stmt = q.build(self.backend());
        let row = self.db().query_one_raw(stmt).await?;
        let mut out = Vec::with_capacity(queues.len());
        for i in 0..queues.len() {
            let n: Option<i64> = match &row {
                Some(r) => r.try_get("", &format!("q{i}"))?,
                None => None,
            };
            out.push(n.map_or(0, |n| u64::try_from(n).unwrap_or(0)));
        }
        Ok(out)
    }

    /// How many actions match.
    pub async fn inbox_count(&self, f: &InboxFilter) -> Result<u64, GovError> {
        Ok(filtered(f, self.backend()).count(self.db()).await?)
    }

    /// One page of matching actions.
    pub async fn inbox_page(
        &self,
        f: &InboxFilter,
        order: &InboxOrder,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ActionRecord>, GovError> {
        let mut q = filtered(f, self.backend());
        if let InboxOrder::Risk { high, medium } = order {
            let rank = Expr::case(actions::Column::Capability.is_in(high.iter().map(String::as_str)), 0)
                .case(actions::Column::Capability.is_in(medium.iter().map(String::as_str)), 1)
                .finally(2);
            q = q.order_by(Into::<Expr>::into(rank), Order::Asc);
        }
        if matches!(order, InboxOrder::Oldest) {
            q = q.order_by_asc(actions::Column::CreatedAt);
        }
        let deadline = Func::coalesce([
            Expr::col((actions::Entity, actions::Column::ExpiresAt)),
            Expr::col((actions::Entity, actions::Column::ReversibleUntil)),
        ]);
        Ok(q.order_by_with_nulls(deadline, Order::Asc, NullOrdering::Last)
            .order_by_asc(actions::Column::Id)
            .offset(offset)
            .limit(limit)
            .all(self.db())
            .await?)
    }
}
