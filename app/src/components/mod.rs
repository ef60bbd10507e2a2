//! Pieces shared by pages: the console layout, form helpers, and how actions are shown and
//! acted on.

pub mod action;
pub mod alert_chart;
pub mod chart;
pub mod claim;
pub mod disagreement;
pub mod form;
pub mod history;
pub mod layout;
pub mod pager;
pub mod review;
pub mod standing;
