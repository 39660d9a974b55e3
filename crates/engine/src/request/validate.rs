//! Checking a webhook as the admin fills in its form: every problem, named by the field it is in.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::RangeInclusive;

use crate::web_url::{Host, WebUrl};
use serde::{Deserialize, Serialize};

use super::headers::{is_forbidden, is_ours, is_token, value_problem, AUTHORIZATION};
use crate::model::{Auth, Route, Secret, Webhook};
use crate::signing::signing_key;

/// One problem of a webhook: `field` names the form field (`name`, `base_url`, `auth.token`,
/// `headers.1.name`, `retry.max_attempts`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookProblem {
    pub field: String,
    pub message: String,
}

impl fmt::Display for WebhookProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

pub const TIMEOUT_MS: RangeInclusive<u32> = 1_000..=120_000;
/// The relay's waits are durable (a delayed redelivery in NATS), so they may be long; its queue
/// keeps a delivery for the history's retention at most, so a day bounds them.
pub const RELAY_MAX_BACKOFF_MS: u32 = 24 * 60 * 60 * 1_000;
pub const MAX_ATTEMPTS: RangeInclusive<u32> = 1..=10;
/// Retrying sooner than this hammers an endpoint that just failed.
pub const MIN_BACKOFF_MS: u32 = 100;

pub fn validate_webhook(webhook: &Webhook) -> Vec<WebhookProblem> {
    let mut problems = Problems {
        // A relay webhook's credentials are held by the relay, never in a browser: an empty one
        // here is expected, and the relay checks its own copy before it sends.
        missing_credentials_are_problems: webhook.route == Route::Browser,
        ..Problems::default()
    };
    check_name(&webhook.name, &mut problems);
    if let Some(message) = base_url_problem(&webhook.base_url) {
        problems.add("base_url", message);
    }
    check_auth(&webhook.auth, &mut problems);
    check_headers(webhook, &mut problems);
    if let Some(secret) = &webhook.signing_secret {
        if secret.is_empty() {
            problems.missing(
                "signing_secret",
                "enter the signing secret, or turn signing off",
            );
        } else if let Err(error) = signing_key(secret) {
            problems.add("signing_secret", error.to_string());
        }
    }
    if !TIMEOUT_MS.contains(&webhook.timeout_ms) {
        problems.add(
            "timeout_ms",
            "the timeout must be between 1 and 120 seconds",
        );
    }
    let retry = &webhook.retry;
    if !MAX_ATTEMPTS.contains(&retry.max_attempts) {
        problems.add(
            "retry.max_attempts",
            "attempts must be between 1 and 10 (1 means never retry)",
        );
    }
    if retry.initial_backoff_ms < MIN_BACKOFF_MS {
        problems.add(
            "retry.initial_backoff_ms",
            "wait at least 0.1 seconds before the first retry",
        );
    }
    if retry.max_backoff_ms < retry.initial_backoff_ms {
        problems.add(
            "retry.max_backoff_ms",
            "the longest wait can't be shorter than the first wait",
        );
    } else if webhook.route == Route::Relay && retry.max_backoff_ms > RELAY_MAX_BACKOFF_MS {
        problems.add(
            "retry.max_backoff_ms",
            "the relay waits at most 24 hours between two attempts",
        );
    }
    problems.found
}

/// Whether a credential the webhook needs is empty: the browser store lost it, or the configuration was
/// imported from an export, which never carries secrets.
pub fn missing_credentials(webhook: &Webhook) -> bool {
    webhook
        .auth
        .secrets()
        .into_iter()
        .chain(&webhook.signing_secret)
        .any(Secret::is_empty)
        || webhook
            .headers
            .iter()
            .any(|header| header.is_secret() && header.value.is_empty())
}

#[derive(Default)]
struct Problems {
    found: Vec<WebhookProblem>,
    missing_credentials_are_problems: bool,
}

impl Problems {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.found.push(WebhookProblem {
            field: field.into(),
            message: message.into(),
        });
    }

    /// A credential that is not entered: a problem where the webhook's credentials are kept.
    fn missing(&mut self, field: impl Into<String>, message: impl Into<String>) {
        if self.missing_credentials_are_problems {
            self.add(field, message);
        }
    }
}

