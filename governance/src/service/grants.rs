//! Grants: one capability at a time, promoted or demoted one step at a time, with a reason.

use crate::error::GovError;
use crate::evidence::{Actor, Draft};
use crate::policy::Tier;
use crate::principal::AsManager;
use crate::reliability::{ReviewCadence, Start, judge_start};
use crate::service::scorecards::CapabilityRecord;
use crate::store::grants::{self as grant_store, GrantInsert, GrantRecord};
use crate::store::templates as tpl_store;
use crate::store::{Store, agents as agent_store, evidence};
use sea_orm::DatabaseTransaction;
use serde_json::json;

/// Fewest characters of the justification for promoting a grant that does not meet its criteria.
pub const MIN_OVERRIDE_JUSTIFICATION: usize = 20;

/// A grant as entered in the form (raw values).
#[derive(Clone, Debug, Default)]
pub struct GrantForm {
    pub agent_id: i64,
    pub capability: String,
    pub template_id: i64,
    pub tier: String,
    /// Why the grant starts above what its template allows without the record for it
    /// (needed only then; at least [`MIN_OVERRIDE_JUSTIFICATION`] characters).
    pub justification: String,
}

/// Which way a tier change goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Promote,
    Demote,
}

/// What a grant form may offer from one template: its current version and the capabilities
/// that version has a rule for (a grant from it for any other capability would be refused).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantChoice {
    pub template_id: i64,
    pub template: String,
    pub version: i64,
    pub capabilities: Vec<String>,
    /// The rules that let a new grant start above observer without a justification.
    pub start_tiers: Vec<(String, Tier)>,
}

/// A grant moved to its template's current version, and whether its agent's record meets
/// that version's criteria at the tier it kept.
#[derive(Clone, Debug)]
pub struct Moved {
    pub grant: GrantRecord,
    pub check: Start,
}

impl Moved {
    /// In words, for the evidence record and the notice: "its executor tier meets v3's
    /// criteria", or what it lacks.
    pub fn verdict(&self) -> String {
        let (tier, v) = (self.grant.tier.as_str(), self.grant.template_version);
        if !self.check.judged() {
            format!("v{v} lets a grant start at {tier}")
        } else if self.check.ready() {
            format!("its record meets v{v}'s criteria for {tier}")
        } else {
            format!(
                "its record does not meet v{v}'s criteria for {tier} ({}); the tier is kept: review it",
                self.check.missing().join("; ")
            )
        }
    }
}

/// The grants use cases.
#[derive(Clone, Debug)]
pub struct Grants {
    store: Store,
}

pub(crate) fn draft(
    actor: &Actor,
    kind: &'static str,
    agent_id: i64,
    summary: String,
    details: serde_json::Value,
) -> Draft {
    // Grant changes are filed under the agent, so its page shows its tier history.
    Draft { actor: actor.clone(), kind, subject_kind: "agent", subject_id: agent_id.to_string(), summary, details }
}

impl Grants {
    /// Grants over `store`.
    pub fn new(store: Store) -> Grants {
        Grants { store }
    }

    /// An agent's grants.
    pub async fn of_agent(&self, _by: &AsManager, agent_id: i64) -> Result<Vec<GrantRecord>, GovError> {
        self.store.grants_of(agent_id).await
    }

