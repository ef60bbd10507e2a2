//! The audit page's data: signed checkpoints, the public key, and the chain's size.

use crate::error::AppError;
use crate::model::{AuditSearchView, AuditView, RecordView};
use leptos::prelude::*;

/// Checkpoints and key, for auditors and admins.
#[server(endpoint = "audit/overview")]
pub async fn audit_overview() -> Result<AuditView, AppError> {
    use crate::api::show_time;
    use crate::model::CheckpointRow;
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_auditor().map_err(gov)?;
    let st = state()?;
    let head = st.evidence_head(&token).await.map_err(gov)?;
    let checkpoints = st
        .audit
        .checkpoints(&token, 20)
        .await
        .map_err(gov)?
        .into_iter()
        .map(|c| CheckpointRow {
            seq: c.seq,
            head_hash: c.head_hash,
            signed_at: show_time(&c.signed_at),
            key_id: c.key_id,
            signature_prefix: c.signature.chars().take(16).collect(),
        })
        .collect();
    Ok(AuditView { head_seq: head, key_id: st.audit.key_id(), public_key: st.audit.public_key_hex(), checkpoints })
}

#[cfg(feature = "ssr")]
fn subject_action(kind: &str, id: &str) -> Option<i64> {
    (kind == "action").then(|| id.parse().ok()).flatten()
}

/// One page of records matching the filter, newest first.
#[server(endpoint = "audit/search")]
#[allow(clippy::too_many_arguments)] // one argument per filter field
pub async fn audit_search(
    text: String,
    agent: Option<i64>,
    capability: String,
    actor: String,
    kind: String,
    outcome: String,
    since: String,
    until: String,
    before: Option<i64>,
) -> Result<AuditSearchView, AppError> {
    use crate::api::show_time;
    use crate::model::AuditRow;
    use crate::server::context::{fail, gov, principal, state};
    use governance::export::FilterForm;
    let who = principal()?;
    let token = who.as_auditor().map_err(gov)?;
    let form = FilterForm {
        text,
        agent: agent.map(|a| a.to_string()).unwrap_or_default(),
        capability,
        actor,
        kind,
        outcome,
        since,
        until,
    };
    let filter = form.parse().map_err(|(field, message)| fail(AppError::Field { field: field.into(), message }))?;
    let st = state()?;
    let (rows, more) = st.audit.search(&token, &filter, before, 50).await.map_err(gov)?;
    let older = if more { rows.last().map(|r| r.seq) } else { None };
    let found = st.audit.count(&token, &filter).await.map_err(gov)?;
    let (kinds, outcomes) = st.audit.choices(&token).await.map_err(gov)?;
    let known = st.lifecycle.card_context(&who.as_member().map_err(gov)?).await.map_err(gov)?;
    let matches = match (found.count, found.more) {
        (n, true) => format!("more than {} records", thousands(n)),
        (1, false) => "1 record".to_owned(),
        (n, false) => format!("{} records", thousands(n)),
    };
    Ok(AuditSearchView {
        matches,
        kinds,
        outcomes,
        rows: rows
            .into_iter()
            .map(|r| AuditRow {
                action_id: subject_action(&r.subject_kind, &r.subject_id),
                subject: subject_label(&r.subject_kind, &r.subject_id, &known.agents),
                seq: r.seq,
                recorded_at: show_time(&r.recorded_at),
                actor: r.actor_name,
                kind: r.kind,
                summary: r.summary,
            })
            .collect(),
        older,
        agents: known.agent_choices(),
        capabilities: known.capabilities.into_iter().map(|c| c.name).collect(),
    })
}

/// What a record is about, in words a person reads: an agent by its name ("agent
/// refund-bot (#5)"), anything else by its kind and id ("action 12").
#[cfg(feature = "ssr")]
fn subject_label(kind: &str, id: &str, agents: &std::collections::HashMap<i64, String>) -> String {
    match (kind, id.parse::<i64>().ok().and_then(|n| agents.get(&n))) {
        ("agent", Some(name)) => format!("agent {name} (#{id})"),
        _ => format!("{kind} {id}"),
    }
}

/// `12345` as `12,345`.
#[cfg(feature = "ssr")]
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One record with every field, its hash and the previous hash.
#[server(endpoint = "audit/record")]
pub async fn audit_record(seq: i64) -> Result<RecordView, AppError> {
    use crate::server::context::{gov, principal, state};
    let who = principal()?;
    let token = who.as_auditor().map_err(gov)?;
    let st = state()?;
    let r = st.audit.record(&token, seq).await.map_err(gov)?;
    let known = st.lifecycle.card_context(&who.as_member().map_err(gov)?).await.map_err(gov)?;
    let details = serde_json::from_str::<serde_json::Value>(&r.details)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| r.details.clone());
    Ok(RecordView {
        action_id: subject_action(&r.subject_kind, &r.subject_id),
        seq: r.seq,
        recorded_at: governance::evidence::format_time(&r.recorded_at),
        actor_kind: r.actor_kind,
        actor_id: r.actor_id,
        actor_name: r.actor_name,
        kind: r.kind,
        subject: subject_label(&r.subject_kind, &r.subject_id, &known.agents),
        summary: r.summary,
        details,
        prev_hash: r.prev_hash,
        hash: r.hash,
    })
}
