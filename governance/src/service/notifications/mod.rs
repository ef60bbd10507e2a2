//! Notifications as use cases: administrators subscribe URLs to events (signed JSON or Slack
//! messages, filtered by kind, capability and risk), see each delivery's fate and send a dead
//! letter again; the server's sender takes the due deliveries, sends them, and records each
//! attempt here (tried again with exponential backoff, dead after the last attempt).

use crate::capability::Risk;
use crate::error::GovError;
use crate::evidence::Draft;
use crate::notify::message::Event;
use crate::notify::signature;
use crate::notify::{DeliveryState, EventKind, Format};
use crate::principal::AsAdmin;
use crate::store::Store;
use crate::store::deliveries::{self, DeliveryRecord};
use crate::store::evidence;
use crate::store::notifications::{self as store, NewEvent, SubscriptionFields, SubscriptionRecord, filter_of};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::collections::HashMap;

mod sender;

/// A subscription as an administrator enters it.
#[derive(Clone, Debug, Default)]
pub struct SubscriptionForm {
    pub name: String,
    pub url: String,
    /// `json` or `slack`.
    pub format: String,
    /// Event kinds by wire name; none: all.
    pub kinds: Vec<String>,
    /// Capability names, comma- or line-separated; empty: all.
    pub capabilities: String,
    /// `low`, `medium`, `high`, or empty for any.
    pub min_risk: String,
}

/// One subscription with how its deliveries stand.
#[derive(Clone, Debug)]
pub struct SubscriptionView {
    pub subscription: SubscriptionRecord,
    pub kinds: Vec<EventKind>,
    pub capabilities: Vec<String>,
    pub pending: u64,
    pub delivered: u64,
    pub dead: u64,
}

/// One delivery as the page lists it.
#[derive(Clone, Debug)]
pub struct DeliveryView {
    pub delivery: DeliveryRecord,
    pub subscription: String,
    pub kind: String,
    pub summary: String,
}

/// The notifications page.
#[derive(Clone, Debug)]
pub struct NotificationsPage {
    pub subscriptions: Vec<SubscriptionView>,
    pub deliveries: Vec<DeliveryView>,
    /// Capability names, for the form.
    pub capabilities: Vec<String>,
}

/// A delivery ready to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub delivery: DeliveryRecord,
    pub subscription: String,
    pub url: String,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
}

/// The notification use cases.
#[derive(Clone, Debug)]
pub struct Notifications {
    store: Store,
    /// This instance, as the holder of the deliveries it claims.
    owner: String,
}

impl Notifications {
    pub fn new(store: Store, owner: String) -> Notifications {
        Notifications { store, owner }
    }

    /// Subscriptions with their counts, and the newest deliveries (of one state, if given).
    pub async fn page(&self, _by: &AsAdmin, state: Option<DeliveryState>) -> Result<NotificationsPage, GovError> {
        let subs = self.store.subscriptions().await?;
        let counts = self.store.delivery_counts().await?;
        let count = |id: i64, st: DeliveryState| {
            counts.iter().filter(|(s, state, _)| *s == id && state == st.as_str()).map(|(_, _, n)| n).sum()
        };
        let names: HashMap<i64, String> = subs.iter().map(|s| (s.id, s.name.clone())).collect();
        let recent = self.store.recent_deliveries(state, 50).await?;
        let catalogue = self.store.list_capabilities().await?;
        let risks = catalogue.iter().map(|c| (c.name.clone(), c.risk)).collect();
        let events = self.events(recent.iter().map(|d| d.event_id).collect(), &risks).await?;
        let deliveries = recent
            .into_iter()
            .map(|d| {
                let event = events.get(&d.event_id);
                DeliveryView {
                    subscription: names.get(&d.subscription_id).cloned().unwrap_or_default(),
                    kind: event.map_or(String::new(), |e| e.kind.as_str().to_owned()),
                    summary: event.map_or(String::new(), Event::summary),
                    delivery: d,
                }
            })
            .collect();
        let subscriptions = subs
            .into_iter()
            .map(|s| {
                let f = filter_of(&s);
                SubscriptionView {
                    pending: count(s.id, DeliveryState::Pending),
                    delivered: count(s.id, DeliveryState::Delivered),
                    dead: count(s.id, DeliveryState::Dead),
                    kinds: f.kinds,
                    capabilities: f.capabilities,
                    subscription: s,
                }
            })
            .collect();
        let capabilities = catalogue.into_iter().map(|c| c.name).collect();
        Ok(NotificationsPage { subscriptions, deliveries, capabilities })
    }