    /// Grants one capability to one agent at one tier, from the template's current version.
    /// A tier above the one the template's rule lets any grant start at skips promotions, so
    /// it is judged by their criteria on the agent's record with the capability; one that does
    /// not meet them is an override and needs a `justification` of at least
    /// [`MIN_OVERRIDE_JUSTIFICATION`] characters, recorded with the criteria and the record.
    pub async fn grant(&self, by: &AsManager, form: GrantForm) -> Result<GrantRecord, GovError> {
        let tier = Tier::parse(&form.tier).map_err(|m| GovError::invalid("tier", m))?;
        let justification = crate::agent::parse_text(&form.justification, 1000, false)
            .map_err(|m| GovError::invalid("justification", m))?;
        crate::text::storable("justification", &justification).map_err(|(f, m)| GovError::invalid(f, m))?;
        let cap = self.store.capability_by_name(form.capability.trim()).await?.ok_or_else(|| {
            GovError::invalid("capability", format!("'{}' is not in the catalogue", form.capability.trim()))
        })?;
        let Judged { template, version, rule, start, basis } = self.judge(&form, tier, &cap.name).await?;
        let what = format!("granting {} at {}", cap.name, tier.as_str());
        let basis = justified_as(basis, &justification, "justification", &what)?;
        let overriding = basis.as_ref().is_some_and(|b| !b.ready);
        let txn = self.store.begin_write().await?;
        let agent = agent_store::by_id(&txn, form.agent_id)
            .await?
            .ok_or_else(|| GovError::NotFound(format!("agent {}", form.agent_id)))?;
        let current = tpl_store::by_id(&txn, template.id).await?.map(|t| t.current_version);
        if current != Some(version.version) {
            return Err(GovError::Conflict {
                field: "template_id",
                message: format!("{} has a newer version than the one judged: reload and grant again", template.name),
            });
        }
        let existing = grant_store::find(&txn, agent.id, cap.id).await?;
        if let Some(g) = existing.as_ref().filter(|g| g.revoked_at.is_none()) {
            return Err(GovError::Conflict {
                field: "capability",
                message: format!(
                    "{} already holds {} at {}: promote, demote or revoke that grant",
                    agent.name,
                    cap.name,
                    g.tier.as_str()
                ),
            });
        }
        let insert = GrantInsert {
            agent_id: agent.id,
            capability_id: cap.id,
            template_id: template.id,
            template_version: version.version,
            tier,
            granted_by: &by.actor().name,
            review_due_at: rule.promotion.reviews.next_due(tier, crate::clock::now()),
            tier_override: overriding,
        };
        let id = grant_store::upsert(&txn, insert, existing.map(|g| g.id)).await?;
        let g = grant_store::by_id(&txn, id).await?.ok_or_else(|| GovError::NotFound(format!("grant {id}")))?;
        let summary = format!(
            "{} granted {} to {} at {} (template {} v{}){}",
            by.actor().name,
            cap.name,
            agent.name,
            tier.as_str(),
            template.name,
            version.version,
            if overriding {
                format!(" without meeting its criteria (override): {justification}")
            } else {
                String::new()
            }
        );
        let mut details = json!({
            "grant": id, "capability": cap.name, "tier": tier, "template": template.name,
            "template_version": version.version, "start_tier": start.free_up_to, "override": overriding,
        });
        if !justification.is_empty() {
            details["justification"] = json!(justification);
        }
        if let Some(b) = basis {
            details["criteria"] = b.criteria;
            details["scorecard"] = b.scorecard;
            details["missing"] = json!(b.missing);
        }
        evidence::append(&txn, &draft(by.actor(), "grant.created", agent.id, summary, details)).await?;
        txn.commit().await?;
        Ok(g)
    }

    /// The template version a new grant comes from (the current one), its rule for the
    /// capability, and how `tier` stands against that rule's criteria on the agent's record.
    async fn judge(&self, form: &GrantForm, tier: Tier, capability: &str) -> Result<Judged, GovError> {
        let template = tpl_store::by_id(self.store.db(), form.template_id)
            .await?
            .ok_or_else(|| GovError::invalid("template_id", "choose a template"))?;
        let version = tpl_store::version_of(self.store.db(), template.id, template.current_version)
            .await?
            .ok_or_else(|| GovError::NotFound(format!("template {}", template.id)))?;
        let Some(rule) = version.body.rule(capability).cloned() else {
            return Err(GovError::invalid(
                "template_id",
                format!(
                    "{} v{} has no rule for {capability}: add one to the template first",
                    template.name, version.version
                ),
            ));
        };
        let record = crate::service::scorecards::Scorecards::new(self.store.clone())
            .record_of(form.agent_id, capability)
            .await?;
        let start = judge_start(&rule.promotion, tier, record.as_record());
        let basis = start.judged().then(|| start_basis(&start, template.id, version.version, &record));
        Ok(Judged { template, version, rule, start, basis })
    }

    /// Moves a grant one tier up or down, with a reason. A promotion records the criteria and
    /// the scorecard it was based on; one that does not meet its criteria is an override and
    /// needs a written justification of at least [`MIN_OVERRIDE_JUSTIFICATION`] characters.
    pub async fn step(&self, by: &AsManager, grant_id: i64, step: Step, reason: &str) -> Result<GrantRecord, GovError> {
        let reason = crate::agent::parse_reason(reason).map_err(|m| GovError::invalid("reason", m))?;
        let basis = self.basis_for(grant_id, step, &reason, "reason").await?;
        let txn = self.store.begin_write().await?;
        let g = self.change_tier(&txn, by.actor(), grant_id, step, &reason, basis).await?;
        txn.commit().await?;
        Ok(g)
    }

