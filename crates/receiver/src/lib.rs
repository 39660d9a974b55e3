//! `webhook-receiver`: a local HTTP endpoint for trying and testing webhooks.
//!
//! Every request that is not for the control API (`/_receiver...`) is recorded in memory
//! (and optionally appended to a JSON-lines log), then answered with a default
//! `{"received": true, "seq": N}` or with the next action of a scripted queue (status,
//! body, headers, delay, `Retry-After`, redirect, or a dropped connection). CORS is on by
//! default so a browser page on another origin can send to it with `fetch`.
//!
//! # Why hyper 1 rather than axum
//!
//! The receiver is built directly on `hyper` 1 (HTTP/1.1 server connections driven one by
//! one from a tokio accept loop). The `drop` script action has to close a connection
//! *without sending any HTTP response*, which needs per-connection control of the socket:
//! `axum::serve` hides the connections. The routing is tiny (a handful of control paths and
//! a catch-all), so a router would add little besides a dependency.
//!
//! # Using it from tests
//!
//! ```no_run
//! # async fn demo() -> Result<(), webhook_receiver::StartError> {
//! use webhook_receiver::{spawn, Config};
//!
//! let receiver = spawn(Config { port: 0, quiet: true, ..Config::default() }).await?;
//! println!("send webhooks to {}", receiver.url());
//! // ... talk to it over HTTP ...
//! receiver.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod app;
pub mod basic_auth;
mod body;
pub mod config;
mod control;
pub mod cors;
mod html;
pub mod record;
mod recorded;
mod respond;
pub mod script;
mod server;
pub mod signature;
mod store;

pub use basic_auth::{AuthOutcome, BasicAuth};
pub use config::{Cli, Config, ConfigError, DEFAULT_MAX_BODY_BYTES};
pub use record::{PreflightRecord, RequestRecord};
pub use script::{ScriptAction, ScriptError};
pub use server::{serve, spawn, spawn_on, RunningReceiver, StartError};
pub use signature::{SignatureOutcome, SigningSecret};
