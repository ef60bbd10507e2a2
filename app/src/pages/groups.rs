//! `/groups` (managers): reviewer groups with their members, and the routing rules that send a
//! capability's escalations to a group's queue in the inbox.

use crate::api::groups::{AddGroupMember, AddRoute, CreateGroup, RemoveGroupMember, RemoveRoute, groups_page};
use crate::components::form::{FieldError, FormError, UnplacedError, action_error, area_text};
use crate::components::layout::Unavailable;
use crate::model::{GroupRow, GroupsView, RouteRow};
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Copy)]
struct Forms {
    create: ServerAction<CreateGroup>,
    add: ServerAction<AddGroupMember>,
    remove: ServerAction<RemoveGroupMember>,
    route: ServerAction<AddRoute>,
    unroute: ServerAction<RemoveRoute>,
}

/// The groups page.
#[component]
pub fn GroupsPage() -> impl IntoView {
    let f = Forms {
        create: ServerAction::new(),
        add: ServerAction::new(),
        remove: ServerAction::new(),
        route: ServerAction::new(),
        unroute: ServerAction::new(),
    };
    let data = Resource::new(
        move || {
            (
                f.create.version().get(),
                f.add.version().get(),
                f.remove.version().get(),
                f.route.version().get(),
                f.unroute.version().get(),
            )
        },
        |_| groups_page(),
    );
    view! {
        <Title text="Reviewer groups and routing" />
        <p class="crumbs"><a href="/agents">"Agents"</a>" / Reviewer groups and routing"</p>
        <h1>"Reviewer groups and routing"</h1>
        <p class="muted">
            "A group is a queue in the inbox: its members see its items under “My groups”. Routing rules send a "
            "capability's escalations there when they are decided — all of them, or only those matching a Cedar "
            "condition such as " <code>"context.params.amount > 500"</code> ". The first matching rule wins; "
            "anything no rule matches stays in the shared inbox. Any reviewer can still claim, assign or decide any item."
        </p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Groups d f /> }.into_any(),
                    Err(error) => view! { <Unavailable error what="Groups" back_href="/agents" back_label="Back to agents" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Groups(d: GroupsView, f: Forms) -> impl IntoView {
    let shown: Vec<String> =
        d.groups.iter().map(|g| g.id.to_string()).chain(d.routes.iter().map(|r| format!("route{}", r.id))).collect();
    let create_error = action_error(f.create);
    let group_names: Vec<(i64, String)> = d.groups.iter().map(|g| (g.id, g.name.clone())).collect();
    let groups = if d.groups.is_empty() {
        view! { <p class="muted">"No groups yet. Create one, then add reviewers to it."</p> }.into_any()
    } else {
        d.groups
            .clone()
            .into_iter()
            .map(|g| view! { <GroupCard g f kept=d.kept_member.clone() /> })
            .collect_view()
            .into_any()
    };
    view! {
        <UnplacedError error=action_error(f.add) shown=shown.clone() />
        <UnplacedError error=action_error(f.remove) shown=shown.clone() />
        <UnplacedError error=action_error(f.unroute) shown />
        <section class="panel">
            <h2>"Groups"</h2>
            {groups}
            <ActionForm action=f.create attr:class="inline-form new-group">
                <label for="group-name">"New group"</label>
                <input id="group-name" name="name" class="wide" placeholder="e.g. finance reviewers" value=d.kept_group.get("name") />
                <button type="submit" class="btn btn-primary btn-small">"Create group"</button>
            </ActionForm>
            <FieldError error=create_error field="name" />
            <FormError error=create_error />
        </section>
        <section class="panel">
            <h2>"Routing rules"</h2>
            <RouteTable routes=d.routes f />
            <RouteForm capabilities=d.capabilities groups=group_names f kept=d.kept_route />
        </section>
    }
}

#[component]
fn GroupCard(g: GroupRow, f: Forms, kept: crate::model::KeptForm) -> impl IntoView {
    let id = g.id;
    let (add_error, remove_error) = (action_error(f.add), action_error(f.remove));
    let typed = if kept.get("group_id") == id.to_string() { kept.get("username") } else { String::new() };
    let members = if g.members.is_empty() {
        view! { <span class="muted small">"No members yet."</span> }.into_any()
    } else {
        g.members
            .into_iter()
            .map(|(uid, name)| {
                view! {
                    <span class="member">
                        {name.clone()}
                        <ActionForm action=f.remove attr:class="inline">
                            <input type="hidden" name="group_id" value=id.to_string() />
                            <input type="hidden" name="user_id" value=uid.to_string() />
                            <button type="submit" class="link-button" aria-label=format!("Take {name} out of the group")>"×"</button>
                        </ActionForm>
                    </span>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="group" data-group=g.name.clone()>
            <h3>{g.name.clone()}</h3>
            <div class="members">{members}</div>
            <ActionForm action=f.add attr:class="inline-form">
                <input type="hidden" name="group_id" value=id.to_string() />
                <label for=format!("member-{id}")>"Add reviewer"</label>
                <input id=format!("member-{id}") name="username" placeholder="user name" value=typed />
                <button type="submit" class="btn btn-small">"Add"</button>
            </ActionForm>
            <FieldError error=add_error field=format!("{id}/username") />
            <FieldError error=remove_error field=format!("{id}/member") />
        </div>
    }
}

#[component]
fn RouteTable(routes: Vec<RouteRow>, f: Forms) -> impl IntoView {
    if routes.is_empty() {
        return view! { <p class="muted">"No routing rules: every escalation goes to the shared inbox."</p> }
            .into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="table stack" id="routes-table">
                <thead><tr><th>"Capability"</th><th>"When"</th><th>"Goes to"</th><th></th></tr></thead>
                <tbody>
                    {routes.into_iter().map(|r| {
                        let when = if r.condition.is_empty() { "every escalation".to_owned() } else { r.condition.clone() };
                        view! {
                            <tr data-route=r.id.to_string()>
                                <td data-label="Capability" class="card-title"><code>{r.capability}</code></td>
                                <td data-label="When"><code>{when}</code></td>
                                <td data-label="Goes to">{r.group}</td>
                                <td>
                                    <ActionForm action=f.unroute>
                                        <input type="hidden" name="id" value=r.id.to_string() />
                                        <button type="submit" class="btn btn-small">"Remove"</button>
                                    </ActionForm>
                                </td>
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
fn RouteForm(
    capabilities: Vec<String>,
    groups: Vec<(i64, String)>,
    f: Forms,
    kept: crate::model::KeptForm,
) -> impl IntoView {
    let error = action_error(f.route);
    let (cap, condition, group) = (kept.get("capability"), kept.get("condition"), kept.get("group_id"));
    view! {
        <h3>"Add a rule"</h3>
        <ActionForm action=f.route attr:class="route-form">
            <label for="route-cap">"Capability"</label>
            <select id="route-cap" name="capability">
                {capabilities.into_iter().map(|c| {
                    let selected = c == cap;
                    view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                }).collect_view()}
            </select>
            <FieldError error field="capability" />
            <label for="route-condition">"Only when (Cedar, optional)"</label>
            <textarea id="route-condition" name="condition" rows="2" class="mono" placeholder="context.params.amount > 500">{area_text(condition)}</textarea>
            <FieldError error field="condition" />
            <label for="route-group">"Send to"</label>
            <select id="route-group" name="group_id">
                <option value="">"Choose a group"</option>
                {groups.into_iter().map(|(id, name)| {
                    let selected = id.to_string() == group;
                    view! { <option value=id.to_string() selected=selected>{name}</option> }
                }).collect_view()}
            </select>
            <FieldError error field="group_id" />
            <FormError error />
            <div><button type="submit" class="btn btn-primary">"Add rule"</button></div>
        </ActionForm>
    }
}
