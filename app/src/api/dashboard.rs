//! The dashboard's figures.

use crate::error::AppError;
use crate::model::DashboardView;
use leptos::prelude::*;

/// Console-wide figures (any signed-in role).
#[server(endpoint = "dashboard")]
pub async fn dashboard() -> Result<DashboardView, AppError> {
    use crate::api::evidence_row;
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_member().map_err(gov)?;
    let st = state()?;
    let f = st.dashboard(&token).await.map_err(gov)?;
    Ok(DashboardView {
        users_total: f.users_total,
        users_active: f.users_active,
        active_by_role: f.active_by_role.into_iter().map(|(r, n)| (r.as_str().to_owned(), n)).collect(),
        sign_ins_24h: f.sign_ins_24h,
        failed_sign_ins_24h: f.failed_sign_ins_24h,
        evidence_records: f.evidence_records,
        recent: f.recent.into_iter().map(evidence_row).collect(),
        alerts: f.alerts,
    })
}
