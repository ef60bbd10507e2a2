//! `/audit` (auditors and admins): search the evidence trail (words from reasoning and
//! comments, agent, capability, actor, kind, decision, time), export what the filter shows as
//! JSONL for offline verification, and see the signed checkpoints and the public key.

use crate::api::audit::{audit_overview, audit_search};
use crate::api::exports::{StartAuditExport, recent_audit_exports};
use crate::components::form::{FieldError, FormError, action_error};
use crate::components::layout::Unavailable;
use crate::error::AppError;
use crate::model::{AuditSearchView, AuditView, ExportView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use vocab::ExportStatus;

/// The filter fields, as named in the URL.
const FIELDS: [&str; 8] = ["text", "agent", "capability", "actor", "kind", "outcome", "since", "until"];

/// The audit page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let overview = Resource::new(|| (), |_| audit_overview());
    let exports = Resource::new(|| (), |_| recent_audit_exports());
    let start = ServerAction::<StartAuditExport>::new();
    let start_error = action_error(start);
    let results = Resource::new(
        move || (FIELDS.map(get), get("before")),
        |(v, before)| {
            let [text, agent, capability, actor, kind, outcome, since, until] = v;
            audit_search(text, agent.parse().ok(), capability, actor, kind, outcome, since, until, before.parse().ok())
        },
    );
    // The same filter, for the export link and for "older".
    let filter_query = move || {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for f in FIELDS {
            let v = get(f);
            if !v.is_empty() {
                q.append_pair(f, &v);
            }
        }
        q.finish()
    };
    view! {
        <Title text="Audit" />
        <h1>"Audit trail"</h1>
        <p class="muted lead">"Every decision, approval, rollback, grant and sign-in is an evidence record, hash-chained to the one before. Tenure signs the chain's head regularly; an export carries a signature of its last record, so anyone with the public key can check it offline."</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let filter = filter_query();
                match results.await {
                    Ok(d) => view! { <Search d get=FIELDS.map(get) filter start start_error /> }.into_any(),
                    Err(e) => view! { <Search d=AuditSearchView { rows: Vec::new(), matches: String::new(), kinds: Vec::new(), outcomes: Vec::new(), older: None, agents: Vec::new(), capabilities: Vec::new() } get=FIELDS.map(get) filter start start_error error=e /> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(d) => view! { <Keys d start /> }.into_any(),
                    Err(error) => view! { <Unavailable error what="Audit" back_href="/" back_label="Back to the dashboard" /> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                exports.await.ok().map(|rows| view! { <Exports rows /> })
            })}
        </Suspense>
    }
}

