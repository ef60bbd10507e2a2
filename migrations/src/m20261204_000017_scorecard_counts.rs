//! Counts kept for scorecards, so reading one does not scan every action of a busy grant:
//!
//! - `scorecard_counts`: per agent, capability and day the action was proposed, how many
//!   actions are in each (decision, state, shadow agreement, confidence band, approved by a
//!   person) group; the decision and the lifecycle move one action between groups in the
//!   transaction that changes it;
//! - `scorecard_patterns`: each distinct parameter set (action hash) an agent proposed for a
//!   capability, and when it last did;
//! - `scorecard_reviewers`: each person who decided on an agent's actions for a capability,
//!   and when they last did.
//!
//! Existing rows are counted once here. Migration 19 replaced `scorecard_patterns` with
//! sketches (and the recount the bench uses after seeding rows directly lives there).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ScorecardCounts {
    Table,
    AgentId,
    Capability,
    Day,
    Decision,
    State,
    Agreement,
    Band,
    HumanApproved,
    N,
}

#[derive(DeriveIden)]
enum ScorecardPatterns {
    Table,
    AgentId,
    Capability,
    ActionHash,
    LastSeen,
}

#[derive(DeriveIden)]
enum ScorecardReviewers {
    Table,
    AgentId,
    Capability,
    Reviewer,
    LastSeen,
}

/// The groups every action falls in, in portable SQL but for the day.
fn counts_insert(day: &str) -> String {
    format!(
        "INSERT INTO scorecard_counts (agent_id, capability, day, decision, state, agreement, band, human_approved, n) \
         SELECT agent_id, capability, {day}, decision, state, COALESCE(shadow_agreement, ''), \
           CASE WHEN confidence < 0.5 THEN 0 WHEN confidence < 0.7 THEN 1 WHEN confidence < 0.9 THEN 2 ELSE 3 END, \
           CASE WHEN approved_hash IS NULL THEN 0 ELSE 1 END, COUNT(*) \
         FROM actions GROUP BY agent_id, capability, {day}, decision, state, COALESCE(shadow_agreement, ''), \
           CASE WHEN confidence < 0.5 THEN 0 WHEN confidence < 0.7 THEN 1 WHEN confidence < 0.9 THEN 2 ELSE 3 END, \
           CASE WHEN approved_hash IS NULL THEN 0 ELSE 1 END"
    )
}

const PATTERNS_INSERT: &str = "INSERT INTO scorecard_patterns (agent_id, capability, action_hash, last_seen) \
     SELECT agent_id, capability, action_hash, MAX(created_at) FROM actions GROUP BY agent_id, capability, action_hash";

/// The kinds of evidence record in which a person decided on an action (as the store counts them).
const REVIEWERS_INSERT: &str = "INSERT INTO scorecard_reviewers (agent_id, capability, reviewer, last_seen) \
     SELECT agent_id, capability, actor_name, MAX(recorded_at) FROM evidence \
     WHERE actor_kind = 'user' AND agent_id IS NOT NULL AND capability IS NOT NULL \
       AND kind IN ('action.approved', 'action.rejected', 'action.shadow_recorded', 'action.peer_resolved') \
     GROUP BY agent_id, capability, actor_name";

/// The UTC day an action was proposed, as `YYYY-MM-DD`, in the backend's SQL.
pub fn day_of_created(db: &impl ConnectionTrait) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Postgres => "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        _ => "substr(created_at, 1, 10)",
    }
}

/// Counts every existing action's group and every decision's reviewer again, replacing what
/// the two tables held (migration 19 reuses it; the parameter sets moved to sketches there).
pub(crate) async fn recount_groups_and_reviewers(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    for sql in [
        "DELETE FROM scorecard_counts".to_owned(),
        "DELETE FROM scorecard_reviewers".to_owned(),
        counts_insert(day_of_created(db)),
        REVIEWERS_INSERT.to_owned(),
    ] {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// Counts every existing action and decision, as this migration first kept them.
async fn backfill(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    recount_groups_and_reviewers(db).await?;
    db.execute_unprepared("DELETE FROM scorecard_patterns").await?;
    db.execute_unprepared(PATTERNS_INSERT).await?;
    Ok(())
}

fn key(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ScorecardCounts as C;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(key(C::AgentId).big_integer())
                    .col(key(C::Capability).string())
                    .col(key(C::Day).string_len(10))
                    .col(key(C::Decision).string())
                    .col(key(C::State).string())
                    .col(key(C::Agreement).string())
                    .col(key(C::Band).integer())
                    .col(key(C::HumanApproved).integer())
                    .col(key(C::N).big_integer())
                    .primary_key(
                        Index::create()
                            .col(C::AgentId)
                            .col(C::Capability)
                            .col(C::Day)
                            .col(C::Decision)
                            .col(C::State)
                            .col(C::Agreement)
                            .col(C::Band)
                            .col(C::HumanApproved),
                    )
                    .to_owned(),
            )
            .await?;
        use ScorecardPatterns as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(key(P::AgentId).big_integer())
                    .col(key(P::Capability).string())
                    .col(key(P::ActionHash).string())
                    .col(key(P::LastSeen).timestamp_with_time_zone())
                    .primary_key(Index::create().col(P::AgentId).col(P::Capability).col(P::ActionHash))
                    .to_owned(),
            )
            .await?;
        use ScorecardReviewers as R;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(key(R::AgentId).big_integer())
                    .col(key(R::Capability).string())
                    .col(key(R::Reviewer).string())
                    .col(key(R::LastSeen).timestamp_with_time_zone())
                    .primary_key(Index::create().col(R::AgentId).col(R::Capability).col(R::Reviewer))
                    .to_owned(),
            )
            .await?;
        // A scorecard reads the agent's peer checks for one capability.
        manager
            .create_index(
                Index::create()
                    .name("idx_peer_checks_primary_capability")
                    .table(Alias::new("peer_checks"))
                    .col(Alias::new("primary_agent_id"))
                    .col(Alias::new("capability"))
                    .col(Alias::new("created_at"))
                    .to_owned(),
            )
            .await?;
        backfill(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop().name("idx_peer_checks_primary_capability").table(Alias::new("peer_checks")).to_owned(),
            )
            .await?;
        for table in ["scorecard_reviewers", "scorecard_patterns", "scorecard_counts"] {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
