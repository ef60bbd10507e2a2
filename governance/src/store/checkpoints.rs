//! Signed checkpoints: written by the checkpoint loop and at exports, never changed.

use crate::checkpoint::Checkpoint;
use crate::entity::{checkpoints, evidence};
use crate::error::GovError;
use crate::store::Store;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

fn to_checkpoint(m: checkpoints::Model) -> Checkpoint {
    Checkpoint { seq: m.seq, head_hash: m.head_hash, signed_at: m.signed_at, key_id: m.key_id, signature: m.signature }
}

impl Store {
    /// Stores a checkpoint; one for the same sequence number already stored wins.
    pub async fn save_checkpoint(&self, c: &Checkpoint) -> Result<(), GovError> {
        let row = checkpoints::ActiveModel {
            seq: Set(c.seq),
            head_hash: Set(c.head_hash.clone()),
            signed_at: Set(c.signed_at),
            key_id: Set(c.key_id.clone()),
            signature: Set(c.signature.clone()),
        };
        checkpoints::Entity::insert(row)
            .on_conflict(OnConflict::column(checkpoints::Column::Seq).do_nothing().to_owned())
            .exec_without_returning(self.db())
            .await?;
        Ok(())
    }

    /// The checkpoint at exactly `seq`, if one was signed.
    pub async fn checkpoint_at(&self, seq: i64) -> Result<Option<Checkpoint>, GovError> {
        Ok(checkpoints::Entity::find_by_id(seq).one(self.db()).await?.map(to_checkpoint))
    }

    /// The newest checkpoint.
    pub async fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, GovError> {
        Ok(checkpoints::Entity::find().order_by_desc(checkpoints::Column::Seq).one(self.db()).await?.map(to_checkpoint))
    }

    /// Checkpoints, newest first.
    pub async fn checkpoints(&self, limit: u64) -> Result<Vec<Checkpoint>, GovError> {
        Ok(checkpoints::Entity::find()
            .order_by_desc(checkpoints::Column::Seq)
            .limit(limit)
            .all(self.db())
            .await?
            .into_iter()
            .map(to_checkpoint)
            .collect())
    }

    /// Every checkpoint, oldest first.
    pub async fn all_checkpoints(&self) -> Result<Vec<Checkpoint>, GovError> {
        Ok(checkpoints::Entity::find()
            .order_by_asc(checkpoints::Column::Seq)
            .all(self.db())
            .await?
            .into_iter()
            .map(to_checkpoint)
            .collect())
    }

    /// The chain head as committed now: sequence number and hash (0 and none when empty).
    pub async fn evidence_head(&self) -> Result<(i64, Option<String>), GovError> {
        let head: Option<(i64, String)> = evidence::Entity::find()
            .select_only()
            .column(evidence::Column::Seq)
            .column(evidence::Column::Hash)
            .order_by_desc(evidence::Column::Seq)
            .into_tuple()
            .one(self.db())
            .await?;
        Ok(head.map_or((0, None), |(s, h)| (s, Some(h))))
    }

    /// The stored hash of record `seq`.
    pub async fn evidence_hash_at(&self, seq: i64) -> Result<Option<String>, GovError> {
        Ok(evidence::Entity::find()
            .select_only()
            .column(evidence::Column::Hash)
            .filter(evidence::Column::Seq.eq(seq))
            .into_tuple()
            .one(self.db())
            .await?)
    }
}