#[component]
fn Search(
    d: AuditSearchView,
    get: [String; 8],
    filter: String,
    start: ServerAction<StartAuditExport>,
    start_error: Signal<Option<AppError>>,
    #[prop(optional)] error: Option<AppError>,
) -> impl IntoView {
    let hidden = FIELDS.into_iter().zip(get.clone()).collect::<Vec<_>>();
    let [text, agent, capability, actor, kind, outcome, since, until] = get;
    let error = Signal::derive(move || error.clone());
    let older = d
        .older
        .map(|b| if filter.is_empty() { format!("/audit?before={b}") } else { format!("/audit?{filter}&before={b}") });
    view! {
        <section class="panel">
            <form method="get" action="/audit" class="audit-search">
                <div class="search-row">
                    <label for="a-text">"Words"</label>
                    <input id="a-text" name="text" value=text placeholder="words from an agent's reasoning or a comment; \"quotes\" for a phrase" />
                    <button type="submit" class="btn btn-primary">"Search"</button>
                </div>
                <FieldError error field="text" />
                <div class="grid4">
                    <div>
                        <label for="a-agent">"Agent"</label>
                        <select id="a-agent" name="agent">
                            <option value="">"Any agent"</option>
                            {d.agents.iter().map(|(id, name)| view! {
                                <option value=id.to_string() selected=agent == id.to_string()>{name.clone()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for="a-cap">"Capability"</label>
                        <select id="a-cap" name="capability">
                            <option value="">"Any capability"</option>
                            {d.capabilities.iter().map(|c| view! {
                                <option value=c.clone() selected=capability == *c>{c.clone()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for="a-actor">"Actor"</label>
                        <input id="a-actor" name="actor" value=actor placeholder="rita, refund-bot…" />
                    </div>
                    <div>
                        <label for="a-kind">"Kind"</label>
                        <select id="a-kind" name="kind">
                            <option value="">"Any kind"</option>
                            {d.kinds.iter().map(|k| view! {
                                <option value=k.clone() selected=kind == *k>{k.clone()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for="a-outcome">"Decision or state"</label>
                        <select id="a-outcome" name="outcome">
                            <option value="">"Any decision or state"</option>
                            {d.outcomes.iter().map(|o| view! {
                                <option value=o.clone() selected=outcome == *o>{o.clone()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for="a-since">"From (day)"</label>
                        <input id="a-since" name="since" type="date" value=since />
                        <FieldError error field="since" />
                    </div>
                    <div>
                        <label for="a-until">"Until (day, exclusive)"</label>
                        <input id="a-until" name="until" type="date" value=until />
                        <FieldError error field="until" />
                    </div>
                </div>
            </form>
        </section>
        <section class="panel">
            <div class="panel-head">
                <h2>"Records, newest first "<span class="muted small" data-testid="matches">{d.matches.clone()}</span></h2>
                <ActionForm action=start attr:class="inline">
                    {hidden.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value /> }).collect_view()}
                    <button type="submit" class="btn btn-small" name="format" value="jsonl">"Export these as JSONL"</button>" "
                    <button type="submit" class="btn btn-small btn-quiet" name="format" value="csv">"as CSV"</button>
                </ActionForm>
            </div>
            <FormError error=start_error />
            {move || start_error.get().and_then(|e| e.field().map(|f| format!("{f}: {e}"))).map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
            {if d.rows.is_empty() {
                view! { <p class="muted">"No record matches."</p> }.into_any()
            } else {
                view! {
                    <table class="table" id="audit-table">
                        <thead><tr><th class="num">"#"</th><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Summary"</th><th></th></tr></thead>
                        <tbody>
                            {d.rows.into_iter().map(|r| view! {
                                <tr data-seq=r.seq.to_string()>
                                    <td class="num"><a href=format!("/audit/records/{}", r.seq)>{r.seq}</a></td>
                                    <td class="nowrap">{r.recorded_at}</td>
                                    <td>{r.actor}</td>
                                    <td><code>{r.kind}</code><div class="muted small">{r.subject}</div></td>
                                    <td class="clip-wrap wide">{r.summary}</td>
                                    <td class="nowrap">{r.action_id.map(|id| view! { <a href=format!("/actions/{id}")>"Timeline"</a> })}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {older.map(|h| view! { <nav class="pager"><a class="btn btn-small" href=h rel="next">"Older records →"</a></nav> })}
            <p class="hint">"An export holds what this filter shows, up to the moment it starts, and is itself recorded. Tenure prepares the file and shows its progress. JSONL carries a signed manifest as its first line; a CSV's manifest is a second download. Verify either offline with the public key (tenure audit verify); only an unfiltered export proves that nothing is missing."</p>
        </section>
    }
}

#[component]
fn Keys(d: AuditView, start: ServerAction<StartAuditExport>) -> impl IntoView {
    view! {
        <div class="columns">
            <section class="panel">
                <h2>"Checkpoint key"</h2>
                <dl class="facts">
                    <dt>"Key id"</dt><dd><code data-testid="key-id">{d.key_id}</code></dd>
                    <dt>"Public key"</dt><dd><code class="secret small">{d.public_key}</code></dd>
                    <dt>"Chain"</dt><dd>{format!("{} records", d.head_seq)}</dd>
                </dl>
                <div class="actions">
                    <a class="btn btn-small" href="/audit/public-key">"Download public key"</a>
                    <ActionForm action=start attr:class="inline">
                        <input type="hidden" name="format" value="jsonl" />
                        {FIELDS.map(|name| view! { <input type="hidden" name=name value="" /> }).collect_view()}
                        <button type="submit" class="btn btn-small">"Export the whole chain"</button>
                    </ActionForm>
                </div>
            </section>
            <section class="panel">
                <h2>"Signed checkpoints"</h2>
                {if d.checkpoints.is_empty() {
                    view! { <p class="muted">"None yet: the first is signed within seconds of the first record."</p> }.into_any()
                } else {
                    view! {
                        <table class="table" id="checkpoints-table">
                            <thead><tr><th class="num">"Record"</th><th>"Head hash"</th><th>"Signed"</th></tr></thead>
                            <tbody>
                                {d.checkpoints.into_iter().map(|c| view! {
                                    <tr title=format!("key {} · signature {}…", c.key_id, c.signature_prefix)>
                                        <td class="num">{c.seq}</td>
                                        <td><code class="hash">{c.head_hash.chars().take(16).collect::<String>()}"…"</code></td>
                                        <td class="nowrap">{c.signed_at}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        </div>
    }
}

#[component]
fn Exports(rows: Vec<ExportView>) -> impl IntoView {
    (!rows.is_empty()).then(|| view! {
        <section class="panel">
            <h2>"Recent exports"</h2>
            <table class="table" id="exports-table">
                <thead><tr><th class="num">"#"</th><th>"Format"</th><th>"Filter"</th><th>"By"</th><th>"When"</th><th class="num">"Records"</th><th>"State"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|e| view! {
                        <tr>
                            <td class="num"><a href=format!("/audit/exports/{}", e.id)>{e.id}</a></td>
                            <td>{e.format}</td>
                            <td class="clip-wrap">{e.filter}</td>
                            <td>{e.requested_by}</td>
                            <td class="nowrap">{e.created_at}</td>
                            <td class="num">{crate::pages::audit_export::grouped(e.total)}</td>
                            <td><span class=format!("badge badge-{}", e.status)>{if e.status == ExportStatus::Preparing { format!("preparing {}%", e.percent) } else { e.status.to_string() }}</span></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    })
}
