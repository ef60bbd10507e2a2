//! Appending to and reading the evidence chain. Appends happen inside the caller's write
//! transaction, so the change and its record commit together or not at all.

use crate::entity::evidence;
use crate::error::GovError;
use crate::evidence::{Broken, Draft, GENESIS_HASH, Prepared, Record, seal, verify};
use crate::export::ExportFilter;
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};

/// Key of the PostgreSQL advisory lock that serialises appends across instances.
const APPEND_LOCK: i64 = 0x7465_6e75_7265; // "tenure"

/// Takes the chain's lock for the rest of `txn` (PostgreSQL; SQLite write transactions are
/// already exclusive). Taking it again in the same transaction is harmless.
pub async fn lock(txn: &DatabaseTransaction) -> Result<(), GovError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [APPEND_LOCK.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The chain's head (sequence and hash) as `txn` sees it; take [`lock`] first.
pub async fn head(txn: &DatabaseTransaction) -> Result<(i64, String), GovError> {
    let head = evidence::Entity::find().order_by_desc(evidence::Column::Seq).one(txn).await?;
    Ok(head.map(|h| (h.seq, h.hash)).unwrap_or((0, GENESIS_HASH.to_owned())))
}

/// Appends one record after a head the caller holds (under [`lock`], within `txn`); a
/// writer appending many records reads the head once and chains them in memory.
pub async fn append_after(txn: &DatabaseTransaction, draft: &Draft, prev: &(i64, String)) -> Result<Record, GovError> {
    let record = seal(draft, prev.0, &prev.1, crate::clock::now());
    to_model(&record, draft).into_active_model().insert(txn).await?;
    Ok(record)
}

/// Appends records after a head the caller holds (under [`lock`], within `txn`), chained in
/// memory and written as one statement; returns them in order.
pub async fn append_all_after(
    txn: &DatabaseTransaction,
    drafts: &[&Prepared],
    prev: &(i64, String),
) -> Result<Vec<Record>, GovError> {
    let now = crate::clock::now();
    let (mut seq, mut hash) = prev.clone();
    let mut records = Vec::with_capacity(drafts.len());
    let mut models = Vec::with_capacity(drafts.len());
    for p in drafts {
        let r = p.seal(seq, &hash, now);
        (seq, hash) = (r.seq, r.hash.clone());
        models.push(to_model(&r, &p.draft).into_active_model());
        records.push(r);
    }
    if !models.is_empty() {
        evidence::Entity::insert_many(models).exec_without_returning(txn).await?;
    }
    Ok(records)
}

/// Appends one record after the current head, inside `txn`.
pub async fn append(txn: &DatabaseTransaction, draft: &Draft) -> Result<Record, GovError> {
    lock(txn).await?;
    let prev = head(txn).await?;
    append_after(txn, draft, &prev).await
}

/// The search index columns of a record: the agent it concerns, the capability, and the
/// decision (for `action.decided`) or the state an action moved to.
fn index_of(r: &Record, d: &Draft) -> (Option<i64>, Option<String>, Option<String>) {
    let text = |k: &str| d.details.get(k).and_then(|v| v.as_str()).map(|s| s.chars().take(100).collect::<String>());
    let agent = if r.actor_kind == "agent" {
        r.actor_id
    } else if r.subject_kind == "agent" {
        r.subject_id.parse().ok()
    } else {
        d.details.get("agent_id").and_then(serde_json::Value::as_i64)
    };
    let outcome = if r.kind == "action.decided" { text("decision") } else { text("after") };
    (agent, text("capability"), outcome.map(|o| o.chars().take(32).collect()))
}

fn to_model(r: &Record, d: &Draft) -> evidence::Model {
    let (agent_id, capability, outcome) = index_of(r, d);
    evidence::Model {
        agent_id,
        capability,
        outcome,
        seq: r.seq,
        recorded_at: r.recorded_at,
        actor_kind: r.actor_kind.clone(),
        actor_id: r.actor_id,
        actor_name: r.actor_name.clone(),
        kind: r.kind.clone(),
        subject_kind: r.subject_kind.clone(),
        subject_id: r.subject_id.clone(),
        summary: r.summary.clone(),
        details: r.details.clone(),
        prev_hash: r.prev_hash.clone(),
        hash: r.hash.clone(),
    }
}

fn from_model(m: evidence::Model) -> Record {
    Record {
        seq: m.seq,
        recorded_at: m.recorded_at,
        actor_kind: m.actor_kind,
        actor_id: m.actor_id,
        actor_name: m.actor_name,
        kind: m.kind,
        subject_kind: m.subject_kind,
        subject_id: m.subject_id,
        summary: m.summary,
        details: m.details,
        prev_hash: m.prev_hash,
        hash: m.hash,
    }
}

/// How a full-text filter finds its rows: walk the newest records and test each (quick when the
/// words are common) or collect the matches from the full-text index first (quick when rare).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TextPlan {
    Walk,
    Collect,
}

/// At least this many matches make words "common" (see [`TextPlan`]).
const COMMON: i64 = 1000;

