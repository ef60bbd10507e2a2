//! The capability catalogue against real databases.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use governance::capability::{Reversibility, Risk};
use governance::service::accounts::ThrottlePolicy;
use governance::service::capabilities::CapabilityForm;
use governance::{Accounts, Capabilities, GovError};

fn refund() -> CapabilityForm {
    CapabilityForm {
        name: "finance.refund.issue".into(),
        description: "Refund a customer's payment".into(),
        risk: "high".into(),
        reversible: true,
        undo_window_minutes: "1440".into(),
        params_schema: r#"{"type":"object","required":["amount"],"properties":{"amount":{"type":"number"}}}"#.into(),
    }
}

#[tokio::test]
async fn capabilities_are_defined_once_validated_per_field_and_edited_with_evidence() {
    for db in common::backends().await {
        let acc = Accounts::new(db.store.clone(), ThrottlePolicy::default());
        let (_, temp) = acc.add_user_cli("mona", &["manager".into()]).await.unwrap();
        let p = acc.login("mona", &temp, "t").await.unwrap();
        acc.change_own_password(&p, &temp, "mona's own password", "mona's own password").await.unwrap();
        let token = acc.principal(p.user_id).await.unwrap().unwrap().as_manager().unwrap();
        let caps = Capabilities::new(db.store.clone());

        let c = caps.define(&token, refund()).await.unwrap();
        assert_eq!((c.risk, c.reversibility), (Risk::High, Reversibility::Reversible { undo_window_minutes: 1440 }));
        assert!(
            matches!(caps.define(&token, refund()).await, Err(GovError::Conflict { field: "name", .. })),
            "{}",
            db.name
        );
        let cases = [
            (CapabilityForm { name: "refund".into(), ..refund() }, "name"),
            (CapabilityForm { name: "a.b".into(), risk: "huge".into(), ..refund() }, "risk"),
            (
                CapabilityForm { name: "a.b".into(), undo_window_minutes: "soon".into(), ..refund() },
                "undo_window_minutes",
            ),
            (CapabilityForm { name: "a.b".into(), params_schema: "{oops".into(), ..refund() }, "params_schema"),
            (CapabilityForm { name: "a.b".into(), description: "".into(), ..refund() }, "description"),
        ];
        for (form, field) in cases {
            match caps.define(&token, form).await {
                Err(GovError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("expected invalid {field}: {other:?}"),
            }
        }

        let edited = caps
            .edit(
                &token,
                c.id,
                CapabilityForm { reversible: false, params_schema: String::new(), risk: "medium".into(), ..refund() },
            )
            .await
            .unwrap();
        assert_eq!(
            (edited.risk, edited.reversibility, edited.params_schema.is_none()),
            (Risk::Medium, Reversibility::Irreversible, true)
        );
        assert_eq!(caps.list(&token).await.unwrap().len(), 1);
        assert!(matches!(caps.edit(&token, 999, refund()).await, Err(GovError::NotFound(_))));
        let trail = db.store.evidence_about("capability", &c.id.to_string(), 10).await.unwrap();
        assert_eq!(
            trail.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>(),
            ["capability.changed", "capability.defined"]
        );
        db.cleanup().await;
    }
}
