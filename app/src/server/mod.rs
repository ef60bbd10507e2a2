//! Server-only glue for server functions: the shared state, the caller, and error mapping.

pub mod context;
pub mod state;
