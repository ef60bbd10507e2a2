//! Agents, keys and the kill switch against real databases.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use governance::agent::AgentStatus;
use governance::service::accounts::ThrottlePolicy;
use governance::service::agents::NewAgent;
use governance::{Accounts, Agents, GovError, Principal};

async fn manager(store: &governance::Store) -> Principal {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let (_, temp) = acc.add_user_cli("mona", &["manager".into()]).await.unwrap();
    let p = acc.login("mona", &temp, "t").await.unwrap();
    acc.change_own_password(&p, &temp, "mona's own password", "mona's own password").await.unwrap();
    acc.principal(p.user_id).await.unwrap().unwrap()
}

fn support_bot() -> NewAgent {
    NewAgent {
        name: "support-bot".into(),
        purpose: "Answers customer e-mails".into(),
        owner: String::new(),
        environment: "production".into(),
        model_note: "vendor X, model Y".into(),
    }
}

#[tokio::test]
async fn a_manager_registers_an_agent_once_and_invalid_fields_are_named() {
    for db in common::backends().await {
        let agents = Agents::new(db.store.clone());
        let m = manager(&db.store).await;
        let token = m.as_manager().unwrap();
        let a = agents.register(&token, support_bot()).await.unwrap();
        assert_eq!((a.name.as_str(), a.owner_name.as_str(), a.status), ("support-bot", "mona", AgentStatus::Active));
        assert!(
            matches!(agents.register(&token, support_bot()).await, Err(GovError::Conflict { field: "name", .. })),
            "{}",
            db.name
        );
        let cases = [
            (NewAgent { name: "x".into(), ..support_bot() }, "name"),
            (NewAgent { name: "other".into(), purpose: " ".into(), ..support_bot() }, "purpose"),
            (NewAgent { name: "other".into(), environment: "staging".into(), ..support_bot() }, "environment"),
            (NewAgent { name: "other".into(), owner: "nobody".into(), ..support_bot() }, "owner"),
        ];
        for (new, field) in cases {
            match agents.register(&token, new).await {
                Err(GovError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("expected invalid {field}: {other:?}"),
            }
        }
        assert_eq!(agents.list(&token).await.unwrap().len(), 1);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn keys_authenticate_until_revoked_and_only_their_hash_is_stored() {
    for db in common::backends().await {
        let agents = Agents::new(db.store.clone());
        let token = manager(&db.store).await.as_manager().unwrap();
        let a = agents.register(&token, support_bot()).await.unwrap();
        let (key, secret) = agents.issue_key(&token, a.id).await.unwrap();
        assert!(secret.starts_with(&format!("tnr_{}_", key.prefix)));
        assert_ne!(key.key_hash, secret);
        let who = agents.authenticate(&secret).await.unwrap();
        assert_eq!(who.agent.id, a.id);
        let listed = agents.detail(&token, a.id).await.unwrap();
        assert!(listed.keys[0].last_used_at.is_some(), "use is recorded ({})", db.name);

        let forged = format!("{}{}", &secret[..secret.len() - 1], if secret.ends_with('a') { 'b' } else { 'a' });
        assert!(matches!(agents.authenticate(&forged).await, Err(GovError::Unauthenticated(_))));
        agents.revoke_key(&token, a.id, key.id).await.unwrap();
        assert!(matches!(agents.authenticate(&secret).await, Err(GovError::Unauthenticated(_))));
        assert!(matches!(agents.revoke_key(&token, a.id, key.id).await, Err(GovError::Conflict { .. })));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn suspension_is_recorded_once_and_suspend_all_stops_everyone() {
    for db in common::backends().await {
        let agents = Agents::new(db.store.clone());
        let m = manager(&db.store).await;
        let token = m.as_manager().unwrap();
        let a = agents.register(&token, support_bot()).await.unwrap();
        let b = agents
            .register(&token, NewAgent { name: "refund-bot".into(), environment: "sandbox".into(), ..support_bot() })
            .await
            .unwrap();
        assert!(matches!(
            agents.set_status(&token, a.id, AgentStatus::Suspended, "").await,
            Err(GovError::Invalid { field: "reason", .. })
        ));
        let s = agents.set_status(&token, a.id, AgentStatus::Suspended, "sent wrong refunds").await.unwrap();
        assert_eq!(s.status, AgentStatus::Suspended);
        assert!(matches!(
            agents.set_status(&token, a.id, AgentStatus::Suspended, "again").await,
            Err(GovError::Conflict { .. })
        ));
        agents.set_status(&token, a.id, AgentStatus::Active, "fixed the prompt").await.unwrap();

        let acc = Accounts::new(db.store.clone(), ThrottlePolicy::default());
        let secret = acc.ensure_first_admin().await.unwrap();
        assert!(secret.is_none(), "users exist, so no first admin");
        let (_, temp) = acc.add_user_cli("ada", &["admin".into()]).await.unwrap();
        let p = acc.login("ada", &temp, "t").await.unwrap();
        acc.change_own_password(&p, &temp, "ada's own password", "ada's own password").await.unwrap();
        let admin = acc.principal(p.user_id).await.unwrap().unwrap();
        assert_eq!(agents.suspend_all(&admin.as_admin().unwrap(), "incident 7").await.unwrap(), 2);
        for id in [a.id, b.id] {
            assert_eq!(db.store.agent_by_id(id).await.unwrap().unwrap().status, AgentStatus::Suspended);
        }
        let history = agents.detail(&token, a.id).await.unwrap().history;
        let kinds: Vec<&str> = history.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["agent.suspended", "agent.reinstated", "agent.suspended", "agent.registered"],
            "{}",
            db.name
        );
        assert!(db.store.verify_evidence().await.unwrap().is_ok());
        db.cleanup().await;
    }
}
