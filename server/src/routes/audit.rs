//! Downloads for auditors: the evidence trail as JSONL (verifiable: a signed manifest first)
//! and as CSV (for spreadsheets), streamed page by page so any size takes constant memory, and
//! the public key that verifies checkpoints.

use app::server::context::CurrentUser;
use app::server::state::AppState;
use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use governance::export::{FilterForm, manifest_line, record_line};
use governance::principal::AsAuditor;
use governance::service::audit::ExportPlan;

/// Records fetched per page while streaming.
const PAGE: u64 = 1000;

/// A refused download: the status and a plain-text reason naming the field.
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, self.1).into_response()
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

/// Checks the caller and the filter, records the export and signs the head it ends at.
async fn start(state: &AppState, user: &CurrentUser, q: &FilterForm) -> Result<ExportPlan, Response> {
    let who = auditor(user).map_err(IntoResponse::into_response)?;
    let filter = q
        .parse()
        .map_err(|(field, m)| Refusal(StatusCode::UNPROCESSABLE_ENTITY, format!("{field}: {m}")).into_response())?;
    state.audit.start_export(&who, filter).await.map_err(unavailable)
}

/// `GET /audit/export.jsonl`: the manifest line, then every matching record up to the head
/// signed when the export started.
pub async fn export_jsonl(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<FilterForm>,
) -> Response {
    let plan = match start(&state, &user, &q).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let first = Bytes::from(manifest_line(&plan.manifest) + "\n");
    stream(state, plan, first, jsonl_line, "application/x-ndjson", "jsonl")
}

fn jsonl_line(r: &governance::evidence::Record) -> String {
    record_line(r) + "\n"
}

/// The CSV columns: every field of a record, in the canonical order.
const CSV_HEADER: &str =
    "seq,recorded_at,actor_kind,actor_id,actor_name,kind,subject_kind,subject_id,summary,details,prev_hash,hash\n";

/// One CSV cell: quoted when needed (RFC 4180), and text a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@` first) prefixed with `'` — agent-written text must never execute.
fn cell(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{v}") } else { v.to_owned() };
    if v.contains([',', '"', '\n', '\r']) { format!("\"{}\"", v.replace('"', "\"\"")) } else { v }
}

/// One record as a CSV line.
fn csv_line(r: &governance::evidence::Record) -> String {
    let fields = [
        r.seq.to_string(),
        governance::evidence::format_time(&r.recorded_at),
        r.actor_kind.clone(),
        r.actor_id.map(|i| i.to_string()).unwrap_or_default(),
        r.actor_name.clone(),
        r.kind.clone(),
        r.subject_kind.clone(),
        r.subject_id.clone(),
        r.summary.clone(),
        r.details.clone(),
        r.prev_hash.clone(),
        r.hash.clone(),
    ];
    let mut line = fields.iter().map(|f| cell(f)).collect::<Vec<_>>().join(",");
    line.push('\n');
    line
}

/// `GET /audit/export.csv`: the same records as the JSONL export, every field, for
/// spreadsheets. It is recorded like any export; the verifiable form, with the signed manifest
/// first, is the JSONL.
pub async fn export_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<FilterForm>,
) -> Response {
    let plan = match start(&state, &user, &q).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    stream(state, plan, Bytes::from_static(CSV_HEADER.as_bytes()), csv_line, "text/csv; charset=utf-8", "csv")
}

/// Streams `first`, then every record of the plan as `line`, a page at a time, as a download
/// named after the export's time with the extension `ext`.
fn stream(
    state: AppState,
    plan: ExportPlan,
    first: Bytes,
    line: fn(&governance::evidence::Record) -> String,
    content_type: &str,
    ext: &str,
) -> Response {
    let name = format!("tenure-evidence-{}.{ext}", plan.manifest.exported_at.format("%Y%m%dT%H%M%SZ"));
    let pages = futures_util::stream::unfold(Some((state, plan, 0_i64)), move |cursor| async move {
        let (state, plan, after): (AppState, ExportPlan, i64) = cursor?;
        match state.audit.export_page(&plan, after, PAGE).await {
            Ok(rows) if rows.is_empty() => None,
            Ok(rows) => {
                let last = rows.last().map_or(after, |r| r.seq);
                let chunk: String = rows.iter().map(line).collect();
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
            (header::CONTENT_TYPE, content_type.to_owned()),
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

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_and_never_formulas() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-5"), "'-5");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
    }
}
