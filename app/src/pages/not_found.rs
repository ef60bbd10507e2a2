//! The page for an address that does not exist.

use crate::components::form::set_status;
use leptos::prelude::*;
use leptos_meta::Title;

/// 404: nothing here.
#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Not found" />
        <main class="page">
            <section class="panel narrow">
                <h1>"Nothing here"</h1>
                <p>"There is no page at this address."</p>
                <p><a href="/">"Go to the dashboard"</a></p>
            </section>
        </main>
    }
}
