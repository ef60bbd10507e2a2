//! The engine's metrics, through the `metrics` facade: what it counts and under which names.
//! Nothing is kept unless the process installed a recorder (the server's `/metrics` does); the
//! figures read from the database at scrape time are [`crate::service::gauges`].

use crate::policy::Decision;

/// Decisions recorded, by capability and decision (a replayed idempotency key is not counted).
pub const DECISIONS: &str = "tenure_decisions_total";
/// Seconds from a request's arrival in the engine to its recorded decision.
pub const DECISION_SECONDS: &str = "tenure_decision_seconds";
/// Requests per committed group-commit batch (a replayed idempotency key is looked up there too).
pub const BATCH_SIZE: &str = "tenure_writer_batch_size";
/// Webhook deliveries that failed (the receiver answered other than 2xx, or could not be reached).
pub const DELIVERY_FAILURES: &str = "tenure_webhook_delivery_failures_total";
/// The label given to a capability the catalogue does not know, so that names an agent makes
/// up cannot grow the number of series.
pub const UNKNOWN_CAPABILITY: &str = "(unknown)";

/// Counts one recorded decision; `capability` is `None` when the catalogue does not know it.
pub fn decided(capability: Option<&str>, decision: Decision) {
    let capability = capability.unwrap_or(UNKNOWN_CAPABILITY).to_owned();
    metrics::counter!(DECISIONS, "capability" => capability, "decision" => decision.as_str()).increment(1);
}

/// Counts one failed delivery attempt to the subscription named `subscription`.
pub fn delivery_failed(subscription: &str) {
    metrics::counter!(DELIVERY_FAILURES, "subscription" => subscription.to_owned()).increment(1);
}

/// Describes the engine's metrics to the installed recorder (their `# HELP` lines).
pub fn describe() {
    metrics::describe_counter!(DECISIONS, "Decisions recorded, by capability and decision");
    metrics::describe_histogram!(
        DECISION_SECONDS,
        metrics::Unit::Seconds,
        "Time from a request's arrival to its recorded decision"
    );
    metrics::describe_counter!(DELIVERY_FAILURES, "Failed webhook delivery attempts, by subscription");
    metrics::describe_histogram!(BATCH_SIZE, metrics::Unit::Count, "Requests per committed group-commit batch");
}
