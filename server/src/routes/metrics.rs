//! `GET /metrics` in the Prometheus text format, through the `metrics` crates: the engine's
//! counters and histograms (decisions by capability and outcome, decision latency, group-commit
//! batch sizes) from the process-wide recorder, and the gauges read from the database at each
//! scrape (inbox depth and the age of its oldest item, open alerts, the pool's connections).
//!
//! Served on the main listener only with `metrics_token` set (as a bearer token), and on the
//! `metrics_bind` listener (behind the token too when one is set). docs/metrics.md lists every
//! series with example PromQL.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use governance::Services;
use governance::service::gauges::Gauges;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};
use subtle::ConstantTimeEq;

/// The exposition format's content type.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Bucket bounds of the decision latency histogram, in seconds.
const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];
/// Bucket bounds of the batch size histogram.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// Who may read `/metrics` on one listener.
#[derive(Clone)]
struct Access {
    services: Services,
    /// The bearer token it takes; `None`: anyone who reaches the listener.
    token: Option<Arc<str>>,
}

/// The `/metrics` route for a listener, behind `token` when one is given.
pub fn router(services: Services, token: Option<&str>) -> Router {
    let access = Access { services, token: token.filter(|t| !t.is_empty()).map(Arc::from) };
    Router::new().route("/metrics", get(scrape)).with_state(access)
}

/// `/metrics` on a listener that does not serve it (the console would answer with a page).
pub async fn not_here() -> (StatusCode, &'static str) {
    (StatusCode::NOT_FOUND, "metrics are not served here: set metrics_token or metrics_bind\n")
}

/// The process-wide recorder, installed on first use; the engine's counters and histograms are
/// kept from then on. Several servers in one process (the tests) share it.
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| match with_buckets().and_then(PrometheusBuilder::install_recorder) {
        Ok(handle) => {
            governance::telemetry::describe();
            handle
        }
        Err(e) => {
            // Another recorder was installed first: /metrics still answers, with the gauges.
            tracing::warn!(error = %e, "metrics: the process already has a recorder; decision counts are not kept");
            PrometheusBuilder::new().build_recorder().handle()
        }
    })
}

/// The builder with the histograms' buckets (rendered as Prometheus histograms, not summaries).
fn with_buckets() -> Result<PrometheusBuilder, BuildError> {
    use governance::telemetry::{BATCH_SIZE, DECISION_SECONDS};
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(DECISION_SECONDS.to_owned()), LATENCY_BUCKETS)?
        .set_buckets_for_metric(Matcher::Full(BATCH_SIZE.to_owned()), BATCH_BUCKETS)
}

async fn scrape(State(access): State<Access>, headers: HeaderMap) -> Response {
    if let Some(token) = &access.token
        && !bearer_matches(&headers, token)
    {
        let mut refused = (StatusCode::UNAUTHORIZED, "metrics: a valid bearer token is required\n").into_response();
        refused.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"metrics\""));
        return refused;
    }
    let gauges = match access.services.gauges().await {
        Ok(g) => g,
        Err(e) => {
            tracing::warn!(error = %e, "metrics: cannot read the gauges");
            return (StatusCode::SERVICE_UNAVAILABLE, "metrics: the database did not answer\n").into_response();
        }
    };
    let handle = recorder();
    handle.run_upkeep();
    let mut text = handle.render();
    text.push_str(&render_gauges(&gauges, chrono::Utc::now()));
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response()
}

/// Whether the request carries `Authorization: Bearer <token>` (compared in constant time).
fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    let given =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    given.is_some_and(|g| g.trim().as_bytes().ct_eq(token.as_bytes()).into())
}

/// The scrape's gauges in the exposition format, through a recorder of their own: they describe
/// this server's database, not the process, so several servers in one process do not mix them.
fn render_gauges(g: &Gauges, now: chrono::DateTime<chrono::Utc>) -> String {
    let recorder = PrometheusBuilder::new().build_recorder();
    metrics::with_local_recorder(&recorder, || {
        metrics::describe_gauge!("tenure_inbox_waiting", "Actions waiting for a person, by inbox section");
        metrics::describe_gauge!(
            "tenure_inbox_oldest_age_seconds",
            metrics::Unit::Seconds,
            "Age of the oldest waiting action per inbox section (0 when none waits)"
        );
        metrics::describe_gauge!("tenure_alerts_open", "Alerts nobody has acknowledged yet");
        metrics::describe_gauge!("tenure_db_pool_connections", "This instance's database connections, by state");
        metrics::describe_gauge!("tenure_db_pool_max_connections", "The most connections the pool opens");
        for s in &g.inbox {
            let section = s.view.as_str();
            metrics::gauge!("tenure_inbox_waiting", "section" => section).set(s.waiting as f64);
            let age = s.oldest.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0);
            metrics::gauge!("tenure_inbox_oldest_age_seconds", "section" => section).set(age);
        }
        metrics::gauge!("tenure_alerts_open").set(g.open_alerts as f64);
        metrics::gauge!("tenure_db_pool_connections", "state" => "busy").set(f64::from(g.pool.busy()));
        metrics::gauge!("tenure_db_pool_connections", "state" => "idle").set(f64::from(g.pool.idle));
        metrics::gauge!("tenure_db_pool_max_connections").set(f64::from(g.pool.max));
    });
    recorder.handle().render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use governance::service::gauges::PoolUse;
    use governance::service::inbox::{SectionDepth, View};

    #[test]
    fn gauges_are_rendered_per_section_with_the_oldest_age() {
        let now = chrono::Utc::now();
        let g = Gauges {
            inbox: vec![
                SectionDepth { view: View::Approval, waiting: 3, oldest: Some(now - chrono::Duration::seconds(90)) },
                SectionDepth { view: View::Shadow, waiting: 0, oldest: None },
            ],
            open_alerts: 2,
            pool: PoolUse { open: 5, idle: 3, max: 16 },
        };
        let text = render_gauges(&g, now);
        for line in [
            "tenure_inbox_waiting{section=\"approval\"} 3",
            "tenure_inbox_oldest_age_seconds{section=\"approval\"} 90",
            "tenure_inbox_waiting{section=\"shadow\"} 0",
            "tenure_inbox_oldest_age_seconds{section=\"shadow\"} 0",
            "tenure_alerts_open 2",
            "tenure_db_pool_connections{state=\"busy\"} 2",
            "tenure_db_pool_connections{state=\"idle\"} 3",
            "tenure_db_pool_max_connections 16",
            "# HELP tenure_alerts_open Alerts nobody has acknowledged yet",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in:\n{text}");
        }
    }

    #[test]
    fn only_the_exact_bearer_token_opens_it() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
            h
        };
        let token = "scrape-token-0123456789";
        assert!(bearer_matches(&with("Bearer scrape-token-0123456789"), token));
        assert!(!bearer_matches(&with("Bearer scrape-token-012345678"), token));
        assert!(!bearer_matches(&with("Bearer scrape-token-0123456789x"), token));
        assert!(!bearer_matches(&with("Basic scrape-token-0123456789"), token));
        assert!(!bearer_matches(&HeaderMap::new(), token));
    }
}
