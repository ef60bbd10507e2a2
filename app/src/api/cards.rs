//! Turning stored actions into what pages show (server only).

use crate::api::show_time;
use crate::model::{ActionCard, AlertRow};
use chrono::{DateTime, Utc};
use governance::lifecycle::State;
use governance::records::ActionRecord;
use governance::records::AlertRecord;
use serde_json::Value;

/// What is known about an action's agent and capability beside the row itself.
pub(crate) struct Context<'a> {
    pub agent: &'a str,
    pub risk: &'a str,
    pub reversible: bool,
}

fn pretty(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Null) => String::new(),
        Ok(Value::Object(m)) if m.is_empty() => String::new(),
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_owned()),
        Err(_) => text.to_owned(),
    }
}

/// A param value as a person reads it: strings without quotes, everything else as JSON.
pub(crate) fn readable(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// "in 3 h 20 min", "in 45 min", or "overdue".
pub(crate) fn time_left(deadline: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let mins = (deadline - now).num_minutes();
    if deadline <= now {
        "overdue".into()
    } else if mins < 1 {
        "in under a minute".into()
    } else if mins < 60 {
        format!("in {mins} min")
    } else if mins < 48 * 60 {
        format!("in {} h {} min", mins / 60, mins % 60)
    } else {
        format!("in {} days", mins / (24 * 60))
    }
}

/// The card for one action.
pub(crate) fn card(a: ActionRecord, ctx: Context<'_>, now: DateTime<Utc>) -> ActionCard {
    let params: Value = serde_json::from_str(&a.params).unwrap_or(Value::Null);
    let alternatives = match serde_json::from_str::<Value>(&a.alternatives) {
        Ok(Value::Array(items)) => items.iter().map(readable).collect(),
        _ => Vec::new(),
    };
    let deadline = match a.state {
        State::NeedsApproval => a.expires_at,
        State::Reversible | State::AwaitingConfirmation => a.reversible_until,
        _ => None,
    };
    ActionCard {
        id: a.id,
        agent_id: a.agent_id,
        agent: ctx.agent.to_owned(),
        capability: a.capability,
        risk: ctx.risk.to_owned(),
        reversible: ctx.reversible,
        state: a.state,
        decision: a.decision,
        rule: a.rule,
        tier: a.tier,
        confidence: a.confidence,
        params: params
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), readable(v))).collect())
            .unwrap_or_default(),
        edited: a.proposed_params.as_deref().map(|p| edited_rows(p, &params)).unwrap_or_default(),
        params_json: serde_json::to_string_pretty(&params).unwrap_or_default(),
        reasoning: a.reasoning,
        inputs: pretty(&a.inputs),
        alternatives,
        task_ref: a.task_ref,
        created_at: show_time(&a.created_at),
        deadline: deadline.as_ref().map(show_time),
        time_left: deadline.map(|d| time_left(d, now)),
        supervised: a.supervised,
        sandbox: a.sandbox,
        separation_of_duties: a.separation_of_duties,
        action_hash: a.action_hash,
        result_status: a.result_status,
        output: a.output.as_deref().map(pretty).filter(|s| !s.is_empty()),
        rollback_reason: a.rollback_reason,
        rollback_requested_by: a.rollback_requested_by,
        rollback_output: a.rollback_output.as_deref().map(pretty).filter(|s| !s.is_empty()),
        shadow_verdict: a.shadow_verdict,
        shadow_params: a.shadow_params.as_deref().map(pretty),
        shadow_agreement: a.shadow_agreement,
        peer: None,
        standing: None,
        blind: false,
        queue: None,
        approvals_required: a.approvals_required,
        approvals: Vec::new(),
        approved_by_me: false,
    }
}

/// The params a reviewer changed: (name, proposed, approved), in the params' order.
fn edited_rows(proposed: &str, approved: &Value) -> Vec<(String, String, String)> {
    let proposed: Value = serde_json::from_str(proposed).unwrap_or(Value::Null);
    let (Some(before), Some(after)) = (proposed.as_object(), approved.as_object()) else { return Vec::new() };
    let shown = |v: Option<&Value>| v.map_or_else(|| "—".to_owned(), readable);
    let mut names: Vec<&String> = before.keys().collect();
    names.extend(after.keys().filter(|k| !before.contains_key(*k)));
    names
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| (k.clone(), shown(before.get(k)), shown(after.get(k))))
        .collect()
}

