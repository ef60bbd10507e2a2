//! Hydration entry point: only built for wasm32 by users who have that target.
//! Tenure is fully usable from the server-rendered HTML without it.

/// Attaches the Leptos runtime to the server-rendered page.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
