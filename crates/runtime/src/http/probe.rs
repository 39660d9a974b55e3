//! Telling "the endpoint refused this page (CORS)" from "the endpoint is down".
//!
//! A browser reports both as the same opaque `TypeError`. A second, `no-cors` request to the
//! endpoint's origin settles it: it needs no permission from the endpoint, so when it gets any answer
//! (an opaque response) the endpoint is up and the first failure was CORS; when it fails too, the
//! endpoint is unreachable.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, RequestMode, Response};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reachability {
    /// Something answered at the endpoint's origin.
    Reachable,
    Unreachable,
}

/// Whether anything answers at `url`'s origin, with a `no-cors` GET of the origin's root: a safe
/// request that needs no permission, sent only after a request has already failed.
pub async fn probe_reachable(url: &str) -> Reachability {
    let Ok(parsed) = web_sys::Url::new(url) else {
        return Reachability::Unreachable;
    };
    let init = RequestInit::new();
    init.set_method("GET");
    // A no-cors request must follow redirects (the browser refuses "manual" there); a probe only
    // asks whether anything answers, so following is harmless.
    init.set_mode(RequestMode::NoCors);
    init.set_cache(web_sys::RequestCache::NoStore);
    let Ok(request) = Request::new_with_str_and_init(&format!("{}/", parsed.origin()), &init)
    else {
        return Reachability::Unreachable;
    };
    let window = web_sys::window().expect("a window");
    match JsFuture::from(window.fetch_with_request(&request)).await {
        Ok(value) if value.is_instance_of::<Response>() => Reachability::Reachable,
        _ => Reachability::Unreachable,
    }
}