/// The peer's side of a disagreement, from its check.
pub(crate) fn peer_side(
    c: &governance::records::PeerCheckRecord,
    agent: String,
    warnings: Vec<String>,
) -> crate::model::PeerSide {
    use crate::model::{DifferenceRow, PeerSide};
    let params: Value = c.verdict_params.as_deref().and_then(|p| serde_json::from_str(p).ok()).unwrap_or(Value::Null);
    let comparison: Option<governance::peer::Comparison> =
        c.comparison.as_deref().and_then(|t| serde_json::from_str(t).ok());
    PeerSide {
        agent,
        decision: c.verdict_decision.clone().unwrap_or_default(),
        params: params
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), readable(v))).collect())
            .unwrap_or_default(),
        reasoning: c.verdict_reasoning.clone().unwrap_or_default(),
        confidence: c.verdict_confidence,
        differences: comparison
            .map(|cmp| {
                cmp.differences
                    .into_iter()
                    .map(|d| DifferenceRow { field: d.field, primary: d.primary, peer: d.peer, why: d.why })
                    .collect()
            })
            .unwrap_or_default(),
        timed_out: c.status == governance::peer::CheckStatus::TimedOut,
        warnings,
    }
}

/// Cards for many actions, with the agents' names and the catalogue read once.
pub(crate) fn cards(
    known: &governance::service::action_views::CardContext,
    rows: Vec<ActionRecord>,
) -> Vec<ActionCard> {
    let now = governance::clock::now();
    rows.into_iter()
        .map(|a| {
            let cap = known.capabilities.iter().find(|c| c.name == a.capability);
            let ctx = Context {
                agent: known.agents.get(&a.agent_id).map_or("", String::as_str),
                risk: cap.map_or("high", |c| c.risk.as_str()),
                reversible: cap.is_some_and(|c| c.reversibility.window_minutes().is_some()),
            };
            card(a, ctx, now)
        })
        .collect()
}

/// An alert as listed.
/// Withholds the agent's recommendation from a shadow case a reviewer is about to decide, so
/// their decision is their own: nothing of it leaves the server (the page's data included).
/// The params keep their names, each `null`, as the form's starting point.
pub(crate) fn blind(c: &mut crate::model::ActionCard) {
    let names: serde_json::Map<String, serde_json::Value> =
        c.params.iter().map(|(k, _)| (k.clone(), serde_json::Value::Null)).collect();
    c.params_json = serde_json::to_string_pretty(&serde_json::Value::Object(names)).unwrap_or_default();
    c.params = Vec::new();
    c.reasoning = String::new();
    c.alternatives = Vec::new();
    c.confidence = 0.0;
    c.rule = String::new();
    c.blind = true;
}

/// Fills in the approvals given so far to the cards that need several people's, and whether
/// `me` gave one.
pub(crate) async fn with_approvals(
    cards: &mut [ActionCard],
    me: &governance::Principal,
) -> Result<(), crate::error::AppError> {
    use crate::server::context::{gov, state};
    let wanted: Vec<(i64, String)> =
        cards.iter().filter(|c| c.approvals_required > 1).map(|c| (c.id, c.action_hash.clone())).collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let member = me.as_member().map_err(gov)?;
    let given = state()?.inbox.approvals_given(&member, &wanted).await.map_err(gov)?;
    for c in cards.iter_mut() {
        let of_card: Vec<_> = given.iter().filter(|g| g.action_id == c.id).collect();
        c.approvals = of_card.iter().map(|g| (g.username.clone(), g.group.clone())).collect();
        c.approved_by_me = of_card.iter().any(|g| g.user_id == me.user_id);
    }
    Ok(())
}

/// Cases under which a rate is flagged as saying little yet.
pub const FEW_CASES: u64 = 30;

/// A grant's standing as the inbox card's line shows it.
pub(crate) fn standing_line(s: &governance::service::standings::Standing) -> crate::model::StandingLine {
    let (measure, rate) = s.measured();
    crate::model::StandingLine {
        tier: s.tier,
        since: format!("since {}", s.tier_since.format("%Y-%m-%d")),
        measure: measure.to_owned(),
        rate: crate::api::scorecard_rows::cell(rate),
        open_alerts: s.open_alerts,
        by_override: s.by_override,
        few_cases: rate.n < FEW_CASES,
    }
}

pub(crate) fn alert_row(a: AlertRecord, agent: String) -> AlertRow {
    AlertRow {
        id: a.id,
        agent_id: a.agent_id,
        agent,
        holds_agent: a.agent_id.is_some()
            && !a
                .detector
                .as_deref()
                .and_then(|d| governance::monitor::Detector::parse(d).ok())
                .is_some_and(|d| d.about_people()),
        reviewer: a.reviewer,
        action_id: a.action_id,
        kind: a.kind,
        message: a.message,
        created_at: show_time(&a.created_at),
    }
}

#[cfg(test)]
mod tests {
    use super::time_left;
    use chrono::{Duration, Utc};

    #[test]
    fn time_left_reads_like_a_person_would_say_it() {
        let now = Utc::now();
        assert_eq!(time_left(now - Duration::minutes(1), now), "overdue");
        assert_eq!(time_left(now + Duration::seconds(30), now), "in under a minute");
        assert_eq!(time_left(now + Duration::minutes(45), now), "in 45 min");
        assert_eq!(time_left(now + Duration::minutes(200), now), "in 3 h 20 min");
        assert_eq!(time_left(now + Duration::days(3), now), "in 3 days");
    }
}
