//! Tenure's console: pages, components and thin server functions.
//!
//! Every page renders on the server and every form is a plain HTML POST to a server function
//! (`ActionForm`), which redirects back; errors come back through the URL. Hydration is an
//! optional enhancement (see the `frontend` crate).
#![forbid(unsafe_code)]

pub mod api;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;
pub mod sections;
#[cfg(feature = "ssr")]
pub mod server;

use components::layout::Layout;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};
use sections::Section;

/// The HTML document around the app. Hydration scripts are only included when the wasm
/// bundle was built (`hydrate`), so a server without it makes no requests that would fail.
pub fn shell(options: LeptosOptions, hydrate: bool) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                {hydrate.then(|| view! { <HydrationScripts options=options.clone() /> })}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The console: routes, each rendered completely on the server before it is sent.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="main" href="/style/main.css" />
        <Title formatter=|page: String| if page.is_empty() { "Tenure".to_owned() } else { format!("{page} · Tenure") } />
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <Route path=path!("/login") view=pages::login::LoginPage ssr=SsrMode::Async />
                <Route
                    path=path!("/")
                    view=|| view! { <Layout><pages::dashboard::DashboardPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/agents")
                    view=|| view! { <Layout section=Section::Agents><pages::agents::AgentsPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/agents/:id")
                    view=|| view! { <Layout section=Section::Agents><pages::agent_detail::AgentDetailPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/groups")
                    view=|| view! { <Layout section=Section::Agents><pages::groups::GroupsPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/monitoring")
                    view=|| view! { <Layout section=Section::Agents><pages::monitoring::MonitoringPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/alerts")
                    view=|| view! { <Layout section=Section::Alerts><pages::alerts::AlertsPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/alerts/:id")
                    view=|| view! { <Layout section=Section::Alerts><pages::alerts::AlertPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/reviews")
                    view=|| view! { <Layout section=Section::Reviews><pages::reviews::ReviewsPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/reviews/:grant")
                    view=|| view! { <Layout section=Section::Reviews><pages::reviews::ReviewPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/capabilities")
                    view=|| view! { <Layout section=Section::Capabilities><pages::capabilities::CapabilitiesPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/templates")
                    view=|| view! { <Layout section=Section::Templates><pages::templates::TemplatesPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/templates/:id")
                    view=|| view! { <Layout section=Section::Templates><pages::template_detail::TemplateDetailPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/inbox")
                    view=|| view! { <Layout section=Section::Inbox><pages::inbox::InboxPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/actions/:id")
                    view=|| view! { <Layout><pages::action_detail::ActionDetailPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/corrections")
                    view=|| view! { <Layout section=Section::Corrections><pages::corrections::CorrectionsPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/audit")
                    view=|| view! { <Layout section=Section::Audit><pages::audit::AuditPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/audit/exports/:id")
                    view=|| view! { <Layout section=Section::Audit><pages::audit_export::AuditExportPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/audit/records/:seq")
                    view=|| view! { <Layout section=Section::Audit><pages::audit_record::AuditRecordPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/notifications")
                    view=|| view! { <Layout section=Section::Notifications><pages::notifications::NotificationsPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/users")
                    view=|| view! { <Layout section=Section::Users><pages::users::UsersPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/users/throttles")
                    view=|| view! { <Layout section=Section::Users><pages::throttles::ThrottlesPage /></Layout> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/account/password")
                    view=|| view! { <Layout><pages::account::PasswordPage /></Layout> }
                    ssr=SsrMode::Async
                />
            </Routes>
        </Router>
    }
}
