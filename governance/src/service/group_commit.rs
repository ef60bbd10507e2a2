//! Group commit for decisions: concurrent requests are queued to one writer task, which
//! commits whatever has queued up as one transaction — one fsync for the whole batch — and
//! then answers each request. Every decision still commits together with its evidence record,
//! and an answer leaves only once the commit holding its record is confirmed.
//!
//! When a batch fails, nothing of it is kept. A fault of the moment (disk full, database
//! locked or gone) fails the whole batch (503, retry) and marks the writer failing: the
//! readiness probe says not ready, and while no request arrives the writer probes the database
//! with a write every half second, so it is ready again within a second of the fault
//! clearing. Any other failure is one member's: the batch is written again one request per
//! transaction, so only the request the database refuses fails (a logged 500) and the others
//! are recorded. Never is a connection whose transaction state is in doubt used again (see
//! `store::pool_options`).
//!
//! Across instances the batches are serialised by the database: SQLite's write lock
//! (`BEGIN IMMEDIATE`), and on PostgreSQL the advisory lock the evidence chain takes.
//!
//! Under that lock the writer confirms what a decision assumed and could have changed since
//! it was made: the decision inputs counter (see `inputs_cache`), and that a rate limit the
//! decision found not yet reached still is, counting the decisions ahead of it in the batch.
//! A decision that fails either is not recorded but answered `Stale`, and decided again.

use crate::error::GovError;
use crate::evidence::Prepared;
use crate::store::actions::{self as action_store, ActionInsert, ActionRecord};
use crate::store::scorecard_counts::{self, NewCounts};
use crate::store::{Store, decision_inputs, evidence};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Most requests committed in one transaction.
pub const MAX_BATCH: usize = 256;

/// The decision writer's thread, as `top -H` and `perf` show it.
const WRITER_THREAD: &str = "tenure-writer";

/// What became of a submitted decision.
#[derive(Debug)]
pub enum Committed {
    /// Recorded now, as this action with this evidence hash.
    New { id: i64, evidence_hash: String },
    /// The idempotency key was already used: the action recorded for it.
    Existing(Box<ActionRecord>),
    /// Not recorded: it was decided from inputs older than the database's (the decision inputs
    /// counter is now at `now_at`); decide it again.
    Stale { now_at: i64 },
}

/// A decision ready to be recorded; the evidence draft's subject id is filled in on insert.
pub struct Job {
    pub insert: ActionInsert,
    pub draft: Prepared,
    pub remember: Vec<(String, String)>,
    /// The peer check to create with the action, when it waits for one.
    pub peer: Option<crate::store::peer_checks::PeerInsert>,
    /// The decision inputs counter the decision's inputs were read at.
    pub inputs_version: i64,
    /// A rate limit the decision found not yet reached; confirmed under the writer's lock,
    /// where no other decision can slip in between the count and the insert.
    pub rate_limit: Option<RateLimit>,
}

/// A rate limit to confirm: fewer than `max` of the agent's requests for the capability since
/// `since` were not refused.
#[derive(Clone, Copy, Debug)]
pub struct RateLimit {
    pub max: u32,
    pub since: DateTime<Utc>,
}

struct Queued {
    job: Job,
    reply: oneshot::Sender<Result<Committed, GovError>>,
}

/// How often a failing writer with nothing to do tries a write to see whether the fault cleared.
const PROBE_EVERY: Duration = Duration::from_millis(500);

/// The handle requests submit through; cheap to clone.
#[derive(Clone, Debug)]
pub struct GroupCommit {
    tx: mpsc::Sender<Queued>,
    failing: Arc<AtomicBool>,
}

