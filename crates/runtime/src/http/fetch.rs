//! The fetch transport: one attempt of one request, classified for the engine's retry rules.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, Request, RequestInit, RequestMode, RequestRedirect, Response, ResponseType,
};
use webhook_engine::model::Method;
use webhook_engine::request::OutgoingRequest;
use webhook_engine::retry::Outcome;
use webhook_engine::runner::{Exchange, Response as EngineResponse, Transport};

use crate::http::probe::{probe_reachable, Reachability};
use crate::http::timer::Timeout;

/// Sends with the page's `fetch`: CORS mode, no redirects followed, no cookies, aborted at the timeout.
#[derive(Debug, Default, Clone, Copy)]
pub struct FetchTransport;

impl Transport for FetchTransport {
    async fn send(&self, request: &OutgoingRequest, timeout_ms: u32) -> Exchange {
        let Ok(controller) = AbortController::new() else {
            return Exchange::Failed(Outcome::NetworkError);
        };
        let Some(fetch_request) = build(request, &controller) else {
            return Exchange::Failed(Outcome::NetworkError);
        };
        let timed_out = Rc::new(Cell::new(false));
        let _timeout = {
            let timed_out = timed_out.clone();
            let controller = controller.clone();
            Timeout::start(timeout_ms, move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let window = web_sys::window().expect("a window");
        let answer = JsFuture::from(window.fetch_with_request(&fetch_request)).await;
        let response: Response = match answer {
            Ok(value) => value.unchecked_into(),
            Err(_) if timed_out.get() => return Exchange::Failed(Outcome::Timeout),
            Err(_) => return Exchange::Failed(failure_cause(&request.url).await),
        };
        if response.type_() == ResponseType::Opaqueredirect {
            // `redirect: "manual"` hides the redirect's status and target from the page.
            return Exchange::Failed(Outcome::RedirectRefused(0));
        }
        let headers = read_headers(&response);
        let body = match response.text() {
            Ok(promise) => match JsFuture::from(promise).await {
                Ok(text) => text.as_string().unwrap_or_default(),
                Err(_) if timed_out.get() => return Exchange::Failed(Outcome::Timeout),
                Err(_) => String::new(),
            },
            Err(_) => String::new(),
        };
        Exchange::Answered(EngineResponse {
            status: response.status(),
            headers,
            body,
        })
    }
}

fn build(request: &OutgoingRequest, controller: &AbortController) -> Option<Request> {
    let init = RequestInit::new();
    init.set_method(request.method.as_str());
    // The HTTP cache never answers these methods (RFC 9111, section 4): each request reaches the
    // endpoint in the default cache mode, the one mode in which the browser reuses its CORS
    // preflight answers. Any other (`no-store`, `no-cache`, `reload`) sends a preflight before
    // every delivery, twice the requests for the endpoint. A GET would need `no-store`.
    match request.method {
        Method::Post | Method::Put | Method::Patch | Method::Delete => {}
    }
    init.set_mode(RequestMode::Cors);
    init.set_redirect(RequestRedirect::Manual);
    init.set_credentials(web_sys::RequestCredentials::Omit);
    init.set_signal(Some(&controller.signal()));
    init.set_body(&request.body.as_str().into());
    let fetch_request = Request::new_with_str_and_init(&request.url, &init).ok()?;
    for (name, value) in &request.headers {
        fetch_request.headers().set(name, value).ok()?;
    }
    Some(fetch_request)
}

/// Why a fetch failed without an answer: CORS when the endpoint's origin answers a `no-cors`
/// probe, a network error when it does not.
async fn failure_cause(url: &str) -> Outcome {
    match probe_reachable(url).await {
        Reachability::Reachable => Outcome::CorsRefused,
        Reachability::Unreachable => Outcome::NetworkError,
    }
}

/// The response headers the page may read: all of a same-origin answer, only the CORS-safelisted
/// and exposed ones of a cross-origin answer.
fn read_headers(response: &Response) -> Vec<(String, String)> {
    let Ok(Some(entries)) = js_sys::try_iter(&response.headers()) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let pair: js_sys::Array = entry.dyn_into().ok()?;
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}
