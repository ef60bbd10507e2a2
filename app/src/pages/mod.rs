//! One module per page.

pub mod account;
pub mod action_detail;
pub mod agent_detail;
pub mod agent_grants;
pub mod agent_oversight;
pub mod agents;
pub mod audit;
pub mod audit_export;
pub mod audit_record;
pub mod capabilities;
pub mod corrections;
pub mod dashboard;
pub mod inbox;
pub mod login;
pub mod not_found;
pub mod template_detail;
pub mod templates;
pub mod throttles;
pub mod users;
