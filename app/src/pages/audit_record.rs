//! `/audit/records/:seq` (auditors and admins): one evidence record, every field, its hash
//! and the previous hash.

use crate::api::audit::audit_record;
use crate::components::layout::Unavailable;
use crate::model::RecordView;
use leptos::prelude::*;
use leptos_meta::Title;

/// The record page.
#[component]
pub fn AuditRecordPage() -> impl IntoView {
    let seq = super::number_param("seq");
    let data =
        Resource::new(
            seq,
            |seq| async move { audit_record(seq.map_err(|raw| super::not_a_number("record", &raw))?).await },
        );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(r) => view! { <Record r /> }.into_any(),
                    Err(error) => view! { <Unavailable error what="Record" back_href="/audit" back_label="Back to the audit trail" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Record(r: RecordView) -> impl IntoView {
    view! {
        <Title text=format!("Record {}", r.seq) />
        <p class="crumbs"><a href="/audit">"Audit trail"</a>" / "{format!("record {}", r.seq)}</p>
        <h1>{format!("Record {} ", r.seq)}<code class="kind">{r.kind.clone()}</code></h1>
        <section class="panel">
            <dl class="facts record">
                <dt>"Summary"</dt><dd>{r.summary}</dd>
                <dt>"Recorded at"</dt><dd><code>{r.recorded_at}</code></dd>
                <dt>"Actor"</dt><dd>{format!("{} ({}{})", r.actor_name, r.actor_kind, r.actor_id.map(|i| format!(" {i}")).unwrap_or_default())}</dd>
                <dt>"Subject"</dt>
                <dd>
                    <span data-testid="subject">{r.subject}</span>
                    {r.action_id.map(|id| view! { " — "<a href=format!("/actions/{id}")>"the action's timeline"</a> })}
                </dd>
                <dt>"Details"</dt><dd><pre class="json">{r.details}</pre></dd>
                <dt>"Previous hash"</dt><dd><code class="hash" data-testid="prev-hash">{r.prev_hash}</code></dd>
                <dt>"Hash"</dt><dd><code data-testid="hash">{r.hash}</code></dd>
            </dl>
            <p class="hint">"The hash is SHA-256 of the previous hash, a new line, and the record's canonical bytes (docs/evidence.md)."</p>
        </section>
    }
}
