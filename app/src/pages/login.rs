//! The sign-in page.

use crate::api::auth::Login;
use crate::components::form::{FieldError, FormError, action_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Sign in with user name and password.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = action_error(login);
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text="Sign in" />
        <main class="auth">
            <section class="auth-card">
                <div class="brand brand-large">
                    <span class="brand-mark">"T"</span>
                    "Tenure"
                </div>
                <p class="muted">"Control plane for AI agents in operations"</p>
                <h1>"Sign in"</h1>
                <FormError error />
                <ActionForm action=login>
                    <input type="hidden" name="next" value=next />
                    <label for="username">"User name"</label>
                    <input id="username" name="username" autocomplete="username" autofocus required />
                    <FieldError error field="username" />
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required />
                    <FieldError error field="password" />
                    <button type="submit" class="btn btn-primary btn-block">"Sign in"</button>
                </ActionForm>
            </section>
        </main>
    }
}
