//! Notification subscriptions and deliveries (admins only).

use crate::error::AppError;
use crate::model::NotificationsView;
use leptos::prelude::*;

/// The page: subscriptions, the newest deliveries (`state`: all, pending, dead, delivered) and
/// a signing secret made just before (taken, so shown once).
#[server(endpoint = "notifications/page")]
pub async fn notifications_page(state: Option<String>) -> Result<NotificationsView, AppError> {
    use crate::api::show_time;
    use crate::model::{DeliveryRow, NewSecret, SubscriptionRow};
    use crate::server::context::{Flash, flash, gov, principal, state as app_state};
    use governance::notify::{DeliveryState, EventKind};
    let token = principal()?.as_admin().map_err(gov)?;
    let new_secret = match flash() {
        Some(Flash::NewSecret { subscription, secret }) => Some(NewSecret { subscription, secret }),
        _ => None,
    };
    let showing = state.as_deref().and_then(DeliveryState::parse);
    let page = app_state()?.notifications.page(&token, showing).await.map_err(gov)?;
    let now = chrono::Utc::now();
    let label = |k: &str| EventKind::parse(k).map(EventKind::label).unwrap_or("Unknown").to_owned();
    let subscriptions = page
        .subscriptions
        .into_iter()
        .map(|v| SubscriptionRow {
            id: v.subscription.id,
            name: v.subscription.name,
            url: v.subscription.url,
            format: v.subscription.format,
            kinds: v.kinds.iter().map(|k| k.label().to_owned()).collect(),
            capabilities: v.capabilities,
            min_risk: v.subscription.min_risk,
            active: v.subscription.active,
            created_by: v.subscription.created_by,
            created_at: show_time(&v.subscription.created_at),
            pending: v.pending,
            delivered: v.delivered,
            dead: v.dead,
        })
        .collect();
    let deliveries = page
        .deliveries
        .into_iter()
        .map(|v| {
            let d = v.delivery;
            let next = (d.state == DeliveryState::Pending.as_str())
                .then(|| governance::service::notifications::next_attempt_words(&d, now));
            let last = match (d.last_status, d.last_error) {
                (_, Some(e)) => Some(e),
                (Some(s), None) => Some(format!("answered {s}")),
                (None, None) => None,
            };
            DeliveryRow {
                id: d.id,
                subscription: v.subscription,
                kind: label(&v.kind),
                summary: v.summary,
                state: d.state,
                attempts: d.attempts,
                last,
                created_at: show_time(&d.created_at),
                next,
            }
        })
        .collect();
    Ok(NotificationsView {
        subscriptions,
        deliveries,
        showing: showing.map_or("all", DeliveryState::as_str).to_owned(),
        kinds: EventKind::CHOOSABLE.iter().map(|k| (k.as_str().to_owned(), k.label().to_owned())).collect(),
        capabilities: page.capabilities,
        new_secret,
    })
}

/// Adds a subscription; its signing secret is shown once on the page it returns to.
#[server(endpoint = "notifications/create")]
#[allow(clippy::too_many_arguments)]
pub async fn create_subscription(
    name: String,
    url: String,
    format: String,
    capabilities: String,
    min_risk: String,
    kind_approval_requested: Option<String>,
    kind_peer_disagreement: Option<String>,
    kind_alert_raised: Option<String>,
    kind_autonomy_withdrawn: Option<String>,
    kind_review_due: Option<String>,
    kind_export_finished: Option<String>,
) -> Result<(), AppError> {
    use crate::server::context::{FLASH_KEY, Flash, gov, keep_form, principal, session, state};
    use governance::service::notifications::SubscriptionForm;
    let token = principal()?.as_admin().map_err(gov)?;
    let ticked = [
        ("approval.requested", &kind_approval_requested),
        ("peer.disagreement", &kind_peer_disagreement),
        ("alert.raised", &kind_alert_raised),
        ("autonomy.withdrawn", &kind_autonomy_withdrawn),
        ("review.due", &kind_review_due),
        ("export.finished", &kind_export_finished),
    ];
    let kinds: Vec<String> = ticked.iter().filter(|(_, v)| v.is_some()).map(|(k, _)| (*k).to_owned()).collect();
    let form = SubscriptionForm {
        name: name.clone(),
        url: url.clone(),
        format: format.clone(),
        kinds: kinds.clone(),
        capabilities: capabilities.clone(),
        min_risk: min_risk.clone(),
    };
    let (s, secret) = match state()?.notifications.create(&token, form).await {
        Ok(made) => made,
        Err(e) => {
            let mut typed = vec![
                ("name", name.as_str()),
                ("url", url.as_str()),
                ("format", format.as_str()),
                ("capabilities", capabilities.as_str()),
                ("min_risk", min_risk.as_str()),
            ];
            typed.extend(kinds.iter().map(|k| ("kind", k.as_str())));
            keep_form("notifications/create", &typed).await;
            return Err(gov(e));
        }
    };
    let session = session()?;
    session
        .insert(FLASH_KEY, Flash::NewSecret { subscription: s.name.clone(), secret })
        .await
        .map_err(|_| AppError::Unavailable)?;
    crate::server::context::notice(true, format!("{} is subscribed. Send it a test to check the receiver.", s.name))
        .await;
    leptos_axum::redirect("/notifications");
    Ok(())
}

