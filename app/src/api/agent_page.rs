//! Turning what the engine returns about one agent into the rows of its page (server only).

use crate::api::show_time;
use crate::model::{ActionRow, GrantChoiceRow, GrantRow, KeyRow, PeerPairRow, ShadowStat};
use chrono::{DateTime, Utc};
use governance::records::GrantRecord;
use governance::service::grants::GrantChoice;

/// A grant as its row shows it: review date in words, and whether a newer template version
/// can take it.
pub(crate) fn grant_row(g: GrantRecord, choices: &[GrantChoice], now: DateTime<Utc>) -> GrantRow {
    let days = (g.review_due_at - now).num_days();
    let current = choices.iter().find(|c| c.template_id == g.template_id);
    GrantRow {
        id: g.id,
        tier: g.tier,
        template: g.template,
        template_id: g.template_id,
        template_version: g.template_version,
        granted_by: g.granted_by,
        granted_at: show_time(&g.granted_at),
        review_due: if g.review_due_at < now {
            format!("overdue since {}", g.review_due_at.format("%Y-%m-%d"))
        } else {
            format!("due {} (in {days} days)", g.review_due_at.format("%Y-%m-%d"))
        },
        overdue: g.review_due_at < now,
        kept_reason: String::new(),
        newer: current
            .filter(|c| c.version > g.template_version && g.revoked_at.is_none())
            .map(|c| (c.version, c.capabilities.contains(&g.capability))),
        revoked: g.revoked_at.is_some(),
        capability: g.capability,
    }
}

/// What the grant form offers — a template's rule for a capability the agent lacks — and the
/// catalogue capabilities no template covers.
pub(crate) fn grant_form(
    choices: &[GrantChoice],
    grants: &[GrantRow],
    catalogue: Vec<String>,
) -> (Vec<GrantChoiceRow>, Vec<String>) {
    let held: Vec<&str> = grants.iter().filter(|g| !g.revoked).map(|g| g.capability.as_str()).collect();
    let uncovered = catalogue.into_iter().filter(|n| !choices.iter().any(|c| c.capabilities.contains(n))).collect();
    let offered = choices
        .iter()
        .map(|c| GrantChoiceRow {
            template_id: c.template_id,
            label: format!("{} (v{})", c.template, c.version),
            capabilities: c
                .capabilities
                .iter()
                .filter(|n| !held.contains(&n.as_str()))
                .map(|n| {
                    let start = c.start_tiers.iter().find(|(cap, _)| cap == n).map(|(_, t)| *t);
                    let text = match start {
                        Some(t) => format!("{n} — {} v{} (may start at {t})", c.template, c.version),
                        None => format!("{n} — {} v{}", c.template, c.version),
                    };
                    (n.clone(), text)
                })
                .collect(),
        })
        .filter(|c| !c.capabilities.is_empty())
        .collect();
    (offered, uncovered)
}

/// One of the agent's recent decisions.
pub(crate) fn action_row(a: governance::records::ActionRecord) -> ActionRow {
    ActionRow {
        id: a.id,
        created_at: show_time(&a.created_at),
        capability: a.capability,
        decision: a.decision,
        state: a.state,
        rule: a.rule,
        confidence: a.confidence,
        reasoning: a.reasoning,
        sandbox: a.sandbox,
        supervised: a.supervised,
    }
}

/// One API key (its prefix only).
pub(crate) fn key_row(k: governance::records::KeyRecord) -> KeyRow {
    KeyRow {
        id: k.id,
        prefix: k.prefix,
        created_at: show_time(&k.created_at),
        created_by: k.created_by,
        last_used_at: k.last_used_at.as_ref().map(show_time),
        revoked_at: k.revoked_at.as_ref().map(show_time),
    }
}

/// Shadow agreement for one capability.
pub(crate) fn shadow_stat((capability, t): (String, governance::shadow::Tally)) -> ShadowStat {
    ShadowStat {
        capability,
        same: t.same,
        different_params: t.different_params,
        opposite: t.opposite,
        agreement_percent: t.agreement_percent(),
    }
}

/// Peer-check figures for one pair.
pub(crate) fn peer_pair_row(p: governance::peer_stats::PairStats) -> PeerPairRow {
    PeerPairRow {
        agreement_percent: p.agreement_percent(),
        primary: p.primary,
        peer: p.peer,
        answered: p.answered,
        timed_out: p.timed_out,
        chose_primary: p.chose_primary,
        chose_peer: p.chose_peer,
        chose_neither: p.chose_neither,
        correlated_failures: p.correlated_failures,
    }
}