    /// What a step is based on: for a promotion, the criteria and the scorecard. One that does
    /// not meet its criteria needs a justification (`reason`, the form's `field`) of at least
    /// [`MIN_OVERRIDE_JUSTIFICATION`] characters.
    async fn basis_for(
        &self,
        grant_id: i64,
        step: Step,
        reason: &str,
        field: &'static str,
    ) -> Result<Option<Basis>, GovError> {
        let basis = match step {
            Step::Promote => Some(self.promotion_basis(grant_id).await?),
            Step::Demote => None,
        };
        justified(basis, reason, field)
    }

    /// Moves the grant one tier inside `txn`, resets its review date for the new tier and
    /// appends the record (by `actor`: a manager, or the review schedule).
    pub(crate) async fn change_tier(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        grant_id: i64,
        step: Step,
        reason: &str,
        basis: Option<Basis>,
    ) -> Result<GrantRecord, GovError> {
        let g =
            grant_store::by_id(txn, grant_id).await?.ok_or_else(|| GovError::NotFound(format!("grant {grant_id}")))?;
        if g.revoked_at.is_some() {
            return Err(GovError::Conflict { field: "grant", message: "this grant is revoked".into() });
        }
        let (to, kind, verb) = match step {
            Step::Promote => (g.tier.promoted(), "grant.promoted", "promoted"),
            Step::Demote => (g.tier.demoted(), "grant.demoted", "demoted"),
        };
        let to = to.ok_or_else(|| GovError::Conflict {
            field: "tier",
            message: format!("{} is already at {}: there is no further step", g.capability, g.tier.as_str()),
        })?;
        let now = crate::clock::now();
        let due = cadence(txn, &g).await?.next_due(to, now);
        let overriding = basis.as_ref().is_some_and(|b| !b.ready);
        if !grant_store::set_tier(txn, g.id, (g.tier, to), due, overriding).await? {
            return Err(GovError::Conflict { field: "tier", message: "the grant changed meanwhile; reload".into() });
        }
        let summary = format!(
            "{} {verb} {} from {} to {}{}: {reason}",
            actor.name,
            g.capability,
            g.tier.as_str(),
            to.as_str(),
            if overriding { " without meeting its criteria (override)" } else { "" }
        );
        let mut details = json!({"grant": g.id, "capability": g.capability, "before": g.tier, "after": to, "reason": reason, "review_due_at": due});
        if let Some(b) = basis {
            details["override"] = json!(!b.ready);
            details["criteria"] = b.criteria;
            details["scorecard"] = b.scorecard;
            details["missing"] = json!(b.missing);
        }
        evidence::append(txn, &draft(actor, kind, g.agent_id, summary, details)).await?;
        Ok(GrantRecord { tier: to, tier_since: now, review_due_at: due, tier_override: overriding, ..g })
    }

    /// Every template's current version with the capabilities it covers, by template name.
    pub async fn choices(&self, _by: &AsManager) -> Result<Vec<GrantChoice>, GovError> {
        let mut out = Vec::new();
        for t in self.store.list_templates().await? {
            let Some(v) = tpl_store::version_of(self.store.db(), t.id, t.current_version).await? else { continue };
            let mut capabilities: Vec<String> = v.body.rules.iter().map(|r| r.capability.clone()).collect();
            capabilities.sort();
            let start_tiers = v
                .body
                .rules
                .iter()
                .filter(|r| r.promotion.start_tier != Tier::Observer)
                .map(|r| (r.capability.clone(), r.promotion.start_tier))
                .collect();
            out.push(GrantChoice {
                template_id: t.id,
                template: t.name,
                version: v.version,
                capabilities,
                start_tiers,
            });
        }
        out.sort_by(|a, b| a.template.cmp(&b.template));
        Ok(out)
    }

