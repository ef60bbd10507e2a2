//! Keeping the scorecard counts (migration 17) true as actions are written: the decision adds
//! each new action to its group, a transition moves it from one group to another, and a
//! person's decision notes the reviewer — each in the transaction of the change it counts.

use crate::entity::{scorecard_counts as counts, scorecard_reviewers as reviewers, scorecard_sketches as sketches};
use crate::error::GovError;
use crate::lifecycle::State;
use crate::policy::Decision;
use crate::reliability::calibration::band_of;
use crate::store::actions::{ActionInsert, ActionRecord};
use chrono::{DateTime, Utc};
use migrations::distinct_sketch::Sketch;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect,
    Statement,
};
use std::collections::BTreeMap;

mod one_statement;

/// Kinds of evidence record in which a person decided on one of the agent's actions (its
/// distinct reviewers).
pub const DECIDING_KINDS: [&str; 5] =
    ["action.approved", "action.rejected", "action.shadow_recorded", "action.peer_resolved", "action.approval_added"];

/// Which group of `scorecard_counts` an action is in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub agent_id: i64,
    pub capability: String,
    pub day: String,
    pub decision: Decision,
    pub state: State,
    pub agreement: String,
    pub band: i32,
    pub human_approved: i32,
}

/// The day an action counts on: the UTC date it was proposed.
pub fn day_of(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

fn band(confidence: f64) -> i32 {
    i32::try_from(band_of(confidence)).unwrap_or(0)
}

impl Key {
    /// The group of an action as stored.
    pub fn of(a: &ActionRecord) -> Key {
        Key {
            agent_id: a.agent_id,
            capability: a.capability.clone(),
            day: day_of(a.created_at),
            decision: a.decision,
            state: a.state,
            agreement: a.shadow_agreement.clone().unwrap_or_default(),
            band: band(a.confidence),
            human_approved: i32::from(a.approved_hash.is_some()),
        }
    }

    /// The group of a new action, in its first state.
    pub fn of_new(a: &ActionInsert) -> Key {
        Key {
            agent_id: a.agent_id,
            capability: a.capability.clone(),
            day: day_of(a.created_at),
            decision: a.decision,
            state: State::first(a.decision),
            agreement: String::new(),
            band: band(a.confidence),
            human_approved: 0,
        }
    }
}

/// The upsert adding `n` to each group (one statement however many there are).
fn add_statement(groups: BTreeMap<Key, i64>) -> sea_orm::InsertMany<counts::ActiveModel> {
    let rows = groups.into_iter().map(|(k, n)| counts::ActiveModel {
        agent_id: Set(k.agent_id),
        capability: Set(k.capability),
        day: Set(k.day),
        decision: Set(k.decision),
        state: Set(k.state),
        agreement: Set(k.agreement),
        band: Set(k.band),
        human_approved: Set(k.human_approved),
        n: Set(n),
    });
    let conflict = OnConflict::columns([
        counts::Column::AgentId,
        counts::Column::Capability,
        counts::Column::Day,
        counts::Column::Decision,
        counts::Column::State,
        counts::Column::Agreement,
        counts::Column::Band,
        counts::Column::HumanApproved,
    ])
    .value(counts::Column::N, Expr::cust("scorecard_counts.n + excluded.n"))
    .to_owned();
    counts::Entity::insert_many(rows).on_conflict(conflict)
}

/// Adds `n` to each group, one statement however many there are.
async fn add(db: &impl ConnectionTrait, groups: BTreeMap<Key, i64>) -> Result<(), GovError> {
    if groups.is_empty() {
        return Ok(());
    }
    add_statement(groups).exec_without_returning(db).await?;
    Ok(())
}

/// The sketch of distinct parameter sets an action goes in: agent, capability, day.
type SketchKey = (i64, String, String);

fn key_filter(k: &SketchKey) -> Condition {
    Condition::all()
        .add(sketches::Column::AgentId.eq(k.0))
        .add(sketches::Column::Capability.eq(k.1.clone()))
        .add(sketches::Column::Day.eq(k.2.clone()))
}

/// What this process last knew to be stored for each day's sketch. A batch then writes a day
/// with one compare-and-set against it, without reading the row first (a round trip less per
/// batch on PostgreSQL); when the row changed meanwhile (another instance, a rolled-back batch,
/// a reviewer's changed params) the compare-and-set misses and the day is read again.
static KNOWN: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<SketchKey, Vec<u8>>>> =
    std::sync::LazyLock::new(Default::default);

/// Days remembered at most (a few per live grant); past it the memory starts again.
const KNOWN_AT_MOST: usize = 8192;

fn known(key: &SketchKey) -> Option<Vec<u8>> {
    KNOWN.lock().ok().and_then(|k| k.get(key).cloned())
}

fn remember(key: SketchKey, stored: Vec<u8>) {
    if let Ok(mut k) = KNOWN.lock() {
        if k.len() >= KNOWN_AT_MOST {
            k.clear();
        }
        k.insert(key, stored);
    }
}

fn forget(key: &SketchKey) {
    if let Ok(mut k) = KNOWN.lock() {
        k.remove(key);
    }
}

/// A compare-and-set of a day's sketch: the bytes expected, the bytes to write.
type Swap = (Vec<u8>, Vec<u8>);

/// What this process last stored for the day, and those bytes with `add` merged in — what
/// its compare-and-set writes (even when no register rose: what this process knows may be a
/// rolled-back batch's, and only the compare-and-set tells); none when it does not know.
fn known_merged(key: &SketchKey, add: &Sketch) -> Result<Option<Swap>, GovError> {
    let Some(stored) = known(key) else { return Ok(None) };
    let mut merged = Sketch::decode(&stored).map_err(|_| malformed(key))?;
    merged.merge(add);
    Ok(Some((stored, merged.encode())))
}

fn malformed(key: &SketchKey) -> GovError {
    GovError::Internal(format!("scorecard sketch {key:?} is not a sketch"))
}

/// Adds parameter sets to their days' sketches. A day whose stored bytes this process knows is
/// written by compare-and-set, one statement; the others are read
/// locked (so two instances on PostgreSQL merge one after the other) and written back where a
/// register rose; a day without a row gets one, and one that appeared meanwhile is merged on
/// the next pass.
async fn sketch(db: &impl ConnectionTrait, mut additions: BTreeMap<SketchKey, Sketch>) -> Result<(), GovError> {
    for (key, add) in std::mem::take(&mut additions) {
        let Some((stored, bytes)) = known_merged(&key, &add)? else {
            additions.insert(key, add);
            continue;
        };
        let res = sketches::Entity::update_many()
            .col_expr(sketches::Column::Registers, Expr::value(bytes.clone()))
            .filter(key_filter(&key))
            .filter(sketches::Column::Registers.eq(stored))
            .exec(db)
            .await?;
        if res.rows_affected == 1 {
            remember(key, bytes);
        } else {
            forget(&key);
            additions.insert(key, add);
        }
    }
    while !additions.is_empty() {
        let any = additions.keys().fold(Condition::any(), |c, k| c.add(key_filter(k)));
        for row in sketches::Entity::find().filter(any).lock_exclusive().all(db).await? {
            let key = (row.agent_id, row.capability, row.day);
            let Some(add) = additions.remove(&key) else { continue };
            let mut stored = Sketch::decode(&row.registers).map_err(|_| malformed(&key))?;
            if stored.merge(&add) {
                let bytes = stored.encode();
                sketches::Entity::update_many()
                    .col_expr(sketches::Column::Registers, Expr::value(bytes.clone()))
                    .filter(key_filter(&key))
                    .exec(db)
                    .await?;
                remember(key, bytes);
            } else {
                remember(key, row.registers);
            }
        }
        if additions.is_empty() {
            break;
        }
        let rows: Vec<_> = additions
            .iter()
            .map(|((agent_id, capability, day), s)| sketches::ActiveModel {
                agent_id: Set(*agent_id),
                capability: Set(capability.clone()),
                day: Set(day.clone()),
                registers: Set(s.encode()),
            })
            .collect();
        let conflict =
            OnConflict::columns([sketches::Column::AgentId, sketches::Column::Capability, sketches::Column::Day])
                .do_nothing()
                .to_owned();
        let inserted = sketches::Entity::insert_many(rows).on_conflict(conflict).exec_without_returning(db).await?;
        if usize::try_from(inserted).is_ok_and(|n| n == additions.len()) {
            for (key, s) in std::mem::take(&mut additions) {
                remember(key, s.encode());
            }
            break;
        }
        // Another instance wrote some of these days first: merge into its rows. Re-adding the
        // days that were inserted changes nothing (a sketch absorbs what it holds).
    }
    Ok(())
}

/// Whether new decisions are counted as they are written: always, except in the benchmark that
/// measures what counting costs (it turns it off for its "without" run; the switch exists only
/// with the `store-access` feature, which the server is built without).
static COUNT_NEW: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Turns counting new decisions on or off, for the whole process (benchmarks only).
#[cfg(feature = "store-access")]
pub fn count_new_decisions(on: bool) {
    COUNT_NEW.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// What a batch of new actions adds: to each group's count, and to each day's parameter sets.
#[derive(Default)]
pub struct NewCounts {
    groups: BTreeMap<Key, i64>,
    sets: BTreeMap<SketchKey, Sketch>,
}

impl NewCounts {
    pub fn of<'a>(actions: impl IntoIterator<Item = &'a ActionInsert>) -> NewCounts {
        let mut counts = NewCounts::default();
        for a in actions {
            *counts.groups.entry(Key::of_new(a)).or_insert(0) += 1;
            let day = (a.agent_id, a.capability.clone(), day_of(a.created_at));
            counts.sets.entry(day).or_default().insert_hex(&a.action_hash);
        }
        counts
    }
}

/// Writes a batch of new actions with `insert` (the statement that inserts them) and counts
/// them: one statement for the groups; for the parameter sets, one read of the batch's days and
/// a write for each day that changed. On PostgreSQL the insert, the groups' upsert and the
/// compare-and-set of every day's sketch this process knows go to the server as one statement
/// ([`one_statement`]).
pub async fn insert_counted(db: &impl ConnectionTrait, insert: Statement, counts: NewCounts) -> Result<(), GovError> {
    let NewCounts { groups, sets } = counts;
    if !COUNT_NEW.load(std::sync::atomic::Ordering::Relaxed) {
        db.execute_raw(insert).await?;
        return Ok(());
    }
    if db.get_database_backend() == DbBackend::Postgres && !groups.is_empty() {
        return one_statement::insert_and_count(db, insert, groups, sets).await;
    }
    db.execute_raw(insert).await?;
    add(db, groups).await?;
    sketch(db, sets).await
}

/// Moves an action from the group it was in to the one it is in now (and notes a parameter
/// set a reviewer chose instead of the agent's).
pub async fn count_move(
    db: &impl ConnectionTrait,
    before: &ActionRecord,
    after: &ActionRecord,
) -> Result<(), GovError> {
    let (from, to) = (Key::of(before), Key::of(after));
    if from != to {
        counts::Entity::update_many()
            .col_expr(counts::Column::N, Expr::col(counts::Column::N).sub(1))
            .filter(counts::Column::AgentId.eq(from.agent_id))
            .filter(counts::Column::Capability.eq(from.capability))
            .filter(counts::Column::Day.eq(from.day))
            .filter(counts::Column::Decision.eq(from.decision.as_str()))
            .filter(counts::Column::State.eq(from.state.as_str()))
            .filter(counts::Column::Agreement.eq(from.agreement))
            .filter(counts::Column::Band.eq(from.band))
            .filter(counts::Column::HumanApproved.eq(from.human_approved))
            .exec(db)
            .await?;
        add(db, BTreeMap::from([(to, 1)])).await?;
    }
    if before.action_hash != after.action_hash {
        let mut set = Sketch::default();
        set.insert_hex(&after.action_hash);
        sketch(db, BTreeMap::from([((after.agent_id, after.capability.clone(), day_of(after.created_at)), set)]))
            .await?;
    }
    Ok(())
}

/// Notes that `reviewer` decided on one of the agent's actions for `capability` at `at`.
pub async fn count_reviewer(
    db: &impl ConnectionTrait,
    agent_id: i64,
    capability: &str,
    reviewer: &str,
    at: DateTime<Utc>,
) -> Result<(), GovError> {
    let row = reviewers::ActiveModel {
        agent_id: Set(agent_id),
        capability: Set(capability.to_owned()),
        reviewer: Set(reviewer.to_owned()),
        last_seen: Set(at),
    };
    let conflict =
        OnConflict::columns([reviewers::Column::AgentId, reviewers::Column::Capability, reviewers::Column::Reviewer])
            .update_column(reviewers::Column::LastSeen)
            .to_owned();
    reviewers::Entity::insert(row).on_conflict(conflict).exec_without_returning(db).await?;
    Ok(())
}
