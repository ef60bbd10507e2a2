//! The gateway as an MCP server: its tool list is its upstreams', and each `tools/call` is first
//! an action in Tenure. Allowed or approved → forwarded upstream and the outcome reported;
//! held → the call waits (with progress notifications) until decided or the hold time passes,
//! and a call repeated with the same arguments picks up that decision; refused → a tool error
//! with the reason and the action id. When Tenure cannot be asked, nothing runs.

use crate::config::Config;
use crate::mapping::{self, Verdict};
use crate::pending::Pending;
use crate::tenure_api::{Action, ApiError};
use crate::upstream::Upstream;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock as Content, Implementation, ListToolsResult,
    PaginatedRequestParams, ProgressNotificationParam, ProgressToken, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, Peer, RoleServer, ServerHandler};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The gateway's state, shared by every call of its one client session.
pub struct Gateway {
    upstreams: Vec<Upstream>,
    /// Which upstream serves each tool, as last listed.
    routes: Mutex<HashMap<String, usize>>,
    /// Calls left pending after their hold: the action a repeated call picks up.
    held: Pending,
    hold: Duration,
    progress_every: Duration,
}

impl Gateway {
    /// Connects every upstream and lists their tools; a tool name served by two upstreams is
    /// refused here, since a call could not say which one it meant.
    pub async fn start(config: &Config) -> Result<Gateway, String> {
        let held = Pending::load(config.state_file.clone())?;
        let mut upstreams = Vec::new();
        for u in &config.upstreams {
            match Upstream::connect(u.clone(), &config.tenure_url).await {
                Ok(up) => upstreams.push(up),
                Err(e) => {
                    for up in upstreams {
                        up.close().await;
                    }
                    return Err(e);
                }
            }
        }
        let gateway = Gateway {
            upstreams,
            routes: Mutex::new(HashMap::new()),
            held,
            hold: Duration::from_secs(config.hold_seconds),
            progress_every: Duration::from_secs(config.progress_every_seconds),
        };
        let tools = gateway.list().await?;
        tracing::info!(tools = tools.len(), upstreams = gateway.upstreams.len(), "gateway ready");
        Ok(gateway)
    }

