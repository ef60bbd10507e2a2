//! The words Tenure stores and shows, one enum each: where an action is (and the pure state
//! machine that moves it), what an agent was told, how far it is trusted, whether it may act,
//! where a peer check or an export stands. The engine stores them (feature `db`), the agent
//! API describes them (feature `openapi`), and the console's pages match on them instead of on
//! strings.

mod agent_status;
mod check_status;
mod decision;
mod export_status;
pub mod lifecycle;
mod tier;

pub use agent_status::AgentStatus;
pub use check_status::CheckStatus;
pub use decision::Decision;
pub use export_status::ExportStatus;
pub use lifecycle::State;
pub use tier::Tier;
