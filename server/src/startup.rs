//! Building Tenure: connect and migrate, create the first admin, assemble the router, serve
//! on a given listener until a shutdown signal — so tests can bind port 0 and stop cleanly.

use crate::background;
use crate::routes::{assets, health};
use crate::security::authn::load_principal;
use crate::security::client_addr::{ClientIpHeader, client_addr};
use crate::security::csrf::{TrustedOrigins, require_same_origin};
use crate::session_store::DbSessionStore;
use crate::settings::Settings;
use app::server::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::http::{HeaderName, Request};
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use governance::service::accounts::ThrottlePolicy;
use governance::{OpenError, Services, Setup};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use std::future::Future;
use std::sync::{Arc, OnceLock};
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "tenure_session";

/// Connects to the database, applies migrations and creates the first admin if there are no
/// users. Returns the state and, on first start only, the admin's one-time password.
pub async fn prepare(settings: &Settings) -> Result<(AppState, Option<String>), String> {
    let url = settings.database_url();
    let throttle = ThrottlePolicy {
        max_failures: settings.login_max_failures,
        window: chrono::Duration::minutes(settings.login_window_minutes),
    };
    let setup = Setup {
        throttle,
        signer: settings.checkpoint_signer()?,
        exports_dir: settings.data_dir.join("exports"),
        claim_idle: chrono::Duration::minutes(settings.claim_idle_minutes),
    };
    let (services, schema) = Services::open(&url, setup).await.map_err(|e| match e {
        OpenError::Connect(e) => format!("cannot open the database {}: {e}", crate::settings::redact_url(&url)),
        e @ OpenError::Migrate(_) => e.to_string(),
    })?;
    let (applied, new) = (schema.applied, schema.new);
    tracing::info!(applied, new, "database schema up to date ({applied} migrations, {new} applied now)");
    // Compute the dummy hash now, so the first unknown-user sign-in is not slower than others.
    let _ = tokio::task::spawn_blocking(governance::password::dummy_hash).await;
    let first_admin =
        services.accounts.ensure_first_admin().await.map_err(|e| format!("cannot create the first admin: {e}"))?;
    let leptos_options = LeptosOptions::builder()
        .output_name("tenure")
        .site_root(settings.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .build();
    services.templates.ensure_builtins().await.map_err(|e| format!("cannot install the built-in templates: {e}"))?;
    Ok((AppState { leptos_options, services }, first_admin))
}

/// The console's routes, listed once per process. Listing them runs the app with resource
/// loading switched off for the whole process (a global flag in `leptos_server`): a page
/// rendered by another server in the same process at that moment — tests start one server
/// each — would wait forever on a resource that never loads.
fn console_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole HTTP surface: probes, assets, console pages and server functions.
pub fn router(state: AppState, settings: &Settings) -> Router {
    let hydrate = settings.site_root.join("pkg").join("tenure.js").exists();
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let render = {
        let options = state.leptos_options.clone();
        move || shell(options.clone(), hydrate)
    };
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.sessions.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.cookie_secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(settings.session_idle_minutes)))
        .with_always_save(true);
    let console = Router::new()
        .leptos_routes_with_context(&state, console_routes(), context.clone(), render)
        .route("/audit/export.jsonl", get(crate::routes::audit::export_jsonl))
        .route("/audit/export.csv", get(crate::routes::audit::export_csv))
        .route("/audit/public-key", get(crate::routes::audit::public_key))
        .route("/audit/exports/{id}/file", get(crate::routes::audit::export_file))
        .route("/audit/exports/{id}/manifest.json", get(crate::routes::audit::export_manifest))
        .fallback(file_and_error_handler_with_context::<AppState, _>(context, move |o| shell(o, hydrate)))
        .layer(from_fn_with_state(state.clone(), load_principal))
        .layer(axum::middleware::from_fn(crate::routes::form_status::status_from_error))
        .layer(sessions);
    let trusted =
        TrustedOrigins(Arc::new(Some(settings.public_origin.clone()).filter(|o| !o.is_empty()).into_iter().collect()));
    let request_id = HeaderName::from_static("x-request-id");
    // /metrics on the public listener only behind its token (else it is the console's 404).
    let metrics = match settings.metrics_token.as_str() {
        "" => Router::new().route("/metrics", get(crate::routes::metrics::not_here)),
        token => crate::routes::metrics::router(state.services.clone(), Some(token)),
    };
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/style/main.css", get(assets::main_css))
        .merge(crate::api::router(crate::api::wait::LongPollMax(settings.long_poll_max_seconds)))
        .merge(console)
        .with_state(state)
        .merge(metrics)
        .layer(axum::middleware::from_fn(crate::security::nul_guard::refuse_nul))
        .layer(from_fn_with_state(ClientIpHeader::new(&settings.client_ip_header), client_addr))
        .layer(from_fn_with_state(trusted, require_same_origin))
        .layer(
            tower::ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(request_id)),
        )
}

