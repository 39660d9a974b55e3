//! Sending webhook requests from the browser: the engine's [`Transport`] over `fetch`.
//!
//! web-sys's `fetch` is used directly rather than `gloo-net` (the design's first choice) because
//! everything this transport does lives in the raw options: an `AbortController` for the timeout,
//! `redirect: "manual"` so a redirect is seen and refused instead of followed, `mode: "no-cors"` for
//! the probe that tells a CORS refusal from an endpoint that is down, and the response `type`
//! (`opaqueredirect`). gloo-net would wrap the same calls and add its own dependencies to the bundle.

mod fetch;
mod probe;
mod timer;

pub use fetch::FetchTransport;
pub use probe::{probe_reachable, Reachability};
pub use timer::sleep_ms;

pub use webhook_engine::runner::Transport;
