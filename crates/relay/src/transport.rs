//! The engine's [`Transport`] over `reqwest` (rustls): what the relay sends is exactly the request the
//! engine built — method, URL, headers, body — plus the few headers any HTTP client adds (listed in
//! docs/relay.md: `host`, `content-length`, `accept: */*`, `user-agent: webhook-relay/VERSION`).
//!
//! - Redirects are never followed (the engine records a refused redirect), so the host never changes.
//! - Proxy variables are ignored (`no_proxy`): a proxy would resolve names itself, past the SSRF guard.
//! - The webhook's timeout covers the whole exchange, answer body included.
//! - Only the start of an answer's body is read: the history keeps 4 KiB of it; a little more is read
//!   so that a credential the endpoint echoes right at the cut is still recognised and masked whole.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use webhook_engine::request::OutgoingRequest;
use webhook_engine::retry::Outcome;
use webhook_engine::runner::{Exchange, Response, Transport, RESPONSE_READ_LIMIT};

use crate::ssrf::{refusal_in, Guard, GuardedResolver};

/// Bytes of an answer's body read at most (the engine masks an answer this long as cut).
pub const READ_LIMIT: usize = RESPONSE_READ_LIMIT;

pub const USER_AGENT: &str = concat!("webhook-relay/", env!("CARGO_PKG_VERSION"));

#[derive(Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    guard: Guard,
}

impl HttpTransport {
    pub fn new(
        guard: Guard,
        resolve: &[(String, std::net::IpAddr)],
    ) -> Result<HttpTransport, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver::new(guard.clone(), resolve)))
            .user_agent(USER_AGENT)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()?;
        Ok(HttpTransport { client, guard })
    }

    async fn exchange(&self, request: &OutgoingRequest) -> Result<Response, Outcome> {
        let url = reqwest::Url::parse(&request.url).map_err(|_| Outcome::NetworkError)?;
        // IP literals never reach the resolver: they are checked here.
        self.guard
            .check_url(&url)
            .map_err(|refused| Outcome::AddressRefused {
                address: refused.address,
                kind: refused.kind,
            })?;
        let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes())
            .map_err(|_| Outcome::NetworkError)?;
        let mut outgoing = self.client.request(method, url).body(request.body.clone());
        for (name, value) in &request.headers {
            let name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| Outcome::NetworkError)?;
            outgoing = outgoing.header(name, latin1_value(value).ok_or(Outcome::NetworkError)?);
        }
        let mut response = outgoing.send().await.map_err(|error| classify(&error))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), latin1_text(value.as_bytes())))
            .collect();
        let mut body = Vec::new();
        while body.len() < READ_LIMIT {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                // The status arrived: the answer counts, without the part of the body that came —
                // it may end in a credential cut in two, which no scrubber recognises.
                Err(_) => {
                    body.clear();
                    break;
                }
            }
        }
        body.truncate(READ_LIMIT);
        Ok(Response {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

impl Transport for HttpTransport {
    async fn send(&self, request: &OutgoingRequest, timeout_ms: u32) -> Exchange {
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        match tokio::time::timeout(timeout, self.exchange(request)).await {
            Err(_) => Exchange::Failed(Outcome::Timeout),
            Ok(Err(outcome)) => Exchange::Failed(outcome),
            Ok(Ok(response)) => Exchange::Answered(response),
        }
    }
}

fn classify(error: &reqwest::Error) -> Outcome {
    if let Some(refused) = refusal_in(error) {
        return Outcome::AddressRefused {
            address: refused.address,
            kind: refused.kind,
        };
    }
    if error.is_timeout() {
        Outcome::Timeout
    } else {
        Outcome::NetworkError
    }
}

/// A header value as a browser's `fetch` sends it: each character up to U+00FF as one byte (the
/// engine refuses values with other characters before a request is built).
fn latin1_value(value: &str) -> Option<HeaderValue> {
    let bytes: Option<Vec<u8>> = value
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect();
    HeaderValue::from_bytes(&bytes?).ok()
}

/// An answer's header value read as `fetch` reads it: each byte one character.
fn latin1_text(bytes: &[u8]) -> String {
    bytes.iter().map(|&byte| char::from(byte)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_travel_as_latin_1_both_ways() {
        assert_eq!(latin1_value("café").unwrap().as_bytes(), b"caf\xe9");
        assert!(latin1_value("party 🎉").is_none());
        assert_eq!(latin1_text(b"caf\xe9"), "café");
    }
}
