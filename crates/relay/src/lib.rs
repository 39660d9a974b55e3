//! `webhook-relay`: server-side delivery of automation webhooks with the same engine as the browser
//! app. Stateless processes keep every piece of state in NATS JetStream (see `docs/relay.md`):
//!
//! - [`store`]: the KV buckets (configuration, credentials, event claims) and streams (events,
//!   deliveries, executions) and how they are read and written;
//! - [`intake`]: accepting events (claim, queue);
//! - [`planner`]: events → the engine's `plan` → deliveries and their first execution records;
//! - [`sender`]: deliveries → the engine's `attempt` over [`transport`] → records, retries by NAK;
//! - [`api`]: the HTTP API; [`tokens`]: who may call it;
//! - [`transport`] and [`ssrf`]: outgoing requests, and the addresses they may never reach.

pub mod api;
pub mod cli;
pub mod credentials;
pub mod environment;
pub mod intake;
pub mod metrics;
pub mod planner;
pub mod run;
pub mod sender;
pub mod shutdown;
pub mod ssrf;
pub mod state;
pub mod store;
pub mod tokens;
pub mod transport;
