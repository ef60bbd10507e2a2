//! The monitoring job: every pass judges each grant that acted in the recent window with the
//! per-grant detectors (the same pure functions the track record shows, over the kept daily
//! counts), raises one alert per grant and detector that fires — or refreshes the open one
//! while the condition lasts — and applies the detector's response (demote the grant, suspend
//! it, suspend the agent) in the alert's transaction, with its evidence. A manager undoes a
//! response in one step ([`MonitorJob::undo`]).
//!
//! One instance runs it at a time: a pass first takes the `monitor` lease ([`job_leases`]),
//! which another instance may take only once it has expired. A pass with nothing new in the
//! evidence trail since the last one (and on the same UTC day) does nothing else, and a pass
//! later the same day judges only the agents the trail recorded something about since — all of
//! them when a detector's settings changed — so the job is cheap when little changed; the lease
//! row keeps how far it got, so a restarted or new holder resumes there.

use crate::error::GovError;
use crate::evidence::{Actor, Draft};
use crate::monitor::{Detector, Judgement, Response};
use crate::principal::AsManager;
use crate::service::agents::change_status;
use crate::service::alerts::CAUSES_LIMIT;
use crate::service::busy::Lap;
use crate::service::grants::{Grants, Step, draft};
use crate::service::monitoring::{self, Check, Extra, Point, RECENT_DAYS, Setting, Window};
use crate::store::alerts::{self as alert_store, About, AlertRecord, Detected};
use crate::store::grants::{self as grant_store, GrantRecord};
use crate::store::notifications::NewEvent;
use crate::store::scorecards::Group;
use crate::store::{Store, evidence, job_leases, parameter_history};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::DatabaseTransaction;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use vocab::AgentStatus;

mod apply_open;
pub(crate) mod reviewers;
pub use apply_open::Applied;

/// The lease's name.
pub const JOB: &str = "monitor";
/// How long a lease lasts without renewal; a pass renews it.
pub const LEASE_SECONDS: i64 = 120;
/// After a person resolves a detector's alert about a grant, the detector stays quiet about
/// that grant this long (the recent window), so the same evidence does not overrule them.
pub const QUIET_HOURS: i64 = 24 * RECENT_DAYS;

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// This instance held the lease (otherwise nothing was done).
    pub held: bool,
    /// Nothing changed since the last pass, so nothing was judged.
    pub unchanged: bool,
    /// Grants judged.
    pub judged: usize,
    /// Reviewers judged.
    pub reviewers: usize,
    /// Alerts raised.
    pub raised: usize,
    /// Open alerts given new figures.
    pub refreshed: usize,
    /// Responses applied (demotions and suspensions).
    pub acted: usize,
}

/// Runs monitoring passes as one instance (`holder`).
#[derive(Clone, Debug)]
pub struct MonitorJob {
    store: Store,
    grants: Grants,
    holder: String,
}

/// A detector that fired about a grant in this pass, with what it should do.
struct Firing {
    grant: GrantRecord,
    check: Check,
    response: Response,
    points: Vec<Point>,
}

/// Who the monitor acts as.
fn monitor_actor(detector: Detector) -> Actor {
    Actor::system(&format!("monitor ({})", detector.as_str()))
}

/// The detector a stored alert names, if it is a detector's.
fn detector_of(a: &AlertRecord) -> Option<Detector> {
    a.detector.as_deref().and_then(|d| Detector::parse(d).ok())
}

impl MonitorJob {
    pub fn new(store: Store, holder: String) -> MonitorJob {
        MonitorJob { grants: Grants::new(store.clone()), store, holder }
    }

    /// One pass at `now`.
    pub async fn run(&self, now: DateTime<Utc>) -> Result<Pass, GovError> {
        let started = std::time::Instant::now();
        let pass = self.pass(now).await;
        crate::service::busy::add(&crate::service::busy::MONITOR, started);
        pass
    }

