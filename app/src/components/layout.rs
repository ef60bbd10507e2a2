//! The console frame: header with the signed-in user and their roles, navigation to the
//! sections their roles allow, and the page — or a 403 when the role may not see it.

use crate::api::auth::{Logout, take_notice, whoami};
use crate::model::Me;
use crate::sections::Section;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Wraps a page; `section` is the section it belongs to (none: any signed-in user).
#[component]
pub fn Layout(#[prop(optional)] section: Option<Section>, children: ChildrenFn) -> impl IntoView {
    let me = Resource::new(|| (), |_| whoami());
    let notice = Resource::new(|| (), |_| take_notice());
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => {
                        let allowed = section.is_none_or(|s| s.allows(&me.roles));
                        let body = if allowed {
                            children.with_value(|c| c()).into_any()
                        } else {
                            super::form::set_status(403);
                            view! { <Forbidden /> }.into_any()
                        };
                        let notice = notice.await.ok().flatten().map(|n| {
                            let class = if n.ok { "alert alert-ok" } else { "alert alert-warn" };
                            view! { <div class=class role="status" data-testid="notice">{n.text}</div> }
                        });
                        view! {
                            <Header me=me.clone() />
                            <main class="page">{notice}{body}</main>
                        }
                            .into_any()
                    }
                    _ => view! {
                        <main class="page">
                            <p>"Your session has ended. " <a href="/login">"Sign in again"</a></p>
                        </main>
                    }
                        .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Header(me: Me) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let path = use_location().pathname;
    let sections: Vec<Section> = if me.must_change_password {
        Vec::new()
    } else {
        Section::ALL.into_iter().filter(|s| s.allows(&me.roles)).collect()
    };
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark">"T"</span>
                "Tenure"
            </a>
            <nav class="nav" aria-label="Sections">
                {sections
                    .into_iter()
                    .map(|s| {
                        let current = move || {
                            let p = path.get();
                            if s.href() == "/" { p == "/" } else { p.starts_with(s.href()) }
                        };
                        let (count, testid) = match s {
                            Section::Inbox => (me.inbox_waiting, "inbox-count"),
                            Section::Reviews => (me.reviews_overdue, "reviews-overdue"),
                            Section::Alerts => (me.alerts_open, "alerts-open"),
                            _ => (None, ""),
                        };
                        let count = count.filter(|n| *n > 0);
                        let title = match s {
                            Section::Reviews => Some("trust reviews overdue"),
                            Section::Alerts => Some("alerts nobody has acknowledged"),
                            _ => None,
                        };
                        view! {
                            <a href=s.href() class:active=current aria-current=move || current().then_some("page")>
                                {s.label()}
                                {count.map(|n| view! { " "<span class="nav-count" data-testid=testid title=title>{n}</span> })}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <div class="who">
                <span class="who-name" data-testid="signed-in-user">{me.username.clone()}</span>
                {me
                    .roles
                    .iter()
                    .map(|r| view! { <span class="badge role">{r.clone()}</span> })
                    .collect_view()}
                <a class="who-link" href="/account/password">"Password"</a>
                <ActionForm action=logout>
                    <button type="submit" class="btn btn-quiet">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
    }
}

/// Shown, with status 403, when the role may not see a page.
#[component]
pub fn Forbidden() -> impl IntoView {
    view! {
        <section class="panel narrow">
            <h1>"Not available to your role"</h1>
            <p>"Your roles do not include access to this page. Ask an admin if you need it."</p>
            <p><a href="/">"Back to the dashboard"</a></p>
        </section>
    }
}

/// Shown, with the error's status, when a page's subject cannot be loaded (not found, gone).
#[component]
pub fn Unavailable(
    error: crate::error::AppError,
    what: &'static str,
    back_href: &'static str,
    back_label: &'static str,
) -> impl IntoView {
    super::form::set_status(error.status());
    view! {
        <leptos_meta::Title text=what />
        <section class="panel narrow">
            <h1>{format!("{what} not available")}</h1>
            <p>{error.to_string()}</p>
            <p><a href=back_href>{back_label}</a></p>
        </section>
    }
}
