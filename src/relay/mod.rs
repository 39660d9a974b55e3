//! The relay (`webhook-relay`, docs/relay.md) as the app uses it: where it is and with which tokens
//! ([`RelayConnection`]), and its HTTP API over `fetch` ([`RelayClient`]).

mod check;
mod client;
mod connection;

pub use check::{check_connection, Finding};
pub use client::{
    ExecutionsPage, HeldCredentials, RelayClient, RelayError, RelayExecution, TokenKind,
};
pub use connection::RelayConnection;
