//! Session records against real databases: what the web layer's session store relies on.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use chrono::Duration;
use governance::clock::now;

#[tokio::test]
async fn sessions_are_created_once_loaded_until_expiry_and_deleted() {
    for db in common::backends().await {
        let s = &db.store;
        let t = now();
        assert!(s.session_create("abc", r#"{"user_id":1}"#, t + Duration::minutes(5)).await.unwrap());
        assert!(
            !s.session_create("abc", "{}", t + Duration::minutes(5)).await.unwrap(),
            "ids never collide silently ({})",
            db.name
        );
        assert_eq!(s.session_load("abc", t).await.unwrap().as_deref(), Some(r#"{"user_id":1}"#));

        s.session_save("abc", r#"{"user_id":2}"#, t + Duration::minutes(10)).await.unwrap();
        assert_eq!(s.session_load("abc", t + Duration::minutes(7)).await.unwrap().as_deref(), Some(r#"{"user_id":2}"#));
        assert_eq!(s.session_load("abc", t + Duration::minutes(11)).await.unwrap(), None, "idle sessions expire");

        s.session_save("old", "{}", t - Duration::minutes(1)).await.unwrap();
        assert_eq!(s.session_delete_expired(t).await.unwrap(), 1, "{}", db.name);
        s.session_delete("abc").await.unwrap();
        assert_eq!(s.session_load("abc", t).await.unwrap(), None);
        db.cleanup().await;
    }
}