    async fn pass(&self, now: DateTime<Utc>) -> Result<Pass, GovError> {
        let mut lap = Lap::start();
        let until = now + Duration::seconds(LEASE_SECONDS);
        let Some(held) = job_leases::take(self.store.db(), JOB, &self.holder, now, until).await? else {
            return Ok(Pass::default());
        };
        let head = self.store.evidence_head().await?.0;
        let today = now.date_naive();
        if held.watermark == head && held.last_run_at.is_some_and(|t| t.date_naive() == today) {
            return Ok(Pass { held: true, unchanged: true, ..Pass::default() });
        }
        let settings: Vec<Setting> =
            monitoring::current(&self.store).await?.into_iter().filter(|s| s.enabled).collect();
        let window = Window::ending(today);
        let mut pass = Pass { held: true, ..Pass::default() };
        // Later the same day, only what the trail recorded something about since the last pass
        // is judged again (unless a detector's settings changed).
        let later = held.watermark > 0 && held.last_run_at.is_some_and(|t| t.date_naive() == today);
        lap.lap(0);
        let mut since = None;
        if later {
            let (moved, configured) = self.store.evidence_after(held.watermark).await?;
            if !configured {
                since = Some((moved, held.watermark));
            }
        }
        lap.lap(1);
        let moved = since.as_ref().map(|s| &s.0);
        let firing = self.judge_grants(&settings, &window, moved, now, &mut pass, &mut lap).await?;
        lap.lap(3);
        let stamping = match settings.iter().find(|s| s.detector == Detector::RubberStamping) {
            Some(s) => reviewers::judge(&self.store, s, since.as_ref().map_or(0, |s| s.1), now, &mut pass).await?,
            None => Vec::new(),
        };
        lap.lap(4);
        if !firing.is_empty() || !stamping.is_empty() {
            // One transaction for the pass: decisions see what it changed at once, not alert by
            // alert.
            let txn = self.store.begin_write().await?;
            evidence::lock(&txn).await?;
            let mut acted = std::collections::BTreeSet::new();
            for f in firing {
                self.fired(&txn, f, &window, now, &mut acted, &mut pass).await?;
            }
            for f in stamping {
                reviewers::fired(&txn, f, now, &mut pass).await?;
            }
            txn.commit().await?;
        }
        job_leases::advance(self.store.db(), JOB, &self.holder, head, now).await?;
        lap.lap(5);
        Ok(pass)
    }

    /// Judges every live grant of the agents active in the recent window (only those of
    /// `moved`, when given) with the enabled per-grant detectors; the detectors that fired.
    async fn judge_grants(
        &self,
        settings: &[Setting],
        window: &Window,
        moved: Option<&Vec<i64>>,
        now: DateTime<Utc>,
        pass: &mut Pass,
        lap: &mut Lap,
    ) -> Result<Vec<Firing>, GovError> {
        let today = window.recent_to;
        let mut firing = Vec::new();
        if !settings.iter().any(|s| monitoring::PER_GRANT.contains(&s.detector)) {
            return Ok(firing);
        }
        let mut agents = self.store.agents_active_since(window.recent_from).await?;
        if let Some(moved) = moved {
            agents.retain(|a| moved.contains(a));
        }
        let grants = self.store.live_grants_of(&agents).await?;
        let mut first_seen = BTreeMap::new();
        if settings.iter().any(|s| s.detector == Detector::NewParameters) {
            lap.lap(3);
            parameter_history::absorb(&self.store, &self.holder, now).await?;
            first_seen = parameter_history::first_seen_of(self.store.db(), &agents, window.baseline_from).await?;
            lap.lap(2);
        }
        let midnight = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc();
        let mut peers =
            self.store.peer_windows_of(&agents, midnight(window.baseline_from), midnight(window.recent_from)).await?;
        let mut days: BTreeMap<(i64, String), Vec<(NaiveDate, Group)>> = BTreeMap::new();
        for (agent, capability, day, group) in self.store.daily_groups_of(&agents, window.baseline_from).await? {
            days.entry((agent, capability)).or_default().push((day, group));
        }
        for g in grants {
            let key = (g.agent_id, g.capability.clone());
            let Some(mine) = days.get(&key) else { continue };
            let extra = Extra {
                peer: peers.remove(&key).unwrap_or_default(),
                first_seen: first_seen.remove(&key).unwrap_or_default(),
            };
            pass.judged += 1;
            for check in monitoring::judge(mine, &extra, today, settings) {
                if check.judgement.fires() {
                    let response =
                        settings.iter().find(|s| s.detector == check.detector).map_or(Response::Alert, |s| s.response);
                    let points = monitoring::series(mine, &extra.first_seen, today, check.detector);
                    firing.push(Firing { grant: g.clone(), check, response, points });
                }
            }
        }
        Ok(firing)
    }

