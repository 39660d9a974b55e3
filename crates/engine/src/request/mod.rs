//! Building the HTTP request of a webhook action: URL from the path template, JSON body from the body
//! template, headers from the webhook (authentication, custom headers) and the delivery (`webhook-id`,
//! Standard Webhooks signature). The result holds credentials, so it is only ever sent: anything kept or
//! shown is its [`redact`]ed form.

mod curl;
mod headers;
mod redact;
mod validate;

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;
use thiserror::Error;

use crate::diagnostic::Diagnostic;
use crate::model::{Auth, Body, Method, Webhook, WebhookAction};
use crate::signing::sign;
use crate::template::{
    check_under_base, compile_key_value, compile_path, compile_raw_str, BodyTemplate, Compilation,
    FieldResolver, PathTemplate, RenderError,
};

pub use curl::to_curl;
pub(crate) use headers::names_a_credential;
pub use headers::{AUTHORIZATION, CONTENT_TYPE, WEBHOOK_ID, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP};
pub use redact::{redact, RedactedRequest, SecretScrubber, MASK};
pub use validate::{
    missing_credentials, validate_webhook, WebhookProblem, MAX_ATTEMPTS, MIN_BACKOFF_MS,
    RELAY_MAX_BACKOFF_MS, TIMEOUT_MS,
};

/// A request ready to send. It holds the webhook's credentials: it is deliberately not serializable,
/// and its `Debug` leaves header values out.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl fmt::Debug for OutgoingRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("OutgoingRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("header_names", &header_names)
            .field("body", &self.body)
            .finish()
    }
}

/// Why a request could not be built, in words for a CRM admin (the execution history shows them).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RequestError {
    #[error("the webhook's credentials are missing — enter them on the Webhooks page")]
    MissingCredentials,
    #[error("the webhook is not set up correctly — fix it on the Webhooks page: {}", join(.0))]
    InvalidWebhook(Vec<WebhookProblem>),
    #[error("the action's {part} has errors — fix it in the automation: {}", join(.diagnostics))]
    InvalidTemplate {
        part: TemplatePart,
        diagnostics: Vec<Diagnostic>,
    },
    #[error(transparent)]
    Url(#[from] RenderError),
    #[error("not sent again: the recorded URL {url} is no longer under the webhook's base URL {base} — a webhook's credentials only go to its own base URL; let the automation run again instead")]
    ReplayOutsideBase { url: String, base: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplatePart {
    Path,
    Body,
}

impl fmt::Display for TemplatePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TemplatePart::Path => "path",
            TemplatePart::Body => "body",
        })
    }
}

