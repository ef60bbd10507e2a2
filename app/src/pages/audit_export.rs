//! `/audit/exports/:id` (auditors and admins): an export being prepared, with its progress
//! (the page reloads itself every two seconds until the file is ready — no JavaScript), then
//! the file, its manifest and what it holds.

use crate::api::exports::audit_export;
use crate::components::layout::Unavailable;
use crate::model::ExportView;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use vocab::ExportStatus;

/// The export page.
#[component]
pub fn AuditExportPage() -> impl IntoView {
    let id = super::number_param("id");
    let data =
        Resource::new(
            id,
            |id| async move { audit_export(id.map_err(|raw| super::not_a_number("export", &raw))?).await },
        );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(e) => view! { <Export e /> }.into_any(),
                    Err(error) => view! { <Unavailable error what="Export" back_href="/audit" back_label="Back to the audit trail" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Export(e: ExportView) -> impl IntoView {
    let preparing = e.status == ExportStatus::Preparing;
    let file = format!("/audit/exports/{}/file", e.id);
    let manifest = format!("/audit/exports/{}/manifest.json", e.id);
    let verify = if e.format == "CSV" {
        format!("tenure audit verify {} --manifest MANIFEST --public-key KEYFILE", e.file_name)
    } else {
        format!("tenure audit verify {} --public-key KEYFILE", e.file_name)
    };
    view! {
        <Title text=format!("Export {}", e.id) />
        {preparing.then(|| view! { <Meta http_equiv="refresh" content="2" /> })}
        <p class="crumbs"><a href="/audit">"Audit trail"</a>" / "{format!("export {}", e.id)}</p>
        <h1>{format!("{} export {}", e.format, e.id)}</h1>
        <section class="panel" data-status=e.status.as_str()>
            {match e.status {
                ExportStatus::Preparing => view! {
                    <h2>"Preparing the file…"</h2>
                    <progress max="100" value=e.percent.to_string() aria-label="export progress"></progress>
                    <p data-testid="progress">{format!("{} of {} records written ({}%), {} so far. This page refreshes itself until the file is ready.", grouped(e.written), grouped(e.total), e.percent, e.size)}</p>
                }.into_any(),
                ExportStatus::Ready => view! {
                    <h2>"Ready"</h2>
                    <p data-testid="progress">{format!("{} records, {}.", grouped(e.total), e.size)}</p>
                    <p>
                        <a class="btn btn-primary" href=file.clone() download=e.file_name.clone()>{format!("Download {}", e.file_name)}</a>" "
                        <a class="btn" href=manifest.clone() download="">"Download the manifest"</a>" "
                        <a class="btn btn-quiet" href="/audit/public-key">"Public key"</a>
                    </p>
                }.into_any(),
                ExportStatus::Failed => view! {
                    <h2>"Failed"</h2>
                    <div class="alert alert-error" role="alert">{e.error.clone().unwrap_or_default()}</div>
                    <p><a class="btn" href="/audit">"Back to the audit trail"</a></p>
                }.into_any(),
            }}
        </section>
        <section class="panel">
            <h2>"What it holds"</h2>
            <dl class="facts">
                <dt>"Filter"</dt><dd>{e.filter}</dd>
                <dt>"Records"</dt>
                <dd>{match (e.first_seq, e.last_seq) {
                    (Some(f), Some(l)) => format!("{} records, from record {f} to record {l}", grouped(e.total)),
                    _ => "none".to_owned(),
                }}</dd>
                <dt>"Ends at checkpoint"</dt>
                <dd>{e.checkpoint.map(|(seq, key)| format!("record {seq}, signed with key {key}")).unwrap_or_else(|| "none".into())}</dd>
                <dt>"Requested"</dt><dd>{format!("by {} at {}", e.requested_by, e.created_at)}</dd>
                {e.sha256.map(|h| view! { <dt>"SHA-256 of the file"</dt><dd><code class="hash" data-testid="sha256">{h}</code></dd> })}
            </dl>
            <p class="hint">"Verify offline with the public key: "<code>{verify}</code>". Only an unfiltered export proves that nothing is missing; a filtered one proves each record it holds is unaltered."</p>
        </section>
    }
}

/// A count with thousands separated: 1,000,000.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(342_000), "342,000");
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(grouped(-12_345), "-12,345");
    }
}