    /// Gives the lease up (at shutdown).
    pub async fn release(&self, now: DateTime<Utc>) -> Result<(), GovError> {
        job_leases::release(self.store.db(), JOB, &self.holder, now).await
    }

    /// A detector fired about a grant: refresh its open alert, or raise one and respond (at
    /// most one response per grant in a pass: two detectors firing do not demote it twice).
    async fn fired(
        &self,
        txn: &DatabaseTransaction,
        f: Firing,
        window: &Window,
        now: DateTime<Utc>,
        acted: &mut std::collections::BTreeSet<i64>,
        pass: &mut Pass,
    ) -> Result<(), GovError> {
        let Firing { grant: g, check, response, points } = f;
        let Judgement::Fires { finding } = &check.judgement else { return Ok(()) };
        let detector = check.detector;
        let message = format!("{}: {} against {}", detector.label(), finding.observed, finding.baseline);
        let about = About::Grant { agent_id: g.agent_id, grant_id: g.id, capability: &g.capability };
        let mut figures = json!({"finding": finding, "window": window, "series": points});
        let open = alert_store::open_for(txn, about, detector.as_str()).await?;
        if open.is_none() {
            // A new alert keeps the actions behind it as they are now: what made it fire.
            let causes =
                self.store.actions_counted_by(g.agent_id, &g.capability, detector, window, CAUSES_LIMIT).await?;
            figures["actions"] = json!(causes.iter().map(|a| a.id).collect::<Vec<_>>());
        }
        let detected =
            Detected { about, detector: detector.as_str(), message: message.clone(), details: figures.to_string() };
        let Some(id) = raise_or_refresh(txn, detected, open, now, pass).await? else { return Ok(()) };
        let actor = monitor_actor(detector);
        let reason = format!("{} detector fired: {message}", detector.as_str());
        let done =
            if acted.contains(&g.id) { None } else { self.respond(txn, &actor, &g, response, &reason, now).await? };
        if let Some((r, undo)) = &done {
            // Raised in this transaction: nothing else can have answered it.
            if !alert_store::set_response(txn, id, r.as_str(), &undo.to_string()).await? {
                return Err(GovError::Internal(format!("alert {id} raised in this pass already had a response")));
            }
            acted.insert(g.id);
            let what = format!("the {} detector {} (alert {id}): {message}", detector.as_str(), response_words(*r));
            let event = NewEvent::autonomy_withdrawn(&g, r.as_str(), what, Some(id));
            crate::store::notifications::enqueue(txn, vec![event], now).await?;
        }
        let did = done.as_ref().map_or("raised an alert".to_owned(), |(r, _)| response_words(*r).to_owned());
        let summary = format!("The {} detector {did} on {} (alert {id}): {message}", detector.as_str(), g.capability);
        let details = json!({
            "alert_id": id,
            "grant": g.id,
            "capability": g.capability,
            "detector": detector.as_str(),
            "finding": finding,
            "window": window,
            "response": done.as_ref().map(|(r, _)| r.as_str()),
        });
        let draft = draft(&actor, "monitor.fired", g.agent_id, summary, details);
        evidence::append(txn, &draft).await?;
        pass.raised += 1;
        pass.acted += usize::from(done.is_some());
        Ok(())
    }

