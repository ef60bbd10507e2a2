//! The one place Tenure reads the time, truncated to what both databases store exactly.

use chrono::{DateTime, SubsecRound, Utc};

/// Now, truncated to whole microseconds (PostgreSQL's precision), so a value read back from
/// either database equals the value written — which the evidence hashes rely on.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
