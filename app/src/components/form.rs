//! Showing a server function's error next to the field it names, or above the form.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The error of the last submission of `action` (after a plain form post, read from the URL).
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || action.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned())))
}

/// The error message for `field`, shown under its input.
#[component]
pub fn FieldError(error: Signal<Option<AppError>>, #[prop(into)] field: String) -> impl IntoView {
    move || {
        error.get().filter(|e| e.field() == Some(field.as_str())).map(|e| {
            view! { <p class="field-error" role="alert" data-field=field.clone()>{e.to_string()}</p> }
        })
    }
}

/// An error that belongs to no one field, shown above the form.
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().filter(|e| e.field().is_none()).map(|e| {
            view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
        })
    }
}

/// An error that would otherwise show nowhere: one for no field, or one scoped (`<scope>/field`)
/// to a form that is not on the page any more — an inbox item decided by someone else since the
/// page was loaded, or a forged form. Shown above the list, with what the scope named.
#[component]
pub fn UnplacedError(error: Signal<Option<AppError>>, shown: Vec<String>) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| match e.field().and_then(|f| f.split_once('/')) {
                Some((scope, _)) => !shown.iter().any(|s| s == scope),
                None => e.field().is_none(),
            })
            .map(|e| {
                let scope = e.field().and_then(|f| f.split_once('/')).map(|(s, _)| s.to_owned());
                let text = match scope {
                    Some(s) if s.chars().all(|c| c.is_ascii_digit()) => format!("Action #{s}: {e}"),
                    _ => e.to_string(),
                };
                view! { <div class="alert alert-error" role="alert">{text}</div> }
            })
    }
}

/// Text for a `<textarea>`'s content. Leptos writes a text area's children unescaped when it
/// renders on the server (they are raw text to the browser), so a value holding
/// `</textarea>` would end the element and the rest would be read as HTML — an agent's params
/// in the shadow form, say. On the server `&`, `<` and `>` are written as entities, which the
/// browser decodes back into exactly the text given; in the browser the text is set as is.
pub fn area_text(text: impl Into<String>) -> String {
    let text = text.into();
    #[cfg(feature = "ssr")]
    let text = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    text
}

/// Sets the HTTP status of the page being rendered (a no-op in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(opts), Ok(status)) = (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(code))
    {
        opts.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}
