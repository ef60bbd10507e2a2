//! `/notifications` (admins): where Tenure sends word of what waits for people — subscriptions
//! (signed JSON or Slack messages, filtered by event, capability and risk), how their deliveries
//! went, dead letters to send again.

use crate::api::notifications::{
    CreateSubscription, DeleteSubscription, Redeliver, RotateSubscriptionSecret, SendTestNotification,
    SetSubscriptionActive, notifications_page,
};
use crate::components::form::{FieldError, FormError, action_error};
use crate::model::{DeliveryRow, KeptForm, NotificationsView, SubscriptionRow, kind_field};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The notifications page.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let create = ServerAction::<CreateSubscription>::new();
    let query = use_query_map();
    let view_data = Resource::new(move || query.read().get("state"), notifications_page);
    let kept = Resource::new(|| (), |_| crate::api::auth::kept_form("notifications/create".into()));
    let create_error = action_error(create);
    let acts = Acts {
        active: ServerAction::<SetSubscriptionActive>::new(),
        delete: ServerAction::<DeleteSubscription>::new(),
        rotate: ServerAction::<RotateSubscriptionSecret>::new(),
        test: ServerAction::<SendTestNotification>::new(),
        redeliver: ServerAction::<Redeliver>::new(),
    };
    let errors = [
        action_error(acts.active),
        action_error(acts.delete),
        action_error(acts.rotate),
        action_error(acts.test),
        action_error(acts.redeliver),
    ];
    view! {
        <Title text="Notifications" />
        <h1>"Notifications"</h1>
        <p class="muted">
            "Tenure tells people when something waits for them: an approval requested, a peer disagreement, an alert, autonomy withdrawn by monitoring, a trust review due, an export ready. "
            "Each event is kept with the change that caused it and sent to every subscription that wants it — signed JSON for your own receivers, or a Slack message with a link to the item. "
            "A failed delivery is tried again after a wait that doubles each time (10 s, 20 s, 40 s… by default) and becomes a dead letter after its last attempt (the eighth by default); a dead letter can be sent again from here."
        </p>
        {errors.into_iter().map(|error| view! { <FormError error /> }).collect_view()}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(v) => view! { <Body v acts /> }.into_any(),
                    Err(e) => view! { <div class="alert alert-error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
        <section class="panel narrow" id="add-subscription">
            <h2>"Add a subscription"</h2>
            <FormError error=create_error />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let k = kept.await.unwrap_or_default();
                    let v = view_data.await.ok();
                    view! { <AddForm create error=create_error k v /> }
                })}
            </Suspense>
        </section>
    }
}

/// The page's row actions.
#[derive(Clone, Copy)]
struct Acts {
    active: ServerAction<SetSubscriptionActive>,
    delete: ServerAction<DeleteSubscription>,
    rotate: ServerAction<RotateSubscriptionSecret>,
    test: ServerAction<SendTestNotification>,
    redeliver: ServerAction<Redeliver>,
}

#[component]
fn Body(v: NotificationsView, acts: Acts) -> impl IntoView {
    let secret = v.new_secret.clone().map(|s| {
        view! {
            <div class="alert alert-key" role="status">
                <strong>{format!("Signing secret of {} — copy it now. It will not be shown again.", s.subscription)}</strong>
                <code class="secret" data-testid="new-secret">{s.secret}</code>
                <p class="small">"Your receiver checks X-Tenure-Signature with it (see docs/notifications.md). Slack ignores it."</p>
            </div>
        }
    });
    let subs = if v.subscriptions.is_empty() {
        view! { <p class="muted" id="no-subscriptions">"No subscriptions yet: nobody hears of anything until you add one below."</p> }.into_any()
    } else {
        view! {
            <div class="cards subscriptions">
                {v.subscriptions.into_iter().map(|s| view! { <SubscriptionCard s acts /> }).collect_view()}
            </div>
        }
        .into_any()
    };
    let tab = |state: &'static str, label: &'static str| {
        let class = if v.showing == state { "active" } else { "" };
        let href = if state == "all" { "/notifications".to_owned() } else { format!("/notifications?state={state}") };
        view! { <a href=href class=class>{label}</a> }
    };
    let tabs = view! {
        <nav class="tabs" aria-label="Deliveries">
            {tab("all", "All")}{tab("pending", "Pending")}{tab("dead", "Dead letters")}{tab("delivered", "Delivered")}
        </nav>
    };
    let rows = v.deliveries;
    view! {
        {secret}
        <section class="panel">
            <h2>"Subscriptions"</h2>
            {subs}
        </section>
        <section class="panel" id="deliveries">
            <h2>"Deliveries"</h2>
            {tabs}
            <DeliveryTable rows acts />
        </section>
    }
}

