//! Accepting events. Each event id runs once for the whole retention, as in the browser: it is
//! claimed with a KV `create` (which refuses an existing key) in a bucket whose maximum age is the
//! retention, then queued in the events stream.
//!
//! The claim says how far a request got: `received` (claimed), then `queued`. A request that failed
//! between the two (the client saw an error and retries) finds `received` and queues the event again;
//! the stream drops the second copy when it comes within its duplicate window, and the planner
//! recognises an event it planned before by its execution records in any case.

use async_nats::jetstream::kv::CreateErrorKind;
use async_nats::HeaderMap;
use serde::{Deserialize, Serialize};
use webhook_engine::event::Event;

use crate::environment::now_ms;
use crate::state::Stamp;
use crate::store::kv::read;
use crate::store::names::key_for;
use crate::store::{Store, StoreError, STATE_HEADER};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// New: it will run.
    Queued,
    /// Its id ran (or was accepted) before: nothing more happens.
    Duplicate,
}

#[derive(Serialize, Deserialize)]
struct Claim {
    state: ClaimState,
    at_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ClaimState {
    Received,
    Queued,
}

fn claim(state: ClaimState) -> bytes::Bytes {
    serde_json::to_vec(&Claim {
        state,
        at_ms: now_ms(),
    })
    .expect("a claim serializes")
    .into()
}

/// Claims `event`'s id and queues it; `stamp` is the state it must run with at least.
pub async fn accept(store: &Store, event: &Event, stamp: Stamp) -> Result<Accepted, StoreError> {
    let key = key_for(&event.id);
    match store.claims.create(&key, claim(ClaimState::Received)).await {
        Ok(_) => {}
        Err(error) if error.kind() == CreateErrorKind::AlreadyExists => {
            let earlier = read(&store.claims, &key).await?;
            let state = earlier
                .and_then(|(value, _)| serde_json::from_slice::<Claim>(&value).ok())
                .map(|claim| claim.state);
            if state != Some(ClaimState::Received) {
                return Ok(Accepted::Duplicate);
            }
        }
        Err(error) => return Err(StoreError::of(error)),
    }
    let mut headers = HeaderMap::new();
    headers.insert("Nats-Msg-Id", key.as_str());
    headers.insert(STATE_HEADER, stamp.to_string().as_str());
    let payload = serde_json::to_vec(event).expect("an event serializes");
    store
        .js
        .publish_with_headers(store.names.events_subject(), headers, payload.into())
        .await
        .map_err(StoreError::of)?
        .await
        .map_err(StoreError::of)?;
    store
        .claims
        .put(&key, claim(ClaimState::Queued))
        .await
        .map_err(StoreError::of)?;
    Ok(Accepted::Queued)
}
