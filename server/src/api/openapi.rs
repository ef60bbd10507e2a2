//! The OpenAPI 3.1 description of `/v1`, served at `/v1/openapi.json`. It is derived: each
//! handler's `#[utoipa::path]` gives its route, parameters and answers, and the types it takes
//! and returns give the schemas (`utoipa::ToSchema`), so the document cannot name a route the
//! router does not serve or miss one it does. Its schemas are JSON Schema 2020-12, so tests
//! validate live responses against them. Only what depends on the running server is added here:
//! the longest long-poll, and the 500 and 503 every operation may answer.

use axum::{Extension, Json};
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi, OpenApiBuilder, Server};

/// The security scheme's name: the agent's API key as a bearer token.
const AGENT_KEY: &str = "agentKey";

/// What the document says before any operation is added.
pub fn base() -> OpenApi {
    let mut doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Tenure agent API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Agents ask before they act. Authenticate with the agent's API key: `Authorization: Bearer tnr_…`.",
                ))
                .build(),
        )
        .servers(Some([Server::new("/")]))
        .security(Some([SecurityRequirement::new(AGENT_KEY, Vec::<String>::new())]))
        .build();
    let mut bearer = Http::new(HttpAuthScheme::Bearer);
    bearer.description = Some("tnr_<prefix>_<secret>".into());
    doc.components.get_or_insert_with(Default::default).add_security_scheme(AGENT_KEY, SecurityScheme::Http(bearer));
    doc
}

/// The document as served, and the methods each path takes (for the 405's `Allow`).
#[derive(Debug)]
pub struct Document {
    json: Value,
}

impl Document {
    /// Completes the derived document with what depends on this server.
    pub fn new(api: OpenApi, long_poll_max: u64) -> Document {
        let mut json = serde_json::to_value(&api).expect("an OpenAPI document is plain data");
        bound_waits(&mut json, long_poll_max);
        every_operation_may_fail(&mut json);
        Document { json }
    }

    /// The document.
    pub fn json(&self) -> &Value {
        &self.json
    }

    /// The methods `path` takes, upper case, as the document lists them.
    pub fn methods_of(&self, path: &str) -> Vec<String> {
        let ops = self.json["paths"][path].as_object();
        ops.map(|ops| ops.keys().map(|m| m.to_uppercase()).collect()).unwrap_or_default()
    }
}

/// Every operation of the document as (method, path).
pub fn operations(doc: &Value) -> Vec<(String, String)> {
    let Some(paths) = doc["paths"].as_object() else { return Vec::new() };
    paths
        .iter()
        .flat_map(|(path, ops)| ops.as_object().into_iter().flat_map(|o| o.keys()).map(|m| (m.clone(), path.clone())))
        .collect()
}

/// Every `wait` parameter is bounded by this server's longest long-poll: a larger value is
/// refused (422) rather than shortened without a word.
fn bound_waits(doc: &mut Value, long_poll_max: u64) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    let params = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|p| p.values_mut())
        .filter_map(|op| op.get_mut("parameters").and_then(Value::as_array_mut))
        .flat_map(|ps| ps.iter_mut());
    for p in params.filter(|p| p["name"] == "wait") {
        p["schema"]["maximum"] = json!(long_poll_max);
        let said = p["description"].as_str().unwrap_or("Seconds to wait").to_owned();
        p["description"] = json!(format!("{said} (at most {long_poll_max})"));
    }
}

/// Every operation may also answer 500 (a fault retrying will not fix, logged under the
/// request id) and 503 (a fault of the moment: nothing was recorded, retry after
/// `Retry-After` seconds); both are added where an operation does not describe its own.
fn every_operation_may_fail(doc: &mut Value) {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let internal = json!({
        "description": "A fault retrying will not fix; logged under the request id in the x-request-id header",
        "content": {"application/json": {"schema": error}}
    });
    let retry_after =
        json!({"Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}});
    let unavailable = json!({
        "description": "A fault of the moment (database unreachable, busy or full): nothing was recorded; retry",
        "headers": retry_after,
        "content": {"application/json": {"schema": error}}
    });
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for operation in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|p| p.values_mut()) {
        if let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) {
            responses.entry("500").or_insert_with(|| internal.clone());
            if let Some(r) = responses.get_mut("503").and_then(Value::as_object_mut) {
                r.insert("headers".into(), retry_after.clone());
            } else {
                responses.insert("503".into(), unavailable.clone());
            }
        }
    }
}

/// This document
#[utoipa::path(get, path = "/v1/openapi.json", operation_id = "getOpenApi", security(()),
    responses((status = 200, description = "OpenAPI 3.1", body = Object)))]
pub async fn serve(Extension(doc): Extension<Arc<Document>>) -> Json<Value> {
    Json(doc.json().clone())
}
