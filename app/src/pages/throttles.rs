//! Sign-in throttles (admins): which accounts and addresses failed to sign in lately, which are
//! locked and for how long, and a button to unlock one.

use crate::api::users::{ClearThrottle, list_throttles};
use crate::components::form::{FormError, action_error};
use crate::model::ThrottleRow;
use leptos::prelude::*;
use leptos_meta::Title;

/// The throttles page.
#[component]
pub fn ThrottlesPage() -> impl IntoView {
    let clear = ServerAction::<ClearThrottle>::new();
    let rows = Resource::new(move || clear.version().get(), |_| list_throttles());
    let clear_error = action_error(clear);
    view! {
        <Title text="Sign-in throttles" />
        <p class="crumbs"><a href="/users">"Users"</a>" / Sign-in throttles"</p>
        <h1>"Sign-in throttles"</h1>
        <p class="muted">
            "Failed sign-ins count against the account on the address they came from, the account from "
            "anywhere (three times the limit) and the address for any account (ten times). A lock lasts "
            "30 seconds and doubles with each further failure; a successful sign-in clears the account's counters."
        </p>
        <FormError error=clear_error />
        <section class="panel">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(rows) if rows.is_empty() => {
                            view! { <p class="muted">"No failed sign-ins in the throttling window."</p> }.into_any()
                        }
                        Ok(rows) => view! { <ThrottleTable rows clear /> }.into_any(),
                        Err(e) => view! { <div class="alert alert-error">{e.to_string()}</div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ThrottleTable(rows: Vec<ThrottleRow>, clear: ServerAction<ClearThrottle>) -> impl IntoView {
    let count = rows.len();
    view! {
        <p class="muted small">{if count == 1 { "1 counter".to_owned() } else { format!("{count} counters") }}</p>
        <div class="table-scroll">
            <table class="table" id="throttles-table">
                <thead>
                    <tr><th>"Who"</th><th>"Counts"</th><th>"Failures"</th><th>"Last failure"</th><th>"State"</th><th></th></tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|t| {
                            let state = match &t.locked_for {
                                Some(wait) => view! { <span class="badge warn">{format!("locked for {wait}")}</span> }.into_any(),
                                None => view! { <span class="badge ok">"open"</span> }.into_any(),
                            };
                            let key = t.key.clone();
                            view! {
                                <tr data-throttle=key>
                                    <td><strong>{t.named.clone()}</strong></td>
                                    <td>{t.scope.clone()}</td>
                                    <td class="nowrap">{format!("{} of {}", t.failures, t.threshold)}</td>
                                    <td class="nowrap">{t.last_failed_at.clone()}</td>
                                    <td>{state}</td>
                                    <td>
                                        <ActionForm action=clear>
                                            <input type="hidden" name="key" value=t.key.clone() />
                                            <button type="submit" class="btn btn-small">"Clear"</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