    /// Moves a live grant to its template's current version, keeping its tier; the evidence
    /// record lists what changes for the capability and whether the agent's record meets the
    /// new version's criteria at that tier (it is kept either way: a trust review or a
    /// demotion is the manager's call). `from_version` is the version the manager saw: a
    /// grant moved meanwhile is a conflict.
    pub async fn move_to_current(&self, by: &AsManager, grant_id: i64, from_version: i64) -> Result<Moved, GovError> {
        let seen = grant_store::by_id(self.store.db(), grant_id)
            .await?
            .ok_or_else(|| GovError::NotFound(format!("grant {grant_id}")))?;
        let record = crate::service::scorecards::Scorecards::new(self.store.clone())
            .record_of(seen.agent_id, &seen.capability)
            .await?;
        let txn = self.store.begin_write().await?;
        let g =
            grant_store::by_id(&txn, grant_id).await?.ok_or_else(|| GovError::NotFound(format!("grant {grant_id}")))?;
        if g.revoked_at.is_some() {
            return Err(GovError::Conflict { field: "grant", message: "this grant is revoked".into() });
        }
        let template = tpl_store::by_id(&txn, g.template_id)
            .await?
            .ok_or_else(|| GovError::NotFound(format!("template {}", g.template_id)))?;
        if g.template_version != from_version || g.template_version >= template.current_version {
            return Err(GovError::Conflict {
                field: "template_version",
                message: format!(
                    "{} is on {} v{} and v{} is the newest: nothing to move; reload",
                    g.capability, template.name, g.template_version, template.current_version
                ),
            });
        }
        let missing = || GovError::NotFound(format!("template {} version", template.name));
        let old = tpl_store::version_of(&txn, template.id, g.template_version).await?.ok_or_else(missing)?;
        let new = tpl_store::version_of(&txn, template.id, template.current_version).await?.ok_or_else(missing)?;
        let Some(rule) = new.body.rule(&g.capability) else {
            return Err(GovError::invalid(
                "template_version",
                format!(
                    "{} v{} has no rule for {}: add one to the template, or revoke the grant",
                    template.name, new.version, g.capability
                ),
            ));
        };
        let start = judge_start(&rule.promotion, g.tier, record.as_record());
        if !grant_store::set_template_version(&txn, g.id, old.version, new.version).await? {
            return Err(GovError::Conflict {
                field: "template_version",
                message: "the grant changed meanwhile; reload".into(),
            });
        }
        let changes: Vec<_> = crate::template::compare(&old.body, &new.body)
            .into_iter()
            .filter(|c| c.capability == g.capability)
            .collect();
        let what = if changes.is_empty() {
            "no change to its rule".to_owned()
        } else {
            changes.iter().map(|c| c.field.as_str()).collect::<Vec<_>>().join(", ") + " changed"
        };
        let basis = start_basis(&start, template.id, new.version, &record);
        let meets = start.ready();
        let moved = Moved { grant: GrantRecord { template_version: new.version, ..g.clone() }, check: start };
        let summary = format!(
            "{} moved {} from {} v{} to v{} ({what}); {}",
            by.actor().name,
            g.capability,
            template.name,
            old.version,
            new.version,
            moved.verdict()
        );
        let details = json!({
            "grant": g.id, "capability": g.capability, "template": template.name,
            "before": old.version, "after": new.version, "changes": changes, "tier": g.tier,
            "meets_criteria": meets, "missing": basis.missing,
            "criteria": basis.criteria, "scorecard": basis.scorecard,
        });
        evidence::append(&txn, &draft(by.actor(), "grant.template_moved", g.agent_id, summary, details)).await?;
        txn.commit().await?;
        Ok(moved)
    }

    /// Revokes a grant, with a reason.
    pub async fn revoke(&self, by: &AsManager, grant_id: i64, reason: &str) -> Result<(), GovError> {
        let reason = crate::agent::parse_reason(reason).map_err(|m| GovError::invalid("reason", m))?;
        let txn = self.store.begin_write().await?;
        revoke_in(&txn, by.actor(), grant_id, &reason).await?;
        txn.commit().await?;
        Ok(())
    }
}

/// `basis` if it needs no justification or `reason` is long enough for an override; otherwise
/// an error on `field` saying what the grant lacks.
pub(crate) fn justified(basis: Option<Basis>, reason: &str, field: &'static str) -> Result<Option<Basis>, GovError> {
    justified_as(basis, reason, field, "promoting")
}

/// [`justified`] for any step that skips criteria; `what` says what is done anyway
/// ("promoting", "granting x at executor").
fn justified_as(
    basis: Option<Basis>,
    reason: &str,
    field: &'static str,
    what: &str,
) -> Result<Option<Basis>, GovError> {
    if let Some(b) = basis.as_ref().filter(|b| !b.ready)
        && reason.trim().chars().count() < MIN_OVERRIDE_JUSTIFICATION
    {
        return Err(GovError::invalid(
            field,
            format!(
                "it does not meet its criteria ({}): {what} anyway needs a justification of at least {MIN_OVERRIDE_JUSTIFICATION} characters",
                b.short.clone().unwrap_or_else(|| b.missing.join("; "))
            ),
        ));
    }
    Ok(basis)
}

