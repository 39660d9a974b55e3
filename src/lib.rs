//! Webhook Automations, the browser app: a Yew single-page app compiled to WebAssembly.
//!
//! Every rule lives in `webhook-engine`; the browser's storage, fetch transport, dispatcher and relay
//! client live in `webhook-automations-runtime` (re-exported here under their old paths), which CRM
//! pages load on their own. The app links only what it shows and stores; it delivers through the
//! page's runtime module (`page_runtime`). This crate holds the views (`ui`), their state and effects, the sandbox
//! and `mount` (`host`), the one entry point a page calls.

pub mod host;
pub mod page_runtime;
pub mod sandbox;
pub mod services;
pub mod state;
pub mod ui;

// The runtime's modules under the paths the app has always used for them.
pub use webhook_automations_runtime::{
    clock, deliveries, dispatch, http, js_json, random, relay, storage,
};

pub use host::{mount, WidgetHandle};
pub use ui::app::{App, AppProps};

/// Whether this build should register the offline service worker: release builds do, development
/// builds do not (a cached development build would hide the changes being made).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn offline_support() -> bool {
    !cfg!(debug_assertions)
}
