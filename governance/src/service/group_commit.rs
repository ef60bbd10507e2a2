//! Group commit for decisions: concurrent requests are queued to one writer task, which
//! commits whatever has queued up as one transaction — one fsync for the whole batch — and
//! then answers each request. Every decision still commits together with its evidence record;
//! if the batch fails, every request in it fails (503) and nothing of it is kept.
//!
//! Across instances the batches are serialised by the database: SQLite's write lock
//! (`BEGIN IMMEDIATE`), and on PostgreSQL the advisory lock the evidence chain takes.

use crate::error::GovError;
use crate::evidence::Draft;
use crate::store::actions::{self as action_store, ActionInsert, ActionRecord};
use crate::store::{Store, evidence};
use tokio::sync::{mpsc, oneshot};

/// Most requests committed in one transaction.
pub const MAX_BATCH: usize = 256;

/// What became of a submitted decision.
#[derive(Debug)]
pub enum Committed {
    /// Recorded now, as this action with this evidence hash.
    New { id: i64, evidence_hash: String },
    /// The idempotency key was already used: the action recorded for it.
    Existing(Box<ActionRecord>),
}

/// A decision ready to be recorded; the evidence draft's subject id is filled in on insert.
pub struct Job {
    pub insert: ActionInsert,
    pub draft: Draft,
    pub remember: Vec<(String, String)>,
    /// The peer check to create with the action, when it waits for one.
    pub peer: Option<crate::store::peer_checks::PeerInsert>,
}

struct Queued {
    job: Job,
    reply: oneshot::Sender<Result<Committed, GovError>>,
}

/// The handle requests submit through; cheap to clone.
#[derive(Clone, Debug)]
pub struct GroupCommit {
    tx: mpsc::Sender<Queued>,
}

impl GroupCommit {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(store: Store) -> GroupCommit {
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(store, rx));
        GroupCommit { tx }
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

async fn run(store: Store, mut rx: mpsc::Receiver<Queued>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let (jobs, replies): (Vec<Job>, Vec<_>) = batch.into_iter().map(|q| (q.job, q.reply)).unzip();
        match commit(&store, jobs).await {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(Ok(result));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, size = replies.len(), "a batch of decisions could not be recorded");
                for reply in replies {
                    let _ = reply.send(Err(GovError::Internal(format!("batch not recorded: {e}"))));
                }
            }
        }
    }
}

async fn commit(store: &Store, jobs: Vec<Job>) -> Result<Vec<Committed>, GovError> {
    let txn = store.begin_write().await?;
    evidence::lock(&txn).await?;
    let mut head = evidence::head(&txn).await?;
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        // Under the write lock no other writer can slip in between this check and the insert.
        if let Some(key) = &job.insert.idempotency_key
            && let Some(existing) = action_store::by_key(&txn, job.insert.agent_id, key).await?
        {
            out.push(Committed::Existing(Box::new(existing)));
            continue;
        }
        let (agent_id, capability) = (job.insert.agent_id, job.insert.capability.clone());
        let id = action_store::insert(&txn, job.insert)
            .await?
            .ok_or_else(|| GovError::Internal("idempotency key collided under the write lock".into()))?;
        let draft = Draft { subject_id: id.to_string(), ..job.draft };
        let record = evidence::append_after(&txn, &draft, &head).await?;
        head = (record.seq, record.hash.clone());
        action_store::set_evidence_hash(&txn, id, &record.hash).await?;
        action_store::remember_values(&txn, agent_id, &capability, &job.remember).await?;
        if let Some(p) = job.peer {
            crate::store::peer_checks::insert(&txn, id, p).await?;
        }
        out.push(Committed::New { id, evidence_hash: record.hash });
    }
    txn.commit().await?;
    Ok(out)
}
