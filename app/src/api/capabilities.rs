//! The capability catalogue (managers and admins).

use crate::error::AppError;
use crate::model::CapabilityRow;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn row(c: governance::records::CapabilityRecord) -> CapabilityRow {
    CapabilityRow {
        id: c.id,
        name: c.name,
        description: c.description,
        risk: c.risk.as_str().to_owned(),
        undo_window_minutes: c.reversibility.window_minutes(),
        params_schema: c.params_schema.map(|s| s.as_str().to_owned()),
    }
}

/// The whole catalogue.
#[server(endpoint = "capabilities/list")]
pub async fn list_capabilities() -> Result<Vec<CapabilityRow>, AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    Ok(state()?.capabilities.list(&token).await.map_err(gov)?.into_iter().map(row).collect())
}

/// Adds a capability.
#[server(endpoint = "capabilities/define")]
pub async fn define_capability(
    name: String,
    description: String,
    risk: String,
    reversible: Option<String>,
    undo_window_minutes: String,
    params_schema: String,
) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    use governance::service::capabilities::CapabilityForm;
    let token = principal()?.as_manager().map_err(gov)?;
    let reversible = reversible.is_some();
    let typed = [
        ("name", name.clone()),
        ("description", description.clone()),
        ("risk", risk.clone()),
        ("reversible", if reversible { "on".into() } else { String::new() }),
        ("undo_window_minutes", undo_window_minutes.clone()),
        ("params_schema", params_schema.clone()),
    ];
    let form = CapabilityForm { name, description, risk, reversible, undo_window_minutes, params_schema };
    let cap = match state()?.capabilities.define(&token, form).await {
        Ok(c) => c,
        Err(e) => {
            let typed: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
            crate::server::context::keep_form("capabilities/define", &typed).await;
            return Err(gov(e));
        }
    };
    crate::server::context::notice(true, format!("Capability {} added to the catalogue.", cap.name)).await;
    leptos_axum::redirect("/capabilities");
    Ok(())
}

/// Changes a capability (not its name).
#[server(endpoint = "capabilities/edit")]
pub async fn edit_capability(
    id: i64,
    description: String,
    risk: String,
    reversible: Option<String>,
    undo_window_minutes: String,
    params_schema: String,
) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    use governance::service::capabilities::CapabilityForm;
    let token = principal()?.as_manager().map_err(gov)?;
    let form = CapabilityForm {
        name: String::new(),
        description,
        risk,
        reversible: reversible.is_some(),
        undo_window_minutes,
        params_schema,
    };
    let cap = state()?.capabilities.edit(&token, id, form).await.map_err(gov)?;
    crate::server::context::notice(true, format!("Capability {} changed.", cap.name)).await;
    leptos_axum::redirect("/capabilities");
    Ok(())
}
