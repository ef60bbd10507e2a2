//! The floor under a durable decision, measured beside it by `tenure-tools bench`: an endpoint that
//! parses the same JSON body, appends it to a SQLite table with no index, committed (fsync)
//! before it answers, concurrent bodies batched into one commit by a writer on its own thread
//! — the way decisions are written, with the same SQLite settings, but none of Tenure's work.
//! What this endpoint reaches bounds what any durable decision can reach on the machine.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use governance::service::group_commit::{MAX_BATCH, on_own_thread};
use governance::store::Store;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use serde_json::Value;
use std::path::Path;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

type Append = (String, oneshot::Sender<bool>);

/// Serves the floor endpoint on a free port, on a new SQLite file in `dir`; returns its URL.
pub async fn start(dir: &Path) -> Result<String, String> {
    let file = dir.join("floor.db");
    let store = Store::connect(&format!("sqlite://{}?mode=rwc", file.display())).await.map_err(|e| e.to_string())?;
    store
        .db()
        .execute_unprepared("CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .await
        .map_err(|e| e.to_string())?;
    let (tx, rx) = mpsc::channel::<Append>(4 * MAX_BATCH);
    on_own_thread("bench-floor-writer", write(store, rx));
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let url = format!("http://{}/append", listener.local_addr().map_err(|e| e.to_string())?);
    let router = axum::Router::new().route("/append", post(append)).with_state(tx);
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(url)
}

async fn append(State(tx): State<mpsc::Sender<Append>>, Json(v): Json<Value>) -> Result<Json<Value>, StatusCode> {
    let (reply, stored) = oneshot::channel();
    tx.send((v.to_string(), reply)).await.map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    match stored.await {
        Ok(true) => Ok(Json(v)),
        _ => Err(StatusCode::SERVICE_UNAVAILABLE),
    }
}

async fn write(store: Store, mut rx: mpsc::Receiver<Append>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH
            && let Ok(next) = rx.try_recv()
        {
            batch.push(next);
        }
        let (bodies, replies): (Vec<String>, Vec<_>) = batch.into_iter().unzip();
        let stored = commit(&store, bodies).await;
        if let Err(e) = &stored {
            tracing::error!(error = %e, "bench floor: a batch could not be stored");
        }
        for reply in replies {
            let _ = reply.send(stored.is_ok());
        }
    }
}

async fn commit(store: &Store, bodies: Vec<String>) -> Result<(), DbErr> {
    let txn = store.begin_write().await?;
    let sql = format!("INSERT INTO floor (body) VALUES {}", vec!["(?)"; bodies.len()].join(", "));
    txn.execute_raw(Statement::from_sql_and_values(DbBackend::Sqlite, sql, bodies.into_iter().map(Into::into))).await?;
    txn.commit().await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
    use super::*;

    /// The floor is only a floor if it does the work: every body answered is in the table.
    #[tokio::test]
    async fn every_body_answered_is_stored() {
        let dir = std::env::temp_dir().join(format!("tenure-floor-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = start(&dir).await.unwrap();
        let client = reqwest::Client::new();
        let mut sent = Vec::new();
        for i in 0..24 {
            let (client, url) = (client.clone(), url.clone());
            sent.push(tokio::spawn(async move {
                client.post(url).json(&serde_json::json!({"n": i})).send().await.unwrap().status()
            }));
        }
        for s in sent {
            assert_eq!(s.await.unwrap(), reqwest::StatusCode::OK);
        }
        let store = Store::connect(&format!("sqlite://{}?mode=rwc", dir.join("floor.db").display())).await.unwrap();
        let stmt = Statement::from_string(DbBackend::Sqlite, "SELECT count(DISTINCT body) AS n FROM floor");
        let row = store.db().query_one_raw(stmt).await.unwrap().unwrap();
        assert_eq!(row.try_get::<i64>("", "n").unwrap(), 24);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
