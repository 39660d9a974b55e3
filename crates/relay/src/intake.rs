//! Accepting events. Each event id runs once for the whole retention, as in the browser: it is
//! claimed with a KV `create` (which refuses an existing key) in a bucket whose maximum age is the
//! retention, then queued in the events stream.
//!
//! The claim says how far a request got: `received` (claimed), then `queued`. A request that finds
//! the id claimed answers `duplicate` once the claim is `queued`. A claim still `received` is either
//! another request between its two writes (two posts of one id at once) — waited for a moment, and if
//! it is still not queued the request is answered "in progress, send again" — or one left by a request
//! that failed between the two (the client saw an error and retries): only once it is older than
//! [`STALE_CLAIM`] is it taken over, with an update that names the claim's revision, so one request at
//! most takes it. The taker queues the event again; the stream drops the second copy when it comes
//! within its duplicate window, and the planner recognises an event it planned before by its
//! execution records in any case.

use std::time::{Duration, Instant};

use async_nats::jetstream::kv::{CreateErrorKind, UpdateErrorKind};
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
    /// Another request is accepting the same id right now and has not finished: sending again
    /// shortly answers `Duplicate` (or takes over the claim, if that request failed).
    InProgress,
}

/// A claim still `received` this long after it was written was left by a request that failed (or a
/// process that died) between claiming and queueing: a later request takes it over. Longer than a
/// live request can take between its two writes (each NATS request gives up after 5 s).
pub const STALE_CLAIM: Duration = Duration::from_secs(30);
/// How long a request waits for another request holding a fresh claim on the same id to queue it.
const WAIT_FOR_CLAIM: Duration = Duration::from_secs(2);
/// How often the claim is read again while waiting.
const CLAIM_POLL: Duration = Duration::from_millis(25);

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
            if let Some(outcome) = claimed_before(store, &key).await? {
                return Ok(outcome);
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

/// For an id claimed before: `Duplicate` once the claim says `queued`; `None` when this request now
/// holds the claim — one left `received` for [`STALE_CLAIM`] and taken over with a revision-checked
/// update (or one that expired meanwhile, claimed again) — and must queue the event; `InProgress`
/// when another request holds a fresh claim and did not queue it within [`WAIT_FOR_CLAIM`].
async fn claimed_before(store: &Store, key: &str) -> Result<Option<Accepted>, StoreError> {
    let started = Instant::now();
    loop {
        let Some((value, revision)) = read(&store.claims, key).await? else {
            match store.claims.create(key, claim(ClaimState::Received)).await {
                Ok(_) => return Ok(None),
                Err(error) if error.kind() == CreateErrorKind::AlreadyExists => continue,
                Err(error) => return Err(StoreError::of(error)),
            }
        };
        let Ok(earlier) = serde_json::from_slice::<Claim>(&value) else {
            // Not written by this relay: the id is taken, as before.
            return Ok(Some(Accepted::Duplicate));
        };
        if earlier.state == ClaimState::Queued {
            return Ok(Some(Accepted::Duplicate));
        }
        if now_ms().saturating_sub(earlier.at_ms) >= STALE_CLAIM.as_millis() as i64 {
            match store
                .claims
                .update(key, claim(ClaimState::Received), revision)
                .await
            {
                Ok(_) => return Ok(None),
                // Another request took it over, or the first one queued it: look again.
                Err(error) if error.kind() == UpdateErrorKind::WrongLastRevision => continue,
                Err(error) => return Err(StoreError::of(error)),
            }
        }
        if started.elapsed() >= WAIT_FOR_CLAIM {
            return Ok(Some(Accepted::InProgress));
        }
        tokio::time::sleep(CLAIM_POLL).await;
    }
}