/// The search words as SQLite's FTS5 and PostgreSQL's web search each take them (see
/// `crate::search`); none when there is no word to look for.
fn text_queries(text: &str) -> Option<(String, String)> {
    let terms = crate::search::terms(text);
    (!terms.is_empty()).then(|| (crate::search::fts5_query(&terms), crate::search::websearch_query(&terms)))
}

/// Every record `f` matches (for counting them).
pub(crate) fn filtered_for_count(f: &ExportFilter, backend: DbBackend) -> sea_orm::Select<evidence::Entity> {
    filtered(f, 0, i64::MAX, backend)
}

fn filtered(f: &ExportFilter, after: i64, last: i64, backend: DbBackend) -> sea_orm::Select<evidence::Entity> {
    filtered_with(f, after, last, backend, TextPlan::Collect)
}

fn filtered_with(
    f: &ExportFilter,
    after: i64,
    last: i64,
    backend: DbBackend,
    plan: TextPlan,
) -> sea_orm::Select<evidence::Entity> {
    let mut q =
        evidence::Entity::find().filter(evidence::Column::Seq.gt(after)).filter(evidence::Column::Seq.lte(last));
    if let Some(k) = &f.kind {
        q = q.filter(evidence::Column::Kind.eq(k.as_str()));
    }
    if let Some(t) = f.since {
        q = q.filter(evidence::Column::RecordedAt.gte(t));
    }
    if let Some(t) = f.until {
        q = q.filter(evidence::Column::RecordedAt.lt(t));
    }
    if let Some(a) = f.agent_id {
        q = q.filter(evidence::Column::AgentId.eq(a));
    }
    if let Some(c) = &f.capability {
        q = q.filter(evidence::Column::Capability.eq(c.as_str()));
    }
    if let Some(a) = &f.actor {
        q = q.filter(evidence::Column::ActorName.eq(a.as_str()));
    }
    if let Some(o) = &f.outcome {
        q = q.filter(evidence::Column::Outcome.eq(o.as_str()));
    }
    if let Some((fts5, websearch)) = f.text.as_deref().and_then(text_queries) {
        q = q.filter(match (backend, plan) {
            (DbBackend::Sqlite, TextPlan::Collect) => Expr::cust_with_values(
                "\"evidence\".\"seq\" IN (SELECT rowid FROM evidence_fts WHERE evidence_fts MATCH ?)",
                [fts5],
            ),
            (DbBackend::Sqlite, TextPlan::Walk) => Expr::cust_with_values(
                "EXISTS (SELECT 1 FROM evidence_fts WHERE evidence_fts MATCH ? AND rowid = \"evidence\".\"seq\")",
                [fts5],
            ),
            // On PostgreSQL the plan follows from the ordering (see `search_evidence`).
            _ => Expr::cust_with_values("\"evidence\".\"search\" @@ websearch_to_tsquery('simple', $1)", [websearch]),
        });
    }
    q
}

impl Store {
    /// What the evidence trail recorded after `seq`: the agents it concerns, and whether a
    /// detector's settings changed (the monitoring job judges again only what moved).
    pub async fn evidence_after(&self, seq: i64) -> Result<(Vec<i64>, bool), GovError> {
        let agents: Vec<Option<i64>> = evidence::Entity::find()
            .select_only()
            .column(evidence::Column::AgentId)
            .distinct()
            .filter(evidence::Column::Seq.gt(seq))
            .filter(evidence::Column::AgentId.is_not_null())
            .into_tuple()
            .all(self.db())
            .await?;
        let configured = evidence::Entity::find()
            .filter(evidence::Column::Seq.gt(seq))
            .filter(evidence::Column::Kind.eq("monitor.configured"))
            .count(self.db())
            .await?;
        Ok((agents.into_iter().flatten().collect(), configured > 0))
    }

    /// How many records up to `last` match, and the first and last of them (seq, hash).
    #[allow(clippy::type_complexity)] // (count, first, last) reads plainly at the one caller
    pub async fn evidence_span(
        &self,
        f: &ExportFilter,
        last: i64,
    ) -> Result<(u64, Option<(i64, String)>, Option<(i64, String)>), GovError> {
        let count = filtered(f, 0, last, self.backend()).count(self.db()).await?;
        let first = filtered(f, 0, last, self.backend()).order_by_asc(evidence::Column::Seq).one(self.db()).await?;
        let end = filtered(f, 0, last, self.backend()).order_by_desc(evidence::Column::Seq).one(self.db()).await?;
        Ok((count, first.map(|r| (r.seq, r.hash)), end.map(|r| (r.seq, r.hash))))
    }