fn check_name(name: &str, problems: &mut Problems) {
    if name.trim().is_empty() {
        problems.add("name", "enter a name for the webhook");
    } else if name.trim() != name {
        // Actions pick the webhook by name: " ERP" and "ERP" would look the same in the list.
        problems.add("name", "remove the spaces at the start or end of the name");
    }
}

/// What is wrong with a base URL, if anything.
fn base_url_problem(base_url: &str) -> Option<String> {
    if !base_url.is_ascii() {
        return Some(
            "use only ASCII characters: write an international host name in its xn-- form and percent-encode the path"
                .into(),
        );
    }
    let url = match WebUrl::parse(base_url) {
        Ok(url) => url,
        Err(error) => {
            return Some(format!(
                "enter a full URL like https://erp.example/api ({})",
                error.reason
            ))
        }
    };
    let scheme_problem = match url.scheme() {
        "https" => None,
        "http" if is_loopback(&url) => None,
        "http" => Some(
            "use https://: plain http:// is only allowed for localhost, 127.0.0.1 and [::1], to test locally".to_owned(),
        ),
        other => Some(format!("the URL must start with https://, not {other}:")),
    };
    scheme_problem.or_else(|| {
        if url.has_credentials() {
            Some("remove the user name and password from the URL: enter them under Authentication, where they stay secret".to_owned())
        } else if url.fragment().is_some() {
            Some("remove the '#…' part: a fragment is never sent to the server".to_owned())
        } else if url.query().is_some() {
            Some("remove the '?…' part: put query parameters in each action's path".to_owned())
        } else {
            None
        }
    })
}

fn is_loopback(url: &WebUrl) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(address)) => address == Ipv4Addr::LOCALHOST,
        Some(Host::Ipv6(address)) => address == Ipv6Addr::LOCALHOST,
        None => false,
    }
}

fn check_auth(auth: &Auth, problems: &mut Problems) {
    match auth {
        Auth::None => {}
        Auth::Basic { username, password } => {
            if username.is_empty() {
                problems.add("auth.username", "enter the user name");
            } else if username.contains(':') {
                // Basic authentication joins user name and password with ':' (RFC 7617).
                problems.add(
                    "auth.username",
                    "a user name for Basic authentication can't contain ':'",
                );
            }
            if password.is_empty() {
                problems.missing("auth.password", "enter the password");
            }
        }
        Auth::Bearer { token } => check_credential("auth.token", "token", token, problems),
        Auth::ApiKey { header, key } => {
            let header = header.trim();
            if header.is_empty() {
                problems.add(
                    "auth.header",
                    "enter the name of the header that carries the key, like X-API-Key",
                );
            } else if let Some(message) = header_name_problem(header) {
                problems.add("auth.header", message);
            }
            check_credential("auth.key", "key", key, problems);
        }
    }
}

fn check_credential(field: &str, what: &str, secret: &Secret, problems: &mut Problems) {
    let value = secret.expose().trim();
    if value.is_empty() {
        problems.missing(field, format!("enter the {what}"));
    } else if let Some(reason) = value_problem(value) {
        problems.add(field, format!("the {what} can't be sent: {reason}"));
    }
}

/// Why an admin can't choose `name` for a header (custom or API key), if they can't.
fn header_name_problem(name: &str) -> Option<String> {
    if !is_token(name) {
        Some(format!(
            "{name:?} is not a valid header name: use letters, digits and '-', like X-Tenant-Id"
        ))
    } else if is_forbidden(name) {
        Some(format!("browsers do not let a page set the {name} header"))
    } else if is_ours(name) {
        Some(format!("{name} is set by Webhook Automations itself"))
    } else {
        None
    }
}

