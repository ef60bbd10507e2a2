//! Accounts and evidence against real databases (SQLite, and PostgreSQL when configured).
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use governance::evidence::GENESIS_HASH;
use governance::service::accounts::{NewUser, ThrottlePolicy};
use governance::service::dashboard;
use governance::{Accounts, GovError, Role};

fn accounts(store: &governance::Store) -> Accounts {
    Accounts::new(store.clone(), ThrottlePolicy { max_failures: 3, window: chrono::Duration::minutes(15) })
}

async fn admin_principal(acc: &Accounts) -> governance::Principal {
    let secret = acc.ensure_first_admin().await.unwrap().expect("first admin created");
    let p = acc.login("admin", &secret, "10.0.0.1").await.unwrap();
    acc.change_own_password(&p, &secret, "a new admin password", "a new admin password").await.unwrap();
    acc.principal(p.user_id).await.unwrap().unwrap()
}

#[tokio::test]
async fn first_start_creates_one_admin_who_must_change_the_password() {
    for db in common::backends().await {
        let acc = accounts(&db.store);
        let secret = acc.ensure_first_admin().await.unwrap().expect("created");
        assert_eq!(secret.len(), 20, "{}", db.name);
        assert_eq!(acc.ensure_first_admin().await.unwrap(), None, "second start creates nothing ({})", db.name);
        let p = acc.login("admin", &secret, "10.0.0.1").await.unwrap();
        assert!(p.must_change_password && p.has(Role::Admin), "{}", db.name);
        assert!(matches!(p.as_admin(), Err(GovError::Forbidden(_))), "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn admin_creates_a_reviewer_who_signs_in_and_changes_password() {
    for db in common::backends().await {
        let acc = accounts(&db.store);
        let admin = admin_principal(&acc).await;
        let token = admin.as_admin().unwrap();
        let new = NewUser {
            username: "Rita".into(),
            initial_password: "temporary password 1".into(),
            roles: vec!["reviewer".into()],
        };
        let rita = acc.add_user(&token, new.clone()).await.unwrap();
        assert_eq!(rita.username, "rita");
        let dup = acc.add_user(&token, new).await.unwrap_err();
        assert!(matches!(dup, GovError::Conflict { field: "username", .. }), "{} {dup:?}", db.name);

        let p = acc.login("rita", "temporary password 1", "10.0.0.2").await.unwrap();
        assert!(p.must_change_password);
        let err = acc.change_own_password(&p, "temporary password 1", "short", "short").await.unwrap_err();
        assert!(matches!(err, GovError::Invalid { field: "new_password", .. }));
        let err =
            acc.change_own_password(&p, "wrong", "rita's long password", "rita's long password").await.unwrap_err();
        assert!(matches!(err, GovError::Invalid { field: "current_password", .. }));
        acc.change_own_password(&p, "temporary password 1", "rita's long password", "rita's long password")
            .await
            .unwrap();
        let p = acc.login("rita", "rita's long password", "10.0.0.2").await.unwrap();
        assert!(!p.must_change_password && p.has(Role::Reviewer) && !p.has(Role::Admin));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn invalid_new_users_name_the_failing_field() {
    for db in common::backends().await {
        let acc = accounts(&db.store);
        let admin = admin_principal(&acc).await;
        let token = admin.as_admin().unwrap();
        let cases = [
            (
                NewUser {
                    username: "x".into(),
                    initial_password: "long enough pass".into(),
                    roles: vec!["auditor".into()],
                },
                "username",
            ),
            (
                NewUser { username: "xavier".into(), initial_password: "short".into(), roles: vec!["auditor".into()] },
                "initial_password",
            ),
            (
                NewUser { username: "xavier".into(), initial_password: "long enough pass".into(), roles: vec![] },
                "roles",
            ),
            (
                NewUser {
                    username: "xavier".into(),
                    initial_password: "long enough pass".into(),
                    roles: vec!["root".into()],
                },
                "roles",
            ),
        ];
        for (new, field) in cases {
            match acc.add_user(&token, new).await {
                Err(GovError::Invalid { field: f, .. }) => assert_eq!(f, field, "{}", db.name),
                other => panic!("expected invalid {field}, got {other:?}"),
            }
        }
        assert_eq!(acc.list(&token).await.unwrap().len(), 1, "nothing half-written ({})", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn one_person_mistyping_behind_a_shared_address_locks_only_themselves_there() {
    for db in common::backends().await {
        let acc = accounts(&db.store);
        let admin = admin_principal(&acc).await;
        let token = admin.as_admin().unwrap();
        for _ in 0..3 {
            assert!(matches!(acc.login("admin", "nope", "10.9.9.9").await, Err(GovError::BadCredentials)));
        }
        // Locked on that address, with a wait that says how long (30 s at the threshold).
        let err = acc.login("admin", "a new admin password", "10.9.9.9").await.unwrap_err();
        assert!(
            matches!(err, GovError::Throttled { retry_after_secs } if (1..=30).contains(&retry_after_secs)),
            "{err:?}"
        );
        // The same account from another address, and another account from the same address, sign in.
        acc.login("admin", "a new admin password", "10.0.0.7").await.unwrap();
        assert!(matches!(acc.login("ghost", "x", "10.9.9.9").await, Err(GovError::BadCredentials)), "not throttled");
        // A success cleared the account's counters on its address; the locked pair stays until cleared.
        let open = acc.throttles(&token).await.unwrap();
        let pair = open.iter().find(|t| t.key == "pair:admin|10.9.9.9").expect("the locked pair is listed");
        assert!(pair.locked_until.is_some() && pair.failures == 3 && pair.threshold == 3, "{pair:?}");
        assert!(open.iter().all(|t| t.key != "user:admin"), "cleared by the success: {open:?}");
        assert_eq!(acc.clear_throttle(&token, &pair.key).await.unwrap(), 3);
        acc.login("admin", "a new admin password", "10.9.9.9").await.unwrap();
        assert!(matches!(acc.clear_throttle(&token, "pair:admin|10.9.9.9").await, Err(GovError::NotFound(_))));
        assert!(matches!(acc.clear_throttle(&token, "bogus").await, Err(GovError::Invalid { field: "key", .. })));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_account_guessed_from_many_addresses_and_an_address_spraying_many_accounts_lock() {
    for db in common::backends().await {
        let acc = accounts(&db.store);
        admin_principal(&acc).await;
        // 3 × 3 failures from different addresses lock the account everywhere.
        for i in 0..9 {
            assert!(matches!(acc.login("admin", "nope", &format!("10.1.0.{i}")).await, Err(GovError::BadCredentials)));
        }
        assert!(matches!(
            acc.login("admin", "a new admin password", "10.2.0.1").await,
            Err(GovError::Throttled { .. })
        ));
        // 10 × 3 failures from one address, each for another name, lock that address.
        for i in 0..30 {
            assert!(matches!(acc.login(&format!("user{i}"), "x", "10.3.0.1").await, Err(GovError::BadCredentials)));
        }
        assert!(matches!(acc.login("someone", "x", "10.3.0.1").await, Err(GovError::Throttled { .. })));
        assert!(matches!(acc.login("someone", "x", "10.3.0.2").await, Err(GovError::BadCredentials)));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn successful_sign_ins_do_not_count_against_their_address() {
    for db in common::backends().await {
        let acc = accounts(&db.store);
        admin_principal(&acc).await;
        // More successes from one address than its threshold (10 x 3): an office behind one NAT.
        for _ in 0..31 {
            acc.login("admin", "a new admin password", "10.5.5.5").await.unwrap();
        }
        assert!(matches!(acc.login("admin", "nope", "10.5.5.5").await, Err(GovError::BadCredentials)), "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_guesses_are_checked_no_more_often_than_the_limit() {
    for db in common::backends().await {
        let acc = accounts(&db.store);
        admin_principal(&acc).await;
        let mut tasks = Vec::new();
        for _ in 0..40 {
            let acc = acc.clone();
            tasks.push(tokio::spawn(async move { acc.login("admin", "wrong", "10.9.9.9").await }));
        }
        let (mut checked, mut throttled) = (0, 0);
        for t in tasks {
            match t.await.unwrap() {
                Err(GovError::BadCredentials) => checked += 1,
                Err(GovError::Throttled { .. }) => throttled += 1,
                other => panic!("{}: {other:?}", db.name),
            }
        }
        assert_eq!((checked, throttled), (3, 37), "{}: the limit of 3 holds under concurrency", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn last_admin_keeps_the_role_and_deactivated_users_cannot_sign_in() {
    for db in common::backends().await {
        let acc = accounts(&db.store);
        let admin = admin_principal(&acc).await;
        let token = admin.as_admin().unwrap();
        let err = acc.set_roles(&token, admin.user_id, &["reviewer".into()]).await.unwrap_err();
        assert!(matches!(err, GovError::Conflict { field: "roles", .. }), "{err:?}");
        assert!(acc.set_active(&token, admin.user_id, false).await.is_err());

        let new = NewUser {
            username: "mia".into(),
            initial_password: "temporary password 2".into(),
            roles: vec!["manager".into()],
        };
        let mia = acc.add_user(&token, new).await.unwrap();
        let mia = acc.set_roles(&token, mia.id, &["manager".into(), "auditor".into()]).await.unwrap();
        assert!(mia.roles.contains(Role::Auditor));
        acc.set_active(&token, mia.id, false).await.unwrap();
        assert!(matches!(acc.login("mia", "temporary password 2", "10.0.0.3").await, Err(GovError::BadCredentials)));
        assert_eq!(acc.principal(mia.id).await.unwrap(), None);
        acc.set_active(&token, mia.id, true).await.unwrap();
        assert!(acc.login("mia", "temporary password 2", "10.0.0.3").await.is_ok());
        assert!(matches!(acc.set_roles(&token, 9999, &["auditor".into()]).await, Err(GovError::NotFound(_))));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn every_change_leaves_a_verifiable_evidence_chain_and_dashboard_figures() {
    for db in common::backends().await {
        let acc = accounts(&db.store);
        let admin = admin_principal(&acc).await;
        let _ = acc.login("admin", "wrong", "10.0.0.9").await;
        let figures = dashboard::figures(&db.store, &admin.as_member().unwrap()).await.unwrap();
        // created, login, password changed, failed login
        assert_eq!(figures.evidence_records, 4, "{}", db.name);
        assert_eq!((figures.sign_ins_24h, figures.failed_sign_ins_24h), (1, 1));
        assert_eq!(figures.users_active, 1);
        assert_eq!(figures.active_by_role[0], (Role::Admin, 1));
        assert_eq!(figures.recent[0].kind, "auth.login_failed");
        let oldest = figures.recent.last().unwrap();
        assert_eq!((oldest.seq, oldest.prev_hash.as_str()), (1, GENESIS_HASH));
        assert_eq!(db.store.verify_evidence().await.unwrap(), Ok(4));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn concurrent_appends_keep_the_chain_intact() {
    for db in common::backends().await {
        let acc = accounts(&db.store);
        acc.ensure_first_admin().await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..16 {
            let acc = acc.clone();
            tasks.push(tokio::spawn(
                async move { acc.login(&format!("ghost{i}"), "wrong", &format!("10.1.0.{i}")).await },
            ));
        }
        for t in tasks {
            assert!(matches!(t.await.unwrap(), Err(GovError::BadCredentials)));
        }
        assert_eq!(db.store.verify_evidence().await.unwrap(), Ok(1 + 16), "{}", db.name);
        db.cleanup().await;
    }
}
