//! Downloads for auditors: the JSONL export of the evidence trail (streamed page by page, so
//! any size takes constant memory) and the public key that verifies its checkpoints.

use app::server::context::CurrentUser;
use app::server::state::AppState;
use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
use governance::export::{ExportFilter, manifest_line, record_line};
use governance::principal::AsAuditor;
use governance::service::audit::ExportPlan;
use serde::Deserialize;

/// Records fetched per page while streaming.
const PAGE: u64 = 1000;

/// The audit page's filter: `?text=&agent=&capability=&actor=&kind=&outcome=&since=&until=`
/// (all optional; days as `YYYY-MM-DD`, `until` exclusive).
#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    pub text: Option<String>,
    pub agent: Option<String>,
    pub capability: Option<String>,
    pub actor: Option<String>,
    pub kind: Option<String>,
    pub outcome: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
}

fn some(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A refused download: the status and a plain-text reason naming the field.
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, self.1).into_response()
    }
}

fn day(field: &str, v: Option<&str>) -> Result<Option<DateTime<Utc>>, Refusal> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(|d| Some(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()))
            .map_err(|_| {
                Refusal(StatusCode::UNPROCESSABLE_ENTITY, format!("{field}: '{t}' is not a date like 2026-11-26"))
            }),
    }
}

impl ExportQuery {
    fn filter(&self) -> Result<ExportFilter, Refusal> {
        let kind = self.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()).map(str::to_owned);
        if let Some(k) = &kind
            && (k.len() > 64 || !k.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'))
        {
            return Err(Refusal(StatusCode::UNPROCESSABLE_ENTITY, format!("kind: '{k}' is not a record kind")));
        }
        let agent_id =
            match some(&self.agent) {
                None => None,
                Some(a) => Some(a.parse::<i64>().map_err(|_| {
                    Refusal(StatusCode::UNPROCESSABLE_ENTITY, format!("agent: '{a}' is not an agent id"))
                })?),
            };
        if some(&self.text).is_some_and(|t| t.chars().count() > 200) {
            return Err(Refusal(StatusCode::UNPROCESSABLE_ENTITY, "text: search for at most 200 characters".into()));
        }
        Ok(ExportFilter {
            text: some(&self.text),
            agent_id,
            capability: some(&self.capability),
            actor: some(&self.actor),
            outcome: some(&self.outcome),
            kind,
            since: day("since", self.since.as_deref())?,
            until: day("until", self.until.as_deref())?,
        })
    }
}

fn auditor(user: &CurrentUser) -> Result<AsAuditor, Refusal> {
    match &user.0 {
        None => Err(Refusal(StatusCode::UNAUTHORIZED, "please sign in".into())),
        Some(p) => p.as_auditor().map_err(|e| Refusal(StatusCode::FORBIDDEN, e.to_string())),
    }
}

fn unavailable(e: governance::GovError) -> Response {
    tracing::error!(error = %e, "export failed");
    (StatusCode::SERVICE_UNAVAILABLE, "Tenure could not export just now; try again").into_response()
}

/// `GET /audit/export.jsonl`: the manifest line, then every matching record up to the head
/// signed when the export started.
pub async fn export_jsonl(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let who = match auditor(&user) {
        Ok(t) => t,
        Err(r) => return r.into_response(),
    };
    let filter = match q.filter() {
        Ok(f) => f,
        Err(r) => return r.into_response(),
    };
    let plan = match state.audit.start_export(&who, filter).await {
        Ok(p) => p,
        Err(e) => return unavailable(e),
    };
    let name = format!("tenure-evidence-{}.jsonl", plan.manifest.exported_at.format("%Y%m%dT%H%M%SZ"));
    let first = Bytes::from(manifest_line(&plan.manifest) + "\n");
    let pages = futures_util::stream::unfold(Some((state, plan, 0_i64)), |cursor| async move {
        let (state, plan, after): (AppState, ExportPlan, i64) = cursor?;
        match state.audit.export_page(&plan, after, PAGE).await {
            Ok(rows) if rows.is_empty() => None,
            Ok(rows) => {
                let last = rows.last().map_or(after, |r| r.seq);
                let mut chunk = String::with_capacity(rows.len() * 512);
                for r in &rows {
                    chunk.push_str(&record_line(r));
                    chunk.push('\n');
                }
                Some((Ok::<Bytes, std::io::Error>(Bytes::from(chunk)), Some((state, plan, last))))
            }
            Err(e) => {
                // The client sees a cut-short file, which verification reports as such.
                tracing::error!(error = %e, "export stopped");
                Some((Err(std::io::Error::other("export stopped")), None))
            }
        }
    });
    let body = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(first) }).chain(pages);
    (
        [
            (header::CONTENT_TYPE, "application/x-ndjson".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// `GET /audit/public-key`: the hex public key that verifies checkpoints.
pub async fn public_key(State(state): State<AppState>, Extension(user): Extension<CurrentUser>) -> Response {
    if let Err(r) = auditor(&user) {
        return r.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"tenure-checkpoint-{}.pub\"", state.audit.key_id()),
            ),
        ],
        format!("{}\n", state.audit.public_key_hex()),
    )
        .into_response()
}