impl GroupCommit {
    /// Starts the writer on a thread of its own with a single-threaded Tokio runtime: it waits
    /// on the database for every statement, and woken on the shared runtime it queued behind
    /// the request tasks each time (on SQLite, decisions at 64 clients 8,456 -> 9,655/s, one
    /// client 1,098 -> 1,511/s). SQLite's connections are threads of their own and serve either
    /// runtime, so there the writer uses the store's pool. PostgreSQL's sockets belong to the
    /// runtime that opened them, so there the writer opens a connection of its own on its
    /// runtime (at 64 clients 5,351-6,516 -> 9,310-9,402/s); a store without a URL (wrapping a
    /// given connection) keeps the writer on the pool.
    pub fn start(store: Store) -> GroupCommit {
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        let failing = Arc::new(AtomicBool::new(false));
        let state = failing.clone();
        match (store.backend(), store.url().map(str::to_owned)) {
            (DbBackend::Postgres, Some(url)) => on_own_thread(WRITER_THREAD, async move {
                match Store::connect_writer(&url).await {
                    Ok(own) => run(own, rx, state).await,
                    Err(e) => tracing::error!(error = %e, "the decision writer could not connect"),
                }
            }),
            (DbBackend::Postgres, None) => {
                tokio::spawn(run(store, rx, state));
            }
            _ => on_own_thread(WRITER_THREAD, run(store, rx, state)),
        }
        GroupCommit { tx, failing }
    }

    /// Whether the last thing the writer tried (a batch or a probe) failed on a fault of the
    /// moment: decisions cannot be recorded now.
    pub fn failing(&self) -> bool {
        self.failing.load(Ordering::Acquire)
    }

    /// Records one decision and waits until its batch is committed.
    pub async fn submit(&self, job: Job) -> Result<Committed, GovError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Queued { job, reply })
            .await
            .map_err(|_| GovError::Internal("the decision writer stopped".into()))?;
        answer.await.map_err(|_| GovError::Internal("the decision writer dropped a request".into()))?
    }
}

/// Runs `work` on a new thread called `name`, with a single-threaded Tokio runtime of its own.
pub fn on_own_thread(name: &str, work: impl Future<Output = ()> + Send + 'static) {
    let thread = std::thread::Builder::new().name(name.to_owned()).spawn(move || {
        match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt.block_on(work),
            Err(e) => tracing::error!(error = %e, "a writer's runtime could not start"),
        }
    });
    if let Err(e) = thread {
        tracing::error!(error = %e, thread = name, "a writer's thread could not start");
    }
}

/// The idempotency key a job carries, with its agent.
fn key_of(q: &Queued) -> Option<(i64, String)> {
    q.job.insert.idempotency_key.clone().map(|k| (q.job.insert.agent_id, k))
}

async fn run(store: Store, mut rx: mpsc::Receiver<Queued>, failing: Arc<AtomicBool>) {
    // A request whose idempotency key is already in the batch being gathered waits for the
    // next one, where the first request's action is visible to it.
    let mut held: Option<Queued> = None;
    loop {
        let first = match held.take() {
            Some(q) => q,
            None => match next_request(&store, &mut rx, &failing).await {
                Some(q) => q,
                None => return,
            },
        };
        let mut keys: HashSet<(i64, String)> = key_of(&first).into_iter().collect();
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => match key_of(&next) {
                    Some(k) if keys.contains(&k) => {
                        held = Some(next);
                        break;
                    }
                    k => {
                        keys.extend(k);
                        batch.push(next);
                    }
                },
                Err(_) => break,
            }
        }
        write_and_answer(&store, batch, &failing).await;
    }
}

/// The next request; while the writer is failing and none comes, it probes the database with
/// a write every [`PROBE_EVERY`] until one commits.
async fn next_request(store: &Store, rx: &mut mpsc::Receiver<Queued>, failing: &AtomicBool) -> Option<Queued> {
    while failing.load(Ordering::Acquire) {
        match tokio::time::timeout(PROBE_EVERY, rx.recv()).await {
            Ok(next) => return next,
            Err(_) => match store.probe_write().await {
                Ok(()) => {
                    tracing::info!("the decision writer can record again");
                    failing.store(false, Ordering::Release);
                }
                Err(e) => tracing::debug!(error = %e, "the decision writer still cannot record"),
            },
        }
    }
    rx.recv().await
}

