//! Webhook Automations, the browser app: a Yew single-page app compiled to WebAssembly.
//!
//! Every rule lives in `webhook-engine`; this crate holds the views (`ui`) and, as later work lands,
//! the browser's storage (`storage`), fetch transport (`http`), the dispatcher that runs automations
//! (`dispatch`) and the host API (`host`). [`mount`] is the one entry point a page calls.

pub mod clock;
pub mod dispatch;
pub mod host;
pub mod http;
mod js_json;
pub mod random;
pub mod relay;
pub mod sandbox;
pub mod services;
pub mod state;
pub mod storage;
pub mod ui;

pub use host::{mount, WidgetHandle};
pub use ui::app::{App, AppProps};

/// Whether this build should register the offline service worker: release builds do, development
/// builds do not (a cached development build would hide the changes being made).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn offline_support() -> bool {
    !cfg!(debug_assertions)
}
