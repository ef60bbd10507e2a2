//! Changing one's own password (required after first sign-in or a reset).

use crate::api::auth::{ChangePassword, whoami};
use crate::components::form::{FieldError, FormError, action_error};
use leptos::prelude::*;
use leptos_meta::Title;

/// The change-password form.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = action_error(change);
    let me = Resource::new(|| (), |_| whoami());
    view! {
        <Title text="Change password" />
        <section class="panel narrow">
            <h1>"Change your password"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let must = matches!(me.await, Ok(Some(m)) if m.must_change_password);
                    must.then(|| view! {
                        <div class="alert alert-warn" role="status">
                            "You are signed in with a temporary password. Choose your own to continue."
                        </div>
                    })
                })}
            </Suspense>
            <FormError error />
            <ActionForm action=change>
                <label for="current_password">"Current password"</label>
                <input id="current_password" name="current_password" type="password" autocomplete="current-password" required />
                <FieldError error field="current_password" />
                <label for="new_password">"New password"</label>
                <input id="new_password" name="new_password" type="password" autocomplete="new-password" required minlength="12" />
                <p class="hint">"At least 12 characters; not your user name."</p>
                <FieldError error field="new_password" />
                <label for="confirm_password">"Repeat the new password"</label>
                <input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" required />
                <FieldError error field="confirm_password" />
                <button type="submit" class="btn btn-primary">"Change password"</button>
            </ActionForm>
        </section>
    }
}