/// Commits `batch` and answers each of its requests. A fault of the moment fails them all; a
/// refusal of one member is answered to that member alone (see the module's doc).
/// What a request whose batch failed with `e` is told: retry later for a fault of the moment,
/// an internal error (logged, never retried) otherwise.
fn not_recorded(e: &GovError) -> GovError {
    let why = format!("not recorded: {e}");
    if e.is_transient() { GovError::Unavailable(why) } else { GovError::Internal(why) }
}

async fn write_and_answer(store: &Store, batch: Vec<Queued>, failing: &AtomicBool) {
    let (jobs, replies): (Vec<Job>, Vec<_>) = batch.into_iter().map(|q| (q.job, q.reply)).unzip();
    let started = std::time::Instant::now();
    let size = replies.len();
    let jobs = match commit(store, jobs).await {
        Ok(results) => {
            failing.store(false, Ordering::Release);
            tracing::debug!(size, micros = started.elapsed().as_micros() as u64, "decision batch committed");
            metrics::histogram!(crate::telemetry::BATCH_SIZE).record(size as f64);
            for (reply, result) in replies.into_iter().zip(results) {
                let _ = reply.send(Ok(result));
            }
            return;
        }
        Err((e, jobs)) if e.is_transient() || size == 1 => {
            if e.is_transient() {
                failing.store(true, Ordering::Release);
                tracing::warn!(error = %e, size, "a batch of decisions could not be recorded now");
            } else {
                tracing::error!(error = %e, "a decision the database refused was not recorded");
            }
            drop(jobs);
            for reply in replies {
                let _ = reply.send(Err(not_recorded(&e)));
            }
            return;
        }
        Err((e, jobs)) => {
            tracing::warn!(error = %e, size, "a batch of decisions failed; writing its requests one by one");
            jobs
        }
    };
    for (job, reply) in jobs.into_iter().zip(replies) {
        let one = match commit(store, vec![job]).await {
            Ok(mut results) => {
                results.pop().ok_or_else(|| GovError::Internal("a batch of one without its answer".into()))
            }
            Err((e, _)) => {
                if e.is_transient() {
                    failing.store(true, Ordering::Release);
                }
                tracing::error!(error = %e, "a decision could not be recorded");
                Err(not_recorded(&e))
            }
        };
        let _ = reply.send(one);
    }
}

/// Sorts a batch's jobs under the writer's lock: each is answered already (`Some`: stale, or
/// its idempotency key was used) or is to be recorded (`None`, and listed in the second part).
async fn admit<'a>(
    txn: &DatabaseTransaction,
    jobs: &'a [Job],
    inputs_now: i64,
) -> Result<(Vec<Option<Committed>>, Vec<&'a Job>), GovError> {
    let mut out: Vec<Option<Committed>> = Vec::with_capacity(jobs.len());
    let mut fresh = Vec::with_capacity(jobs.len());
    // Not-refused requests per (agent, capability): recorded in the last hour (read only for a
    // job with a rate limit), and ahead in this batch.
    let mut in_db: HashMap<(i64, String), u32> = HashMap::new();
    let mut in_batch: HashMap<(i64, String), u32> = HashMap::new();
    for job in jobs {
        if job.inputs_version != inputs_now {
            out.push(Some(Committed::Stale { now_at: inputs_now }));
            continue;
        }
        // Under the write lock no other writer can slip in between this check and the insert;
        // within the batch each key appears once.
        if let Some(key) = &job.insert.idempotency_key
            && let Some(existing) = action_store::by_key(txn, job.insert.agent_id, key).await?
        {
            out.push(Some(Committed::Existing(Box::new(existing))));
            continue;
        }
        let counted = (job.insert.agent_id, job.insert.capability.clone());
        if let Some(limit) = job.rate_limit {
            if !in_db.contains_key(&counted) {
                let n = action_store::count_since(txn, counted.0, &counted.1, limit.since, limit.max).await?;
                in_db.insert(counted.clone(), n);
            }
            // The decisions ahead of it in this batch count too.
            let ahead = in_batch.get(&counted).copied().unwrap_or(0);
            if in_db[&counted] + ahead >= limit.max {
                out.push(Some(Committed::Stale { now_at: inputs_now }));
                continue;
            }
        }
        if job.insert.decision != crate::policy::Decision::Denied {
            *in_batch.entry(counted).or_insert(0) += 1;
        }
        out.push(None);
        fresh.push(job);
    }
    Ok((out, fresh))
}

