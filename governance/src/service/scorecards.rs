//! Scorecards: for every grant, what its agent did (since its tier began, in the last 30 days,
//! all time, and week by week), how its confidence compares with the verdicts it got, and
//! whether it has shown enough for the next tier. Any signed-in person may read them (a
//! reviewer judges a proposal better knowing its agent's track record); an agent reads its own.

use crate::error::GovError;
use crate::policy::Tier;
use crate::principal::{AsManager, AsMember};
use crate::reliability::{Calibration, Rate, Readiness, Tally, readiness};
use crate::service::agents::AgentPrincipal;
use crate::service::monitoring;
use crate::store::grants::{self as grant_store, GrantRecord};
use crate::store::scorecards::{Group, count};
use crate::store::templates as template_store;
use crate::store::{Store, parameter_history};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

/// Weeks in a scorecard's series.
pub const WEEKS: i64 = 12;

/// One week of the series: its rates with their sample sizes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Week {
    pub start: DateTime<Utc>,
    pub proposals: u64,
    pub approval: Rate,
    pub agreement: Rate,
    pub rollback: Rate,
    /// Whether the grant's current tier began during this week (marked on the time axis).
    pub tier_changed: bool,
}

/// One grant's record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scorecard {
    pub grant_id: i64,
    pub agent_id: i64,
    pub capability: String,
    pub tier: Tier,
    pub tier_since: DateTime<Utc>,
    pub days_at_tier: u64,
    pub revoked: bool,
    pub at_tier: Tally,
    pub last_30_days: Tally,
    pub all_time: Tally,
    /// Approval per confidence band, all time.
    pub calibration: Calibration,
    /// Its confident proposals are turned down as often as its unsure ones.
    pub overconfident: bool,
    /// Oldest first, [`WEEKS`] of them, the last one holding today.
    pub weekly: Vec<Week>,
    pub open_alerts: u64,
    /// The next step and what it still lacks; none at executor or for a revoked grant.
    pub readiness: Option<Readiness>,
    /// The criteria of the grant's template version (the shipped defaults without a rule).
    #[serde(skip)]
    pub criteria: Option<crate::reliability::Promotion>,
    /// Each per-grant detector's judgement now (the last two days against the 28 before).
    pub monitoring: Vec<crate::service::monitoring::Check>,
}

/// A live grant's last [`WEEKS`] weeks, for a sparkline in a list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trend {
    pub agent_id: i64,
    pub capability: String,
    pub tier: Tier,
    /// Oldest first, the last one holding today.
    pub weekly: Vec<Week>,
    /// The whole period's approval and shadow agreement, with their sample sizes.
    pub approval: Rate,
    pub agreement: Rate,
}

/// An agent's whole record with one capability (see [`Scorecards::record_of`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub(crate) struct CapabilityRecord {
    pub tally: Tally,
    pub days: u64,
    pub open_alerts: u64,
}

impl CapabilityRecord {
    /// The record as the pure judgement reads it.
    pub fn as_record(&self) -> crate::reliability::grant_start::Record<'_> {
        crate::reliability::grant_start::Record { tally: &self.tally, days: self.days, open_alerts: self.open_alerts }
    }
}

/// The scorecards use cases.
#[derive(Clone, Debug)]
pub struct Scorecards {
    pub(crate) store: Store,
}

impl Scorecards {
    pub fn new(store: Store) -> Scorecards {
        Scorecards { store }
    }

    /// Every grant of an agent, live ones first.
    pub async fn of_agent(&self, _by: &AsMember, agent_id: i64) -> Result<Vec<Scorecard>, GovError> {
        self.all_of(agent_id).await
    }

    /// One grant's scorecard.
    pub async fn of_grant(&self, _by: &AsMember, grant_id: i64) -> Result<Scorecard, GovError> {
        let g = self.grant(grant_id).await?;
        let alerts = self.store.open_alert_count(Some(g.agent_id)).await?;
        let settings = monitoring::current(&self.store).await?;
        self.build(g, alerts, crate::clock::now(), true, &settings).await
    }

    /// A promotion's basis: the grant and its scorecard without the weekly series (the
    /// engine's own use, inside an already authorised promotion).
    pub(crate) async fn for_promotion(&self, grant_id: i64) -> Result<(GrantRecord, Scorecard), GovError> {
        let g = self.grant(grant_id).await?;
        let alerts = self.store.open_alert_count(Some(g.agent_id)).await?;
        let settings = monitoring::current(&self.store).await?;
        let card = self.build(g.clone(), alerts, crate::clock::now(), false, &settings).await?;
        Ok((g, card))
    }

    async fn grant(&self, grant_id: i64) -> Result<GrantRecord, GovError> {
        grant_store::by_id(self.store.db(), grant_id)
            .await?
            .ok_or_else(|| GovError::NotFound(format!("grant {grant_id}")))
    }

