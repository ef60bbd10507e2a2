//! `/inbox` (reviewers): what waits for a person — approvals, supervised actions to confirm,
//! shadow cases to decide, open alerts — filtered, sorted, paged, decided one by one or
//! several at once.

use crate::api::inbox::{ResolveAlert, ReviewSelected, inbox_page};
use crate::components::action::{ActionFacts, ActionHead};
use crate::components::claim::{ClaimBar, QueueActions};
use crate::components::disagreement::{DisagreementForm, SideBySide};
use crate::components::form::{FieldError, UnplacedError, action_error};
use crate::components::layout::Unavailable;
use crate::components::review::{ApproveForm, ConfirmForm, ReviewActions, RollbackForm, ShadowForm};
use crate::components::standing::Standing;
use crate::model::{ActionCard, AlertRow, InboxView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};

/// The sections, as (URL value, label).
const VIEWS: [(&str, &str); 5] = [
    ("approval", "Needs approval"),
    ("supervised", "Supervised — awaiting confirmation"),
    ("shadow", "Shadow — record your decision"),
    ("disagreements", "Peer disagreements"),
    ("alerts", "Alerts"),
];

#[derive(Clone, Debug, PartialEq)]
struct Args {
    view: String,
    agent: Option<i64>,
    capability: String,
    sort: String,
    queue: String,
    search: String,
    page: u64,
}

fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Args {
    /// A link to this inbox with one thing changed.
    fn href(&self, view: &str, page: u64) -> String {
        self.href_in(view, &self.queue, page)
    }

    /// A link to one queue of this inbox.
    fn href_in(&self, view: &str, queue: &str, page: u64) -> String {
        let mut q = vec![format!("view={view}")];
        if !queue.is_empty() && queue != "all" {
            q.push(format!("queue={queue}"));
        }
        if !self.search.is_empty() {
            q.push(format!("q={}", encoded(&self.search)));
        }
        if let Some(a) = self.agent {
            q.push(format!("agent={a}"));
        }
        if !self.capability.is_empty() {
            q.push(format!("capability={}", self.capability));
        }
        if self.sort == "risk" || self.sort == "oldest" {
            q.push(format!("sort={}", self.sort));
        }
        if page > 1 {
            q.push(format!("page={page}"));
        }
        format!("/inbox?{}", q.join("&"))
    }
}

