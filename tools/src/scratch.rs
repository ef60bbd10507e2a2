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
