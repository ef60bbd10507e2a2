//! What a delivery says: the event as signed JSON, or as a Slack incoming-webhook message with a
//! link to the item in the console.

use super::EventKind;
use crate::capability::Risk;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// An event as delivered: what the outbox kept, with the agent's name and the capability's risk.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub id: i64,
    pub kind: EventKind,
    /// What it is about, e.g. `action:17`.
    pub subject: String,
    pub agent: Option<String>,
    pub capability: Option<String>,
    pub risk: Option<Risk>,
    /// The facts the change recorded (ids, reasons, figures).
    pub data: Value,
    pub created_at: DateTime<Utc>,
}

impl Event {
    /// One sentence a person reads.
    pub fn summary(&self) -> String {
        let agent = self.agent.as_deref().unwrap_or("an agent");
        let capability = self.capability.as_deref().unwrap_or("a capability");
        let text = |key: &str| self.data.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
        let id = |key: &str| self.data.get(key).and_then(Value::as_i64).unwrap_or_default();
        match self.kind {
            EventKind::ApprovalRequested => {
                let until = text("expires_at");
                let by = if until.is_empty() { String::new() } else { format!(" by {until}") };
                format!(
                    "{agent} asks to {capability} (action {}); a person must decide{by}: {}",
                    id("action_id"),
                    text("rule")
                )
            }
            EventKind::PeerDisagreement => format!(
                "A second agent disagreed with {agent} on {capability} (action {}, on {}); a reviewer must choose",
                id("action_id"),
                text("differing")
            ),
            EventKind::AlertRaised => {
                // A detector watching people raises alerts about a reviewer, not an agent.
                let about = match self.data.get("reviewer").and_then(Value::as_str) {
                    Some(reviewer) if self.agent.is_none() => format!("reviewer {reviewer}"),
                    _ => agent.to_owned(),
                };
                format!("Alert {} about {about}: {}", id("alert_id"), text("message"))
            }
            EventKind::AutonomyWithdrawn => format!("{agent} on {capability}: {}", text("what")),
            EventKind::ReviewDue => {
                format!("The trust review of {agent}'s grant on {capability} is due {}", text("due"))
            }
            EventKind::ExportFinished => {
                format!("Audit export {} is ready: {} records, {} bytes", id("export_id"), id("records"), id("bytes"))
            }
            EventKind::Test => format!("A test from Tenure for the subscription '{}'", text("subscription")),
        }
    }

    /// The console page of the item, as a path.
    pub fn path(&self) -> String {
        let id = |key: &str| self.data.get(key).and_then(Value::as_i64);
        match self.kind {
            EventKind::ApprovalRequested | EventKind::PeerDisagreement => {
                id("action_id").map_or("/inbox".into(), |a| format!("/actions/{a}"))
            }
            EventKind::AlertRaised | EventKind::AutonomyWithdrawn => match (id("alert_id"), id("agent_id")) {
                (Some(a), _) => format!("/alerts/{a}"),
                (None, Some(agent)) => format!("/agents/{agent}"),
                _ => "/alerts".into(),
            },
            EventKind::ReviewDue => id("grant_id").map_or("/reviews".into(), |g| format!("/reviews/{g}")),
            EventKind::ExportFinished => id("export_id").map_or("/audit".into(), |e| format!("/audit/exports/{e}")),
            EventKind::Test => "/notifications".into(),
        }
    }

    /// The signed JSON body of delivery `delivery_id`; `console` is the console's base URL.
    pub fn json_body(&self, delivery_id: i64, console: &str) -> String {
        json!({
            "delivery_id": delivery_id,
            "event_id": self.id,
            "kind": self.kind.as_str(),
            "created_at": self.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "subject": self.subject,
            "agent": self.agent,
            "capability": self.capability,
            "risk": self.risk.map(Risk::as_str),
            "summary": self.summary(),
            "link": format!("{}{}", console.trim_end_matches('/'), self.path()),
            "data": self.data,
        })
        .to_string()
    }