/// What a grant judged by [`judge_start`] is based on, for its evidence record.
fn start_basis(start: &Start, template_id: i64, version: i64, record: &CapabilityRecord) -> Basis {
    let steps: Vec<_> = start.steps.iter().map(|r| r.to).collect();
    // Per skipped step its first shortfall and how many more: a person reads the gist, the
    // evidence record keeps every item.
    let short = start
        .steps
        .iter()
        .filter(|r| !r.ready())
        .map(|r| {
            let missing = r.missing();
            let more = if missing.len() > 1 { format!(" and {} more", missing.len() - 1) } else { String::new() };
            format!("to {}: {}{more}", r.to.as_str(), missing.first().copied().unwrap_or_default())
        })
        .collect::<Vec<_>>()
        .join("; ");
    Basis {
        ready: start.ready(),
        missing: start.missing(),
        short: Some(short),
        criteria: json!({"template_id": template_id, "template_version": version, "start_tier": start.free_up_to, "steps": steps}),
        scorecard: json!({
            "record": record.tally,
            "days_of_record": record.days,
            "open_alerts": record.open_alerts,
            "checks": start.steps.iter().map(|r| json!({"to": r.to, "checks": r.checks})).collect::<Vec<_>>(),
        }),
    }
}

/// The review cadence of the grant's template rule (the shipped default without one).
pub(crate) async fn cadence(db: &impl sea_orm::ConnectionTrait, g: &GrantRecord) -> Result<ReviewCadence, GovError> {
    let version = tpl_store::version_of(db, g.template_id, g.template_version).await?;
    Ok(version.and_then(|v| v.body.rule(&g.capability).map(|r| r.promotion.reviews)).unwrap_or_default())
}

/// Revokes a grant inside `txn`, with a reason.
pub(crate) async fn revoke_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    grant_id: i64,
    reason: &str,
) -> Result<(), GovError> {
    let g = grant_store::by_id(txn, grant_id).await?.ok_or_else(|| GovError::NotFound(format!("grant {grant_id}")))?;
    if !grant_store::revoke(txn, g.id).await? {
        return Err(GovError::Conflict { field: "grant", message: "this grant is already revoked".into() });
    }
    let summary = format!("{} revoked {} ({}): {reason}", actor.name, g.capability, g.tier.as_str());
    let details = json!({"grant": g.id, "capability": g.capability, "tier": g.tier, "reason": reason});
    evidence::append(txn, &draft(actor, "grant.revoked", g.agent_id, summary, details)).await?;
    Ok(())
}

/// A new grant as judged before it is written (see [`Grants::judge`]).
struct Judged {
    template: tpl_store::TemplateRecord,
    version: tpl_store::VersionRecord,
    rule: crate::template::Rule,
    start: Start,
    basis: Option<Basis>,
}

/// What a promotion (or a grant above the free start) was based on, for its evidence record.
pub(crate) struct Basis {
    ready: bool,
    missing: Vec<String>,
    /// What is missing in brief, when the whole list is long (the record keeps all of it).
    short: Option<String>,
    /// The template version and the step's criteria.
    criteria: serde_json::Value,
    /// The counts at the tier, the measured rate and the days.
    scorecard: serde_json::Value,
}

impl Grants {
    /// Judges the grant's next step from its scorecard.
    async fn promotion_basis(&self, grant_id: i64) -> Result<Basis, GovError> {
        let (g, card) = crate::service::scorecards::Scorecards::new(self.store.clone()).for_promotion(grant_id).await?;
        Ok(basis_of(&g, &card))
    }
}

/// What promoting `g` would be based on, from its scorecard.
pub(crate) fn basis_of(g: &GrantRecord, card: &crate::service::scorecards::Scorecard) -> Basis {
    let Some(r) = card.readiness.as_ref() else {
        return Basis { ready: true, missing: Vec::new(), short: None, criteria: json!(null), scorecard: json!(null) };
    };
    let criteria = card.criteria.clone().and_then(|p| p.step_to(r.to).cloned());
    Basis {
        ready: r.ready(),
        missing: r.missing().into_iter().map(str::to_owned).collect(),
        short: None,
        criteria: json!({"template_id": g.template_id, "template_version": g.template_version, "to": r.to, "step": criteria}),
        scorecard: json!({
            "tier_since": card.tier_since,
            "days_at_tier": card.days_at_tier,
            "at_tier": card.at_tier,
            "approval": card.at_tier.approval(),
            "agreement": card.at_tier.agreement(),
            "open_alerts": card.open_alerts,
            "checks": r.checks,
        }),
    }
}