    /// One line per tool: the capability its calls ask for, and where it runs.
    pub async fn describe(&self) -> Result<Vec<String>, String> {
        let tools = self.list().await?;
        let routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner).clone();
        Ok(tools
            .iter()
            .filter_map(|t| {
                let up = &self.upstreams[*routes.get(t.name.as_ref())?].config;
                let m = up.mapping(&t.name);
                let capability = if m.capability.is_empty() { t.name.to_string() } else { m.capability };
                Some(format!("{} → {capability} (upstream '{}')", t.name, up.name))
            })
            .collect())
    }

    /// Ends every upstream session.
    pub async fn close(self) {
        for up in self.upstreams {
            up.close().await;
        }
    }

    /// Every upstream's tools, refreshing the routes.
    async fn list(&self) -> Result<Vec<rmcp::model::Tool>, String> {
        let mut all = Vec::new();
        let mut routes = HashMap::new();
        for (i, up) in self.upstreams.iter().enumerate() {
            for tool in up.tools().await? {
                if let Some(other) = routes.insert(tool.name.to_string(), i) {
                    return Err(format!(
                        "the tool '{}' is served by both upstream '{}' and upstream '{}'",
                        tool.name, self.upstreams[other].config.name, up.config.name
                    ));
                }
                all.push(tool);
            }
        }
        *self.routes.lock().unwrap_or_else(PoisonError::into_inner) = routes;
        Ok(all)
    }

    /// One call, from Tenure's answer to the result the client gets.
    async fn govern(
        &self,
        up: &Upstream,
        tool: &str,
        arguments: serde_json::Map<String, serde_json::Value>,
        ctx: &RequestContext<RoleServer>,
    ) -> CallToolResult {
        let key = mapping::call_key(tool, &arguments);
        let remembered = self.held.take(&key);
        let mapping = up.config.mapping(tool);
        let asked = match remembered {
            // The same call again: the decision on the action it left pending.
            Some(id) => up.tenure.get(id, 0).await,
            None => {
                let capability = if mapping.capability.is_empty() { tool } else { mapping.capability.as_str() };
                let params = mapping::params_of(&mapping, &arguments);
                let confidence = mapping.confidence.unwrap_or(up.config.confidence);
                let reasoning =
                    format!("MCP call of {tool} through the Tenure gateway (upstream '{}')", up.config.name);
                up.tenure.propose(capability, &params, confidence, &reasoning).await
            }
        };
        let mut action = match asked {
            Ok(a) => a,
            Err(e) => {
                if let Some(id) = remembered {
                    // Not lost: the next identical call asks about the same action again.
                    self.held.keep(key, id);
                }
                return mapping::not_asked(tool, &e);
            }
        };
        if Verdict::of(&action) == Verdict::Wait {
            action = match self.hold_until_decided(up, tool, action, ctx).await {
                Ok(a) => a,
                Err((a, e)) => {
                    self.held.keep(key, a.id);
                    return mapping::not_asked(tool, &e);
                }
            };
        }
        match Verdict::of(&action) {
            Verdict::Run => self.run(up, tool, arguments, &action).await,
            Verdict::Wait => {
                self.held.keep(key, action.id);
                mapping::pending(tool, &action, self.hold.as_secs())
            }
            Verdict::Refused => mapping::refused(tool, &action),
            Verdict::Done => mapping::already_done(tool, &action),
        }
    }

    /// Waits for a person's decision, long-polling in steps of the progress interval and telling
    /// the client after each step, until decided, the hold time passes, or the client cancels.
    async fn hold_until_decided(
        &self,
        up: &Upstream,
        tool: &str,
        mut action: Action,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<Action, (Action, ApiError)> {
        let started = Instant::now();
        let token = ctx.meta.get_progress_token();
        tracing::info!(tool, action = action.id, "held for a person");
        while Verdict::of(&action) == Verdict::Wait {
            let left = self.hold.saturating_sub(started.elapsed());
            if left.is_zero() || ctx.ct.is_cancelled() {
                break;
            }
            let step = left.min(self.progress_every).as_secs().max(1);
            let polled = tokio::select! {
                polled = up.tenure.get(action.id, step) => polled,
                () = ctx.ct.cancelled() => break,
            };
            action = polled.map_err(|e| (action.clone(), e))?;
            if Verdict::of(&action) == Verdict::Wait
                && let Some(token) = &token
            {
                notify(&ctx.peer, token, started.elapsed(), self.hold, &action).await;
            }
        }
        Ok(action)
    }

    /// Forwards an allowed or approved call and reports how it went.
    async fn run(
        &self,
        up: &Upstream,
        tool: &str,
        arguments: serde_json::Map<String, serde_json::Value>,
        action: &Action,
    ) -> CallToolResult {
        let result = match up.call(tool, arguments).await {
            Ok(r) => r,
            Err(e) => CallToolResult::error(vec![Content::text(format!("{e} (Tenure action {})", action.id))]),
        };
        let (succeeded, output) = mapping::outcome(&result);
        let reported = match up.tenure.report(action.id, succeeded, output).await {
            Ok(after) => after.state,
            Err(e) => {
                // The call ran: its result is the client's; the lost report is logged.
                tracing::warn!(action = action.id, error = %e, "the outcome could not be reported to Tenure");
                "not_reported".to_owned()
            }
        };
        mapping::with_tenure(result, serde_json::json!({"status": reported, "action_id": action.id}))
    }
}

async fn notify(peer: &Peer<RoleServer>, token: &ProgressToken, waited: Duration, hold: Duration, action: &Action) {
    let message = format!("waiting for a person to decide on Tenure action {} ({})", action.id, action.state);
    let progress = ProgressNotificationParam::new(token.clone(), waited.as_secs_f64().floor())
        .with_total(hold.as_secs_f64())
        .with_message(message);
    if let Err(e) = peer.notify_progress(progress).await {
        tracing::debug!(error = %e, "progress notification not sent");
    }
}

impl ServerHandler for Gateway {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("tenure-mcp", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Every tool call is cleared with Tenure first. A call held for a person answers \
                 'pending' with its action id after a while; call it again with the same \
                 arguments to pick up the decision.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = self.list().await.map_err(|e| ErrorData::internal_error(e, None))?;
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let tool = request.name.to_string();
        let route = self.routes.lock().unwrap_or_else(PoisonError::into_inner).get(&tool).copied();
        let Some(up) = route.and_then(|i| self.upstreams.get(i)) else {
            return Err(ErrorData::invalid_params(format!("no upstream serves a tool named '{tool}'"), None));
        };
        let arguments = request.arguments.unwrap_or_default();
        Ok(self.govern(up, &tool, arguments, &ctx).await.into())
    }
}
