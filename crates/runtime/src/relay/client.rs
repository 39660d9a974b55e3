//! Calls to the relay's HTTP API from the page, with `fetch`, and what went wrong in words an admin
//! who has never heard of CORS can act on.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, RequestMode, Response};
use webhook_engine::config::ConfigDocument;
use webhook_engine::event::{Event, User};
use webhook_engine::json_errors::scrub_quoted;
use webhook_engine::model::Secret;
use webhook_engine::runner::Execution;

use crate::http::{probe_reachable, Reachability};

/// Which of the relay's two tokens a call carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Configuration, credentials, bodies of runs, replays, test sends.
    Admin,
    /// Handing events over, and reading what ran (without bodies).
    Events,
}

impl TokenKind {
    fn name(self) -> &'static str {
        match self {
            TokenKind::Admin => "admin",
            TokenKind::Events => "events",
        }
    }
}

/// What went wrong talking to the relay.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RelayError {
    #[error("the relay at {url} does not answer: check its address and that it is running")]
    Unreachable { url: String },
    #[error(
        "the relay at {url} answers, but not to this page: start it with --allow-origin {origin}"
    )]
    CorsNotAllowed { url: String, origin: String },
    #[error("the relay does not accept this {} token: enter the token it was started with", .0.name())]
    WrongToken(TokenKind),
    #[error("this needs the relay's admin token; the events token cannot do it")]
    AdminOnly,
    #[error("the relay runs, but its storage (NATS) is not available: {0}")]
    StorageDown(String),
    /// `412`: the relay's configuration changed since this page read it.
    #[error("someone else changed the relay's configuration since this page last saw it")]
    ChangedElsewhere,
    /// `409` to an event: the relay's configuration is older than the one the event was planned with.
    #[error("the relay's configuration (revision {relay_revision}) is older than this page's")]
    Behind { relay_revision: u64 },
    #[error("the relay refused it ({status}): {message}")]
    Refused { status: u16, message: String },
    /// `400`/`413` to events, for what one of them is (the relay's `code` says so). `for_good`:
    /// sent again, they would be refused again (invalid, too large); otherwise only until the
    /// relay's field catalog has the event's entity.
    #[error("the relay refused it ({status}): {message}")]
    EventsRefused {
        status: u16,
        message: String,
        for_good: bool,
    },
}

/// The relay at `url`, called with one token.
#[derive(Clone, PartialEq)]
pub struct RelayClient {
    url: String,
    token: Secret,
    kind: TokenKind,
}

/// An answer the relay gave.
struct Answer {
    status: u16,
    etag: Option<String>,
    body: String,
}

/// `GET /v1/executions`: a page of executions after a cursor.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ExecutionsPage {
    pub executions: Vec<RelayExecution>,
    pub next_cursor: u64,
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RelayExecution {
    pub cursor: u64,
    pub details_hidden: bool,
    pub execution: Execution,
}

/// `GET /v1/webhooks/{id}/credentials`: which credentials the relay holds, never their values.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HeldCredentials {
    /// `password`, `token`, `api_key`, `signing_secret`, `headers.X-Api-Key`, …
    pub set: Vec<String>,
    /// Whether they were entered for the webhook's current origin (and so are sent).
    pub applies: bool,
    /// Whether every credential the webhook needs is there.
    pub complete: bool,
}

/// An answer that carries one execution (test sends, replays).
#[derive(Deserialize)]
struct Answered {
    execution: Execution,
}

#[derive(Deserialize)]
struct Whoami {
    token: TokenKind,
}

#[derive(Deserialize)]
struct Refusal {
    #[serde(default)]
    error: String,
    #[serde(default)]
    revision: Option<u64>,
    /// Why events were refused (`POST /v1/events`): `invalid_event`, `too_large`, `not_in_catalog`.
    #[serde(default)]
    code: Option<String>,
}

impl RelayClient {
    pub fn new(url: &str, token: Secret, kind: TokenKind) -> RelayClient {
        RelayClient {
            url: url.trim().trim_end_matches('/').to_owned(),
            token,
            kind,
        }
    }

    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// `GET /healthz`: the relay runs and its storage answers.
    pub async fn health(&self) -> Result<(), RelayError> {
        self.call("GET", "/healthz", None, &[]).await.map(|_| ())
    }

