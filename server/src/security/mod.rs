//! Request-level security: same-origin checks on state changes, and signing the caller in
//! (or sending them to the sign-in page) before any page renders.

pub mod authn;
pub mod csrf;
