//! The catalogue and templates Tenure ships with, modelled on real use: support replies,
//! finance analysis and refunds, and operations change proposals. Managers copy and edit the
//! templates; the built-in ones stay as they are.

use crate::policy::{Conditions, Limit};
use crate::service::capabilities::CapabilityForm;
use crate::template::{Body, Rule};

/// A built-in capability: name, description, risk, undo window (minutes; none = irreversible), schema.
pub struct BuiltinCapability {
    pub name: &'static str,
    pub description: &'static str,
    pub risk: &'static str,
    pub undo_window_minutes: Option<i64>,
    pub schema: &'static str,
}

impl BuiltinCapability {
    /// As the catalogue form takes it.
    pub fn form(&self) -> CapabilityForm {
        CapabilityForm {
            name: self.name.into(),
            description: self.description.into(),
            risk: self.risk.into(),
            reversible: self.undo_window_minutes.is_some(),
            undo_window_minutes: self.undo_window_minutes.map(|m| m.to_string()).unwrap_or_default(),
            params_schema: self.schema.into(),
        }
    }
}

/// The built-in catalogue.
pub const CAPABILITIES: &[BuiltinCapability] = &[
    BuiltinCapability {
        name: "support.reply.send",
        description: "Send a reply to a customer's support ticket",
        risk: "medium",
        undo_window_minutes: None,
        schema: r#"{"type":"object","required":["ticket_id","body"],"properties":{"ticket_id":{"type":"string","minLength":1},"body":{"type":"string","minLength":1,"maxLength":10000},"language":{"type":"string"}}}"#,
    },
    BuiltinCapability {
        name: "support.ticket.close",
        description: "Close a resolved support ticket",
        risk: "low",
        undo_window_minutes: Some(1440),
        schema: r#"{"type":"object","required":["ticket_id"],"properties":{"ticket_id":{"type":"string","minLength":1},"resolution":{"type":"string"}}}"#,
    },
    BuiltinCapability {
        name: "finance.report.generate",
        description: "Produce a financial analysis report (read-only)",
        risk: "low",
        undo_window_minutes: None,
        schema: r#"{"type":"object","required":["period"],"properties":{"period":{"type":"string"},"accounts":{"type":"array","items":{"type":"string"}}}}"#,
    },
    BuiltinCapability {
        name: "finance.refund.issue",
        description: "Refund (part of) a customer's payment",
        risk: "high",
        undo_window_minutes: Some(1440),
        schema: r#"{"type":"object","required":["order_id","amount","currency"],"properties":{"order_id":{"type":"string","minLength":1},"amount":{"type":"number","exclusiveMinimum":0},"currency":{"type":"string","pattern":"^[A-Z]{3}$"},"reason":{"type":"string"}}}"#,
    },
    BuiltinCapability {
        name: "ops.change.propose",
        description: "Open a change proposal for an infrastructure service",
        risk: "medium",
        undo_window_minutes: Some(60),
        schema: r#"{"type":"object","required":["service","summary"],"properties":{"service":{"type":"string"},"summary":{"type":"string"},"plan":{"type":"string"}}}"#,
    },
    BuiltinCapability {
        name: "ops.change.apply",
        description: "Apply an approved change to a production service",
        risk: "high",
        undo_window_minutes: Some(30),
        schema: r#"{"type":"object","required":["service","change_id"],"properties":{"service":{"type":"string"},"change_id":{"type":"string"},"replicas":{"type":"integer","minimum":0}}}"#,
    },
];

fn rule(capability: &str, expiry: i64, conditions: Conditions) -> Rule {
    Rule {
        capability: capability.into(),
        approval_expiry_minutes: expiry,
        conditions,
        condition: None,
        separation_of_duties: false,
        peer: crate::peer::PeerCheck::default(),
        promotion: crate::reliability::Promotion::default(),
        quorum: None,
    }
}

fn limit(param: &str, max: f64) -> Limit {
    Limit { param: param.into(), max }
}

/// The built-in templates: name, description, body.
pub fn templates() -> Vec<(&'static str, &'static str, Body)> {
    vec![
        (
            "Support replies",
            "Customer support: replies go out at once when the agent is confident; ticket closures can be undone for a day.",
            Body {
                rules: vec![
                    rule(
                        "support.reply.send",
                        240,
                        Conditions {
                            min_confidence: Some(0.8),
                            max_per_hour: Some(60),
                            new_value_params: vec!["language".into()],
                            ..Conditions::default()
                        },
                    ),
                    rule(
                        "support.ticket.close",
                        1440,
                        Conditions { min_confidence: Some(0.7), ..Conditions::default() },
                    ),
                ],
            },
        ),
        (
            "Finance analysis and refunds",
            "Finance: reports freely; small refunds in known currencies run supervised, anything larger waits for approval.",
            Body {
                rules: vec![
                    rule(
                        "finance.refund.issue",
                        480,
                        Conditions {
                            min_confidence: Some(0.9),
                            limits: vec![limit("amount", 200.0)],
                            max_per_hour: Some(10),
                            new_value_params: vec!["currency".into()],
                            supervised: true,
                        },
                    ),
                    rule(
                        "finance.report.generate",
                        1440,
                        Conditions { min_confidence: Some(0.6), ..Conditions::default() },
                    ),
                ],
            },
        ),
        (
            "Operations change proposals",
            "Operations: proposals flow; applying a change to production is rare, supervised and limited to known services.",
            Body {
                rules: vec![
                    Rule {
                        separation_of_duties: true,
                        ..rule(
                            "ops.change.apply",
                            60,
                            Conditions {
                                min_confidence: Some(0.95),
                                limits: vec![limit("replicas", 20.0)],
                                max_per_hour: Some(2),
                                new_value_params: vec!["service".into()],
                                supervised: true,
                            },
                        )
                    },
                    rule("ops.change.propose", 480, Conditions { min_confidence: Some(0.8), ..Conditions::default() }),
                ],
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::{CapabilityName, ParamsSchema, Reversibility, Risk};

    #[test]
    fn the_builtin_catalogue_is_valid() {
        for c in CAPABILITIES {
            let f = c.form();
            CapabilityName::parse(&f.name).unwrap();
            Risk::parse(&f.risk).unwrap();
            Reversibility::parse(f.reversible, &f.undo_window_minutes).unwrap();
            assert!(ParamsSchema::parse(&f.params_schema).unwrap().is_some(), "{}", c.name);
        }
    }

    #[test]
    fn builtin_templates_only_name_builtin_capabilities() {
        for (name, _, body) in templates() {
            assert!(!body.rules.is_empty(), "{name}");
            for r in &body.rules {
                assert!(CAPABILITIES.iter().any(|c| c.name == r.capability), "{name}: {}", r.capability);
            }
        }
    }
}
