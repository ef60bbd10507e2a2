//! User administration: add users, change their roles, reset a password, deactivate and
//! reactivate them.

use crate::api::users::{CreateUser, ResetUserPassword, SetUserActive, SetUserRoles, list_users};
use crate::components::form::{FieldError, FormError, action_error};
use crate::components::pager::{BY_NAME, pager};
use crate::model::{LIST_PAGE, ROLE_NAMES, UserRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The users page (admins).
#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let set_roles = ServerAction::<SetUserRoles>::new();
    let set_active = ServerAction::<SetUserActive>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let new_password = Resource::new(|| (), |_| crate::api::users::new_password());
    let query = use_query_map();
    let page = move || query.read().get("page").and_then(|v| v.parse::<usize>().ok());
    let users = Resource::new(
        move || {
            (
                create.version().get(),
                set_roles.version().get(),
                set_active.version().get(),
                reset.version().get(),
                page(),
            )
        },
        |(.., page)| list_users(page),
    );
    let create_error = action_error(create);
    let kept = Resource::new(|| (), |_| crate::api::auth::kept_form("users/create".into()));
    let roles_error = action_error(set_roles);
    let active_error = action_error(set_active);
    let reset_error = action_error(reset);
    view! {
        <Title text="Users" />
        <h1>"Users"</h1>
        <p><a href="/users/throttles">"Sign-in throttles"</a>" — who failed to sign in lately, and unlocking them"</p>
        <FormError error=roles_error />
        <FieldError error=roles_error field="roles" />
        <FormError error=active_error />
        <FieldError error=active_error field="active" />
        <FormError error=reset_error />
        <FieldError error=reset_error field="user_id" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                new_password.await.ok().flatten().map(|(user, secret)| view! {
                    <div class="alert alert-key" role="status">
                        <strong>{format!("New one-time password for {user} — hand it over now. It will not be shown again; {user} must choose their own at the next sign-in.")}</strong>
                        <code class="secret" data-testid="new-password">{secret}</code>
                    </div>
                })
            })}
        </Suspense>
        <section class="panel">
            <h2>"People"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(p) => {
                            let nav = pager(p.page, p.total, LIST_PAGE, BY_NAME, |n| format!("/users?page={n}"));
                            view! { <UserTable rows=p.rows set_roles set_active reset />{nav} }.into_any()
                        }
                        Err(e) => view! { <div class="alert alert-error">{e.to_string()}</div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section class="panel narrow">
            <h2>"Add a user"</h2>
            <FormError error=create_error />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let k = kept.await.unwrap_or_default();
                    view! {
            <ActionForm action=create>
                <label for="new-username">"User name"</label>
                <input id="new-username" name="username" autocomplete="off" required value=k.get("username") />
                <p class="hint">"3–64 characters: letters, digits, '.', '_' or '-'."</p>
                <FieldError error=create_error field="username" />
                <label for="new-password">"Initial password"</label>
                <input id="new-password" name="initial_password" type="password" autocomplete="new-password" required />
                <p class="hint">"At least 12 characters. Tell it to the person; they must change it at first sign-in."</p>
                <FieldError error=create_error field="initial_password" />
                <fieldset class="roles">
                    <legend>"Roles"</legend>
                    {ROLE_NAMES
                        .into_iter()
                        .map(|r| view! {
                            <label class="check">
                                <input type="checkbox" name=format!("role_{r}") value="on" checked=k.has("role", r) />
                                {r}
                            </label>
                        })
                        .collect_view()}
                </fieldset>
                <FieldError error=create_error field="roles" />
                <button type="submit" class="btn btn-primary">"Add user"</button>
            </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn UserTable(
    rows: Vec<UserRow>,
    set_roles: ServerAction<SetUserRoles>,
    set_active: ServerAction<SetUserActive>,
    reset: ServerAction<ResetUserPassword>,
) -> impl IntoView {
    view! {
        <table class="table stack" id="users-table">
            <thead>
                <tr><th>"User"</th><th>"Status"</th><th>"Roles"</th><th>"Last sign-in"</th><th></th></tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|u| {
                        let status = if !u.active {
                            view! { <span class="badge off">"deactivated"</span> }.into_any()
                        } else if u.must_change_password {
                            view! { <span class="badge warn">"password change pending"</span> }.into_any()
                        } else {
                            view! { <span class="badge ok">"active"</span> }.into_any()
                        };
                        let id = u.id.to_string();
                        let id_for_active = id.clone();
                        let id_for_reset = id.clone();
                        let can_reset = u.active;
                        let (label, next) = if u.active { ("Deactivate", "false") } else { ("Reactivate", "true") };
                        view! {
                            <tr data-user=u.username.clone()>
                                <td class="card-title"><strong>{u.username.clone()}</strong><div class="muted small">{format!("since {}", u.created_at)}</div></td>
                                <td data-label="Status">{status}</td>
                                <td data-label="Roles">
                                    <ActionForm action=set_roles>
                                        <input type="hidden" name="user_id" value=id />
                                        <span class="inline-checks">
                                            {ROLE_NAMES
                                                .into_iter()
                                                .map(|r| {
                                                    let held = u.roles.iter().any(|h| h == r);
                                                    view! {
                                                        <label class="check">
                                                            <input type="checkbox" name=format!("role_{r}") value="on" checked=held />
                                                            {r}
                                                        </label>
                                                    }
                                                })
                                                .collect_view()}
                                        </span>
                                        <button type="submit" class="btn btn-small">"Save roles"</button>
                                    </ActionForm>
                                </td>
                                <td class="nowrap" data-label="Last sign-in">{u.last_login_at.clone().unwrap_or_else(|| "never".into())}</td>
                                <td>
                                    {if u.is_you {
                                        view! { <span class="muted small">"you"</span> }.into_any()
                                    } else {
                                        view! {
                                            <div class="row-actions">
                                                {can_reset.then(|| view! {
                                                    <ActionForm action=reset>
                                                        <input type="hidden" name="user_id" value=id_for_reset />
                                                        <button type="submit" class="btn btn-small">"Reset password"</button>
                                                    </ActionForm>
                                                })}
                                                <ActionForm action=set_active>
                                                    <input type="hidden" name="user_id" value=id_for_active />
                                                    <input type="hidden" name="active" value=next />
                                                    <button type="submit" class="btn btn-small btn-quiet">{label}</button>
                                                </ActionForm>
                                            </div>
                                        }
                                            .into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
