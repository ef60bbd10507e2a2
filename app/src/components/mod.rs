//! Pieces shared by pages: the console layout and form helpers.

pub mod form;
pub mod layout;
