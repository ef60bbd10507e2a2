//! The OpenAPI 3.1 description of `/v1`, served at `/v1/openapi.json`. Its schemas are JSON
//! Schema 2020-12, so tests validate live responses against them.

use crate::api::wait::LongPollMax;
use axum::{Extension, Json};
use serde_json::{Value, json};

/// The document.
pub fn document(long_poll_max: u64) -> Value {
    let mut doc = described(long_poll_max);
    every_operation_may_fail(&mut doc);
    doc
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
    let unavailable = json!({
        "description": "A fault of the moment (database unreachable, busy or full): nothing was recorded; retry",
        "headers": {"Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": error}}
    });
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for operation in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|p| p.values_mut()) {
        if let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) {
            responses.entry("500").or_insert_with(|| internal.clone());
            if let Some(r) = responses.get_mut("503").and_then(Value::as_object_mut) {
                r.insert("headers".into(), unavailable["headers"].clone());
            } else {
                responses.insert("503".into(), unavailable.clone());
            }
        }
    }
}

/// The document as written, before the answers every operation may give.
fn described(long_poll_max: u64) -> Value {
    let error = json!({"$ref": "#/components/schemas/Error"});
    // Ids are 64-bit: the schema says so, so a larger number is not a valid request.
    let id_schema = json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": i64::MAX});
    // Text Tenure stores: no U+0000 (neither database may be asked to keep it).
    let text = |max: u64| json!({"type": "string", "maxLength": max, "pattern": "^[^\\u0000]*$"});
    let named = |max: u64| json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": "^[^\\u0000]*\\S[^\\u0000]*$"});
    let err =
        |description: &str| json!({"description": description, "content": {"application/json": {"schema": error}}});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Tenure agent API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Agents ask before they act. Authenticate with the agent's API key: `Authorization: Bearer tnr_…`."
        },
        "servers": [{"url": "/"}],
        "security": [{"agentKey": []}],
        "paths": {
            "/v1/agents/me": {
                "get": {
                    "operationId": "getMe",
                    "summary": "The calling agent: identity, environment and status",
                    "responses": {
                        "200": {"description": "The agent", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AgentMe"}}}},
                        "401": err("Missing, malformed, unknown or revoked key"),
                        "503": err("The database is unavailable")
                    }
                }
            },
            "/v1/actions": {
                "post": {
                    "operationId": "requestAction",
                    "summary": "Ask for a decision before acting",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionRequest"}}}},
                    "responses": {
                        "200": {
                            "description": "The decision (also for a replayed idempotency key)",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionAnswer"}}},
                            "links": {
                                "GetAction": {"operationId": "getAction", "parameters": {"id": "$response.body#/id"}},
                                "ReportResult": {"operationId": "reportResult", "parameters": {"id": "$response.body#/id"}},
                                "ReportRollback": {"operationId": "reportRollback", "parameters": {"id": "$response.body#/id"}}
                            }
                        },
                        "400": err("The body is not JSON, or an object in it has a key twice"),
                        "413": err("The body is larger than 2 MiB"),
                        "401": err("Missing, malformed, unknown or revoked key"),
                        "409": err("The idempotency key was used for a different request"),
                        "422": err("A field is invalid; `field` names it (for params, the message starts with the JSON pointer)"),
                        "503": err("The decision could not be recorded; nothing was decided")
                    }
                }
            },
            "/v1/actions/{id}": {
                "get": {
                    "operationId": "getAction",
                    "summary": "An action's current state; with `wait`, answers when it changes",
                    "parameters": [
                        {"name": "id", "in": "path", "required": true, "schema": id_schema},
                        {"name": "wait", "in": "query", "required": false, "description": format!("Seconds to wait for a change (at most {long_poll_max})"), "schema": {"type": "integer", "minimum": 0, "maximum": long_poll_max}}
                    ],
                    "responses": {
                        "200": {"description": "The action", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionAnswer"}}}},
                        "401": err("Missing, malformed, unknown or revoked key"),
                        "404": err("No such action of this agent"),
                        "422": err("`id` or `wait` is not a whole number; `field` names which"),
                        "503": err("The database is unavailable")
                    }
                }
            },
            "/v1/actions/{id}/result": {
                "post": {
                    "operationId": "reportResult",
                    "summary": "Report the outcome of executing an allowed or approved action",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": id_schema}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ResultReport"}}}},
                    "responses": {
                        "200": {"description": "The action after the report: final, reversible (with `reversible_until`), awaiting_confirmation (supervised) or failed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionAnswer"}}}},
                        "400": err("The body is not JSON, or an object in it has a key twice"),
                        "413": err("The body is larger than 2 MiB"),
                        "401": err("Missing, malformed, unknown or revoked key"),
                        "404": err("No such action of this agent"),
                        "409": err("The action is not allowed or approved (any more), or `params` differ from what was approved"),
                        "422": err("A field, or the id in the path, is invalid; `field` names it"),
                        "503": err("The report could not be recorded; nothing changed")
                    }
                }
            },
            "/v1/actions/{id}/rollback-result": {
                "post": {
                    "operationId": "reportRollback",
                    "summary": "Report the outcome of a rollback a human asked for",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": id_schema}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RollbackReport"}}}},
                    "responses": {
                        "200": {"description": "The action: rolled_back, or rollback_failed (an alert is raised for a person)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionAnswer"}}}},
                        "400": err("The body is not JSON, or an object in it has a key twice"),
                        "413": err("The body is larger than 2 MiB"),
                        "401": err("Missing, malformed, unknown or revoked key"),
                        "404": err("No such action of this agent"),
                        "409": err("No rollback was requested for this action (or it was already reported)"),
                        "422": err("A field, or the id in the path, is invalid; `field` names it"),
                        "503": err("The report could not be recorded; nothing changed")
                    }
                }
            },
            "/v1/rollbacks": {
                "get": {
                    "operationId": "listRollbacks",
                    "summary": "Actions a person asked this agent to undo, with the undo data it reported",
                    "parameters": [
                        {"name": "wait", "in": "query", "required": false, "description": format!("Seconds to wait for one to arrive (at most {long_poll_max})"), "schema": {"type": "integer", "minimum": 0, "maximum": long_poll_max}}
                    ],
                    "responses": {
                        "200": {"description": "Pending rollbacks, oldest first (empty when none arrived in time)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Rollbacks"}}}},
                        "401": err("Missing, malformed, unknown or revoked key"),
                        "422": err("`wait` is not a whole number"),
                        "503": err("The database is unavailable")
                    }
                }
            },
            "/v1/peer-checks/next": {
                "get": {
                    "operationId": "nextPeerCheck",
                    "summary": "Take the next task this agent may check as a peer (never the primary's params, decision or reasoning)",
                    "parameters": [
                        {"name": "wait", "in": "query", "required": false, "description": format!("Seconds to wait for one to arrive (at most {long_poll_max})"), "schema": {"type": "integer", "minimum": 0, "maximum": long_poll_max}}
                    ],
                    "responses": {
                        "200": {"description": "The task (now taken by this agent), or `task: null` when none arrived in time", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PeerNext"}}}},
                        "401": err("Missing, malformed, unknown or revoked key"),
                        "403": err("The agent is suspended"),
                        "422": err("`wait` is not a whole number"),
                        "503": err("The database is unavailable")
                    }
                }
            },
            "/v1/peer-checks/{id}/verdict": {
                "post": {
                    "operationId": "peerVerdict",
                    "summary": "Answer a taken peer check with this agent's own analysis",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": id_schema}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PeerVerdict"}}}},
                    "responses": {
                        "200": {"description": "Recorded (how it compared is not told)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PeerRecorded"}}}},
                        "400": err("The body is not JSON, or an object in it has a key twice"),
                        "413": err("The body is larger than 2 MiB"),
                        "401": err("Missing, malformed, unknown or revoked key"),
                        "404": err("No such check taken by this agent"),
                        "409": err("The check was already answered or timed out"),
                        "422": err("A field, or the id in the path, is invalid; `field` names it"),
                        "503": err("The verdict could not be recorded; nothing changed")
                    }
                }
            },
            "/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}
                }
            }
        },
        "components": {
            "securitySchemes": {"agentKey": {"type": "http", "scheme": "bearer", "description": "tnr_<prefix>_<secret>"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {
                        "type": "object",
                        "required": ["code", "message", "field"],
                        "properties": {
                            "code": {"type": "string", "enum": ["bad_json", "bad_body", "too_large", "invalid", "conflict", "not_found", "method_not_allowed", "forbidden", "unauthenticated", "throttled", "unavailable"]},
                            "message": {"type": "string"},
                            "field": {"type": ["string", "null"]}
                        }
                    }}
                },
                "AgentMe": {
                    "type": "object",
                    "required": ["id", "name", "environment", "sandbox", "status", "status_reason", "key_prefix"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "environment": {"type": "string", "enum": ["production", "sandbox"]},
                        "sandbox": {"type": "boolean"},
                        "status": {"type": "string", "enum": ["active", "suspended"]},
                        "status_reason": {"type": "string"},
                        "key_prefix": {"type": "string"}
                    }
                },
                "ActionRequest": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["capability", "confidence"],
                    "properties": {
                        "capability": {"description": "e.g. finance.refund.issue", "allOf": [named(100)]},
                        "params": {"description": "Checked against the capability's JSON Schema", "allOf": [{"$ref": "#/components/schemas/JsonObject"}]},
                        "reasoning": text(20_000),
                        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                        "inputs": {"description": "What the agent based its proposal on", "allOf": [{"$ref": "#/components/schemas/Json"}]},
                        "alternatives": {"type": "array", "items": {"$ref": "#/components/schemas/Json"}},
                        "task_ref": text(200),
                        "idempotency_key": {"oneOf": [{"type": "null"}, named(200)]}
                    }
                },
                "Json": {
                    "description": "Any JSON value whose strings and keys hold no U+0000",
                    "anyOf": [
                        {"type": ["null", "boolean", "number"]},
                        text(1 << 21),
                        {"type": "array", "items": {"$ref": "#/components/schemas/Json"}},
                        {"$ref": "#/components/schemas/JsonObject"}
                    ]
                },
                "JsonObject": {
                    "type": "object",
                    "propertyNames": {"pattern": "^[^\\u0000]*$"},
                    "additionalProperties": {"$ref": "#/components/schemas/Json"}
                },
                "ResultReport": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["status"],
                    "properties": {
                        "status": {"type": "string", "enum": ["succeeded", "failed"]},
                        "output": {"description": "What happened (any JSON, at most 64 KiB)", "allOf": [{"$ref": "#/components/schemas/Json"}]},
                        "undo": {"description": "What the agent needs to undo it (any JSON, at most 64 KiB); returned with a rollback", "allOf": [{"$ref": "#/components/schemas/Json"}]},
                        "params": {"description": "The params executed; when given they must be the approved ones", "oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/JsonObject"}]}
                    }
                },
                "RollbackReport": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["status"],
                    "properties": {
                        "status": {"type": "string", "enum": ["rolled_back", "failed"]},
                        "output": {"description": "What happened (any JSON, at most 64 KiB)", "allOf": [{"$ref": "#/components/schemas/Json"}]}
                    }
                },
                "Rollbacks": {
                    "type": "object",
                    "required": ["rollbacks"],
                    "properties": {"rollbacks": {"type": "array", "items": {
                        "type": "object",
                        "required": ["action_id", "capability", "params", "output", "undo", "reason", "requested_by", "requested_at"],
                        "properties": {
                            "action_id": {"type": "integer"},
                            "capability": {"type": "string"},
                            "params": {"type": "object"},
                            "output": {},
                            "undo": {},
                            "reason": {"type": "string"},
                            "requested_by": {"type": "string"},
                            "requested_at": {"type": ["string", "null"], "format": "date-time"}
                        }
                    }}}
                },
                "PeerNext": {
                    "type": "object",
                    "required": ["task"],
                    "properties": {"task": {"oneOf": [{"type": "null"}, {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["id", "capability", "task_ref", "inputs", "deadline"],
                        "properties": {
                            "id": {"type": "integer"},
                            "capability": {"type": "string"},
                            "task_ref": {"type": "string"},
                            "inputs": {"description": "What the primary agent based its analysis on"},
                            "deadline": {"type": "string", "format": "date-time"}
                        }
                    }]}}
                },
                "PeerVerdict": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["decision", "confidence"],
                    "properties": {
                        "decision": {"type": "string", "enum": ["proceed", "decline"]},
                        "params": {"description": "The params this agent would use", "allOf": [{"$ref": "#/components/schemas/JsonObject"}]},
                        "reasoning": text(20_000),
                        "confidence": {"type": "number", "minimum": 0, "maximum": 1}
                    }
                },
                "PeerRecorded": {
                    "type": "object",
                    "required": ["id", "status"],
                    "properties": {"id": {"type": "integer"}, "status": {"type": "string", "enum": ["recorded"]}}
                },
                "ActionAnswer": {
                    "type": "object",
                    "required": ["id", "decision", "state", "rule", "tier", "supervised", "sandbox", "expires_at", "evidence_hash", "params", "reversible_until"],
                    "properties": {
                        "id": {"type": "integer"},
                        "decision": {"type": "string", "enum": ["allowed", "needs_approval", "shadow", "denied", "awaiting_peer"]},
                        "state": {"type": "string", "enum": ["denied", "shadow", "shadow_compared", "awaiting_peer", "needs_approval", "approved", "rejected", "expired", "allowed", "failed", "awaiting_confirmation", "reversible", "final", "rollback_requested", "rolled_back", "rollback_failed"]},
                        "rule": {"type": "string", "description": "Which grant and condition decided"},
                        "tier": {"type": ["string", "null"], "enum": ["observer", "contributor", "executor", null]},
                        "supervised": {"type": "boolean"},
                        "sandbox": {"type": "boolean"},
                        "expires_at": {"type": ["string", "null"], "format": "date-time"},
                        "evidence_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "params": {"type": "object", "description": "The params this answer covers; an approval binds to exactly these"},
                        "reversible_until": {"type": ["string", "null"], "format": "date-time"}
                    }
                }
            }
        }
    })
}

/// `GET /v1/openapi.json`.
pub async fn serve(Extension(max): Extension<LongPollMax>) -> Json<Value> {
    Json(document(max.0))
}
