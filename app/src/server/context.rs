//! Helpers every server function uses: the state, the signed-in principal, the session, and
//! turning engine errors into [`AppError`]s (logging what must not be shown).

use crate::error::AppError;
use crate::server::state::AppState;
use governance::{GovError, Principal};
use http::header::ACCEPT;
use http::request::Parts;
use leptos::prelude::*;
use tower_sessions::Session;

/// The session key holding the signed-in user's id.
pub const USER_ID_KEY: &str = "user_id";

/// The session key of the one-time message for the next page (see [`Flash`]).
pub const FLASH_KEY: &str = "flash";

/// Something to show on the next page only, such as a just-issued API key. The server's
/// authentication layer takes it out of the session when that page is requested and puts it
/// in the request's extensions, so every read while rendering that page sees the same value.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Flash {
    /// An agent's new API key, shown exactly once.
    NewKey { agent_id: i64, secret: String },
    /// A notification subscription's new signing secret, shown exactly once.
    NewSecret { subscription: String, secret: String },
    /// A one-time password an admin set for another user, shown to the admin exactly once.
    NewPassword { username: String, secret: String },
}

/// The flash taken for this request, if any.
#[derive(Clone, Debug, Default)]
pub struct CurrentFlash(pub Option<Flash>);

/// This request's flash (call before the first `.await`).
pub fn flash() -> Option<Flash> {
    use_context::<Parts>().and_then(|p| p.extensions.get::<CurrentFlash>().cloned()).and_then(|f| f.0)
}

/// The principal loaded for this request by the server's authentication layer.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Option<Principal>);

/// The shared state.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Unavailable
    })
}

/// The signed-in principal, or `Unauthenticated`.
pub fn principal() -> Result<Principal, AppError> {
    use_context::<Parts>()
        .and_then(|p| p.extensions.get::<CurrentUser>().cloned())
        .and_then(|c| c.0)
        .ok_or_else(|| fail(AppError::Unauthenticated))
}

/// The tower-sessions session of this request. Like every context read, call it before the
/// first `.await`: a server function run during page rendering loses its context after that.
pub fn session() -> Result<Session, AppError> {
    use_context::<Parts>().and_then(|p| p.extensions.get::<Session>().cloned()).ok_or_else(|| {
        tracing::error!("no session on this request: is the session layer installed?");
        AppError::Unavailable
    })
}

/// Where the session keeps the next page's [`Notice`](crate::model::Notice).
const NOTICE_KEY: &str = "notice";

/// Leaves a one-time notice for the next page this session shows.
pub async fn notice(ok: bool, text: impl Into<String>) {
    let Ok(s) = session() else { return };
    if let Err(e) = s.insert(NOTICE_KEY, crate::model::Notice { ok, text: text.into() }).await {
        tracing::warn!(error = %e, "could not keep a notice for the next page");
    }
}

/// The notice for a lifecycle outcome code (`approved.3.1`: three done, one skipped).
pub async fn done(code: &str) {
    if let Some((ok, text)) = crate::components::action::done_notice(Some(code.to_owned())) {
        notice(ok, text).await;
    }
}

/// Takes the notice left for this page, if any (it is shown once).
pub async fn take_notice() -> Option<crate::model::Notice> {
    let s = session().ok()?;
    s.remove::<crate::model::Notice>(NOTICE_KEY).await.ok().flatten()
}

/// Where the session keeps what was typed into the refused form `form`.
fn kept_key(form: &str) -> String {
    format!("kept:{form}")
}

/// Kept values, and the server function whose refusal kept them (its path, `/api/users/create`).
/// They are shown only on a page whose URL carries that function's error (`__path`), so a
/// reload of the error URL shows the values with their error, and the page without it shows
/// neither.
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    form: crate::model::KeptForm,
    path: String,
}

/// Keeps what was typed into `form` (never a password) for the page it comes back to.
pub async fn keep_form(form: &str, values: &[(&str, &str)]) {
    let Ok(s) = session() else { return };
    let path = use_context::<Parts>().map(|p| p.uri.path().to_owned()).unwrap_or_default();
    let form_values = crate::model::KeptForm(values.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect());
    if let Err(e) = s.insert(&kept_key(form), Kept { form: form_values, path }).await {
        tracing::warn!(error = %e, "could not keep a form's values");
    }
}

