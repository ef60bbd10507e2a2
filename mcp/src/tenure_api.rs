//! The few calls of Tenure's agent API the gateway makes, with one agent's key: propose, read an
//! action (long-polling while it waits), report how running it went.

use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

/// Tenure's answer for one action (the fields the gateway reads).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Action {
    pub id: i64,
    pub decision: String,
    pub state: String,
    #[serde(default)]
    pub rule: String,
}

/// What went wrong talking to Tenure.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ApiError {
    /// Tenure answered with an error: its status, code, message and field.
    #[error("Tenure answered {status} {code}: {message}{}", field.as_deref().map(|f| format!(" (field {f})")).unwrap_or_default())]
    Refused { status: u16, code: String, message: String, field: Option<String> },
    /// Tenure could not be reached, or its answer could not be read.
    #[error("Tenure could not be reached: {0}")]
    Unreachable(String),
}

/// One agent's connection to Tenure.
#[derive(Clone, Debug)]
pub struct TenureApi {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl TenureApi {
    pub fn new(base: &str, key: String) -> Result<TenureApi, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(TenureApi { http, base: base.trim_end_matches('/').to_owned(), key })
    }

    /// Asks before acting.
    pub async fn propose(
        &self,
        capability: &str,
        params: &Value,
        confidence: f64,
        reasoning: &str,
    ) -> Result<Action, ApiError> {
        let body = json!({
            "capability": capability,
            "params": params,
            "confidence": confidence,
            "reasoning": reasoning,
        });
        self.send(self.http.post(format!("{}/v1/actions", self.base)).json(&body), 30).await
    }

    /// The action now, or once decided within `wait_seconds` (a long-poll).
    pub async fn get(&self, id: i64, wait_seconds: u64) -> Result<Action, ApiError> {
        let url = match wait_seconds {
            0 => format!("{}/v1/actions/{id}", self.base),
            w => format!("{}/v1/actions/{id}?wait={w}", self.base),
        };
        self.send(self.http.get(url), 30 + wait_seconds).await
    }

    /// Reports how running an allowed or approved action went.
    pub async fn report(&self, id: i64, succeeded: bool, output: Value) -> Result<Action, ApiError> {
        let body = json!({"status": if succeeded { "succeeded" } else { "failed" }, "output": output});
        self.send(self.http.post(format!("{}/v1/actions/{id}/result", self.base)).json(&body), 30).await
    }

    async fn send(&self, req: reqwest::RequestBuilder, timeout_seconds: u64) -> Result<Action, ApiError> {
        let res = req
            .bearer_auth(&self.key)
            .timeout(Duration::from_secs(timeout_seconds))
            .send()
            .await
            .map_err(|e| ApiError::Unreachable(e.without_url().to_string()))?;
        let status = res.status();
        let text = res.text().await.map_err(|e| ApiError::Unreachable(e.to_string()))?;
        if status.is_success() {
            return serde_json::from_str(&text)
                .map_err(|e| ApiError::Unreachable(format!("an unreadable answer: {e}")));
        }
        Err(refusal(status.as_u16(), &text))
    }
}

/// The API's error body (`{"error": {"code", "message", "field"}}`) as an [`ApiError`].
fn refusal(status: u16, text: &str) -> ApiError {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let error = &body["error"];
    let text_of = |v: &Value| v.as_str().map(str::to_owned);
    ApiError::Refused {
        status,
        code: text_of(&error["code"]).unwrap_or_else(|| "unexpected".into()),
        message: text_of(&error["message"]).unwrap_or_else(|| text.chars().take(300).collect()),
        field: text_of(&error["field"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_body_keeps_its_code_message_and_field() {
        let body = r#"{"error": {"code": "invalid", "message": "must be a number", "field": "/params/amount"}}"#;
        let e = refusal(422, body);
        assert_eq!(e.to_string(), "Tenure answered 422 invalid: must be a number (field /params/amount)");
        let e = refusal(502, "Bad Gateway");
        assert_eq!(e.to_string(), "Tenure answered 502 unexpected: Bad Gateway");
    }
}