    /// Applies `response` to the grant inside `txn`; what was done and what undoing it
    /// restores, or none when there was nothing to do (an alert only, an observer cannot go
    /// lower, the grant or agent already suspended).
    async fn respond(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        actor: &Actor,
        g: &GrantRecord,
        response: Response,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Response, Value)>, GovError> {
        match response {
            Response::Alert => Ok(None),
            Response::DemoteGrant => {
                if g.tier.demoted().is_none() {
                    return Ok(None);
                }
                match self.grants.change_tier(txn, actor, g.id, Step::Demote, reason, None).await {
                    Ok(after) => Ok(Some((
                        response,
                        json!({"grant": g.id, "from": g.tier, "to": after.tier, "from_override": g.tier_override}),
                    ))),
                    // Changed since it was judged (a manager moved it): the alert says so much.
                    Err(GovError::Conflict { .. }) => Ok(None),
                    Err(e) => Err(e),
                }
            }
            Response::SuspendGrant => {
                if !grant_store::set_suspended(txn, g.id, Some(now)).await? {
                    return Ok(None);
                }
                let summary = format!("{} suspended {}: {reason}", actor.name, g.capability);
                evidence::append(txn, &grant_draft(actor, "grant.suspended", g, summary)).await?;
                Ok(Some((response, json!({"grant": g.id}))))
            }
            Response::SuspendAgent => {
                // Already suspended: nothing to do, nothing to undo.
                let suspended = change_status(txn, actor, g.agent_id, AgentStatus::Suspended, reason).await?;
                Ok(suspended.ok().map(|_| (response, json!({"agent": g.agent_id}))))
            }
        }
    }

    /// Undoes what a detector did on its own (restores the tier, lifts the suspension), once;
    /// the alert stays open until someone resolves it. 409 when it was undone already or the
    /// grant or agent changed since.
    pub async fn undo(&self, by: &AsManager, alert_id: i64, note: &str) -> Result<AlertRecord, GovError> {
        let note = crate::agent::parse_reason(note).map_err(|m| GovError::invalid("note", m))?;
        let alert =
            self.store.alert_by_id(alert_id).await?.ok_or_else(|| GovError::NotFound(format!("alert {alert_id}")))?;
        let (Some(response), Some(detector)) = (alert.response.as_deref(), detector_of(&alert)) else {
            return Err(GovError::Conflict {
                field: "alert",
                message: "this alert did nothing that can be undone".into(),
            });
        };
        let response = Response::parse(response).map_err(GovError::Internal)?;
        let grant_id = alert.grant_id.ok_or_else(|| GovError::Internal(format!("alert {alert_id} has no grant")))?;
        let agent_id = alert.agent_id.ok_or_else(|| GovError::Internal(format!("alert {alert_id} has no agent")))?;
        let now = crate::clock::now();
        let actor = by.actor().clone();
        let txn = self.store.begin_write().await?;
        evidence::lock(&txn).await?;
        if !alert_store::mark_undone(&txn, alert_id, &actor.name, now).await? {
            return Err(GovError::Conflict { field: "alert", message: format!("alert {alert_id} was already undone") });
        }
        let reason = format!("undoing what the {} detector did (alert {alert_id}): {note}", detector.as_str());
        let changed = || GovError::Conflict {
            field: "alert",
            message: "the grant or agent changed since; there is nothing left to undo".into(),
        };
        match response {
            Response::Alert => return Err(changed()),
            Response::DemoteGrant => {
                let g = grant_store::by_id(&txn, grant_id).await?.ok_or_else(changed)?;
                let was = alert.undo.as_deref().and_then(|u| serde_json::from_str::<Value>(u).ok());
                let demoted_to = was.as_ref().and_then(|u| u.get("to")).and_then(|t| t.as_str());
                if demoted_to != Some(g.tier.as_str()) {
                    return Err(changed());
                }
                self.grants.change_tier(&txn, &actor, grant_id, Step::Promote, &reason, None).await.map_err(
                    |e| match e {
                        GovError::Conflict { .. } => changed(),
                        other => other,
                    },
                )?;
                // The tier restored is marked as it was: an override stays one.
                let was_override = was.as_ref().and_then(|u| u.get("from_override")).and_then(Value::as_bool);
                if was_override == Some(true) {
                    grant_store::set_override(&txn, grant_id, true).await?;
                }
            }
            Response::SuspendGrant => {
                let g = grant_store::by_id(&txn, grant_id).await?.ok_or_else(changed)?;
                if !grant_store::set_suspended(&txn, grant_id, None).await? {
                    return Err(changed());
                }
                let summary = format!("{} lifted the suspension of {}: {reason}", actor.name, g.capability);
                evidence::append(&txn, &grant_draft(&actor, "grant.reinstated", &g, summary)).await?;
            }
            Response::SuspendAgent => {
                change_status(&txn, &actor, agent_id, AgentStatus::Active, &reason).await?.map_err(|_| changed())?;
            }
        }
        let summary =
            format!("{} undid what the {} detector did (alert {alert_id}): {note}", actor.name, detector.as_str());
        let details = json!({"alert_id": alert_id, "grant": grant_id, "response": response.as_str(), "note": note});
        evidence::append(&txn, &draft(&actor, "monitor.undone", agent_id, summary, details)).await?;
        txn.commit().await?;
        self.store.alert_by_id(alert_id).await?.ok_or_else(|| GovError::NotFound(format!("alert {alert_id}")))
    }
}