fn join(items: &[impl fmt::Display]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// An action's templates, compiled once and rendered for every event that runs it.
#[derive(Debug, Clone)]
pub struct CompiledAction {
    method: Method,
    path: PathTemplate,
    body: BodyTemplate,
}

impl CompiledAction {
    /// Compiles the action's path and body, checking their fields with `resolver` (the catalog's, for the
    /// automation's trigger). Warnings do not stop an action; errors do.
    pub fn compile(
        action: &WebhookAction,
        resolver: &dyn FieldResolver,
    ) -> Result<Self, RequestError> {
        let path = compiled(TemplatePart::Path, compile_path(&action.path, resolver))?;
        let body = match &action.body {
            Body::KeyValue { rows } => compile_key_value(rows, resolver),
            Body::Raw { template } => compile_raw_str(template, resolver),
        };
        let body = compiled(TemplatePart::Body, body)?;
        Ok(CompiledAction {
            method: action.method,
            path,
            body,
        })
    }
}

fn compiled<T>(part: TemplatePart, compilation: Compilation<T>) -> Result<T, RequestError> {
    let Compilation {
        template,
        diagnostics,
    } = compilation;
    template.ok_or_else(|| RequestError::InvalidTemplate {
        part,
        diagnostics: diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect(),
    })
}

/// The request `action` sends to `webhook` for the event whose render context is `context`.
///
/// `execution_id` is the `webhook-id`: the same on every attempt of one execution, so the receiver can
/// recognise a retry. `now_unix_seconds` is the `webhook-timestamp` when the webhook signs its requests.
pub fn build_request(
    webhook: &Webhook,
    action: &CompiledAction,
    context: &Value,
    execution_id: &str,
    now_unix_seconds: i64,
) -> Result<OutgoingRequest, RequestError> {
    check_sendable(webhook)?;
    let url = action.path.render_url(&webhook.base_url, context)?;
    let body = action.body.render(context);
    assemble(
        webhook,
        action.method,
        url,
        body,
        execution_id,
        now_unix_seconds,
    )
}

/// What a browser that holds none of a relay webhook's credentials plans of its request, for the
/// history until the relay's record arrives: everything but the credentials and the signature,
/// which the relay adds as it sends.
pub fn build_relay_placeholder(
    webhook: &Webhook,
    action: &CompiledAction,
    context: &Value,
    execution_id: &str,
) -> Result<OutgoingRequest, RequestError> {
    let problems = validate_webhook(webhook);
    if !problems.is_empty() {
        return Err(RequestError::InvalidWebhook(problems));
    }
    let url = action.path.render_url(&webhook.base_url, context)?;
    let body = action.body.render(context);
    let without_credentials = Webhook {
        auth: Auth::None,
        signing_secret: None,
        headers: webhook
            .headers
            .iter()
            .filter(|header| !header.is_secret())
            .cloned()
            .collect(),
        ..webhook.clone()
    };
    assemble(
        &without_credentials,
        action.method,
        url,
        body,
        execution_id,
        0,
    )
}

/// A request sent again (a replay from the history): the recorded method, URL and body, with the
/// webhook's current credentials, a new `webhook-id` and a fresh signature.
pub fn resend_request(
    webhook: &Webhook,
    method: Method,
    url: &str,
    body: &str,
    execution_id: &str,
    now_unix_seconds: i64,
) -> Result<OutgoingRequest, RequestError> {
    check_sendable(webhook)?;
    // The checked form is what is sent: the recorded text could be read otherwise by a fetch that
    // resolves it against the page (`https:erp.example/x` is a path on the page's own origin there).
    let url =
        check_under_base(&webhook.base_url, url).map_err(|_| RequestError::ReplayOutsideBase {
            url: url.to_owned(),
            base: webhook.base_url.clone(),
        })?;
    assemble(
        webhook,
        method,
        url,
        body.to_owned(),
        execution_id,
        now_unix_seconds,
    )
}

/// Missing credentials first and on their own: it is the one problem a working configuration
/// develops by itself (an import without secrets), and the history gives it its own explanation.
fn check_sendable(webhook: &Webhook) -> Result<(), RequestError> {
    if missing_credentials(webhook) {
        return Err(RequestError::MissingCredentials);
    }
    let problems = validate_webhook(webhook);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(RequestError::InvalidWebhook(problems))
    }
}

/// The headers every request carries: JSON, the webhook's authentication and custom headers, the
/// execution's `webhook-id`, and the Standard Webhooks signature when the webhook signs.
fn assemble(
    webhook: &Webhook,
    method: Method,
    url: String,
    body: String,
    execution_id: &str,
    now_unix_seconds: i64,
) -> Result<OutgoingRequest, RequestError> {
    let mut headers = vec![(CONTENT_TYPE.to_owned(), "application/json".to_owned())];
    headers.extend(auth_header(&webhook.auth));
    headers.extend(
        webhook
            .headers
            .iter()
            .map(|header| (header.name.trim().to_owned(), header.value.clone())),
    );
    headers.push((WEBHOOK_ID.to_owned(), execution_id.to_owned()));
    if let Some(secret) = &webhook.signing_secret {
        let signature =
            sign(secret, execution_id, now_unix_seconds, body.as_bytes()).map_err(|error| {
                RequestError::InvalidWebhook(vec![WebhookProblem {
                    field: "signing_secret".into(),
                    message: error.to_string(),
                }])
            })?;
        headers.push((WEBHOOK_TIMESTAMP.to_owned(), now_unix_seconds.to_string()));
        headers.push((WEBHOOK_SIGNATURE.to_owned(), signature));
    }
    Ok(OutgoingRequest {
        method,
        url,
        headers,
        body,
    })
}

/// Tokens and keys are sent without the spaces and line breaks pasting tends to add around them;
/// passwords as typed, since spaces can be part of one.
fn auth_header(auth: &Auth) -> Option<(String, String)> {
    match auth {
        Auth::None => None,
        Auth::Basic { username, password } => {
            let credentials = STANDARD.encode(format!("{username}:{}", password.expose()));
            Some((AUTHORIZATION.to_owned(), format!("Basic {credentials}")))
        }
        Auth::Bearer { token } => Some((
            AUTHORIZATION.to_owned(),
            format!("Bearer {}", token.expose().trim()),
        )),
        Auth::ApiKey { header, key } => {
            Some((header.trim().to_owned(), key.expose().trim().to_owned()))
        }
    }
}