fn check_headers(webhook: &Webhook, problems: &mut Problems) {
    let api_key_header = match &webhook.auth {
        Auth::ApiKey { header, .. } => Some(header.trim()),
        _ => None,
    };
    for (index, header) in webhook.headers.iter().enumerate() {
        let field = |part: &str| format!("headers.{index}.{part}");
        let name = header.name.trim();
        let earlier = webhook.headers[..index]
            .iter()
            .position(|other| other.name.trim().eq_ignore_ascii_case(name));
        let name_problem = if name.is_empty() {
            Some("enter a header name".to_owned())
        } else if let Some(problem) = header_name_problem(name) {
            Some(problem)
        } else if !matches!(webhook.auth, Auth::None) && name.eq_ignore_ascii_case(AUTHORIZATION) {
            Some("Authorization is set by the webhook's authentication: remove this header, or set authentication to none".to_owned())
        } else if api_key_header.is_some_and(|key_header| key_header.eq_ignore_ascii_case(name)) {
            Some(format!("{name} already carries the API key"))
        } else {
            earlier.map(|earlier| format!("{name} is already set by header {}", earlier + 1))
        };
        if let Some(message) = name_problem {
            problems.add(field("name"), message);
        }
        if let Some(reason) = value_problem(&header.value) {
            problems.add(
                field("value"),
                format!("this value can't be sent: {reason}"),
            );
        } else if header.is_secret() && header.value.is_empty() {
            problems.missing(
                field("value"),
                format!("enter the value: {name} carries a credential"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HeaderPair, RetryPolicy};

    fn webhook() -> Webhook {
        Webhook {
            id: "wh_1".into(),
            name: "ERP".into(),
            base_url: "https://erp.example/api".into(),
            route: Default::default(),
            auth: Auth::Bearer {
                token: Secret::new("tok_123"),
            },
            headers: vec![HeaderPair {
                name: "X-Tenant".into(),
                value: "north".into(),
                secret: false,
            }],
            signing_secret: Some(Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")),
            timeout_ms: 10_000,
            retry: RetryPolicy::default(),
        }
    }

    /// The fields with problems after `change`.
    fn fields(change: impl FnOnce(&mut Webhook)) -> Vec<String> {
        let mut webhook = webhook();
        change(&mut webhook);
        validate_webhook(&webhook)
            .into_iter()
            .map(|problem| problem.field)
            .collect()
    }

    fn message(change: impl FnOnce(&mut Webhook)) -> String {
        let mut webhook = webhook();
        change(&mut webhook);
        let problems = validate_webhook(&webhook);
        assert_eq!(problems.len(), 1, "{problems:?}");
        problems[0].message.clone()
    }

    #[test]
    fn a_complete_webhook_has_no_problems() {
        assert_eq!(validate_webhook(&webhook()), []);
    }

    #[test]
    fn the_name_is_required_and_trimmed() {
        assert_eq!(fields(|w| w.name = "  ".into()), ["name"]);
        assert_eq!(fields(|w| w.name = " ERP".into()), ["name"]);
        assert!(message(|w| w.name = "ERP ".into()).contains("spaces"));
    }

    #[test]
    fn base_urls_must_be_https_except_on_this_machine() {
        for local in [
            "http://localhost:8090/hook",
            "http://127.0.0.1:8090",
            "http://[::1]:8090/x",
            "HTTP://LOCALHOST",
        ] {
            assert_eq!(
                fields(|w| w.base_url = local.into()),
                Vec::<String>::new(),
                "{local}"
            );
        }
        for remote in [
            "http://erp.example/api",
            "http://127.0.0.2",
            "http://localhost.evil.example",
            "http://10.0.0.1",
        ] {
            assert!(
                message(|w| w.base_url = remote.into()).starts_with("use https://"),
                "{remote}"
            );
        }
        assert!(message(|w| w.base_url = "ftp://erp.example".into()).contains("not ftp:"));
        assert!(message(|w| w.base_url = "erp.example/api".into()).starts_with("enter a full URL"));
    }

    #[test]
    fn international_hosts_are_written_in_their_ascii_form() {
        assert!(
            message(|w| w.base_url = "https://bücher.example/api".into()).contains("xn-- form")
        );
        assert_eq!(
            fields(|w| w.base_url = "https://xn--bcher-kva.example/api".into()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn base_urls_carry_no_credentials_fragment_or_query() {
        for (url, says) in [
            (
                "https://user:pass@erp.example/api",
                "user name and password",
            ),
            ("https://user@erp.example/api", "user name and password"),
            ("https://erp.example/api#top", "fragment"),
            ("https://erp.example/api?key=1", "query parameters"),
        ] {
            assert!(message(|w| w.base_url = url.into()).contains(says), "{url}");
        }
    }

    #[test]
    fn credentials_must_be_present_and_sendable() {
        assert_eq!(
            fields(|w| w.auth = Auth::Bearer {
                token: Secret::new("")
            }),
            ["auth.token"]
        );
        assert_eq!(
            fields(|w| w.auth = Auth::Bearer {
                token: Secret::new("a\r\nb")
            }),
            ["auth.token"]
        );
        let basic = |username: &str, password: &str| Auth::Basic {
            username: username.into(),
            password: Secret::new(password),
        };
        assert_eq!(
            fields(|w| w.auth = basic("", "")),
            ["auth.username", "auth.password"]
        );
        assert!(message(|w| w.auth = basic("a:b", "pw")).contains("can't contain ':'"));
        let api_key = |header: &str, key: &str| Auth::ApiKey {
            header: header.into(),
            key: Secret::new(key),
        };
        assert_eq!(
            fields(|w| w.auth = api_key("X-API-Key", "k")),
            Vec::<String>::new()
        );
        assert_eq!(
            fields(|w| w.auth = api_key("", "")),
            ["auth.header", "auth.key"]
        );
        assert_eq!(fields(|w| w.auth = api_key("X API", "k")), ["auth.header"]);
        assert_eq!(fields(|w| w.auth = api_key("Cookie", "k")), ["auth.header"]);
        assert_eq!(
            fields(|w| w.auth = api_key("webhook-id", "k")),
            ["auth.header"]
        );
    }

    #[test]
    fn a_header_named_like_a_credential_is_a_secret_that_must_be_entered() {
        let mut webhook = webhook();
        webhook.headers = vec![HeaderPair {
            name: "X-Auth-Token".into(),
            value: String::new(),
            secret: false,
        }];
        assert!(missing_credentials(&webhook));
        assert_eq!(
            message(|w| w.headers = webhook.headers.clone()),
            "enter the value: X-Auth-Token carries a credential"
        );
        webhook.headers[0].value = "tok".into();
        assert!(!missing_credentials(&webhook));
        webhook.headers[0].name = "X-Tenant-Id".into();
        webhook.headers[0].value = String::new();
        assert!(
            !missing_credentials(&webhook),
            "an ordinary header may be empty"
        );
    }

    #[test]
    fn missing_credentials_are_any_empty_secret() {
        let mut webhook = webhook();
        assert!(!missing_credentials(&webhook));
        webhook.signing_secret = Some(Secret::new(""));
        assert!(missing_credentials(&webhook));
        webhook.signing_secret = None;
        webhook.auth = Auth::Basic {
            username: "u".into(),
            password: Secret::new(""),
        };
        assert!(missing_credentials(&webhook));
        webhook.auth = Auth::None;
        assert!(!missing_credentials(&webhook));
    }

    #[test]
    fn custom_header_names_must_be_tokens_and_not_forbidden_or_ours() {
        let header = |name: &'static str| {
            move |w: &mut Webhook| {
                w.headers = vec![HeaderPair {
                    name: name.into(),
                    value: "v".into(),
                    secret: false,
                }]
            }
        };
        for name in [
            "",
            "X Tenant",
            "X-Tenant:",
            "Host",
            "content-length",
            "Proxy-Authorization",
            "Sec-Fetch-Site",
            "Access-Control-Allow-Origin",
            "Content-Type",
            "webhook-signature",
            "Webhook-Id",
            "webhook-timestamp",
            "Authorization",
            "Cookie",
            "Origin",
            "Referer",
        ] {
            assert_eq!(fields(header(name)), ["headers.0.name"], "{name:?}");
        }
        assert!(message(header("Host")).contains("browsers do not let a page set the Host header"));
        let mut no_auth = webhook();
        no_auth.auth = Auth::None;
        no_auth.headers = vec![HeaderPair {
            name: "Authorization".into(),
            value: "Token abc".into(),
            secret: false,
        }];
        assert_eq!(
            validate_webhook(&no_auth),
            [],
            "Authorization is the admin's to set without authentication"
        );
    }

    #[test]
    fn custom_headers_do_not_clash_with_each_other_or_the_api_key() {
        let mut webhook = webhook();
        webhook.auth = Auth::ApiKey {
            header: "X-API-Key".into(),
            key: Secret::new("k"),
        };
        webhook.headers = vec![
            HeaderPair {
                name: "x-api-key".into(),
                value: "v".into(),
                secret: false,
            },
            HeaderPair {
                name: "X-Tenant".into(),
                value: "a".into(),
                secret: false,
            },
            HeaderPair {
                name: "x-tenant".into(),
                value: "b".into(),
                secret: false,
            },
        ];
        let problems = validate_webhook(&webhook);
        let fields: Vec<&str> = problems
            .iter()
            .map(|problem| problem.field.as_str())
            .collect();
        assert_eq!(fields, ["headers.0.name", "headers.2.name"]);
        assert!(
            problems[1].message.contains("already set by header 2"),
            "{}",
            problems[1].message
        );
    }

    #[test]
    fn header_values_cannot_inject_headers() {
        for value in ["a\r\nX-Evil: 1", "a\nb", "a\0", "🎉"] {
            let change = |w: &mut Webhook| w.headers[0].value = value.into();
            assert_eq!(fields(change), ["headers.0.value"], "{value:?}");
        }
    }

    #[test]
    fn signing_secrets_must_be_standard_webhooks_secrets() {
        assert_eq!(
            fields(|w| w.signing_secret = Some(Secret::new("abc"))),
            ["signing_secret"]
        );
        assert!(message(|w| w.signing_secret = Some(Secret::new("abc"))).contains("whsec_"));
        assert_eq!(
            fields(|w| w.signing_secret = Some(Secret::new("whsec_!!"))),
            ["signing_secret"]
        );
        assert_eq!(fields(|w| w.signing_secret = None), Vec::<String>::new());
    }

    #[test]
    fn a_relay_webhook_holds_no_credential_here_and_that_is_no_problem() {
        let relay = |change: fn(&mut Webhook)| {
            fields(|w| {
                w.route = Route::Relay;
                change(w);
            })
        };
        assert!(relay(|w| w.auth = Auth::Bearer {
            token: Secret::new("")
        })
        .is_empty());
        assert!(relay(|w| w.signing_secret = Some(Secret::new(""))).is_empty());
        assert_eq!(
            relay(|w| w.auth = Auth::Bearer {
                token: Secret::new("bad\ntoken")
            }),
            ["auth.token"],
            "a credential that is there is still checked"
        );
        assert_eq!(
            fields(|w| w.auth = Auth::Bearer {
                token: Secret::new("")
            }),
            ["auth.token"],
            "a browser webhook needs its credentials here"
        );
    }

    #[test]
    fn relay_webhooks_may_wait_up_to_a_day() {
        let day = RELAY_MAX_BACKOFF_MS;
        let relay = |max_backoff_ms| {
            fields(|w| {
                w.route = Route::Relay;
                w.retry.max_attempts = 10;
                w.retry.max_backoff_ms = max_backoff_ms;
            })
        };
        assert!(relay(day).is_empty());
        assert_eq!(relay(day + 1), ["retry.max_backoff_ms"]);
    }

    #[test]
    fn timeout_and_retry_limits() {
        assert_eq!(fields(|w| w.timeout_ms = 999), ["timeout_ms"]);
        assert_eq!(fields(|w| w.timeout_ms = 120_001), ["timeout_ms"]);
        assert_eq!(fields(|w| w.timeout_ms = 120_000), Vec::<String>::new());
        assert_eq!(fields(|w| w.timeout_ms = 1_000), Vec::<String>::new());
        assert_eq!(fields(|w| w.retry.max_attempts = 0), ["retry.max_attempts"]);
        assert_eq!(
            fields(|w| w.retry.max_attempts = 11),
            ["retry.max_attempts"]
        );
        assert_eq!(fields(|w| w.retry.max_attempts = 10), Vec::<String>::new());
        assert_eq!(
            fields(|w| w.retry.initial_backoff_ms = 0),
            ["retry.initial_backoff_ms"]
        );
        assert_eq!(
            fields(|w| w.retry.max_backoff_ms = 10),
            ["retry.max_backoff_ms"]
        );
    }
}