#[component]
fn SubscriptionCard(s: SubscriptionRow, acts: Acts) -> impl IntoView {
    let status = if s.active {
        view! { <span class="badge ok">"active"</span> }.into_any()
    } else {
        view! { <span class="badge off">"paused"</span> }.into_any()
    };
    let kinds = if s.kinds.is_empty() { "every event".to_owned() } else { s.kinds.join(", ") };
    let caps = if s.capabilities.is_empty() { "every capability".to_owned() } else { s.capabilities.join(", ") };
    let risk = s.min_risk.clone().map_or("any risk".to_owned(), |r| format!("{r} risk and above"));
    let format = if s.format == "slack" { "Slack message" } else { "signed JSON" };
    let id = s.id.to_string();
    let (test_id, active_id) = (id.clone(), id.clone());
    let (next, toggle) = ((!s.active).to_string(), if s.active { "Pause" } else { "Resume" });
    let rotate = (s.format == "json").then(|| {
        let id = id.clone();
        view! {
            <ActionForm action=acts.rotate>
                <input type="hidden" name="id" value=id />
                <button type="submit" class="btn btn-small btn-quiet">"New secret"</button>
            </ActionForm>
        }
    });
    view! {
        <article class="card" data-subscription=s.name.clone()>
            <div class="card-title">{s.name.clone()}" "{status}</div>
            <p class="small"><code class="wrap">{s.url.clone()}</code></p>
            <p class="small">{format}" · "{kinds}" · "{caps}" · "{risk}</p>
            <DeliveryBar delivered=s.delivered pending=s.pending dead=s.dead />
            <p class="muted small">{format!("added by {} on {}", s.created_by, s.created_at)}</p>
            <div class="actions">
                <ActionForm action=acts.test>
                    <input type="hidden" name="id" value=test_id />
                    <button type="submit" class="btn btn-small">"Send a test"</button>
                </ActionForm>
                <ActionForm action=acts.active>
                    <input type="hidden" name="id" value=active_id />
                    <input type="hidden" name="active" value=next />
                    <button type="submit" class="btn btn-small btn-quiet">{toggle}</button>
                </ActionForm>
                {rotate}
                <ActionForm action=acts.delete>
                    <input type="hidden" name="id" value=id />
                    <button type="submit" class="btn btn-small btn-danger">"Remove"</button>
                </ActionForm>
            </div>
        </article>
    }
}

/// How a subscription's deliveries went, as a bar with its counts (the rate is only as good as
/// the number of deliveries under it, so both are shown).
#[component]
fn DeliveryBar(delivered: u64, pending: u64, dead: u64) -> impl IntoView {
    let total = delivered + pending + dead;
    let width = |n: u64| if total == 0 { 0.0 } else { n as f64 * 240.0 / total as f64 };
    let (w_ok, w_wait, w_dead) = (width(delivered), width(pending), width(dead));
    let label = if total == 0 {
        "no deliveries yet".to_owned()
    } else {
        format!("{delivered} of {total} delivered, {pending} pending, {dead} dead")
    };
    view! {
        <svg class="delivery-bar" viewBox="0 0 240 10" width="100%" height="10" role="img" aria-label=label.clone() preserveAspectRatio="none">
            <rect x="0" y="0" width="240" height="10" rx="3" fill="#e8eaef" />
            <rect x="0" y="0" width=format!("{w_ok:.1}") height="10" fill="#2f855a" />
            <rect x=format!("{w_ok:.1}") y="0" width=format!("{w_wait:.1}") height="10" fill="#d69e2e" />
            <rect x=format!("{:.1}", w_ok + w_wait) y="0" width=format!("{w_dead:.1}") height="10" fill="#c53030" />
        </svg>
        <p class="small delivery-counts">{label}</p>
    }
}

