//! Monitoring settings on SQLite and PostgreSQL: defaults until a manager changes them, each
//! change recorded, mistakes named by field, and a detector switched off leaves every track
//! record.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::person;
use governance::monitor::{Detector, Sensitivity};
use governance::service::accounts::ThrottlePolicy;
use governance::service::monitoring::{Monitoring, SettingForm};
use governance::{Accounts, GovError};

fn form(detector: &str, enabled: bool, sensitivity: &str) -> SettingForm {
    SettingForm { detector: detector.into(), enabled, sensitivity: sensitivity.into(), response: String::new() }
}

#[tokio::test]
async fn settings_start_at_their_defaults_and_each_change_is_recorded() {
    for db in common::backends().await {
        let acc = Accounts::new(db.store.clone(), ThrottlePolicy::default());
        let olga = person(&acc, "olga", &["manager"]).await;
        let m = Monitoring::new(db.store.clone());
        let all = m.settings(&olga.as_member().unwrap()).await.unwrap();
        assert_eq!(all.len(), 9, "{}", db.name);
        assert!(all.iter().all(|s| s.enabled && s.sensitivity == Sensitivity::Normal && s.changed.is_none()));

        let token = olga.as_manager().unwrap();
        m.configure(&token, form("volume", false, "normal")).await.unwrap();
        m.configure(&token, form("rejection_rate", true, "high")).await.unwrap();
        let all = m.settings(&olga.as_member().unwrap()).await.unwrap();
        let volume = all.iter().find(|s| s.detector == Detector::Volume).unwrap();
        assert!(!volume.enabled && volume.changed.as_ref().unwrap().0 == "olga", "{}", db.name);
        let rejection = all.iter().find(|s| s.detector == Detector::RejectionRate).unwrap();
        assert_eq!(rejection.sensitivity, Sensitivity::High);

        let records = db.store.evidence_about("detector", "rejection_rate", 5).await.unwrap();
        assert_eq!(records[0].kind, "monitor.configured");
        assert_eq!(records[0].summary, "olga set the rejection_rate detector on, high sensitivity, response alert");
        let details: serde_json::Value = serde_json::from_str(&records[0].details).unwrap();
        assert_eq!(details["before"]["sensitivity"], "normal", "{}", db.name);

        let err = m.configure(&token, form("volume", true, "extreme")).await.unwrap_err();
        assert!(matches!(err, GovError::Invalid { field: "sensitivity", .. }), "{err:?}");
        let stamping = SettingForm { response: "suspend_agent".into(), ..form("rubber_stamping", true, "high") };
        let err = m.configure(&token, stamping).await.unwrap_err();
        assert!(matches!(err, GovError::Invalid { field: "response", .. }), "about people, alert only: {err:?}");
        let demote = SettingForm { response: "demote_grant".into(), ..form("inbox_ageing", true, "normal") };
        let err = m.configure(&token, demote).await.unwrap_err();
        assert!(matches!(err, GovError::Invalid { field: "response", .. }), "about people, alert only: {err:?}");
        let err = m.configure(&token, form("weather", true, "high")).await.unwrap_err();
        assert!(matches!(err, GovError::Invalid { field: "detector", .. }), "{err:?}");
        assert!(
            !m.settings(&olga.as_member().unwrap())
                .await
                .unwrap()
                .iter()
                .find(|s| s.detector == Detector::Volume)
                .unwrap()
                .enabled,
            "refused changes change nothing"
        );
        db.cleanup().await;
    }
}
