//! Request-level security: same-origin checks on state changes, and signing the caller in
//! (or sending them to the sign-in page) before any page renders, and refusing console input
//! that carries text the databases cannot store.

pub mod authn;
pub mod client_addr;
pub mod csrf;
pub mod nul_guard;
