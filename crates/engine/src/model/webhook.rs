//! An automation webhook: where requests go and how they authenticate.

use serde::{Deserialize, Serialize};

use crate::model::Secret;
use crate::web_url::WebUrl;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub name: String,
    /// `https://…`, or `http://` for localhost only; paths of actions are appended to it.
    pub base_url: String,
    #[serde(default)]
    pub auth: Auth,
    /// Extra headers sent with every request, validated against header injection.
    #[serde(default)]
    pub headers: Vec<HeaderPair>,
    /// Standard Webhooks signing secret (`whsec_…`); requests are signed when it is set.
    #[serde(default)]
    pub signing_secret: Option<Secret>,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u32,
    #[serde(default)]
    pub retry: RetryPolicy,
    /// Where its requests leave from.
    #[serde(default)]
    pub route: Route,
}

/// Where a webhook's requests leave from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// The browser of whoever caused the event, with `fetch`: needs an endpoint that answers CORS
    /// preflights, the credentials in that browser, and the tab open while retries wait.
    #[default]
    Browser,
    /// The relay (`webhook-relay`), server-side: any endpoint, credentials held by the relay only,
    /// retries that go on with every tab closed.
    Relay,
}

pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;

fn default_timeout_ms() -> u32 {
    DEFAULT_TIMEOUT_MS
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderPair {
    pub name: String,
    pub value: String,
    /// Marked secret by the admin, whatever its name: a credential sent under a name no rule can
    /// recognise (`X-Customer-Ref`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

impl HeaderPair {
    /// A header as it is kept: the admin's mark `secret` is recorded only where the name does not
    /// already say so, so a header reads the same whichever way it came (typed in the form, or
    /// imported from a document that writes every secret header `"secret": true`).
    pub fn marked(name: String, value: String, secret: bool) -> HeaderPair {
        let secret = secret && !crate::request::names_a_credential(name.trim());
        HeaderPair {
            name,
            value,
            secret,
        }
    }

    /// Whether the header carries a credential — marked so, or its name says so (`Authorization`,
    /// `X-Api-Key`, `X-Auth-Token`, …): its value is then a secret, kept like a password — masked
    /// once saved, never exported or shared with the host page.
    pub fn is_secret(&self) -> bool {
        self.secret || crate::request::names_a_credential(self.name.trim())
    }
}

impl Webhook {
    /// Where the webhook's requests go: scheme, host and port of its base URL (`https://erp.example`),
    /// or `None` while the base URL is not a web address. Credentials belong to this origin: they are
    /// only ever sent to the origin they were entered for.
    pub fn origin(&self) -> Option<String> {
        origin_of(&self.base_url)
    }
}

/// The origin of a URL (`https://erp.example:8443`), as a browser writes it.
pub fn origin_of(url: &str) -> Option<String> {
    WebUrl::parse(url.trim()).ok()?.origin()
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Auth {
    #[default]
    None,
    Basic {
        username: String,
        password: Secret,
    },
    Bearer {
        token: Secret,
    },
    /// A key sent in a header of the admin's choosing, e.g. `X-API-Key`.
    ApiKey {
        header: String,
        key: Secret,
    },
}

/// Which kind of authentication, without its credentials: what exports and the UI list show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    None,
    Basic,
    Bearer,
    ApiKey,
}

impl Auth {
    pub fn kind(&self) -> AuthKind {
        match self {
            Auth::None => AuthKind::None,
            Auth::Basic { .. } => AuthKind::Basic,
            Auth::Bearer { .. } => AuthKind::Bearer,
            Auth::ApiKey { .. } => AuthKind::ApiKey,
        }
    }

    /// Every credential this authentication holds.
    pub fn secrets(&self) -> Vec<&Secret> {
        match self {
            Auth::None => vec![],
            Auth::Basic { password, .. } => vec![password],
            Auth::Bearer { token } => vec![token],
            Auth::ApiKey { key, .. } => vec![key],
        }
    }
}

/// How failed deliveries are retried. Which outcomes retry is fixed by the product's rules
/// (see `retry`); the policy sets how often and how long to wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// Wait before the first retry; doubled for each further one.
    pub initial_backoff_ms: u32,
    /// No wait is longer than this, `Retry-After` included.
    pub max_backoff_ms: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff_ms: 1_000,
            max_backoff_ms: 60_000,
        }
    }
}