/// Serves on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn launch_with_listener(
    state: AppState,
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    if !(settings.metrics_token.is_empty() && settings.metrics_bind.is_empty()) {
        // Counting starts now, not at the first scrape.
        crate::routes::metrics::recorder();
    }
    let metrics = match settings.metrics_bind.as_str() {
        "" => None,
        at => Some(serve_metrics(at, &state, &settings, stop_rx.clone()).await?),
    };
    let window = chrono::Duration::minutes(settings.login_window_minutes);
    let loops = tokio::spawn(background::housekeeping(state.services.clone(), window, stop_rx.clone()));
    let deadlines = tokio::spawn(background::deadlines(state.lifecycle.clone(), stop_rx.clone()));
    let every = (settings.checkpoint_every_records, settings.checkpoint_every_minutes);
    let checkpoints = tokio::spawn(background::checkpoints(state.audit.clone(), every, stop_rx.clone()));
    let exports = tokio::spawn(background::exports(state.audit.clone(), settings.export_keep_hours, stop_rx.clone()));
    let sender = crate::deliveries::Sender::new(
        state.services.notifications.clone(),
        settings.console_url(),
        settings.webhook_retry(),
    )
    .map_err(std::io::Error::other)?;
    let deliveries = tokio::spawn(crate::deliveries::run(sender, stop_rx.clone()));
    let every = std::time::Duration::from_secs(settings.monitor_every_seconds);
    let monitor = tokio::spawn(background::monitor(state.services.monitor.clone(), every, stop_rx));
    let lifecycle = state.lifecycle.clone();
    let shutdown = async move {
        shutdown.await;
        // Long-polls answer now, or they would hold the graceful shutdown for their whole wait.
        lifecycle.close_waits();
    };
    let open_files = crate::serve::raise_open_file_limit();
    let limits = crate::serve::Limits::new(settings.max_connections, settings.header_timeout_seconds, open_files);
    tracing::info!(open_files, max_connections = limits.max_connections, "accepting connections");
    let served = crate::serve::serve(listener, router(state, &settings), limits, shutdown).await;
    let _ = stop_tx.send(true);
    let _ = loops.await;
    let _ = exports.await;
    let _ = deadlines.await;
    let _ = checkpoints.await;
    let _ = monitor.await;
    let _ = deliveries.await;
    if let Some(metrics) = metrics {
        let _ = metrics.await;
    }
    served
}

/// Serves `/metrics` alone on `at` until `stop` turns true; fails when `at` cannot be bound.
async fn serve_metrics(
    at: &str,
    state: &AppState,
    settings: &Settings,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let listener =
        TcpListener::bind(at).await.map_err(|e| std::io::Error::new(e.kind(), format!("metrics_bind {at}: {e}")))?;
    tracing::info!(address = %listener.local_addr()?, "serving /metrics");
    let token = Some(settings.metrics_token.as_str());
    let app = crate::routes::metrics::router(state.services.clone(), token);
    let limits = crate::serve::Limits::new(64, settings.header_timeout_seconds, 1024);
    Ok(tokio::spawn(async move {
        let stopped = async move {
            let _ = stop.wait_for(|s| *s).await;
        };
        if let Err(e) = crate::serve::serve(listener, app, limits, stopped).await {
            tracing::warn!(error = %e, "the /metrics listener stopped");
        }
    }))
}

/// Resolves on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