/// The inbox page.
#[component]
pub fn InboxPage() -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let actions = ReviewActions::new();
    let bulk = ServerAction::<ReviewSelected>::new();
    let resolve = ServerAction::<ResolveAlert>::new();
    let queue_actions = QueueActions::new();
    let args = move || {
        let q = query.read();
        let view = q.get("view").filter(|v| VIEWS.iter().any(|(k, _)| k == v)).unwrap_or_else(|| "approval".into());
        Args {
            view,
            agent: q.get("agent").and_then(|v| v.parse().ok()),
            capability: q.get("capability").unwrap_or_default(),
            sort: q.get("sort").unwrap_or_default(),
            queue: q.get("queue").unwrap_or_else(|| "all".into()),
            search: q.get("q").unwrap_or_default(),
            page: q.get("page").and_then(|v| v.parse().ok()).unwrap_or(1),
        }
    };
    let data = Resource::new(
        move || {
            (
                args(),
                actions.review.version().get(),
                actions.disagreement.version().get(),
                bulk.version().get(),
                resolve.version().get(),
                queue_actions.claim.version().get(),
                queue_actions.release.version().get(),
                queue_actions.assign.version().get(),
            )
        },
        |(a, ..)| inbox_page(a.view, a.agent, Some(a.capability), a.sort, a.queue, a.search, a.page),
    );
    let back = move || {
        let search = location.search.get();
        if search.is_empty() {
            location.pathname.get()
        } else {
            format!("{}?{}", location.pathname.get(), search.trim_start_matches('?'))
        }
    };
    view! {
        <Title text="Inbox" />
        <h1>"Inbox"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let a = args();
                match data.await {
                    Ok(d) => {
                        // The forms on this page, by scope: each action card and each alert.
                        let mut shown: Vec<String> = d.items.iter().map(|c| c.id.to_string()).collect();
                        shown.extend(d.alerts.iter().map(|al| format!("alert{}", al.id)));
                        shown.push("bulk".into());
                        view! {
                            <UnplacedError error=actions.error() shown=shown.clone() />
                            <UnplacedError error=action_error(bulk) shown=shown.clone() />
                            <UnplacedError error=action_error(resolve) shown=shown.clone() />
                            <UnplacedError error=action_error(queue_actions.claim) shown=shown.clone() />
                            <UnplacedError error=action_error(queue_actions.release) shown=shown.clone() />
                            <UnplacedError error=action_error(queue_actions.assign) shown />
                            <Inbox d a actions queue_actions bulk resolve back=back() />
                        }
                            .into_any()
                    }
                    Err(error) => view! { <Unavailable error what="Inbox" back_href="/" back_label="Back to the dashboard" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Inbox(
    d: InboxView,
    a: Args,
    actions: ReviewActions,
    queue_actions: QueueActions,
    bulk: ServerAction<ReviewSelected>,
    resolve: ServerAction<ResolveAlert>,
    back: String,
) -> impl IntoView {
    let counts = [d.counts.approval, d.counts.supervised, d.counts.shadow, d.counts.disagreements, d.counts.alerts];
    let tabs = VIEWS
        .iter()
        .zip(counts)
        .map(|((key, label), n)| {
            let current = a.view == *key;
            view! {
                <a href=a.href(key, 1) class:active=current aria-current=current.then_some("page") data-view=*key>
                    {*label}" "<span class="count">{n}</span>
                </a>
            }
        })
        .collect_view();
    let filters = view! { <Filters d=d.clone() a=a.clone() /> };
    let queues = (a.view != "alerts").then(|| {
        let links = d
            .queues
            .iter()
            .map(|(key, label, n)| {
                let current = a.queue == *key;
                view! {
                    <a href=a.href_in(&a.view, key, 1) class:active=current aria-current=current.then_some("page") data-queue=key.clone()>
                        {label.clone()}" "<span class="count">{*n}</span>
                    </a>
                }
            })
            .collect_view();
        view! { <nav class="tabs queues" aria-label="Whose items">{links}</nav> }
    });
    let body = if a.view == "alerts" {
        view! { <Alerts alerts=d.alerts resolve back=back.clone() /> }.into_any()
    } else {
        let kept = (d.kept_bulk.clone(), d.kept_shadow.clone(), d.kept_review.clone());
        view! { <Items items=d.items view=a.view.clone() queue=a.queue.clone() actions queue_actions assignees=d.assignees.clone() bulk back=back.clone() kept /> }.into_any()
    };
    let pager = (d.pages > 1).then(|| {
        let prev = (d.page > 1).then(|| a.href(&a.view, d.page - 1));
        let next = (d.page < d.pages).then(|| a.href(&a.view, d.page + 1));
        view! {
            <nav class="pager" aria-label="Pages">
                {prev.map(|h| view! { <a class="btn btn-small" href=h>"← Newer deadlines"</a> })}
                <span class="muted">{format!("Page {} of {} · {} items", d.page, d.pages, d.total)}</span>
                {next.map(|h| view! { <a class="btn btn-small" href=h rel="next">"Later deadlines →"</a> })}
            </nav>
        }
    });
    let copilots = (!d.copilots.is_empty()).then(|| {
        let rows = d
            .copilots
            .iter()
            .cloned()
            .map(|(agent, capability, s)| view! {
                <li><strong>{agent}</strong>" · "<code>{capability}</code><Standing s /></li>
            })
            .collect_view();
        view! {
            <section class="panel copilots" data-testid="copilots">
                <h2>"Your copilots"</h2>
                <p class="muted small">"Their escalations come to you first. What you approve, change or reject is their track record."</p>
                <ul class="plain">{rows}</ul>
            </section>
        }
    });
    view! {
        <nav class="tabs" aria-label="Inbox sections">{tabs}</nav>
        {queues}
        {copilots}
        {filters}
        {body}
        {pager}
    }
}

#[component]
fn Filters(d: InboxView, a: Args) -> impl IntoView {
    view! {
        <form method="get" action="/inbox" class="filters">
            <input type="hidden" name="view" value=a.view.clone() />
            <input type="hidden" name="queue" value=a.queue.clone() />
            <label for="f-search">"Search"</label>
            <input id="f-search" type="search" name="q" value=a.search.clone() placeholder="order, customer, reasoning…" />
            <label for="f-agent">"Agent"</label>
            <select id="f-agent" name="agent">
                <option value="">"All agents"</option>
                {d.agents.into_iter().map(|(id, name)| view! {
                    <option value=id.to_string() selected=a.agent == Some(id)>{name}</option>
                }).collect_view()}
            </select>
            <label for="f-cap">"Capability"</label>
            <select id="f-cap" name="capability">
                <option value="">"All capabilities"</option>
                {d.capabilities.into_iter().map(|c| {
                    let selected = c == a.capability;
                    view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                }).collect_view()}
            </select>
            <label for="f-sort">"Sort"</label>
            <select id="f-sort" name="sort">
                <option value="deadline" selected=a.sort != "risk" && a.sort != "oldest">"Deadline first"</option>
                <option value="oldest" selected=a.sort == "oldest">"Oldest first"</option>
                <option value="risk" selected=a.sort == "risk">"Highest risk first"</option>
            </select>
            <button type="submit" class="btn btn-small">"Apply"</button>
        </form>
    }
}

#[component]
fn Items(
    items: Vec<ActionCard>,
    view: String,
    /// The queue shown ("mine", "groups", "unassigned", "all").
    queue: String,
    actions: ReviewActions,
    queue_actions: QueueActions,
    assignees: Vec<(String, String)>,
    bulk: ServerAction<ReviewSelected>,
    back: String,
    /// What was kept of the bulk form and of a shadow decision after a refusal.
    kept: (crate::model::KeptForm, crate::model::KeptForm, crate::model::KeptForm),
) -> impl IntoView {
    let (kept_bulk, kept_shadow, kept_review) = kept;
    if items.is_empty() {
        let text = match view.as_str() {
            _ if !matches!(queue.as_str(), "" | "all") => {
                "Nothing waits in this queue. The other queues may have items."
            }
            "supervised" => "No supervised action is waiting for confirmation.",
            "shadow" => "No shadow recommendation is waiting for your decision.",
            "disagreements" => "No peer disagreement is waiting for your choice.",
            _ => "Nothing needs approval right now.",
        };
        return view! { <section class="panel empty"><p>{text}</p></section> }.into_any();
    }
    let approvals = view == "approval";
    let bulk_error = action_error(bulk);
    let bulk_back = back.clone();
    let bulk_comment = kept_bulk.get("comment");
    view! {
        {approvals.then(|| view! {
            <ActionForm action=bulk attr:id="bulk-form" attr:class="panel bulk">
                <input type="hidden" name="back" value=bulk_back />
                <div class="bulk-row">
                    <div class="bulk-comment">
                        <label for="bulk-comment">"Decide the ticked actions with one comment (approve together only alike items: one capability and rule, at most 25)"</label>
                        <input id="bulk-comment" name="comment" placeholder="Required to reject" value=bulk_comment />
                    </div>
                    <button type="submit" name="verdict" value="approve" class="btn btn-primary">"Approve ticked"</button>
                    <button type="submit" name="verdict" value="reject" class="btn btn-danger">"Reject ticked"</button>
                </div>
                <FieldError error=bulk_error field="bulk/ids" />
                <FieldError error=bulk_error field="bulk/comment" />
                <FieldError error=bulk_error field="bulk/verdict" />
            </ActionForm>
        })}
        {items
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let back = back.clone();
                let bar_back = back.clone();
                let forms = match view.as_str() {
                    "supervised" => {
                        let rollback = c.reversible.then(|| view! { <RollbackForm card=c.clone() actions back=back.clone() /> });
                        view! {
                            <div class="item-forms two">
                                <ConfirmForm card=c.clone() actions back=back.clone() />
                                {rollback}
                            </div>
                        }
                            .into_any()
                    }
                    "shadow" => view! { <div class="item-forms"><ShadowForm card=c.clone() actions back kept=kept_shadow.clone() /></div> }.into_any(),
                    "disagreements" => view! { <div class="item-forms"><DisagreementForm card=c.clone() actions back /></div> }.into_any(),
                    _ => view! { <div class="item-forms"><ApproveForm card=c.clone() actions back kept=kept_review.clone() /></div> }.into_any(),
                };
                let tick_value = format!("{}:{}", c.id, c.action_hash);
                let ticked = kept_bulk.has("selected", &tick_value);
                let tick = approvals.then(|| view! {
                    <input
                        type="checkbox"
                        class="tick"
                        form="bulk-form"
                        name=format!("selected[{i}]")
                        value=tick_value
                        checked=ticked
                        aria-label=format!("Select action {}", c.id)
                    />
                });
                let cid = c.id.to_string();
                view! {
                    <article class="item panel" data-action=cid>
                        <header class="item-head">{tick}<ActionHead card=c.clone() link=true /></header>
                        {c.standing.clone().map(|s| view! { <Standing s action_id=c.id /> })}
                        {c.queue.clone().map(|line| view! {
                            <ClaimBar id=c.id line actions=queue_actions assignees=assignees.clone() back=bar_back.clone() />
                        })}
                        {if c.peer.is_some() {
                            view! { <p class="why small"><strong>"Why it is here: "</strong>{c.rule.clone()}</p><SideBySide card=c.clone() /> }.into_any()
                        } else {
                            view! { <ActionFacts card=c.clone() /> }.into_any()
                        }}
                        {forms}
                    </article>
                }
            })
            .collect_view()}
    }
    .into_any()
}

#[component]
fn Alerts(alerts: Vec<AlertRow>, resolve: ServerAction<ResolveAlert>, back: String) -> impl IntoView {
    if alerts.is_empty() {
        return view! { <section class="panel empty"><p>"No open alerts."</p></section> }.into_any();
    }
    let error = action_error(resolve);
    alerts
        .into_iter()
        .map(|al| {
            let id = al.id;
            let back_for_alert = back.clone();
            view! {
                <article class="item panel alert-item" data-alert=id.to_string()>
                    <header class="item-head">
                        <span class="badge off">{al.kind.replace('_', " ")}</span>
                        <span class="item-agent">{match al.reviewer.clone() {
                            Some(r) => format!("reviewer {r}"),
                            None => al.agent.clone(),
                        }}</span>
                        <span class="muted small">{al.created_at}</span>
                        {al.action_id.map(|a| view! { <a href=format!("/actions/{a}")>{format!("action #{a}")}</a> })}
                    </header>
                    <p>{al.message}</p>
                    {al.holds_agent.then(|| view! { <p class="muted small">"While open, every request of this agent waits for approval."</p> })}
                    <p class="small"><a href=format!("/alerts/{id}")>"Explain this alert"</a></p>
                    <ActionForm action=resolve attr:class="inline-form">
                        <input type="hidden" name="id" value=id.to_string() />
                        <input type="hidden" name="back" value=back_for_alert.clone() />
                        <label for=format!("note-{id}")>"Resolution"</label>
                        <input id=format!("note-{id}") name="note" class="wide" placeholder="What was done about it" />
                        <button type="submit" class="btn btn-small">"Resolve"</button>
                    </ActionForm>
                    <FieldError error field=format!("alert{id}/note") />
                    <FieldError error field=format!("alert{id}/alert") />
                </article>
            }
        })
        .collect_view()
        .into_any()
}
