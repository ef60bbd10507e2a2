//! The webhook sender: every second it takes the deliveries due (matching new outbox events to
//! subscriptions first), POSTs each to its subscription's URL, and records the attempt —
//! delivered on a 2xx, tried again later with exponential backoff otherwise, a dead letter after
//! the last attempt (`governance::notify`). Every instance runs it; each delivery is leased to
//! one instance while it is sent. On shutdown the pass in flight finishes and is recorded, so a
//! restart does not send it again; an instance that dies mid-delivery leaves its lease to run
//! out, and the delivery is sent again with the same `X-Tenure-Delivery` id.

mod cause;

use governance::notify::{Attempt, Retry};
use governance::service::notifications::{Notifications, Outgoing};
use std::time::Duration;
use tokio::sync::watch;

/// Deliveries sent at once by one pass.
const PER_PASS: u64 = 16;
/// How long a receiver has to answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// What the sender needs.
#[derive(Clone)]
pub struct Sender {
    notifications: Notifications,
    http: reqwest::Client,
    /// The console's base URL, for links in messages.
    console: String,
    /// How failed deliveries are tried again.
    retry: Retry,
}

impl Sender {
    pub fn new(notifications: Notifications, console: String, retry: Retry) -> Result<Sender, String> {
        let http = reqwest::Client::builder()
            .timeout(ANSWER_WITHIN)
            .connect_timeout(Duration::from_secs(5))
            // A receiver that redirects is told no: the subscription should name the final URL.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("tenure/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the webhook client: {e}"))?;
        Ok(Sender { notifications, http, console, retry })
    }

    /// One pass: sends what is due, all at once; how many were sent.
    pub async fn pass(&self) -> Result<usize, governance::GovError> {
        let batch = self.notifications.next_batch(&self.console, PER_PASS).await?;
        let n = batch.len();
        let sent = batch.into_iter().map(|out| async move {
            let attempt = self.send(&out).await;
            if let Attempt::Failed { error, .. } = &attempt {
                tracing::info!(delivery = out.delivery.id, subscription = %out.subscription, error = %error, "webhook delivery failed");
            }
            if let Err(e) = self.notifications.record(&out, attempt, self.retry).await {
                tracing::warn!(delivery = out.delivery.id, error = %e, "could not record a delivery attempt");
            }
        });
        futures_util::future::join_all(sent).await;
        Ok(n)
    }

    async fn send(&self, out: &Outgoing) -> Attempt {
        let mut req = self.http.post(&out.url).body(out.body.clone());
        for (name, value) in &out.headers {
            req = req.header(*name, value);
        }
        match req.send().await {
            Ok(res) if res.status().is_success() => Attempt::Delivered { status: res.status().as_u16() },
            Ok(res) => Attempt::Failed { status: Some(res.status().as_u16()), error: cause::of_status(res.status()) },
            Err(e) => Attempt::Failed { status: None, error: cause::of_error(&e) },
        }
    }
}

/// Runs the sender every second until `stop` changes; the pass in flight finishes first.
pub async fn run(sender: Sender, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(e) = sender.pass().await {
                    tracing::warn!(error = %e, "webhook deliveries: the pass failed; trying again next second");
                }
            }
            _ = stop.changed() => return,
        }
    }
}
