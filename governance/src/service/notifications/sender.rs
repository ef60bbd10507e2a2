//! The sender's side of notifications: new events matched to subscriptions, due deliveries
//! leased to this instance and written (signed JSON or a Slack message), each attempt recorded.

use super::{Notifications, Outgoing};
use crate::capability::Risk;
use crate::error::GovError;
use crate::notify::message::Event;
use crate::notify::signature::{self, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::notify::{Attempt, DeliveryState, EventKind, Format, Retry, after_failure};
use crate::store::deliveries::{Finish, LEASE};
use crate::store::notifications::SubscriptionRecord;
use serde_json::Value;
use std::collections::HashMap;

impl Notifications {
    /// Matches new events against the subscriptions, then takes up to `n` due deliveries for
    /// this instance and writes them; `console` is the console's base URL for links.
    pub async fn next_batch(&self, console: &str, n: u64) -> Result<Vec<Outgoing>, GovError> {
        let now = crate::clock::now();
        // The catalogue's risks, read once a pass and only when they are needed.
        let mut risks = None;
        if self.store.undispatched_count().await? > 0 {
            let known = risks.insert(self.risks().await?);
            while self.store.dispatch_events(500, known, now).await? == 500 {}
        }
        if !self.store.any_delivery_due(now).await? {
            return Ok(Vec::new());
        }
        let claimed = self.store.claim_deliveries(&self.owner, n, now + LEASE, now).await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let subs: HashMap<i64, SubscriptionRecord> =
            self.store.subscriptions().await?.into_iter().map(|s| (s.id, s)).collect();
        let risks = match risks {
            Some(r) => r,
            None => self.risks().await?,
        };
        let events = self.events(claimed.iter().map(|d| d.event_id).collect(), &risks).await?;
        let stamp = now.timestamp();
        Ok(claimed
            .into_iter()
            .filter_map(|d| {
                let (s, e) = (subs.get(&d.subscription_id)?, events.get(&d.event_id)?);
                let format = Format::parse(&s.format).unwrap_or(Format::Json);
                let body = match format {
                    Format::Json => e.json_body(d.id, console),
                    Format::Slack => e.slack_body(console),
                };
                let mut headers = vec![
                    ("content-type", "application/json".to_owned()),
                    (DELIVERY_HEADER, d.id.to_string()),
                    (EVENT_HEADER, e.kind.as_str().to_owned()),
                ];
                if format == Format::Json {
                    headers.push((TIMESTAMP_HEADER, stamp.to_string()));
                    headers.push((SIGNATURE_HEADER, signature::sign(&s.secret, stamp, &body)));
                }
                Some(Outgoing { subscription: s.name.clone(), url: s.url.clone(), body, headers, delivery: d })
            })
            .collect())
    }

    /// Records one attempt: delivered, tried again after `retry.base` doubled per attempt, or a
    /// dead letter after the last. Returns the state it left the delivery in; 409 when this
    /// instance no longer holds the delivery.
    pub async fn record(&self, out: &Outgoing, attempt: Attempt, retry: Retry) -> Result<DeliveryState, GovError> {
        let now = crate::clock::now();
        let attempts = out.delivery.attempts + 1;
        let finish = match attempt {
            Attempt::Delivered { status } => {
                Finish { state: DeliveryState::Delivered, status: Some(status), error: None, next_attempt_at: None }
            }
            Attempt::Failed { status, error } => {
                crate::telemetry::delivery_failed(&out.subscription);
                match after_failure(attempts, retry) {
                    Some(wait) => Finish {
                        state: DeliveryState::Pending,
                        status,
                        error: Some(error),
                        next_attempt_at: Some(now + wait),
                    },
                    None => Finish { state: DeliveryState::Dead, status, error: Some(error), next_attempt_at: None },
                }
            }
        };
        let state = finish.state;
        if !self.store.finish_delivery(&out.delivery, &self.owner, finish, now).await? {
            // Its lease ran out and another instance took it over: that one records it.
            return Err(GovError::Conflict {
                field: "delivery",
                message: format!("delivery {} is no longer held by {}", out.delivery.id, self.owner),
            });
        }
        Ok(state)
    }

    async fn risks(&self) -> Result<HashMap<String, Risk>, GovError> {
        Ok(self.store.list_capabilities().await?.into_iter().map(|c| (c.name, c.risk)).collect())
    }

    /// Events by id as delivered: with the agent's name and the capability's risk (`risks`).
    pub(super) async fn events(
        &self,
        mut ids: Vec<i64>,
        risks: &HashMap<String, Risk>,
    ) -> Result<HashMap<i64, Event>, GovError> {
        ids.sort_unstable();
        ids.dedup();
        let rows = self.store.events_by_ids(ids).await?;
        if rows.is_empty() {
            return Ok(HashMap::new());
        }
        let agents: HashMap<i64, String> =
            self.store.list_agents().await?.into_iter().map(|a| (a.id, a.name)).collect();
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let kind = EventKind::parse(&r.kind).ok()?;
                let event = Event {
                    id: r.id,
                    kind,
                    subject: r.subject,
                    agent: r.agent_id.and_then(|a| agents.get(&a).cloned()),
                    risk: r.capability.as_ref().and_then(|c| risks.get(c).copied()),
                    capability: r.capability,
                    data: serde_json::from_str(&r.payload).unwrap_or(Value::Null),
                    created_at: r.created_at,
                };
                Some((r.id, event))
            })
            .collect())
    }
}
