//! The MCP servers behind the gateway: one client session each, over stdio (a child process the
//! gateway starts) or streamable HTTP, with the agent whose key its calls are asked with.

use crate::config::{self, Transport};
use crate::tenure_api::TenureApi;
use rmcp::model::{CallToolRequestParams, CallToolResult, Tool};
use rmcp::service::RunningService;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Map, Value};

/// One connected upstream.
pub struct Upstream {
    pub config: config::Upstream,
    /// Tenure, as the agent this upstream's calls are made for.
    pub tenure: TenureApi,
    session: RunningService<RoleClient, ()>,
}

impl Upstream {
    /// Starts or reaches the upstream and opens its MCP session.
    pub async fn connect(config: config::Upstream, tenure_url: &str) -> Result<Upstream, String> {
        let key = config.key()?;
        let tenure = TenureApi::new(tenure_url, key)?;
        let at = format!("upstream '{}'", config.name);
        let session = match config.transport()? {
            Transport::Stdio { program, args, env } => {
                let mut cmd = tokio::process::Command::new(&program);
                cmd.args(&args).envs(&env);
                let child = TokioChildProcess::new(cmd).map_err(|e| format!("{at}: cannot start {program}: {e}"))?;
                ().serve(child).await.map_err(|e| format!("{at}: the MCP session did not start: {e}"))?
            }
            Transport::Http { url } => {
                let transport = StreamableHttpClientTransport::from_uri(url.as_str());
                ().serve(transport).await.map_err(|e| format!("{at}: the MCP session with {url} did not start: {e}"))?
            }
        };
        Ok(Upstream { config, tenure, session })
    }

    /// Its tools, as it lists them now.
    pub async fn tools(&self) -> Result<Vec<Tool>, String> {
        self.session
            .list_all_tools()
            .await
            .map_err(|e| format!("upstream '{}': cannot list tools: {e}", self.config.name))
    }

    /// Calls `tool` with `arguments`; an error means the call did not complete (the session or
    /// the upstream failed), not that the tool reported an error.
    pub async fn call(&self, tool: &str, arguments: Map<String, Value>) -> Result<CallToolResult, String> {
        let params = CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments);
        self.session.call_tool(params).await.map_err(|e| format!("upstream '{}' failed: {e}", self.config.name))
    }

    /// Ends the session (and stops a child process).
    pub async fn close(self) {
        let _ = self.session.cancel().await;
    }
}
