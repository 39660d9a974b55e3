//! The relay (`webhook-relay`, docs/relay.md) as the app uses it: where it is and with which tokens
//! ([`RelayConnection`]), and its HTTP API over `fetch` ([`RelayClient`]).

mod client;
mod connection;

pub use client::{
    ExecutionsPage, HeldCredentials, RelayClient, RelayError, RelayExecution, TokenKind,
};
pub use connection::RelayConnection;