/// `result`, having kept what was typed into `form` when it is an error (one place for a
/// server function whose refusals come from several steps).
pub async fn kept_if_refused<T>(
    form: &str,
    values: &[(&str, &str)],
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    if result.is_err() {
        keep_form(form, values).await;
    }
    result
}

/// What was kept of `form`, when the page being rendered shows the error that kept it.
pub async fn take_kept_form(form: &str) -> crate::model::KeptForm {
    kept_forms().get(form).await
}

/// Reads kept forms for the page being rendered. Made before the first `.await` (it reads
/// the request), it can be asked after any number of them, for forms known only later.
pub fn kept_forms() -> KeptForms {
    KeptForms { session: session().ok(), error_of: error_path() }
}

/// See [`kept_forms`].
pub struct KeptForms {
    session: Option<Session>,
    error_of: Option<String>,
}

impl KeptForms {
    /// What was kept of `form`, if the page's URL carries the error that kept it.
    pub async fn get(&self, form: &str) -> crate::model::KeptForm {
        let (Some(s), Some(error_of)) = (&self.session, &self.error_of) else {
            return crate::model::KeptForm::default();
        };
        match s.get::<Kept>(&kept_key(form)).await {
            Ok(Some(kept)) if &kept.path == error_of => kept.form,
            _ => crate::model::KeptForm::default(),
        }
    }
}

/// The server function whose error the page's URL carries (`?__path=…&__err=…`), if any.
fn error_path() -> Option<String> {
    let parts = use_context::<Parts>()?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(parts.uri.query()?.as_bytes()).into_owned().collect();
    let has_error = pairs.iter().any(|(k, _)| k == "__err");
    pairs.into_iter().find(|(k, _)| k == "__path").map(|(_, v)| v).filter(|_| has_error)
}

/// The client's address as the server determined it (the TCP peer, or the configured proxy
/// header), put into each request's extensions by the server crate.
#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

/// The client address of the request being served ("unknown" when the server did not say).
pub async fn client_addr() -> String {
    leptos_axum::extract::<axum::Extension<ClientAddr>>().await.map_or_else(|_| "unknown".into(), |e| e.0.0)
}

/// Records `err` as the response status for API callers (a plain HTML form post is
/// redirected back to its page instead, with the error in the URL) and returns it.
pub fn fail(err: AppError) -> AppError {
    let wants_html = use_context::<Parts>()
        .and_then(|p| p.headers.get(ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false);
    if !wants_html
        && let (Some(opts), Ok(code)) =
            (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(err.status()))
    {
        opts.set_status(code);
    }
    err
}

/// The `x-request-id` of the request being served, for a message that points at its log lines.
fn request_id() -> String {
    use_context::<Parts>()
        .and_then(|p| p.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned))
        .unwrap_or_else(|| "-".into())
}

/// Maps an engine error to what the caller may see; database and internal errors are logged.
pub fn gov(err: GovError) -> AppError {
    let app = match err {
        GovError::Invalid { field, message } => AppError::Field { field: field.to_owned(), message },
        GovError::Conflict { field, message } => AppError::Conflict { field: field.to_owned(), message },
        GovError::NotFound(what) => AppError::NotFound(what),
        GovError::Forbidden(why) => AppError::Forbidden(why),
        GovError::BadCredentials => AppError::BadCredentials,
        GovError::Unauthenticated(_) => AppError::Unauthenticated,
        GovError::Throttled { retry_after_secs } => {
            AppError::Throttled { retry_after_secs, wait: governance::throttle::wait_in_words(retry_after_secs) }
        }
        GovError::Unavailable(e) => {
            tracing::warn!(error = %e, "database unavailable");
            AppError::Unavailable
        }
        GovError::Db(e) => {
            tracing::error!(error = %e, "database error");
            AppError::Internal { request_id: request_id() }
        }
        GovError::Internal(e) => {
            tracing::error!(error = %e, "internal error");
            AppError::Internal { request_id: request_id() }
        }
    };
    fail(app)
}