/// Records a batch in one transaction with a handful of statements, however large it is: the
/// evidence records chained in memory and inserted together, the actions (ids reserved first,
/// so each carries its evidence hash) inserted together, and the values to remember together.
///
/// On failure the transaction is rolled back before the error is returned with the jobs, so
/// they can be tried alone.
async fn commit(store: &Store, jobs: Vec<Job>) -> Result<Vec<Committed>, (GovError, Vec<Job>)> {
    let started = std::time::Instant::now();
    let out = commit_timed(store, jobs).await;
    crate::service::busy::add(&crate::service::busy::BATCHES, started);
    out
}

async fn commit_timed(store: &Store, jobs: Vec<Job>) -> Result<Vec<Committed>, (GovError, Vec<Job>)> {
    let txn = match store.begin_write().await {
        Ok(txn) => txn,
        Err(e) => return Err((e.into(), jobs)),
    };
    match write_batch(&txn, &jobs).await {
        Ok(out) => match txn.commit().await {
            Ok(()) => Ok(out),
            Err(e) => Err((e.into(), jobs)),
        },
        Err(e) => {
            if let Err(r) = txn.rollback().await {
                tracing::warn!(error = %r, "rolling back a failed batch failed; its connection is not reused");
            }
            Err((e, jobs))
        }
    }
}

/// Writes a batch inside `txn` (not committed) and says what became of each job.
async fn write_batch(txn: &DatabaseTransaction, jobs: &[Job]) -> Result<Vec<Committed>, GovError> {
    evidence::lock(txn).await?;
    // Under the lock no change to what decisions read can be half-made (see migration 14).
    let start = decision_inputs::batch_start(txn).await?;
    let (out, fresh) = admit(txn, jobs, start.version).await?;
    let ids = action_store::reserve_ids(txn, fresh.len(), start.largest_action).await?;
    let drafts: Vec<Prepared> = fresh
        .iter()
        .zip(&ids)
        .map(|(job, id)| {
            let mut draft = job.draft.clone();
            draft.draft.subject_id = id.to_string();
            draft
        })
        .collect();
    let drafts: Vec<&Prepared> = drafts.iter().collect();
    let records = evidence::append_all_after(txn, &drafts, &start.head).await?;
    let mut rows = Vec::with_capacity(fresh.len());
    let mut remember = BTreeSet::new();
    let mut peers = Vec::new();
    let mut waiting = Vec::new();
    for ((job, id), record) in fresh.into_iter().zip(&ids).zip(&records) {
        if job.insert.decision == crate::policy::Decision::NeedsApproval {
            waiting.push(crate::store::notifications::NewEvent::approval_requested(*id, &job.insert));
        }
        for (param, value) in &job.remember {
            remember.insert((job.insert.agent_id, job.insert.capability.clone(), param.clone(), value.clone()));
        }
        if let Some(p) = &job.peer {
            peers.push((*id, p.clone()));
        }
        rows.push((*id, job.insert.clone(), record.hash.clone()));
    }
    let counts = NewCounts::of(rows.iter().map(|(_, a, _)| a));
    if let Some(insert) = action_store::insert_statement(txn.get_database_backend(), rows) {
        scorecard_counts::insert_counted(txn, insert, counts).await?;
    }
    action_store::remember_all(txn, remember).await?;
    for (id, p) in peers {
        crate::store::peer_checks::insert(txn, id, p).await?;
    }
    // Reviewers hear of what waits for them from the same transaction that records it.
    crate::store::notifications::enqueue(txn, waiting, crate::clock::now()).await?;
    let mut news = ids.into_iter().zip(records);
    out.into_iter()
        .map(|o| match o {
            Some(existing) => Ok(existing),
            None => news
                .next()
                .map(|(id, r)| Committed::New { id, evidence_hash: r.hash })
                .ok_or_else(|| GovError::Internal("a new action without its record".into())),
        })
        .collect()
}