    /// Every live grant below executor with what its next step needs: those that meet their
    /// criteria first, then the ones with the least missing. Without the weekly series.
    pub async fn promotion_queue(&self, _by: &AsManager) -> Result<Vec<Scorecard>, GovError> {
        let now = crate::clock::now();
        let settings = monitoring::current(&self.store).await?;
        let mut cards = Vec::new();
        // Open alerts are the agent's, so they are read once per agent, not per grant.
        let mut alerts_of = std::collections::HashMap::new();
        for g in self.store.grants_below_executor().await? {
            let alerts = match alerts_of.get(&g.agent_id) {
                Some(n) => *n,
                None => {
                    let n = self.store.open_alert_count(Some(g.agent_id)).await?;
                    alerts_of.insert(g.agent_id, n);
                    n
                }
            };
            cards.push(self.build(g, alerts, now, false, &settings).await?);
        }
        cards.sort_by_key(|c| {
            let missing = c.readiness.as_ref().map_or(usize::MAX, |r| r.missing().len());
            (missing, c.agent_id, c.capability.clone())
        });
        Ok(cards)
    }

    /// Every live grant of these agents with its last [`WEEKS`] weeks: two queries whatever
    /// the number of grants (the agents list draws one sparkline per grant).
    pub async fn trends(&self, _by: &AsManager, agent_ids: &[i64]) -> Result<Vec<Trend>, GovError> {
        let today = crate::clock::now().date_naive();
        let since = today - Duration::weeks(WEEKS) + Duration::days(1);
        let mut days: std::collections::HashMap<(i64, String), Vec<(NaiveDate, Group)>> =
            std::collections::HashMap::new();
        for (agent, capability, day, group) in self.store.daily_groups_of(agent_ids, since).await? {
            days.entry((agent, capability)).or_default().push((day, group));
        }
        let grants = self.store.live_grants_of(agent_ids).await?;
        Ok(grants
            .into_iter()
            .map(|g| {
                let mine = days.remove(&(g.agent_id, g.capability.clone())).unwrap_or_default();
                let (t, _) = sum(&mine, Some(since), None);
                Trend {
                    agent_id: g.agent_id,
                    weekly: weekly(&g, &mine, today),
                    capability: g.capability,
                    tier: g.tier,
                    approval: t.approval(),
                    agreement: t.agreement(),
                }
            })
            .collect())
    }

    /// The calling agent's own scorecards (so it can see why it is escalated).
    pub async fn own(&self, who: &AgentPrincipal) -> Result<Vec<Scorecard>, GovError> {
        self.all_of(who.agent.id).await
    }

    /// The calling agent's live grants with what their next step needs, without the weekly
    /// series (what its envelope shows).
    pub async fn own_next_steps(&self, who: &AgentPrincipal) -> Result<Vec<Scorecard>, GovError> {
        let now = crate::clock::now();
        let alerts = self.store.open_alert_count(Some(who.agent.id)).await?;
        let settings = monitoring::current(&self.store).await?;
        let mut cards = Vec::new();
        for g in self.store.live_grants_of(&[who.agent.id]).await? {
            cards.push(self.build(g, alerts, now, false, &settings).await?);
        }
        Ok(cards)
    }

    async fn all_of(&self, agent_id: i64) -> Result<Vec<Scorecard>, GovError> {
        let now = crate::clock::now();
        let alerts = self.store.open_alert_count(Some(agent_id)).await?;
        let settings = monitoring::current(&self.store).await?;
        let mut grants = self.store.grants_of(agent_id).await?;
        grants.sort_by_key(|g| (g.revoked_at.is_some(), g.capability.clone()));
        let mut cards = Vec::with_capacity(grants.len());
        for g in grants {
            cards.push(self.build(g, alerts, now, true, &settings).await?);
        }
        Ok(cards)
    }

    async fn build(
        &self,
        g: GrantRecord,
        open_alerts: u64,
        now: DateTime<Utc>,
        series: bool,
        settings: &[monitoring::Setting],
    ) -> Result<Scorecard, GovError> {
        let days = self.store.daily_groups(g.agent_id, &g.capability).await?;
        let today = now.date_naive();
        let at_tier = self.at_tier(&g, &days).await?;
        let month = today - Duration::days(29);
        let mut last_30_days = sum(&days, Some(month), None).0;
        self.distinct(&g, Some(midnight(month)), &mut last_30_days).await?;
        let (mut all_time, calibration) = sum(&days, None, None);
        self.distinct(&g, None, &mut all_time).await?;
        let weekly = if series { weekly(&g, &days, today) } else { Vec::new() };
        let days_at_tier = (now - g.tier_since).num_days().max(0).unsigned_abs();
        let criteria = self.criteria(&g).await?;
        let revoked = g.revoked_at.is_some();
        let window = monitoring::Window::ending(today);
        let key = (g.agent_id, g.capability.clone());
        let extra = monitoring::Extra {
            peer: self
                .store
                .peer_windows_of(&[g.agent_id], midnight(window.baseline_from), midnight(window.recent_from))
                .await?
                .remove(&key)
                .unwrap_or_default(),
            first_seen: parameter_history::first_seen_of(self.store.db(), &[g.agent_id], window.baseline_from)
                .await?
                .remove(&key)
                .unwrap_or_default(),
        };
        let readiness = match (revoked, g.tier.promoted().and_then(|to| criteria.step_to(to).cloned())) {
            (false, Some(step)) => readiness(
                &step,
                crate::reliability::criteria::Standing { tier: g.tier, at_tier: &at_tier, days_at_tier, open_alerts },
            ),
            _ => None,
        };
        Ok(Scorecard {
            grant_id: g.id,
            agent_id: g.agent_id,
            capability: g.capability,
            tier: g.tier,
            tier_since: g.tier_since,
            days_at_tier,
            revoked,
            at_tier,
            last_30_days,
            all_time,
            overconfident: calibration.overconfident(),
            calibration,
            weekly,
            open_alerts,
            readiness,
            criteria: Some(criteria),
            monitoring: monitoring::judge(&days, &extra, today, settings),
        })
    }

