//! Permission templates (managers and admins).

use crate::error::AppError;
use crate::model::{TemplateDetailView, TemplateRow};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn row(t: &governance::records::TemplateRecord) -> TemplateRow {
    TemplateRow {
        id: t.id,
        name: t.name.clone(),
        description: t.description.clone(),
        builtin: t.builtin,
        current_version: t.current_version,
    }
}

/// Every template.
#[server(endpoint = "templates/list")]
pub async fn list_templates() -> Result<Vec<TemplateRow>, AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    Ok(state()?.templates.list(&token).await.map_err(gov)?.iter().map(row).collect())
}

/// A template at a version (default current), optionally comparing versions `a` and `b`.
#[server(endpoint = "templates/detail")]
pub async fn template_detail(
    id: i64,
    version: Option<i64>,
    a: Option<i64>,
    b: Option<i64>,
) -> Result<TemplateDetailView, AppError> {
    use crate::api::show_time;
    use crate::model::{ChangeRow, VersionRow};
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    let st = state()?;
    let view = st.templates.view(&token, id, version).await.map_err(gov)?;
    let catalogue = st.capabilities.list(&token).await.map_err(gov)?;
    let comparison = match (a, b) {
        (Some(a), Some(b)) => {
            let (_, _, changes) = st.templates.compare(&token, id, a, b).await.map_err(gov)?;
            let rows = changes
                .into_iter()
                .map(|c| ChangeRow { capability: c.capability, field: c.field, before: c.before, after: c.after })
                .collect();
            Some((a, b, rows))
        }
        _ => None,
    };
    let body = &view.shown.body;
    Ok(TemplateDetailView {
        template: row(&view.template),
        shown_version: view.shown.version,
        rules: body.rules.iter().map(rule_view).collect(),
        versions: view
            .versions
            .iter()
            .map(|v| VersionRow {
                version: v.version,
                note: v.note.clone(),
                created_by: v.created_by.clone(),
                created_at: show_time(&v.created_at),
            })
            .collect(),
        default_criteria: {
            let d = governance::reliability::Promotion::default();
            (
                governance::reliability::criteria_text::show_step(&d.to_contributor),
                governance::reliability::criteria_text::show_step(&d.to_executor),
            )
        },
        addable: catalogue.into_iter().map(|c| c.name).filter(|n| body.rule(n).is_none()).collect(),
        comparison,
    })
}

/// A saved rule as the editor shows it.
#[cfg(feature = "ssr")]
fn rule_view(r: &governance::template::Rule) -> crate::model::RuleView {
    use governance::template::show_limits;
    crate::model::RuleView {
        capability: r.capability.clone(),
        min_confidence: r.conditions.min_confidence.map(|v| v.to_string()).unwrap_or_default(),
        limits: show_limits(&r.conditions.limits),
        max_per_hour: r.conditions.max_per_hour.map(|v| v.to_string()).unwrap_or_default(),
        new_value_params: r.conditions.new_value_params.join(", "),
        supervised: r.conditions.supervised,
        approval_expiry_minutes: r.approval_expiry_minutes.to_string(),
        condition: r.condition.clone().unwrap_or_default(),
        separation_of_duties: r.separation_of_duties,
        peer_mode: r.peer.mode.as_str().to_owned(),
        peer_condition: r.peer.condition.clone().unwrap_or_default(),
        peer_pool: r.peer.pool.join(", "),
        peer_tolerances: governance::peer::show_tolerances(&r.peer.tolerances),
        peer_deadline_minutes: if r.peer.mode == governance::peer::PeerMode::Off {
            String::new()
        } else {
            r.peer.deadline_minutes.to_string()
        },
        peer_summary: governance::template::show_peer(&r.peer),
        to_contributor: governance::reliability::criteria_text::show_step(&r.promotion.to_contributor),
        to_executor: governance::reliability::criteria_text::show_step(&r.promotion.to_executor),
        review_observer_days: r.promotion.reviews.observer_days.to_string(),
        review_contributor_days: r.promotion.reviews.contributor_days.to_string(),
        review_executor_days: r.promotion.reviews.executor_days.to_string(),
        review_grace_days: r.promotion.reviews.grace_days.to_string(),
        review_when_overdue: r.promotion.reviews.when_overdue.as_str().to_owned(),
        start_tier: r.promotion.start_tier.as_str().to_owned(),
        reviews_summary: governance::template::show_reviews(&r.promotion.reviews),
        approvals_required: r.quorum.as_ref().map_or_else(|| "1".to_owned(), |q| q.required.to_string()),
        approvals_when: r.quorum.as_ref().and_then(|q| q.when.clone()).unwrap_or_default(),
        approvals_distinct_groups: r.quorum.as_ref().is_some_and(|q| q.distinct_groups),
        approvals_summary: r.quorum.as_ref().map(governance::quorum::Quorum::describe).unwrap_or_default(),
    }
}