/// Pauses (`active=false`) or resumes (`active=true`) a subscription.
#[server(endpoint = "notifications/active")]
pub async fn set_subscription_active(id: i64, active: String) -> Result<(), AppError> {
    use crate::server::context::{fail, gov, notice, principal, state};
    let token = principal()?.as_admin().map_err(gov)?;
    let on = match active.as_str() {
        "true" => true,
        "false" => false,
        other => {
            return Err(fail(AppError::Field {
                field: "active".into(),
                message: format!("'{other}' is not true or false"),
            }));
        }
    };
    let s = state()?.notifications.set_active(&token, id, on).await.map_err(gov)?;
    let text = if on {
        format!("{} is resumed: new events are queued for it again.", s.name)
    } else {
        format!("{} is paused: events from now on are not queued for it.", s.name)
    };
    notice(true, text).await;
    leptos_axum::redirect("/notifications");
    Ok(())
}

/// Removes a subscription and its deliveries.
#[server(endpoint = "notifications/delete")]
pub async fn delete_subscription(id: i64) -> Result<(), AppError> {
    use crate::server::context::{gov, notice, principal, state};
    let token = principal()?.as_admin().map_err(gov)?;
    let s = state()?.notifications.delete(&token, id).await.map_err(gov)?;
    notice(true, format!("{} was removed with its deliveries.", s.name)).await;
    leptos_axum::redirect("/notifications");
    Ok(())
}

/// Gives a subscription a new signing secret, shown once.
#[server(endpoint = "notifications/secret")]
pub async fn rotate_subscription_secret(id: i64) -> Result<(), AppError> {
    use crate::server::context::{FLASH_KEY, Flash, gov, principal, session, state};
    let token = principal()?.as_admin().map_err(gov)?;
    let (s, secret) = state()?.notifications.rotate_secret(&token, id).await.map_err(gov)?;
    session()?
        .insert(FLASH_KEY, Flash::NewSecret { subscription: s.name, secret })
        .await
        .map_err(|_| AppError::Unavailable)?;
    leptos_axum::redirect("/notifications");
    Ok(())
}

/// Sends a test event to one subscription.
#[server(endpoint = "notifications/test")]
pub async fn send_test_notification(id: i64) -> Result<(), AppError> {
    use crate::server::context::{gov, notice, principal, state};
    let token = principal()?.as_admin().map_err(gov)?;
    let delivery = state()?.notifications.send_test(&token, id).await.map_err(gov)?;
    notice(true, format!("Test queued as delivery {delivery}; its fate shows below within seconds.")).await;
    leptos_axum::redirect("/notifications");
    Ok(())
}

/// Sends a dead (or delivered) delivery again from its first attempt.
#[server(endpoint = "notifications/redeliver")]
pub async fn redeliver(delivery_id: i64) -> Result<(), AppError> {
    use crate::server::context::{gov, notice, principal, state};
    let token = principal()?.as_admin().map_err(gov)?;
    state()?.notifications.redeliver(&token, delivery_id).await.map_err(gov)?;
    notice(true, format!("Delivery {delivery_id} is queued to be sent again.")).await;
    leptos_axum::redirect("/notifications?state=pending");
    Ok(())
}