/// A detector fired about `d.about`: keeps what it sees now beside its `open` alert's frozen
/// figures (only when they changed: an unchanged alert costs nothing), stays quiet when a
/// person resolved one in the last [`QUIET_HOURS`], or raises one. `open` is the subject's
/// open alert of that detector, as the caller read it in `txn`. The id of an alert it raised.
async fn raise_or_refresh(
    txn: &DatabaseTransaction,
    d: Detected<'_>,
    open: Option<AlertRecord>,
    now: DateTime<Utc>,
    pass: &mut Pass,
) -> Result<Option<i64>, GovError> {
    if let Some(open) = open {
        let unchanged = match open.latest_details.as_deref() {
            Some(latest) => latest == d.details,
            None => same_figures(open.details.as_deref(), &d.details),
        };
        if !unchanged {
            alert_store::refresh(txn, open.id, &d.details, now).await?;
            pass.refreshed += 1;
        }
        return Ok(None);
    }
    if alert_store::closed_since(txn, d.about, d.detector, now - Duration::hours(QUIET_HOURS)).await? {
        return Ok(None);
    }
    // None: raised meanwhile by another instance.
    alert_store::raise_detected(txn, d, now).await
}

/// Whether `later` holds the figures an alert fired with (its frozen `details` add the actions
/// behind it, which a later pass does not look up).
fn same_figures(fired: Option<&str>, later: &str) -> bool {
    let (Some(fired), Ok(later)) = (fired, serde_json::from_str::<serde_json::Value>(later)) else { return false };
    let Ok(mut fired) = serde_json::from_str::<serde_json::Value>(fired) else { return false };
    if later.get("actions").is_none()
        && let Some(f) = fired.as_object_mut()
    {
        f.remove("actions");
    }
    fired == later
}

/// An evidence record about a grant (filed under its agent), by the monitor or the manager
/// undoing what it did.
fn grant_draft(actor: &Actor, kind: &'static str, g: &GrantRecord, summary: String) -> Draft {
    draft(actor, kind, g.agent_id, summary, json!({"grant": g.id, "capability": g.capability}))
}

/// What a response did, in words.
pub fn response_words(r: Response) -> &'static str {
    match r {
        Response::Alert => "raised an alert",
        Response::DemoteGrant => "demoted the grant one tier",
        Response::SuspendGrant => "suspended the grant",
        Response::SuspendAgent => "suspended the agent",
    }
}
