//! Browser tests: run by wasm-bindgen-test in headless Chromium (`make test`, browser harness).
//! They compile for wasm32 only, so `cargo test --workspace` stays native.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod app_shell;
mod automations;
mod clock;
mod dialog;
mod dispatch;
mod dom;
mod fetch_transport;
mod history;
mod receiver_fetch;
mod runtime;
mod sandbox;
mod storage;
mod web_url;
