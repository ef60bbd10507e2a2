//! A subject's story in the evidence trail, as a table.

use crate::model::EvidenceRow;
use leptos::prelude::*;

/// Evidence records as a table, in the order given; `hashes` adds each record's hash prefix.
#[component]
pub fn History(rows: Vec<EvidenceRow>, #[prop(optional)] hashes: bool) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"Nothing recorded yet."</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead><tr><th>"#"</th><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Summary"</th>{hashes.then(|| view! { <th>"Hash"</th> })}</tr></thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|r| view! {
                        <tr>
                            <td class="num">{r.seq}</td>
                            <td class="nowrap">{r.recorded_at}</td>
                            <td>{r.actor}</td>
                            <td><code>{r.kind}</code></td>
                            <td>{r.summary}</td>
                            {hashes.then(|| view! { <td><code class="hash">{r.hash_prefix.clone()}</code></td> })}
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
