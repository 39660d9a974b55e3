//! Reading KV buckets through their stream's leader. `Store::get` may be answered by any replica
//! (direct get), which can lag behind a write that another relay process just made; the relay reads
//! its configuration and credentials where every acknowledged write is already visible.

use async_nats::jetstream::kv::Store as Bucket;
use async_nats::jetstream::stream::LastRawMessageErrorKind;
use bytes::Bytes;

use super::StoreError;

/// A key's current value and revision, or `None` when it has none (never set, deleted or purged).
pub async fn read(bucket: &Bucket, key: &str) -> Result<Option<(Bytes, u64)>, StoreError> {
    let subject = format!("{}{key}", bucket.prefix);
    match bucket
        .stream
        .get_last_raw_message_by_subject(&subject)
        .await
    {
        Ok(message) => {
            let operation = message
                .headers
                .get("KV-Operation")
                .map(|value| value.as_str().to_owned());
            match operation.as_deref() {
                Some("DEL") | Some("PURGE") => Ok(None),
                _ => Ok(Some((message.payload, message.sequence))),
            }
        }
        Err(error) if matches!(error.kind(), LastRawMessageErrorKind::NoMessageFound) => Ok(None),
        Err(error) => Err(StoreError::of(error)),
    }
}

/// The bucket's last revision: every write to it raises it.
pub async fn last_revision(bucket: &Bucket) -> Result<u64, StoreError> {
    let info = bucket.stream.get_info().await.map_err(StoreError::of)?;
    Ok(info.state.last_sequence)
}