    /// A Slack incoming-webhook message: the summary, with a link to the item.
    pub fn slack_body(&self, console: &str) -> String {
        let link = format!("{}{}", console.trim_end_matches('/'), self.path());
        let context = [self.agent.clone(), self.capability.clone(), self.risk.map(|r| format!("{} risk", r.as_str()))]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        let headline = format!(
            "*{}*{}",
            self.kind.label(),
            if context.is_empty() { String::new() } else { format!(" — {}", slack_escape(&context)) }
        );
        json!({
            "text": format!("{}: {}", self.kind.label(), self.summary()),
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": format!("{headline}\n{}", slack_escape(&self.summary()))}},
                {"type": "actions", "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "Open in Tenure"}, "url": link}
                ]}
            ]
        })
        .to_string()
    }
}

/// Text as Slack's mrkdwn shows it literally (`&`, `<`, `>` are its control characters).
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval() -> Event {
        Event {
            id: 42,
            kind: EventKind::ApprovalRequested,
            subject: "action:17".into(),
            agent: Some("refund-bot".into()),
            capability: Some("finance.refund.issue".into()),
            risk: Some(Risk::High),
            data: json!({"action_id": 17, "rule": "amount 250 exceeds the limit 200", "expires_at": "2026-12-06T15:00:00Z"}),
            created_at: DateTime::parse_from_rfc3339("2026-12-06T14:00:00Z").unwrap().with_timezone(&Utc),
        }
    }

    #[test]
    fn the_json_body_carries_the_event_with_a_link_into_the_console() {
        let body: Value = serde_json::from_str(&approval().json_body(9, "https://tenure.example/")).unwrap();
        assert_eq!(body["delivery_id"], 9);
        assert_eq!(body["event_id"], 42);
        assert_eq!(body["kind"], "approval.requested");
        assert_eq!(body["risk"], "high");
        assert_eq!(body["link"], "https://tenure.example/actions/17");
        assert_eq!(body["created_at"], "2026-12-06T14:00:00Z");
        assert_eq!(
            body["summary"],
            "refund-bot asks to finance.refund.issue (action 17); a person must decide by 2026-12-06T15:00:00Z: amount 250 exceeds the limit 200"
        );
    }

    #[test]
    fn a_slack_message_links_to_the_item_and_escapes_its_text() {
        let mut e = approval();
        e.agent = Some("<bot & co>".into());
        let body: Value = serde_json::from_str(&e.slack_body("http://127.0.0.1:3000")).unwrap();
        assert!(body["text"].as_str().unwrap().starts_with("Approval requested: <bot & co> asks"));
        let section = body["blocks"][0]["text"]["text"].as_str().unwrap();
        assert!(
            section.starts_with("*Approval requested* — &lt;bot &amp; co&gt; · finance.refund.issue · high risk\n"),
            "{section}"
        );
        assert_eq!(body["blocks"][1]["elements"][0]["url"], "http://127.0.0.1:3000/actions/17");
    }

    #[test]
    fn an_alert_about_a_reviewer_says_so() {
        let mut e = approval();
        e.kind = EventKind::AlertRaised;
        e.agent = None;
        e.capability = None;
        e.data = json!({"alert_id": 4, "reviewer": "rita", "message": "approved 40 in 3 minutes"});
        assert_eq!(e.summary(), "Alert 4 about reviewer rita: approved 40 in 3 minutes");
        e.agent = Some("refund-bot".into());
        e.data = json!({"alert_id": 5, "message": "rejections rose"});
        assert_eq!(e.summary(), "Alert 5 about refund-bot: rejections rose");
    }

    #[test]
    fn each_kind_links_to_its_page() {
        let mut e = approval();
        for (kind, data, path) in [
            (EventKind::AlertRaised, json!({"alert_id": 3}), "/alerts/3"),
            (EventKind::AutonomyWithdrawn, json!({"agent_id": 5}), "/agents/5"),
            (EventKind::ReviewDue, json!({"grant_id": 8}), "/reviews/8"),
            (EventKind::ExportFinished, json!({"export_id": 2}), "/audit/exports/2"),
            (EventKind::PeerDisagreement, json!({"action_id": 4}), "/actions/4"),
        ] {
            e.kind = kind;
            e.data = data;
            assert_eq!(e.path(), path, "{kind:?}");
        }
    }
}