    /// Matching records after `after` up to `last`, oldest first (keyset pagination).
    pub async fn evidence_page(
        &self,
        f: &ExportFilter,
        after: i64,
        last: i64,
        limit: u64,
    ) -> Result<Vec<Record>, GovError> {
        let rows = filtered(f, after, last, self.backend())
            .order_by_asc(evidence::Column::Seq)
            .limit(limit)
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(from_model).collect())
    }

    /// Matching records older than `before` (none: from the newest), newest first — one page
    /// of a search, continued from its last record.
    pub async fn search_evidence(
        &self,
        f: &ExportFilter,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Record>, GovError> {
        let last = before.map_or(i64::MAX, |b| b - 1);
        let backend = self.backend();
        let plan = match f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) if self.text_matches_at_least(text, COMMON).await? => TextPlan::Walk,
            Some(_) => TextPlan::Collect,
            None => TextPlan::Walk,
        };
        let q = filtered_with(f, 0, last, backend, plan);
        let q = if backend == DbBackend::Postgres && plan == TextPlan::Collect {
            // Ordering by an expression keeps PostgreSQL from walking the primary key past a
            // million rows for a rare word: it takes the few matches from the GIN index instead.
            q.order_by(Expr::col((evidence::Entity, evidence::Column::Seq)).add(0), sea_orm::Order::Desc)
        } else {
            q.order_by_desc(evidence::Column::Seq)
        };
        let rows = q.limit(limit).all(self.db()).await?;
        Ok(rows.into_iter().map(from_model).collect())
    }

    /// Whether at least `n` records contain the words, counting no further than `n`.
    async fn text_matches_at_least(&self, text: &str, n: i64) -> Result<bool, GovError> {
        let backend = self.backend();
        let Some((fts5, websearch)) = text_queries(text) else { return Ok(true) };
        let stmt = match backend {
            DbBackend::Sqlite => Statement::from_sql_and_values(
                backend,
                "SELECT count(*) AS n FROM (SELECT rowid FROM evidence_fts WHERE evidence_fts MATCH ? LIMIT ?)",
                [fts5.into(), n.into()],
            ),
            _ => Statement::from_sql_and_values(
                backend,
                "SELECT count(*) AS n FROM (SELECT 1 FROM evidence WHERE search @@ websearch_to_tsquery('simple', $1) LIMIT $2) t",
                [websearch.into(), n.into()],
            ),
        };
        let row = self.db().query_one_raw(stmt).await?;
        let found: i64 = row.map(|r| r.try_get("", "n")).transpose()?.unwrap_or(0);
        Ok(found >= n)
    }

    /// One record.
    pub async fn evidence_record(&self, seq: i64) -> Result<Option<Record>, GovError> {
        Ok(evidence::Entity::find_by_id(seq).one(self.db()).await?.map(from_model))
    }

    /// The newest `limit` records, newest first.
    pub async fn recent_evidence(&self, limit: u64) -> Result<Vec<Record>, GovError> {
        let rows = evidence::Entity::find().order_by_desc(evidence::Column::Seq).limit(limit).all(self.db()).await?;
        Ok(rows.into_iter().map(from_model).collect())
    }

    /// The newest `limit` records of `kind`, newest first (by the kind's index).
    pub async fn evidence_of_kind(&self, kind: &str, limit: u64) -> Result<Vec<Record>, GovError> {
        let rows = evidence::Entity::find()
            .filter(evidence::Column::Kind.eq(kind))
            .order_by_desc(evidence::Column::Seq)
            .limit(limit)
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(from_model).collect())
    }

    /// The newest `limit` records about one subject, newest first.
    pub async fn evidence_about(
        &self,
        subject_kind: &str,
        subject_id: &str,
        limit: u64,
    ) -> Result<Vec<Record>, GovError> {
        let rows = evidence::Entity::find()
            .filter(evidence::Column::SubjectKind.eq(subject_kind))
            .filter(evidence::Column::SubjectId.eq(subject_id))
            .order_by_desc(evidence::Column::Seq)
            .limit(limit)
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(from_model).collect())
    }

    /// How many records there are in all.
    pub async fn evidence_count(&self) -> Result<u64, GovError> {
        Ok(evidence::Entity::find().count(self.db()).await?)
    }

    /// How many records of `kind` were recorded at or after `since`.
    pub async fn evidence_count_since(&self, kind: &str, since: DateTime<Utc>) -> Result<u64, GovError> {
        Ok(evidence::Entity::find()
            .filter(evidence::Column::Kind.eq(kind))
            .filter(evidence::Column::RecordedAt.gte(since))
            .count(self.db())
            .await?)
    }

    /// Verifies the whole stored chain in pages; `Ok(n)` is the number of records checked.
    pub async fn verify_evidence(&self) -> Result<Result<u64, Broken>, GovError> {
        const PAGE: u64 = 1000;
        let (mut prev_seq, mut prev_hash) = (0_i64, GENESIS_HASH.to_owned());
        let mut checked = 0_u64;
        loop {
            let page: Vec<Record> = evidence::Entity::find()
                .filter(evidence::Column::Seq.gt(prev_seq))
                .order_by_asc(evidence::Column::Seq)
                .limit(PAGE)
                .all(self.db())
                .await?
                .into_iter()
                .map(from_model)
                .collect();
            if let Err(broken) = verify(&page, prev_seq, &prev_hash) {
                return Ok(Err(broken));
            }
            checked += page.len() as u64;
            match page.last() {
                Some(last) if page.len() as u64 == PAGE => {
                    prev_seq = last.seq;
                    prev_hash.clone_from(&last.hash);
                }
                _ => return Ok(Ok(checked)),
            }
        }
    }
}
