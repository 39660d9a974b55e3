//! The relay (`webhook-relay`, docs/relay.md) as the app uses it: where it is and with which tokens
//! ([`RelayConnection`]), its HTTP API over `fetch` ([`RelayClient`]), and its executions merged into
//! this browser's history ([`history`]).

mod client;
mod connection;
pub mod history;

pub use client::{
    ExecutionsPage, HeldCredentials, RelayClient, RelayError, RelayExecution, TokenKind,
};
pub use connection::RelayConnection;
