//! `tenure-mcp`: an MCP gateway that puts existing MCP servers behind Tenure. It runs beside the
//! agent, speaks MCP to it on stdio, and needs only the agent's API key — never the database.

pub mod config;
pub mod gateway;
pub mod mapping;
pub mod pending;
pub mod tenure_api;
pub mod upstream;
