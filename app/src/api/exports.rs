//! Audit exports from the page: start one (prepared in the background) and follow it.

use crate::error::AppError;
use crate::model::ExportView;
use leptos::prelude::*;

/// Starts an export of the filter as `format` (`jsonl` or `csv`) and opens its page.
#[server(endpoint = "audit/exports/start")]
#[allow(clippy::too_many_arguments)] // one argument per filter field
pub async fn start_audit_export(
    format: String,
    text: String,
    agent: String,
    capability: String,
    actor: String,
    kind: String,
    outcome: String,
    since: String,
    until: String,
) -> Result<(), AppError> {
    use crate::server::context::{fail, gov, principal, state};
    use governance::export::{ExportFormat, FilterForm};
    let token = principal()?.as_auditor().map_err(gov)?;
    let field = |(field, message): (&'static str, String)| fail(AppError::Field { field: field.into(), message });
    let format = ExportFormat::parse(&format).map_err(field)?;
    let filter = FilterForm { text, agent, capability, actor, kind, outcome, since, until }.parse().map_err(field)?;
    let id = state()?.audit.prepare_export(&token, filter, format).await.map_err(gov)?;
    leptos_axum::redirect(&format!("/audit/exports/{id}"));
    Ok(())
}

/// One export and its progress.
#[server(endpoint = "audit/exports/one")]
pub async fn audit_export(id: i64) -> Result<ExportView, AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_auditor().map_err(gov)?;
    Ok(export_view(state()?.audit.export_job(&token, id).await.map_err(gov)?))
}

/// The newest exports, for the audit page.
#[server(endpoint = "audit/exports/recent")]
pub async fn recent_audit_exports() -> Result<Vec<ExportView>, AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_auditor().map_err(gov)?;
    Ok(state()?.audit.recent_exports(&token, 10).await.map_err(gov)?.into_iter().map(export_view).collect())
}

#[cfg(feature = "ssr")]
fn export_view(j: governance::service::exports::ExportJob) -> ExportView {
    use crate::api::show_time;
    ExportView {
        id: j.id,
        format: j.format.as_str().to_uppercase(),
        status: j.status,
        requested_by: j.requested_by.clone(),
        created_at: show_time(&j.created_at),
        filter: describe(&j.manifest.filter),
        total: j.total,
        written: j.written,
        percent: j.percent(),
        size: size(j.bytes),
        sha256: j.sha256.clone(),
        error: j.error.clone(),
        first_seq: j.manifest.first.as_ref().map(|f| f.0),
        last_seq: j.manifest.last.as_ref().map(|l| l.0),
        checkpoint: j.manifest.checkpoint.as_ref().map(|c| (c.seq, c.key_id.clone())),
        file_name: j.file_name(),
    }
}

/// A filter in words.
#[cfg(feature = "ssr")]
fn describe(f: &governance::export::ExportFilter) -> String {
    let day = |t: &chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    let parts: Vec<String> = [
        f.text.as_ref().map(|t| format!("words \"{t}\"")),
        f.agent_id.map(|a| format!("agent {a}")),
        f.capability.as_ref().map(|c| format!("capability {c}")),
        f.actor.as_ref().map(|a| format!("actor {a}")),
        f.kind.as_ref().map(|k| format!("kind {k}")),
        f.outcome.as_ref().map(|o| format!("decision or state {o}")),
        f.since.as_ref().map(|s| format!("from {}", day(s))),
        f.until.as_ref().map(|u| format!("before {}", day(u))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() { "every record".into() } else { parts.join(", ") }
}

/// Bytes, readable.
#[cfg(feature = "ssr")]
fn size(bytes: i64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.1} kB", b as f64 / 1e3),
        b => format!("{b} bytes"),
    }
}
