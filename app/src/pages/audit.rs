//! `/audit` (auditors and admins): export the evidence trail as JSONL for offline
//! verification, download the public key, and see the signed checkpoints.

use crate::api::audit::audit_overview;
use crate::components::layout::Unavailable;
use crate::model::AuditView;
use leptos::prelude::*;
use leptos_meta::Title;

/// The audit page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| audit_overview());
    view! {
        <Title text="Audit" />
        <h1>"Audit trail"</h1>
        <p class="muted lead">"Every decision, approval, rollback, grant and sign-in is an evidence record, hash-chained to the one before. Tenure signs the chain's head regularly; an export carries a signature of its last record, so anyone with the public key can check it offline."</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Audit d /> }.into_any(),
                    Err(error) => view! { <Unavailable error what="Audit" back_href="/" back_label="Back to the dashboard" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Audit(d: AuditView) -> impl IntoView {
    view! {
        <div class="columns">
            <section class="panel">
                <h2>"Export"</h2>
                <p class="muted small">{format!("{} records in the chain. Leave the filters empty for the whole chain, which verifies end to end.", d.head_seq)}</p>
                <form method="get" action="/audit/export.jsonl" class="export-form">
                    <label for="x-kind">"Record kind (optional)"</label>
                    <input id="x-kind" name="kind" placeholder="action.approved" />
                    <div class="grid2">
                        <div>
                            <label for="x-since">"From (day, optional)"</label>
                            <input id="x-since" name="since" type="date" />
                        </div>
                        <div>
                            <label for="x-until">"Until (day, exclusive)"</label>
                            <input id="x-until" name="until" type="date" />
                        </div>
                    </div>
                    <button type="submit" class="btn btn-primary">"Download JSONL"</button>
                </form>
                <p class="hint">"Verify a download with: tenure audit verify FILE --public-key KEYFILE"</p>
            </section>
            <section class="panel">
                <h2>"Checkpoint key"</h2>
                <dl class="facts">
                    <dt>"Key id"</dt><dd><code data-testid="key-id">{d.key_id}</code></dd>
                    <dt>"Public key"</dt><dd><code class="secret small">{d.public_key}</code></dd>
                </dl>
                <p><a class="btn btn-small" href="/audit/public-key">"Download public key"</a></p>
            </section>
        </div>
        <section class="panel">
            <h2>"Signed checkpoints"</h2>
            {if d.checkpoints.is_empty() {
                view! { <p class="muted">"None yet: the first is signed within seconds of the first record."</p> }.into_any()
            } else {
                view! {
                    <table class="table" id="checkpoints-table">
                        <thead><tr><th class="num">"Record"</th><th>"Head hash"</th><th>"Signed"</th><th>"Key"</th><th>"Signature"</th></tr></thead>
                        <tbody>
                            {d.checkpoints.into_iter().map(|c| view! {
                                <tr>
                                    <td class="num">{c.seq}</td>
                                    <td><code class="hash">{c.head_hash.chars().take(16).collect::<String>()}"…"</code></td>
                                    <td class="nowrap">{c.signed_at}</td>
                                    <td><code>{c.key_id}</code></td>
                                    <td><code class="hash">{c.signature_prefix}"…"</code></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