    /// `GET /v1/whoami`: which token this is, so a wrong token is told apart from a dead relay.
    pub async fn whoami(&self) -> Result<TokenKind, RelayError> {
        let answer = self.call("GET", "/v1/whoami", None, &[]).await?;
        Ok(read::<Whoami>(&answer)?.token)
    }

    /// `GET /v1/config`: the relay's document and its `ETag`.
    pub async fn config(&self) -> Result<(ConfigDocument, String), RelayError> {
        let answer = self.call("GET", "/v1/config", None, &[]).await?;
        let document =
            ConfigDocument::parse(&answer.body).map_err(|error| RelayError::Refused {
                status: answer.status,
                message: error.to_string(),
            })?;
        Ok((document, answer.etag.unwrap_or_else(|| "\"0\"".into())))
    }

    /// `PUT /v1/config` over the revision `if_match` read before; the new `ETag`.
    pub async fn put_config(
        &self,
        document: &ConfigDocument,
        if_match: &str,
    ) -> Result<String, RelayError> {
        let answer = self
            .call(
                "PUT",
                "/v1/config",
                Some(document.to_json()),
                &[("If-Match", if_match)],
            )
            .await?;
        Ok(answer.etag.unwrap_or_default())
    }

    /// `PUT /v1/catalog`: the field catalog, as JSON.
    pub async fn put_catalog(&self, catalog_json: String) -> Result<(), RelayError> {
        self.call("PUT", "/v1/catalog", Some(catalog_json), &[])
            .await
            .map(|_| ())
    }

    /// `PUT /v1/webhooks/{id}/credentials`.
    pub async fn put_credentials(
        &self,
        webhook_id: &str,
        credentials: &impl Serialize,
    ) -> Result<(), RelayError> {
        let body = serde_json::to_string(credentials).map_err(|error| RelayError::Refused {
            status: 0,
            message: scrub_quoted(&error.to_string()),
        })?;
        self.call("PUT", &credentials_path(webhook_id), Some(body), &[])
            .await
            .map(|_| ())
    }

    /// `GET /v1/webhooks/{id}/credentials`.
    pub async fn held_credentials(&self, webhook_id: &str) -> Result<HeldCredentials, RelayError> {
        let answer = self
            .call("GET", &credentials_path(webhook_id), None, &[])
            .await?;
        read(&answer)
    }

    /// `DELETE /v1/webhooks/{id}/credentials`.
    pub async fn delete_credentials(&self, webhook_id: &str) -> Result<(), RelayError> {
        self.call("DELETE", &credentials_path(webhook_id), None, &[])
            .await
            .map(|_| ())
    }

    /// `POST /v1/events`: hands events over, planned under configuration `revision`.
    pub async fn hand_over(&self, events: &[Event], revision: u64) -> Result<(), RelayError> {
        let body = serde_json::to_string(events).map_err(|error| RelayError::Refused {
            status: 0,
            message: scrub_quoted(&error.to_string()),
        })?;
        let revision = revision.to_string();
        self.call(
            "POST",
            "/v1/events",
            Some(body),
            &[("Webhook-Config-Revision", &revision)],
        )
        .await
        .map(|_| ())
    }

    /// `GET /v1/executions?after=…&limit=…`.
    pub async fn executions(&self, after: u64, limit: u32) -> Result<ExecutionsPage, RelayError> {
        let path = format!("/v1/executions?after={after}&limit={limit}");
        let answer = self.call("GET", &path, None, &[]).await?;
        read(&answer)
    }

    /// `POST /v1/executions/{id}/replay`, asked for by `by`.
    pub async fn replay(&self, execution_id: &str, by: &User) -> Result<(), RelayError> {
        let body = serde_json::json!({ "user": by }).to_string();
        let path = format!("/v1/executions/{}/replay", path_segment(execution_id));
        self.call("POST", &path, Some(body), &[]).await.map(|_| ())
    }