    /// Adds a subscription; returns it with its signing secret (shown to the administrator once).
    pub async fn create(&self, by: &AsAdmin, form: SubscriptionForm) -> Result<(SubscriptionRecord, String), GovError> {
        let fields = self.check(form).await?;
        let secret = signature::new_secret();
        let now = crate::clock::now();
        let txn = self.store.begin_write().await?;
        let s = store::insert_subscription(&txn, fields, &secret, &by.actor().name, now).await?;
        let summary = format!("{} subscribed {} ({}) to notifications", by.actor().name, s.name, s.format);
        evidence::append(&txn, &self.draft(by, "notification.subscribed", &s, summary)).await?;
        txn.commit().await?;
        Ok((s, secret))
    }

    /// Pauses (`active = false`) or resumes a subscription. Events while paused are not queued
    /// for it.
    pub async fn set_active(&self, by: &AsAdmin, id: i64, active: bool) -> Result<SubscriptionRecord, GovError> {
        let s = self.subscription(id).await?;
        let txn = self.store.begin_write().await?;
        store::set_active(&txn, id, active, crate::clock::now()).await?;
        let (kind, verb) = if active { ("notification.resumed", "resumed") } else { ("notification.paused", "paused") };
        let summary = format!("{} {verb} notifications to {}", by.actor().name, s.name);
        evidence::append(&txn, &self.draft(by, kind, &s, summary)).await?;
        txn.commit().await?;
        self.subscription(id).await
    }

    /// Removes a subscription and its deliveries.
    pub async fn delete(&self, by: &AsAdmin, id: i64) -> Result<SubscriptionRecord, GovError> {
        let s = self.subscription(id).await?;
        let txn = self.store.begin_write().await?;
        if !store::delete_subscription(&txn, id).await? {
            return Err(GovError::NotFound(format!("subscription {id}")));
        }
        let summary = format!("{} removed the notification subscription {}", by.actor().name, s.name);
        evidence::append(&txn, &self.draft(by, "notification.unsubscribed", &s, summary)).await?;
        txn.commit().await?;
        Ok(s)
    }

    /// Gives a subscription a new signing secret (shown once); the old one stops verifying.
    pub async fn rotate_secret(&self, by: &AsAdmin, id: i64) -> Result<(SubscriptionRecord, String), GovError> {
        let s = self.subscription(id).await?;
        let secret = signature::new_secret();
        let txn = self.store.begin_write().await?;
        store::set_secret(&txn, id, &secret, crate::clock::now()).await?;
        let summary = format!("{} gave {} a new signing secret", by.actor().name, s.name);
        evidence::append(&txn, &self.draft(by, "notification.secret_rotated", &s, summary)).await?;
        txn.commit().await?;
        Ok((s, secret))
    }

    /// Queues a test event for one subscription.
    pub async fn send_test(&self, by: &AsAdmin, id: i64) -> Result<i64, GovError> {
        let s = self.subscription(id).await?;
        let event = NewEvent {
            kind: EventKind::Test,
            subject: format!("subscription:{id}"),
            agent_id: None,
            capability: None,
            data: json!({"subscription": s.name, "sent_by": by.actor().name}),
            dedupe_key: None,
        };
        self.store.deliver_to(event, id, crate::clock::now()).await
    }

    /// Sends a dead (or delivered) delivery again from its first attempt.
    pub async fn redeliver(&self, by: &AsAdmin, delivery_id: i64) -> Result<(), GovError> {
        let d = self
            .store
            .delivery_by_id(delivery_id)
            .await?
            .ok_or_else(|| GovError::NotFound(format!("delivery {delivery_id}")))?;
        let s = self.subscription(d.subscription_id).await?;
        let txn = self.store.begin_write().await?;
        if !deliveries::redeliver(&txn, delivery_id, crate::clock::now()).await? {
            txn.rollback().await?;
            return Err(GovError::Conflict {
                field: "delivery",
                message: format!("delivery {delivery_id} is being sent already"),
            });
        }
        let summary = format!("{} sent delivery {delivery_id} to {} again", by.actor().name, s.name);
        let mut draft = self.draft(by, "notification.redelivered", &s, summary);
        draft.details = json!({"delivery": delivery_id, "event": d.event_id, "subscription": s.id, "was": d.state});
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(())
    }

