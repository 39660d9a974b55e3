//! CORS: answering preflights and letting a page on another origin read every response.
//!
//! The receiver is permissive on purpose (it exists to be called from a browser app on
//! another origin): it echoes the page's `Origin` and whatever headers the page asks for.
//! `--no-cors` turns all of it off so the refusal a browser shows can be tried too.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use http::{HeaderMap, HeaderValue, Method};

/// Methods a preflight is told are allowed (plus the requested one, if it is another).
pub const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

/// Response headers a page may read. `*` covers the rest for non-credentialed requests;
/// the explicit names also work for credentialed ones, where `*` is taken literally.
pub const EXPOSED_HEADERS: &str =
    "retry-after, location, x-receiver-seq, content-type, content-length, *";

/// How long a browser may cache a preflight answer, in seconds.
pub const MAX_AGE_SECS: &str = "600";

/// A CORS preflight: `OPTIONS` with `Access-Control-Request-Method`. A plain `OPTIONS`
/// without it is an ordinary request and gets recorded.
pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

#[derive(Debug, Clone, Copy)]
pub struct CorsPolicy {
    enabled: bool,
}

impl CorsPolicy {
    pub fn new(enabled: bool) -> Self {
        CorsPolicy { enabled }
    }

    /// Headers for a preflight answer (a 204), given the preflight's request headers.
    pub fn preflight_headers(&self, request: &HeaderMap) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if !self.enabled {
            return headers;
        }
        self.insert_origin(request, &mut headers);
        headers.insert(ACCESS_CONTROL_ALLOW_METHODS, allowed_methods(request));
        if let Some(requested) = request.get(ACCESS_CONTROL_REQUEST_HEADERS) {
            // Echo rather than list: any custom header the app adds must pass.
            headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
        }
        headers.insert(
            ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE_SECS),
        );
        headers
    }

    /// Adds the CORS headers of an ordinary response, without replacing any the response
    /// already has (a scripted action may set its own to try a misconfigured server).
    pub fn decorate(&self, request: &HeaderMap, response: &mut HeaderMap) {
        if !self.enabled {
            return;
        }
        let mut cors = HeaderMap::new();
        self.insert_origin(request, &mut cors);
        cors.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
        for (name, value) in cors {
            if let Some(name) = name {
                response.entry(name).or_insert(value);
            }
        }
    }

    /// `Access-Control-Allow-Origin` echoing the page's origin (`*` without one), `Vary:
    /// Origin` because the answer depends on it, and `Allow-Credentials` when an origin is
    /// echoed so `fetch(..., {credentials: "include"})` works as well.
    fn insert_origin(&self, request: &HeaderMap, headers: &mut HeaderMap) {
        match request.get(ORIGIN) {
            Some(origin) => {
                headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
                headers.insert(
                    ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    HeaderValue::from_static("true"),
                );
            }
            None => {
                headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
            }
        }
        headers.insert(VARY, HeaderValue::from_static("Origin"));
    }
}

/// The standard list, plus the requested method when it is not in it (the receiver accepts
/// any method, so a page asking for e.g. `PROPFIND` is allowed too).
fn allowed_methods(request: &HeaderMap) -> HeaderValue {
    let requested = request
        .get(ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|method| !method.is_empty());
    let listed = |method: &str| {
        ALLOWED_METHODS
            .split(", ")
            .any(|allowed| allowed.eq_ignore_ascii_case(method))
    };
    match requested {
        Some(method) if !listed(method) => {
            HeaderValue::from_str(&format!("{ALLOWED_METHODS}, {method}"))
                .unwrap_or_else(|_| HeaderValue::from_static(ALLOWED_METHODS))
        }
        _ => HeaderValue::from_static(ALLOWED_METHODS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(
                http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_str(value).expect("value"),
            );
        }
        headers
    }

    #[test]
    fn preflight_echoes_origin_and_headers() {
        let policy = CorsPolicy::new(true);
        let headers = policy.preflight_headers(&request(&[
            ("origin", "http://localhost:8080"),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "authorization, webhook-id",
            ),
        ]));
        assert_eq!(
            headers[ACCESS_CONTROL_ALLOW_ORIGIN],
            "http://localhost:8080"
        );
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_METHODS], ALLOWED_METHODS);
        assert_eq!(
            headers[ACCESS_CONTROL_ALLOW_HEADERS],
            "authorization, webhook-id"
        );
        assert_eq!(headers[ACCESS_CONTROL_MAX_AGE], "600");
        assert_eq!(headers[VARY], "Origin");
    }

    #[test]
    fn unusual_methods_are_added() {
        let headers = CorsPolicy::new(true)
            .preflight_headers(&request(&[("access-control-request-method", "PROPFIND")]));
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert!(headers[ACCESS_CONTROL_ALLOW_METHODS]
            .to_str()
            .expect("ascii")
            .ends_with(", PROPFIND"));
    }

    #[test]
    fn decorate_keeps_scripted_values_and_disabled_adds_nothing() {
        let mut response = request(&[("access-control-allow-origin", "https://other.test")]);
        CorsPolicy::new(true).decorate(&request(&[("origin", "http://a.test")]), &mut response);
        assert_eq!(response[ACCESS_CONTROL_ALLOW_ORIGIN], "https://other.test");
        assert_eq!(response[ACCESS_CONTROL_EXPOSE_HEADERS], EXPOSED_HEADERS);

        let mut plain = HeaderMap::new();
        CorsPolicy::new(false).decorate(&request(&[("origin", "http://a.test")]), &mut plain);
        assert!(plain.is_empty());
        assert!(CorsPolicy::new(false)
            .preflight_headers(&request(&[("origin", "http://a.test")]))
            .is_empty());
    }
}