#[component]
fn DeliveryTable(rows: Vec<DeliveryRow>, acts: Acts) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No deliveries here."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="table" id="deliveries-table">
                <thead><tr><th>"#"</th><th>"Event"</th><th>"To"</th><th>"State"</th><th>"Last answer"</th><th></th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|d| {
                        let badge = match d.state.as_str() {
                            "delivered" => "badge ok",
                            "dead" => "badge warn",
                            _ => "badge",
                        };
                        let state = match (d.state.as_str(), &d.next) {
                            ("pending", Some(next)) => format!("pending, next {next}"),
                            ("dead", _) => "dead letter".to_owned(),
                            (s, _) => s.to_owned(),
                        };
                        let again = (d.state != "pending").then(|| view! {
                            <ActionForm action=acts.redeliver>
                                <input type="hidden" name="delivery_id" value=d.id.to_string() />
                                <button type="submit" class="btn btn-small">"Redeliver"</button>
                            </ActionForm>
                        });
                        view! {
                            <tr data-delivery=d.id.to_string() data-state=d.state.clone()>
                                <td class="nowrap">{d.id}<div class="muted small">{d.created_at.clone()}</div></td>
                                <td><strong>{d.kind.clone()}</strong><div class="small">{d.summary.clone()}</div></td>
                                <td>{d.subscription.clone()}</td>
                                <td><span class=badge>{state}</span><div class="muted small">{format!("{} attempt{}", d.attempts, if d.attempts == 1 { "" } else { "s" })}</div></td>
                                <td class="small">{d.last.clone().unwrap_or_default()}</td>
                                <td>{again}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn AddForm(
    create: ServerAction<CreateSubscription>,
    error: Signal<Option<crate::error::AppError>>,
    k: KeptForm,
    v: Option<NotificationsView>,
) -> impl IntoView {
    let kinds = v.as_ref().map(|v| v.kinds.clone()).unwrap_or_default();
    let catalogue = v.map(|v| v.capabilities.join(", ")).unwrap_or_default();
    let format = k.get("format");
    let risk = k.get("min_risk");
    let typed_kinds = k.0.iter().any(|(f, _)| f == "kind");
    view! {
        <ActionForm action=create>
            <label for="sub-name">"Name"</label>
            <input id="sub-name" name="name" required maxlength="100" value=k.get("name") placeholder="e.g. Finance reviewers in Slack" />
            <FieldError error field="name" />
            <label for="sub-url">"URL"</label>
            <input id="sub-url" name="url" type="url" required value=k.get("url") placeholder="https://hooks.slack.com/services/…" />
            <p class="hint">"Where each event is POSTed. Redirects are not followed."</p>
            <FieldError error field="url" />
            <label for="sub-format">"Format"</label>
            <select id="sub-format" name="format">
                <option value="json" selected=format != "slack">"Signed JSON (HMAC-SHA256)"</option>
                <option value="slack" selected=format == "slack">"Slack incoming webhook"</option>
            </select>
            <FieldError error field="format" />
            <fieldset class="roles">
                <legend>"Events"</legend>
                {kinds.into_iter().map(|(kind, label)| {
                    let ticked = !typed_kinds || k.has("kind", &kind);
                    view! { <label class="check"><input type="checkbox" name=kind_field(&kind) value="on" checked=ticked />{label}</label> }
                }).collect_view()}
            </fieldset>
            <p class="hint">"None ticked: every event."</p>
            <FieldError error field="kinds" />
            <label for="sub-caps">"Capabilities"</label>
            <input id="sub-caps" name="capabilities" value=k.get("capabilities") placeholder="all" />
            <p class="hint">{format!("Comma-separated; empty for all. In the catalogue: {catalogue}.")}</p>
            <FieldError error field="capabilities" />
            <label for="sub-risk">"Lowest risk"</label>
            <select id="sub-risk" name="min_risk">
                <option value="" selected=risk.is_empty()>"any"</option>
                <option value="low" selected=risk == "low">"low and above"</option>
                <option value="medium" selected=risk == "medium">"medium and above"</option>
                <option value="high" selected=risk == "high">"high only"</option>
            </select>
            <p class="hint">"Events about no capability (an export) pass only when no capability or risk is set."</p>
            <FieldError error field="min_risk" />
            <button type="submit" class="btn btn-primary">"Subscribe"</button>
        </ActionForm>
    }
}
