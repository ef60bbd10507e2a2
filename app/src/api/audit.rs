//! The audit page's data: signed checkpoints, the public key, and the chain's size.

use crate::error::AppError;
use crate::model::AuditView;
use leptos::prelude::*;

/// Checkpoints and key, for auditors and admins.
#[server(endpoint = "audit/overview")]
pub async fn audit_overview() -> Result<AuditView, AppError> {
    use crate::api::show_time;
    use crate::model::CheckpointRow;
    use crate::server::context::{gov, principal, state};
    let token = principal()?.as_auditor().map_err(gov)?;
    let st = state()?;
    let (head, _) = st.store.evidence_head().await.map_err(gov)?;
    let checkpoints = st
        .audit
        .checkpoints(&token, 20)
        .await
        .map_err(gov)?
        .into_iter()
        .map(|c| CheckpointRow {
            seq: c.seq,
            head_hash: c.head_hash,
            signed_at: show_time(&c.signed_at),
            key_id: c.key_id,
            signature_prefix: c.signature.chars().take(16).collect(),
        })
        .collect();
    Ok(AuditView { head_seq: head, key_id: st.audit.key_id(), public_key: st.audit.public_key_hex(), checkpoints })
}