    /// `POST /v1/webhooks/{id}/test`: the Test button, sent by the relay; its execution.
    pub async fn test(&self, webhook_id: &str) -> Result<Execution, RelayError> {
        let path = format!("/v1/webhooks/{}/test", path_segment(webhook_id));
        let answer = self.call("POST", &path, Some("{}".into()), &[]).await?;
        Ok(read::<Answered>(&answer)?.execution)
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Result<Answer, RelayError> {
        let url = format!("{}{path}", self.url);
        let init = RequestInit::new();
        init.set_method(method);
        init.set_mode(RequestMode::Cors);
        init.set_credentials(web_sys::RequestCredentials::Omit);
        // Reads must be fresh. Writes are never answered from the HTTP cache, and in the default
        // mode the browser reuses its CORS preflight answer instead of asking before each one
        // (see http/fetch.rs).
        if method == "GET" {
            init.set_cache(web_sys::RequestCache::NoStore);
        }
        if let Some(body) = &body {
            init.set_body(&body.as_str().into());
        }
        let unreachable = || RelayError::Unreachable {
            url: self.url.clone(),
        };
        let request = Request::new_with_str_and_init(&url, &init).map_err(|_| unreachable())?;
        let set = |name: &str, value: &str| request.headers().set(name, value);
        set("Authorization", &format!("Bearer {}", self.token.expose()))
            .and_then(|()| match body {
                Some(_) => set("Content-Type", "application/json"),
                None => Ok(()),
            })
            .map_err(|_| RelayError::WrongToken(self.kind))?;
        for (name, value) in headers {
            set(name, value).map_err(|_| unreachable())?;
        }
        let window = web_sys::window().expect("a window");
        let response: Response = match JsFuture::from(window.fetch_with_request(&request)).await {
            Ok(value) => value.unchecked_into(),
            Err(_) => return Err(self.failure_cause().await),
        };
        let status = response.status();
        let etag = response.headers().get("ETag").ok().flatten();
        let body = match response.text() {
            Ok(promise) => JsFuture::from(promise)
                .await
                .ok()
                .and_then(|text| text.as_string())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        let answer = Answer { status, etag, body };
        match status {
            200..=299 => Ok(answer),
            _ => Err(self.refusal(path, answer)),
        }
    }

    /// A fetch that got no answer: a relay that answers other pages but not this one (CORS), or
    /// none at all.
    async fn failure_cause(&self) -> RelayError {
        match probe_reachable(&self.url).await {
            Reachability::Reachable => RelayError::CorsNotAllowed {
                url: self.url.clone(),
                origin: page_origin(),
            },
            Reachability::Unreachable => RelayError::Unreachable {
                url: self.url.clone(),
            },
        }
    }

    fn refusal(&self, path: &str, answer: Answer) -> RelayError {
        let refusal: Option<Refusal> = serde_json::from_str(&answer.body).ok();
        let message = refusal
            .as_ref()
            .map(|refusal| refusal.error.clone())
            .filter(|message| !message.is_empty())
            .unwrap_or_else(|| answer.body.chars().take(200).collect());
        match answer.status {
            401 => RelayError::WrongToken(self.kind),
            403 => RelayError::AdminOnly,
            // 409 to a configuration: the relay holds a newer revision, put from elsewhere.
            412 | 409 if path == "/v1/config" => RelayError::ChangedElsewhere,
            412 => RelayError::ChangedElsewhere,
            409 if path == "/v1/events" => RelayError::Behind {
                relay_revision: refusal.and_then(|refusal| refusal.revision).unwrap_or(0),
            },
            503 if path == "/healthz" => RelayError::StorageDown(message),
            // Only the relay's own word makes a refusal about the events: a proxy's 400 or 413
            // (no code) may pass, and they wait.
            status @ (400 | 413) if path == "/v1/events" => {
                match refusal.and_then(|refusal| refusal.code).as_deref() {
                    Some(code @ ("invalid_event" | "too_large" | "not_in_catalog")) => {
                        RelayError::EventsRefused {
                            status,
                            message,
                            for_good: code != "not_in_catalog",
                        }
                    }
                    _ => RelayError::Refused { status, message },
                }
            }
            status => RelayError::Refused { status, message },
        }
    }
}

fn read<T: DeserializeOwned>(answer: &Answer) -> Result<T, RelayError> {
    serde_json::from_str(&answer.body).map_err(|error| RelayError::Refused {
        status: answer.status,
        message: format!(
            "its answer could not be read: {}",
            scrub_quoted(&error.to_string())
        ),
    })
}

fn credentials_path(webhook_id: &str) -> String {
    format!("/v1/webhooks/{}/credentials", path_segment(webhook_id))
}

/// An id as one path segment, whatever characters it holds.
fn path_segment(id: &str) -> String {
    js_sys::encode_uri_component(id).into()
}

fn page_origin() -> String {
    web_sys::window()
        .and_then(|window| window.location().origin().ok())
        .unwrap_or_default()
}
