//! The relay (`webhook-relay`, docs/relay.md) as the app uses it: where it is and with which tokens
//! ([`RelayConnection`]), its HTTP API over `fetch` ([`RelayClient`]), and its executions merged into
//! this browser's history ([`history`]).

mod check;
mod client;
mod connection;
pub mod history;
mod sync;

pub use check::{check_connection, Finding};
pub use client::{
    ExecutionsPage, HeldCredentials, RelayClient, RelayError, RelayExecution, TokenKind,
};
pub use connection::RelayConnection;
pub use sync::{Conflict, RelaySync, SyncStatus};
