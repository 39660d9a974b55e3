//! Everything the relay keeps, in NATS JetStream: connecting (with the server version check),
//! creating the buckets and streams, and reading and writing them.

mod connect;
pub mod executions;
pub mod kv;
pub mod names;
mod setup;

use std::fmt;

use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::{self, kv::Store as Bucket, stream::Stream};
use thiserror::Error;

pub use connect::{connect, ConnectError, MIN_SERVER_VERSION, TESTED_SERVER_VERSION};
pub use names::Names;
pub use setup::{setup, SetupError, StoreSettings};

/// A handle on every bucket, stream and consumer; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub client: async_nats::Client,
    pub js: jetstream::Context,
    pub names: Names,
    pub config: Bucket,
    pub credentials: Bucket,
    pub claims: Bucket,
    pub events: Stream,
    pub deliveries: Stream,
    pub executions: Stream,
    pub planner: PullConsumer,
    pub sender: PullConsumer,
}

/// NATS could not do what was asked (unreachable, timed out, refused). Requests answer 503 with it,
/// background work retries.
#[derive(Debug, Error)]
#[error("NATS did not complete the request ({0})")]
pub struct StoreError(pub String);

impl StoreError {
    pub fn of(error: impl fmt::Display) -> StoreError {
        StoreError(error.to_string())
    }
}

/// Header on events and deliveries: the state revisions ([`crate::state::Stamp`]) the relay that
/// accepted them had seen, so whichever process handles them uses at least that configuration.
pub const STATE_HEADER: &str = "Relay-State";
