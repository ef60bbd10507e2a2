//! Built-in templates, copies, versioned rule edits and comparisons against real databases.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use governance::service::accounts::ThrottlePolicy;
use governance::template::RuleForm;
use governance::{Accounts, GovError, Templates};

fn refund_rule(limit: &str) -> RuleForm {
    RuleForm {
        capability: "finance.refund.issue".into(),
        min_confidence: "0.9".into(),
        limits: format!("amount <= {limit}"),
        max_per_hour: "5".into(),
        new_value_params: "currency".into(),
        supervised: true,
        approval_expiry_minutes: "60".into(),
        condition: String::new(),
        separation_of_duties: false,
        ..RuleForm::default()
    }
}

#[tokio::test]
async fn builtins_install_once_copies_are_versioned_and_races_conflict() {
    for db in common::backends().await {
        let acc = Accounts::new(db.store.clone(), ThrottlePolicy::default());
        let (_, temp) = acc.add_user_cli("mona", &["manager".into()]).await.unwrap();
        let p = acc.login("mona", &temp, "t").await.unwrap();
        acc.change_own_password(&p, &temp, "mona's own password", "mona's own password").await.unwrap();
        let token = acc.principal(p.user_id).await.unwrap().unwrap().as_manager().unwrap();
        let t = Templates::new(db.store.clone());
        t.ensure_builtins().await.unwrap();
        t.ensure_builtins().await.unwrap();
        let all = t.list(&token).await.unwrap();
        assert_eq!(all.len(), 3, "{}", db.name);
        assert_eq!(db.store.list_capabilities().await.unwrap().len(), 6);
        let finance = all.iter().find(|x| x.name == "Finance analysis and refunds").unwrap();
        assert!(finance.builtin);
        assert!(matches!(
            t.save_rule(&token, finance.id, 1, refund_rule("50")).await,
            Err(GovError::Conflict { field: "template", .. })
        ));

        let mine = t.copy(&token, finance.id, "EU refunds").await.unwrap();
        assert!(matches!(
            t.copy(&token, finance.id, "EU refunds").await,
            Err(GovError::Conflict { field: "name", .. })
        ));
        let v2 = t.save_rule(&token, mine.id, 1, refund_rule("50")).await.unwrap();
        assert_eq!(v2, 2);
        // Someone editing from version 1 loses the race and writes nothing.
        assert!(matches!(
            t.save_rule(&token, mine.id, 1, refund_rule("75")).await,
            Err(GovError::Conflict { field: "version", .. })
        ));
        let bad = RuleForm { limits: "amount < 5".into(), ..refund_rule("1") };
        assert!(matches!(t.save_rule(&token, mine.id, 2, bad).await, Err(GovError::Invalid { field: "limits", .. })));
        let unknown = RuleForm { capability: "no.such".into(), ..refund_rule("1") };
        assert!(matches!(
            t.save_rule(&token, mine.id, 2, unknown).await,
            Err(GovError::Invalid { field: "capability", .. })
        ));
        let v3 = t.remove_rule(&token, mine.id, 2, "finance.report.generate").await.unwrap();

        let view = t.view(&token, mine.id, None).await.unwrap();
        assert_eq!((view.template.current_version, view.versions.len()), (3, 3));
        assert_eq!(view.shown.body.rules.len(), 1);
        let old = t.view(&token, mine.id, Some(1)).await.unwrap();
        assert_eq!(old.shown.body.rules.len(), 2, "old versions stay as they were");
        let (_, _, changes) = t.compare(&token, mine.id, 1, v3).await.unwrap();
        let fields: Vec<String> = changes.iter().map(|c| format!("{}:{}", c.capability, c.field)).collect();
        assert!(fields.contains(&"finance.refund.issue:limits".to_owned()), "{fields:?}");
        assert!(fields.contains(&"finance.report.generate:rule".to_owned()), "{fields:?}");
        assert!(db.store.verify_evidence().await.unwrap().is_ok());
        db.cleanup().await;
    }
}