    async fn subscription(&self, id: i64) -> Result<SubscriptionRecord, GovError> {
        self.store.subscription_by_id(id).await?.ok_or_else(|| GovError::NotFound(format!("subscription {id}")))
    }

    /// Checks a form, naming the field at fault.
    async fn check(&self, form: SubscriptionForm) -> Result<SubscriptionFields, GovError> {
        let name = form.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(GovError::invalid("name", "give it a name of 1 to 100 characters"));
        }
        crate::text::storable("name", &name).map_err(GovError::field)?;
        let url = check_url(form.url.trim()).map_err(|m| GovError::invalid("url", m))?;
        let format = Format::parse(&form.format).map_err(|m| GovError::invalid("format", m))?;
        let mut kinds = Vec::new();
        for k in &form.kinds {
            let kind = EventKind::parse(k).map_err(|m| GovError::invalid("kinds", m))?;
            if kind == EventKind::Test {
                return Err(GovError::invalid("kinds", "the test is sent from this page, not subscribed to"));
            }
            if !kinds.contains(&kind.as_str().to_owned()) {
                kinds.push(kind.as_str().to_owned());
            }
        }
        if kinds.len() == EventKind::CHOOSABLE.len() {
            // Every kind ticked is every kind, those added later included.
            kinds.clear();
        }
        let known: Vec<String> = self.store.list_capabilities().await?.into_iter().map(|c| c.name).collect();
        let mut capabilities = Vec::new();
        for c in form.capabilities.split([',', '\n']).map(str::trim).filter(|c| !c.is_empty()) {
            if !known.iter().any(|k| k == c) {
                return Err(GovError::invalid("capabilities", format!("'{c}' is not in the catalogue")));
            }
            if !capabilities.iter().any(|have: &String| have == c) {
                capabilities.push(c.to_owned());
            }
        }
        let min_risk = match form.min_risk.trim() {
            "" => None,
            r => Some(Risk::parse(r).map_err(|m| GovError::invalid("min_risk", m))?.as_str().to_owned()),
        };
        Ok(SubscriptionFields { name, url, format: format.as_str().to_owned(), kinds, capabilities, min_risk })
    }

    fn draft(&self, by: &AsAdmin, kind: &'static str, s: &SubscriptionRecord, summary: String) -> Draft {
        Draft {
            actor: by.actor().clone(),
            kind,
            subject_kind: "subscription",
            subject_id: s.id.to_string(),
            summary,
            details: json!({
                "name": s.name, "url": s.url, "format": s.format, "kinds": s.kinds,
                "capabilities": s.capabilities, "min_risk": s.min_risk,
            }),
        }
    }
}

/// A receiver's URL: `http://` or `https://`, a host, no spaces; at most 2000 characters.
pub fn check_url(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("'{url}' must start with https:// or http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err(format!("'{url}' names no host"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a URL may not contain spaces or control characters".into());
    }
    if url.len() > 2000 {
        return Err("must be at most 2000 characters".into());
    }
    Ok(url.to_owned())
}

/// When a delivery waits until, in words, for the page.
pub fn next_attempt_words(d: &DeliveryRecord, now: DateTime<Utc>) -> String {
    let wait = d.next_attempt_at - now;
    if wait <= Duration::zero() { "now".into() } else { format!("in {}", span(wait)) }
}

fn span(d: Duration) -> String {
    match d.num_seconds() {
        s if s < 90 => format!("{s} s"),
        s if s < 5400 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receiver_url_is_checked() {
        assert_eq!(
            check_url("https://hooks.slack.com/services/T/B/x"),
            Ok("https://hooks.slack.com/services/T/B/x".into())
        );
        assert_eq!(check_url("http://127.0.0.1:9000/hook"), Ok("http://127.0.0.1:9000/hook".into()));
        assert!(check_url("ftp://x").unwrap_err().contains("must start with"));
        assert!(check_url("https:///path").unwrap_err().contains("names no host"));
        assert!(check_url("https://a b").unwrap_err().contains("spaces"));
    }

    #[test]
    fn waits_read_in_words() {
        assert_eq!(span(Duration::seconds(40)), "40 s");
        assert_eq!(span(Duration::seconds(600)), "10 min");
        assert_eq!(span(Duration::seconds(7200)), "2 h");
    }
}