/// Copies a template into a new editable one named `name`; a refused name comes back under
/// that template's form, as typed.
#[server(endpoint = "templates/copy")]
pub async fn copy_template(from: i64, name: String) -> Result<(), AppError> {
    use crate::server::context::{gov, keep_form, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    let t = match state()?.templates.copy(&token, from, &name).await {
        Ok(t) => t,
        Err(e) => {
            keep_form(COPY_FORM, &[("from", &from.to_string()), ("name", &name)]).await;
            return Err(gov(e).scoped(&from.to_string()));
        }
    };
    crate::server::context::notice(true, "Template copied. Edit its rules below; each save makes a new version.").await;
    leptos_axum::redirect(&format!("/templates/{}", t.id));
    Ok(())
}

/// Where a refused "copy as" keeps the template it was for and the name typed.
pub const COPY_FORM: &str = "templates/copy";

/// Adds or changes one capability's rule, making a new version.
#[server(endpoint = "templates/rule")]
#[allow(clippy::too_many_arguments)] // one argument per form field
pub async fn save_rule(
    template_id: i64,
    expected_version: i64,
    origin: String,
    capability: String,
    min_confidence: String,
    limits: String,
    max_per_hour: String,
    new_value_params: String,
    supervised: Option<String>,
    approval_expiry_minutes: String,
    condition: Option<String>,
    separation_of_duties: Option<String>,
    peer_mode: Option<String>,
    peer_condition: Option<String>,
    peer_pool: Option<String>,
    peer_tolerances: Option<String>,
    peer_deadline_minutes: Option<String>,
    to_contributor: Option<String>,
    to_executor: Option<String>,
    review_observer_days: Option<String>,
    review_contributor_days: Option<String>,
    review_executor_days: Option<String>,
    review_grace_days: Option<String>,
    review_when_overdue: Option<String>,
    start_tier: Option<String>,
    approvals_required: Option<String>,
    approvals_when: Option<String>,
    approvals_distinct_groups: Option<String>,
) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    use governance::template::RuleForm;
    let token = principal()?.as_manager().map_err(gov)?;
    let form = RuleForm {
        capability,
        min_confidence,
        limits,
        max_per_hour,
        new_value_params,
        supervised: supervised.is_some(),
        approval_expiry_minutes,
        condition: condition.unwrap_or_default(),
        separation_of_duties: separation_of_duties.is_some(),
        peer_mode: peer_mode.unwrap_or_default(),
        peer_condition: peer_condition.unwrap_or_default(),
        peer_pool: peer_pool.unwrap_or_default(),
        peer_tolerances: peer_tolerances.unwrap_or_default(),
        peer_deadline_minutes: peer_deadline_minutes.unwrap_or_default(),
        to_contributor: to_contributor.unwrap_or_default(),
        to_executor: to_executor.unwrap_or_default(),
        review_observer_days: review_observer_days.unwrap_or_default(),
        review_contributor_days: review_contributor_days.unwrap_or_default(),
        review_executor_days: review_executor_days.unwrap_or_default(),
        review_grace_days: review_grace_days.unwrap_or_default(),
        review_when_overdue: review_when_overdue.unwrap_or_default(),
        start_tier: start_tier.unwrap_or_default(),
        approvals_required: approvals_required.unwrap_or_default(),
        approvals_when: approvals_when.unwrap_or_default(),
        approvals_distinct_groups: approvals_distinct_groups.is_some(),
    };
    // Errors name the form they came from: `add/…` or `<capability>/…`.
    let scope = if origin == "add" { "add".to_owned() } else { form.capability.clone() };
    let typed = kept_rule(template_id, &scope, &form);
    let v = match state()?.templates.save_rule(&token, template_id, expected_version, form).await {
        Ok(v) => v,
        Err(e) => {
            let typed: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
            crate::server::context::keep_form(RULE_FORM, &typed).await;
            return Err(gov(e).scoped(&scope));
        }
    };
    crate::server::context::notice(true, format!("Saved as version {v}.")).await;
    leptos_axum::redirect(&format!("/templates/{template_id}"));
    Ok(())
}

/// The session key under which a refused rule form's values are kept.
pub const RULE_FORM: &str = "templates/rule";

/// What was typed into a rule form, with the template and the form (`add` or the capability)
/// it came from, so the page refills that form and no other.
#[cfg(feature = "ssr")]
fn kept_rule(template_id: i64, scope: &str, f: &governance::template::RuleForm) -> Vec<(&'static str, String)> {
    let tick = |on: bool| if on { "on".to_owned() } else { String::new() };
    vec![
        ("template_id", template_id.to_string()),
        ("scope", scope.to_owned()),
        ("capability", f.capability.clone()),
        ("min_confidence", f.min_confidence.clone()),
        ("limits", f.limits.clone()),
        ("max_per_hour", f.max_per_hour.clone()),
        ("new_value_params", f.new_value_params.clone()),
        ("supervised", tick(f.supervised)),
        ("approval_expiry_minutes", f.approval_expiry_minutes.clone()),
        ("condition", f.condition.clone()),
        ("separation_of_duties", tick(f.separation_of_duties)),
        ("peer_mode", f.peer_mode.clone()),
        ("peer_condition", f.peer_condition.clone()),
        ("peer_pool", f.peer_pool.clone()),
        ("peer_tolerances", f.peer_tolerances.clone()),
        ("peer_deadline_minutes", f.peer_deadline_minutes.clone()),
        ("to_contributor", f.to_contributor.clone()),
        ("to_executor", f.to_executor.clone()),
        ("review_observer_days", f.review_observer_days.clone()),
        ("review_contributor_days", f.review_contributor_days.clone()),
        ("review_executor_days", f.review_executor_days.clone()),
        ("review_grace_days", f.review_grace_days.clone()),
        ("review_when_overdue", f.review_when_overdue.clone()),
        ("start_tier", f.start_tier.clone()),
        ("approvals_required", f.approvals_required.clone()),
        ("approvals_when", f.approvals_when.clone()),
        ("approvals_distinct_groups", tick(f.approvals_distinct_groups)),
    ]
}

/// Removes one capability's rule, making a new version.
#[server(endpoint = "templates/rule/remove")]
pub async fn remove_rule(template_id: i64, expected_version: i64, capability: String) -> Result<(), AppError> {
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_manager().map_err(gov)?;
    let v = state()?.templates.remove_rule(&token, template_id, expected_version, &capability).await.map_err(gov)?;
    crate::server::context::notice(true, format!("Saved as version {v}.")).await;
    leptos_axum::redirect(&format!("/templates/{template_id}"));
    Ok(())
}
