//! Scratch PostgreSQL databases for the benchmarks: created on a server URL, dropped after.

use sea_orm::{ConnectionTrait, DatabaseConnection};

/// A database created for one benchmark; [`Scratch::drop_now`] removes it.
pub struct Scratch {
    admin: DatabaseConnection,
    name: String,
    /// Its URL.
    pub url: String,
}

impl Scratch {
    /// Creates `<prefix>_<random>` on the server at `base` (a URL with a database part).
    pub async fn create(base: &str, prefix: &str) -> Result<Scratch, String> {
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        let url = match base.rsplit_once('/') {
            Some((head, _)) => format!("{head}/{name}"),
            None => return Err("the PostgreSQL URL needs a database part".into()),
        };
        let admin = sea_orm::Database::connect(base).await.map_err(|e| e.to_string())?;
        admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.map_err(|e| e.to_string())?;
        Ok(Scratch { admin, name, url })
    }

    /// Drops the database, closing whatever still uses it.
    pub async fn drop_now(self) {
        let _ = self.admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)).await;
    }
}

/// Runs `measure` (database name, URL) on a scratch SQLite file, then — when `postgres` names a
/// server — on a scratch PostgreSQL database; their rows, in that order. Both are removed after.
pub async fn on_both<F, Fut>(postgres: Option<String>, prefix: &str, measure: F) -> Result<Vec<String>, String>
where
    F: Fn(&'static str, String) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<String>, String>>,
{
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4()));
    let sqlite = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    let result = measure("SQLite", sqlite).await;
    let _ = std::fs::remove_dir_all(&dir);
    let mut rows = result?;
    if let Some(base) = postgres {
        let scratch = Scratch::create(&base, &prefix.replace('-', "_")).await?;
        let result = measure("PostgreSQL", scratch.url.clone()).await;
        scratch.drop_now().await;
        rows.extend(result?);
    }
    Ok(rows)
}
