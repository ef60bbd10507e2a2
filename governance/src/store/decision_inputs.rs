//! What a decision reads about its capability, in one query: the catalogue entry, the agent's
//! live grant for it, and whether the agent has an open alert.

use crate::entity::{capabilities, grants};
use crate::error::GovError;
use crate::store::capabilities::{CapabilityRecord, record};
use crate::store::{Store, aliased_columns, placeholder};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};

/// Detectors that watch the people reviewing: their alerts do not send the agent's requests to
/// approval (see [`crate::monitor::Detector::about_people`]).
const PEOPLE: &str = "'rubber_stamping', 'inbox_ageing'";

/// The capability as catalogued, the agent's live grant for it, and whether an alert about the
/// agent (not about its reviewers) is open.
#[derive(Debug)]
pub struct DecisionInputs {
    pub capability: CapabilityRecord,
    pub grant: Option<grants::Model>,
    pub open_alert: bool,
}

impl Store {
    /// The inputs for `agent_id` asking for capability `name`; none when it is not catalogued.
    pub async fn decision_inputs(&self, agent_id: i64, name: &str) -> Result<Option<DecisionInputs>, GovError> {
        let backend = self.backend();
        let p = |n| placeholder(backend, n);
        let sql = format!(
            "SELECT {c}, {g}, EXISTS (SELECT 1 FROM alerts al WHERE al.agent_id = {p1} AND al.resolved_at IS NULL \
             AND (al.detector IS NULL OR al.detector NOT IN ({PEOPLE}))) \
             AS open_alert FROM capabilities c LEFT JOIN grants g ON g.capability_id = c.id AND g.agent_id = {p2} \
             AND g.revoked_at IS NULL WHERE c.name = {p3}",
            c = aliased_columns::<capabilities::Column>("c"),
            g = aliased_columns::<grants::Column>("g"),
            p1 = p(1),
            p2 = p(2),
            p3 = p(3),
        );
        let stmt = Statement::from_sql_and_values(backend, sql, [agent_id.into(), agent_id.into(), name.into()]);
        let Some(row) = self.db().query_one_raw(stmt).await? else { return Ok(None) };
        let capability = record(capabilities::Model::from_query_result(&row, "c_")?);
        let grant_id: Option<i64> = row.try_get("", "g_id")?;
        let grant = match grant_id {
            Some(_) => Some(grants::Model::from_query_result(&row, "g_")?),
            None => None,
        };
        let open_alert: bool = row.try_get("", "open_alert")?;
        Ok(Some(DecisionInputs { capability, grant, open_alert }))
    }
}

/// Migration 14 creates the counter's one row; without it no decision can be checked.
fn counter_missing() -> GovError {
    GovError::Internal("the decision inputs counter is missing".into())
}

/// The counter that moves with every change to what decisions read (keys, agents,
/// capabilities, grants, template versions, alerts; moved by triggers, migration 14), as `db`
/// sees it.
pub async fn version(db: &impl ConnectionTrait) -> Result<i64, GovError> {
    let stmt =
        Statement::from_string(db.get_database_backend(), "SELECT version FROM decision_inputs_version WHERE id = 1");
    let row = db.query_one_raw(stmt).await?.ok_or_else(counter_missing)?;
    Ok(row.try_get("", "version")?)
}

/// What the decision writer reads first under its lock.
#[derive(Debug)]
pub struct BatchStart {
    /// The evidence chain's head (sequence and hash).
    pub head: (i64, String),
    /// The decision inputs counter.
    pub version: i64,
    /// The largest action id so far (SQLite reserves ids after it).
    pub largest_action: i64,
}

/// The chain's head, the counter and the largest action id, in one statement (the writer
/// waits for each round trip to the database, so one instead of three). Take the chain's lock
/// first.
pub async fn batch_start(db: &impl ConnectionTrait) -> Result<BatchStart, GovError> {
    let sql = "SELECT v.version, e.seq, e.hash, (SELECT COALESCE(MAX(id), 0) FROM actions) AS largest_action \
               FROM decision_inputs_version v \
               LEFT JOIN (SELECT seq, hash FROM evidence ORDER BY seq DESC LIMIT 1) e ON 1 = 1 WHERE v.id = 1";
    let row =
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await?.ok_or_else(counter_missing)?;
    let seq: Option<i64> = row.try_get("", "seq")?;
    let hash: Option<String> = row.try_get("", "hash")?;
    Ok(BatchStart {
        head: (seq.unwrap_or(0), hash.unwrap_or_else(|| crate::evidence::GENESIS_HASH.to_owned())),
        version: row.try_get("", "version")?,
        largest_action: row.try_get("", "largest_action")?,
    })
}

impl Store {
    /// The decision inputs counter as the pool sees it now.
    pub async fn decision_inputs_version(&self) -> Result<i64, GovError> {
        version(self.db()).await
    }
}

impl Store {
    /// Commits a write that changes nothing (the decision inputs counter set to itself) in a
    /// write transaction like a batch of decisions: whether the database can record now. The
    /// row is rewritten, so a full disk or a lost connection fails it.
    pub async fn probe_write(&self) -> Result<(), GovError> {
        let txn = self.begin_write().await?;
        let sql = "UPDATE decision_inputs_version SET version = version WHERE id = 1";
        txn.execute_raw(Statement::from_string(self.backend(), sql)).await?;
        txn.commit().await?;
        Ok(())
    }
}
