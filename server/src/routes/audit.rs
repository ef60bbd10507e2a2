//! Downloads for auditors: the evidence trail as JSONL (verifiable: a signed manifest first)
//! and as CSV (for spreadsheets), streamed page by page so any size takes constant memory;
//! exports the page prepared in the background, with their manifests; and the public key that
//! verifies checkpoints.

use app::server::context::CurrentUser;
use app::server::state::AppState;
use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use governance::export::{CSV_HEADER, ExportFormat, FilterForm, file_name, manifest_line};
use governance::principal::AsAuditor;
use governance::service::audit::{Audit, ExportPlan};
use governance::service::exports::{ExportJob, ExportStatus};

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
async fn start(
    state: &AppState,
    user: &CurrentUser,
    q: &FilterForm,
    format: ExportFormat,
) -> Result<ExportPlan, Response> {
    let who = auditor(user).map_err(IntoResponse::into_response)?;
    let filter = q
        .parse()
        .map_err(|(field, m)| Refusal(StatusCode::UNPROCESSABLE_ENTITY, format!("{field}: {m}")).into_response())?;
    state.audit.start_export(&who, filter, format).await.map_err(unavailable)
}

/// `GET /audit/export.jsonl`: the manifest line, then every matching record up to the head
/// signed when the export started — for scripts; the page prepares exports in the background.
pub async fn export_jsonl(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<FilterForm>,
) -> Response {
    match start(&state, &user, &q, ExportFormat::Jsonl).await {
        Ok(plan) => {
            let first = Audit::first_line(ExportFormat::Jsonl, &manifest_line(&plan.manifest));
            stream(state, plan, first, ExportFormat::Jsonl)
        }
        Err(r) => r,
    }
}

/// `GET /audit/export.csv`: the same records as CSV, every field, for spreadsheets. Its
/// manifest is not in the file: exports prepared from the page offer it as a second download.
pub async fn export_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<FilterForm>,
) -> Response {
    match start(&state, &user, &q, ExportFormat::Csv).await {
        Ok(plan) => stream(state, plan, CSV_HEADER.to_owned(), ExportFormat::Csv),
        Err(r) => r,
    }
}

fn attachment(content_type: &str, name: &str) -> [(header::HeaderName, String); 2] {
    [
        (header::CONTENT_TYPE, content_type.to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
    ]
}

/// Streams `first`, then every record of the plan in `format`, a page at a time.
fn stream(state: AppState, plan: ExportPlan, first: String, format: ExportFormat) -> Response {
    let name = file_name(&plan.manifest, format);
    let pages = futures_util::stream::unfold(Some((state, plan, 0_i64)), move |cursor| async move {
        let (state, plan, after): (AppState, ExportPlan, i64) = cursor?;
        match state.audit.export_chunk(&plan, format, after).await {
            Ok(None) => None,
            Ok(Some(chunk)) => {
                let next = Some((state, plan, chunk.last_seq));
                Some((Ok::<Bytes, std::io::Error>(Bytes::from(chunk.text)), next))
            }
            Err(e) => {
                // The client sees a cut-short file, which verification reports as such.
                tracing::error!(error = %e, "export stopped");
                Some((Err(std::io::Error::other("export stopped")), None))
            }
        }
    });
    let body = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(Bytes::from(first)) }).chain(pages);
    (attachment(format.content_type(), &name), Body::from_stream(body)).into_response()
}

/// The prepared export `id`, for an auditor.
async fn job(state: &AppState, user: &CurrentUser, id: i64) -> Result<ExportJob, Response> {
    let who = auditor(user).map_err(IntoResponse::into_response)?;
    state.audit.export_job(&who, id).await.map_err(|e| match e {
        governance::GovError::NotFound(what) => {
            Refusal(StatusCode::NOT_FOUND, format!("{what} not found")).into_response()
        }
        other => unavailable(other),
    })
}

/// `GET /audit/exports/{id}/file`: a ready export — the file this server prepared, with its
/// size, or (when another instance prepared it or it has been tidied away) the same bytes
/// streamed again from the database.
pub async fn export_file(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Response {
    let job = match job(&state, &user, id).await {
        Ok(j) => j,
        Err(r) => return r,
    };
    match job.status {
        ExportStatus::Ready => {}
        ExportStatus::Preparing => {
            let msg = format!("export {id} is still being prepared: {} of {} records", job.written, job.total);
            return Refusal(StatusCode::CONFLICT, msg).into_response();
        }
        ExportStatus::Failed => {
            let msg = format!("export {id} failed: {}", job.error.unwrap_or_default());
            return Refusal(StatusCode::CONFLICT, msg).into_response();
        }
    }
    if let Some(path) = state.audit.export_file(&job)
        && let Ok(file) = tokio::fs::File::open(&path).await
    {
        let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
        let headers = attachment(job.format.content_type(), &job.file_name());
        return (headers, [(header::CONTENT_LENGTH, job.bytes.to_string())], body).into_response();
    }
    let first = Audit::first_line(job.format, &job.manifest_text);
    stream(state, job.plan(), first, job.format)
}

/// `GET /audit/exports/{id}/manifest.json`: the export's manifest — the first line of a JSONL
/// export, and the file a CSV export is verified against.
pub async fn export_manifest(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Response {
    match job(&state, &user, id).await {
        Ok(job) => {
            let name = job.file_name().replace(&format!(".{}", job.format.ext()), ".manifest.json");
            (attachment("application/json", &name), format!("{}\n", job.manifest_text)).into_response()
        }
        Err(r) => r,
    }
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
