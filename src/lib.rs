//! Webhook Automations, the browser app: a Yew single-page app compiled to WebAssembly.
//!
//! Every rule lives in `webhook-engine`; this crate holds the views (`ui`) and, as later work lands,
//! the browser's storage, fetch transport and host API. `mount` is the one entry point a page calls.

pub mod http;
pub mod random;
pub mod services;
pub mod state;
pub mod storage;
pub mod ui;

use wasm_bindgen::prelude::*;
use yew::AppHandle;

pub use ui::app::{App, AppProps};

/// A running app, returned to JavaScript by [`mount`] so the page can unmount it again.
#[wasm_bindgen]
pub struct MountedApp {
    handle: Option<AppHandle<App>>,
}

#[wasm_bindgen]
impl MountedApp {
    /// Unmounts the app and removes everything it rendered; calling it twice is harmless.
    pub fn destroy(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
    }
}

/// Mounts the app into `root`, which can be any element: the standalone page's `<main>` or, when the
/// app is embedded, an element the host page owns. `hash_routing` keeps the open section in the
/// URL's `#/...` so reloads and the back button work; an embedded app leaves the host's URL alone.
#[wasm_bindgen]
pub fn mount(root: web_sys::Element, hash_routing: bool) -> MountedApp {
    let handle =
        yew::Renderer::<App>::with_root_and_props(root, AppProps { hash_routing }).render();
    MountedApp {
        handle: Some(handle),
    }
}