    /// The promotion criteria of the grant's template version (the shipped defaults when its
    /// rule is gone).
    async fn criteria(&self, g: &GrantRecord) -> Result<crate::reliability::Promotion, GovError> {
        let version = template_store::version_of(self.store.db(), g.template_id, g.template_version).await?;
        Ok(version.and_then(|v| v.body.rule(&g.capability).map(|r| r.promotion.clone())).unwrap_or_default())
    }

    /// What the agent did since its tier began: the whole days after from the counts, the
    /// day it began from the actions themselves (from that moment on).
    async fn at_tier(&self, g: &GrantRecord, days: &[(NaiveDate, Group)]) -> Result<Tally, GovError> {
        let mut t = self.at_tier_counts(g, days).await?;
        self.distinct(g, Some(g.tier_since), &mut t).await?;
        Ok(t)
    }

    /// [`Self::at_tier`]'s sums without the distinct counts (what a one-line standing needs).
    pub(crate) async fn at_tier_counts(&self, g: &GrantRecord, days: &[(NaiveDate, Group)]) -> Result<Tally, GovError> {
        let first = g.tier_since.date_naive();
        let next = first + Duration::days(1);
        let (mut t, mut unused) = sum(days, Some(next), None);
        for group in self.store.groups_between(g.agent_id, &g.capability, g.tier_since, midnight(next)).await? {
            count(&mut t, &mut unused, &group);
        }
        Ok(t)
    }

    /// Fills in what is not a sum of groups: distinct parameter sets and reviewers since
    /// `since`, and the peer checks.
    async fn distinct(&self, g: &GrantRecord, since: Option<DateTime<Utc>>, t: &mut Tally) -> Result<(), GovError> {
        self.distinct_of(g.agent_id, &g.capability, since, t).await
    }

    async fn distinct_of(
        &self,
        agent_id: i64,
        capability: &str,
        since: Option<DateTime<Utc>>,
        t: &mut Tally,
    ) -> Result<(), GovError> {
        t.patterns = self.store.patterns_since(agent_id, capability, since).await?;
        t.reviewers = self.store.reviewers_since(agent_id, capability, since).await?;
        (t.peer_agreed, t.peer_disagreed) = self.store.peer_outcomes(agent_id, capability, since).await?;
        Ok(())
    }

    /// Everything the agent has done with `capability`, under whichever grants of it it held:
    /// what a grant of it is judged on when it starts above the template's free start, or
    /// moves to a newer template version. The days count from its first recorded day.
    pub(crate) async fn record_of(&self, agent_id: i64, capability: &str) -> Result<CapabilityRecord, GovError> {
        let days = self.store.daily_groups(agent_id, capability).await?;
        let (mut tally, _) = sum(&days, None, None);
        self.distinct_of(agent_id, capability, None, &mut tally).await?;
        let today = crate::clock::now().date_naive();
        let days_of_record =
            days.iter().map(|(d, _)| *d).min().map_or(0, |first| (today - first).num_days().max(0).unsigned_abs());
        let open_alerts = self.store.open_alert_count(Some(agent_id)).await?;
        Ok(CapabilityRecord { tally, days: days_of_record, open_alerts })
    }
}

pub(crate) fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The groups of the days in `[from, to]` (either end open), added up.
pub(crate) fn sum(days: &[(NaiveDate, Group)], from: Option<NaiveDate>, to: Option<NaiveDate>) -> (Tally, Calibration) {
    let (mut t, mut cal) = (Tally::default(), Calibration::default());
    for (day, group) in days {
        if from.is_none_or(|f| *day >= f) && to.is_none_or(|l| *day <= l) {
            count(&mut t, &mut cal, group);
        }
    }
    (t, cal)
}

/// The last [`WEEKS`] weeks of whole days, the last one ending today.
fn weekly(g: &GrantRecord, days: &[(NaiveDate, Group)], today: NaiveDate) -> Vec<Week> {
    (0..WEEKS)
        .rev()
        .map(|i| {
            let last = today - Duration::weeks(i);
            let first = last - Duration::days(6);
            let (t, _) = sum(days, Some(first), Some(last));
            let start = midnight(first);
            Week {
                start,
                proposals: t.proposals,
                approval: t.approval(),
                agreement: t.agreement(),
                rollback: t.rollback(),
                tier_changed: g.tier_since >= start && g.tier_since < midnight(last + Duration::days(1)),
            }
        })
        .collect()
}
