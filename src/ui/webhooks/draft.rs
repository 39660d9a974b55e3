//! The webhook form's state: what the admin typed, and how it becomes a webhook. Secrets already
//! saved are never loaded into the form — they can only be kept or replaced.

use webhook_engine::decimal::{parse_decimal, thousandths};
use webhook_engine::model::{Auth, AuthKind, HeaderPair, RetryPolicy, Secret, Webhook};
use webhook_engine::request::WebhookProblem;

#[derive(Clone, Debug, PartialEq)]
pub struct WebhookDraft {
    /// `None` for a webhook not saved yet.
    pub id: Option<String>,
    pub name: String,
    pub base_url: String,
    pub auth_kind: AuthKind,
    pub username: String,
    pub password: SecretDraft,
    pub token: SecretDraft,
    pub api_header: String,
    pub api_key: SecretDraft,
    pub headers: Vec<HeaderPair>,
    pub signing: bool,
    pub signing_secret: SecretDraft,
    pub timeout_seconds: String,
    pub max_attempts: String,
    pub initial_backoff_seconds: String,
    pub max_backoff_seconds: String,
}

/// A credential field: empty, the saved one kept (never shown), or typed now.
#[derive(Clone, Debug, PartialEq)]
pub enum SecretDraft {
    Empty,
    Saved,
    Typed(String),
}

/// One edit of the form.
#[derive(Clone, Debug, PartialEq)]
pub enum DraftEdit {
    Name(String),
    BaseUrl(String),
    AuthKind(AuthKind),
    Username(String),
    Password(String),
    Token(String),
    ApiHeader(String),
    ApiKey(String),
    HeaderName(usize, String),
    HeaderValue(usize, String),
    AddHeader,
    RemoveHeader(usize),
    Signing(bool),
    SigningSecret(String),
    TimeoutSeconds(String),
    MaxAttempts(String),
    InitialBackoffSeconds(String),
    MaxBackoffSeconds(String),
}

impl WebhookDraft {
    pub fn new() -> Self {
        let retry = RetryPolicy::default();
        WebhookDraft {
            id: None,
            name: String::new(),
            base_url: String::new(),
            auth_kind: AuthKind::None,
            username: String::new(),
            password: SecretDraft::Empty,
            token: SecretDraft::Empty,
            api_header: "X-API-Key".into(),
            api_key: SecretDraft::Empty,
            headers: Vec::new(),
            signing: false,
            signing_secret: SecretDraft::Empty,
            timeout_seconds: "10".into(),
            max_attempts: retry.max_attempts.to_string(),
            initial_backoff_seconds: seconds(retry.initial_backoff_ms),
            max_backoff_seconds: seconds(retry.max_backoff_ms),
        }
    }

    /// The form for editing `webhook`: every field but the secrets, which show as "saved".
    pub fn from_webhook(webhook: &Webhook) -> Self {
        let saved = |secret: &Secret| {
            if secret.is_empty() {
                SecretDraft::Empty
            } else {
                SecretDraft::Saved
            }
        };
        let mut draft = WebhookDraft {
            id: Some(webhook.id.clone()),
            name: webhook.name.clone(),
            base_url: webhook.base_url.clone(),
            auth_kind: webhook.auth.kind(),
            headers: webhook.headers.clone(),
            signing: webhook.signing_secret.is_some(),
            signing_secret: webhook
                .signing_secret
                .as_ref()
                .map_or(SecretDraft::Empty, saved),
            timeout_seconds: seconds(webhook.timeout_ms),
            max_attempts: webhook.retry.max_attempts.to_string(),
            initial_backoff_seconds: seconds(webhook.retry.initial_backoff_ms),
            max_backoff_seconds: seconds(webhook.retry.max_backoff_ms),
            ..WebhookDraft::new()
        };
        match &webhook.auth {
            Auth::None => {}
            Auth::Basic { username, password } => {
                draft.username = username.clone();
                draft.password = saved(password);
            }
            Auth::Bearer { token } => draft.token = saved(token),
            Auth::ApiKey { header, key } => {
                draft.api_header = header.clone();
                draft.api_key = saved(key);
            }
        }
        draft
    }

    pub fn apply(&mut self, edit: DraftEdit) {
        let typed = |text: String| {
            if text.is_empty() {
                SecretDraft::Empty
            } else {
                SecretDraft::Typed(text)
            }
        };
        match edit {
            DraftEdit::Name(text) => self.name = text,
            DraftEdit::BaseUrl(text) => self.base_url = text,
            DraftEdit::AuthKind(kind) => self.auth_kind = kind,
            DraftEdit::Username(text) => self.username = text,
            DraftEdit::Password(text) => self.password = typed(text),
            DraftEdit::Token(text) => self.token = typed(text),
            DraftEdit::ApiHeader(text) => self.api_header = text,
            DraftEdit::ApiKey(text) => self.api_key = typed(text),
            DraftEdit::HeaderName(index, text) => {
                if let Some(header) = self.headers.get_mut(index) {
                    header.name = text;
                }
            }
            DraftEdit::HeaderValue(index, text) => {
                if let Some(header) = self.headers.get_mut(index) {
                    header.value = text;
                }
            }
            DraftEdit::AddHeader => self.headers.push(HeaderPair {
                name: String::new(),
                value: String::new(),
            }),
            DraftEdit::RemoveHeader(index) => {
                if index < self.headers.len() {
                    self.headers.remove(index);
                }
            }
            DraftEdit::Signing(on) => self.signing = on,
            DraftEdit::SigningSecret(text) => self.signing_secret = typed(text),
            DraftEdit::TimeoutSeconds(text) => self.timeout_seconds = text,
            DraftEdit::MaxAttempts(text) => self.max_attempts = text,
            DraftEdit::InitialBackoffSeconds(text) => self.initial_backoff_seconds = text,
            DraftEdit::MaxBackoffSeconds(text) => self.max_backoff_seconds = text,
        }
    }

    /// The webhook this form saves, with secrets marked "saved" taken from `saved` (the stored
    /// webhook), or the fields it cannot even read as numbers.
    pub fn to_webhook(
        &self,
        id: String,
        saved: Option<&Webhook>,
    ) -> Result<Webhook, Vec<WebhookProblem>> {
        let mut problems = Vec::new();
        let mut number = |field: &str, text: &str, unit: u32| -> u32 {
            match parse_decimal(text) {
                Some(value)
                    if value >= 0.0
                        && value.is_finite()
                        && value * f64::from(unit) <= f64::from(u32::MAX) =>
                {
                    (value * f64::from(unit)).round() as u32
                }
                _ => {
                    problems.push(WebhookProblem {
                        field: field.into(),
                        message: "enter a number".into(),
                    });
                    0
                }
            }
        };
        let timeout_ms = number("timeout_ms", &self.timeout_seconds, 1000);
        let retry = RetryPolicy {
            max_attempts: number("retry.max_attempts", &self.max_attempts, 1),
            initial_backoff_ms: number(
                "retry.initial_backoff_ms",
                &self.initial_backoff_seconds,
                1000,
            ),
            max_backoff_ms: number("retry.max_backoff_ms", &self.max_backoff_seconds, 1000),
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let saved_auth = saved.map(|webhook| &webhook.auth);
        let secret = |draft: &SecretDraft, pick: fn(&Auth) -> Option<&Secret>| match draft {
            SecretDraft::Empty => Secret::new(""),
            SecretDraft::Typed(text) => Secret::new(text.clone()),
            SecretDraft::Saved => saved_auth
                .and_then(pick)
                .cloned()
                .unwrap_or_else(|| Secret::new("")),
        };
        let auth = match self.auth_kind {
            AuthKind::None => Auth::None,
            AuthKind::Basic => Auth::Basic {
                username: self.username.clone(),
                password: secret(&self.password, |auth| match auth {
                    Auth::Basic { password, .. } => Some(password),
                    _ => None,
                }),
            },
            AuthKind::Bearer => Auth::Bearer {
                token: secret(&self.token, |auth| match auth {
                    Auth::Bearer { token } => Some(token),
                    _ => None,
                }),
            },
            AuthKind::ApiKey => Auth::ApiKey {
                header: self.api_header.clone(),
                key: secret(&self.api_key, |auth| match auth {
                    Auth::ApiKey { key, .. } => Some(key),
                    _ => None,
                }),
            },
        };
        let signing_secret = self.signing.then(|| match &self.signing_secret {
            SecretDraft::Empty => Secret::new(""),
            SecretDraft::Typed(text) => Secret::new(text.clone()),
            SecretDraft::Saved => saved
                .and_then(|webhook| webhook.signing_secret.clone())
                .unwrap_or_else(|| Secret::new("")),
        });
        Ok(Webhook {
            id,
            name: self.name.clone(),
            base_url: self.base_url.trim().to_string(),
            auth,
            headers: self.headers.clone(),
            signing_secret,
            timeout_ms,
            retry,
        })
    }
}

impl Default for WebhookDraft {
    fn default() -> Self {
        WebhookDraft::new()
    }
}

fn seconds(ms: u32) -> String {
    thousandths(u64::from(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved_webhook() -> Webhook {
        Webhook {
            id: "wh_1".into(),
            name: "ERP".into(),
            base_url: "https://erp.example/api".into(),
            auth: Auth::Basic {
                username: "sync".into(),
                password: Secret::new("pa55w0rd-secret"),
            },
            headers: vec![HeaderPair {
                name: "X-Team".into(),
                value: "sales".into(),
            }],
            signing_secret: Some(Secret::new("whsec_c2VjcmV0")),
            timeout_ms: 2_500,
            retry: RetryPolicy::default(),
        }
    }

    #[test]
    fn editing_never_loads_saved_secrets_into_the_form() {
        let draft = WebhookDraft::from_webhook(&saved_webhook());
        let printed = format!("{draft:?}");
        assert!(
            !printed.contains("pa55w0rd") && !printed.contains("c2VjcmV0"),
            "{printed}"
        );
        assert_eq!(draft.password, SecretDraft::Saved);
        assert_eq!(draft.timeout_seconds, "2.5");
    }

    #[test]
    fn saved_secrets_are_kept_unless_replaced() {
        let saved = saved_webhook();
        let mut draft = WebhookDraft::from_webhook(&saved);
        draft.apply(DraftEdit::Name("ERP (prod)".into()));
        let kept = draft.to_webhook("wh_1".into(), Some(&saved)).unwrap();
        assert_eq!(kept.auth, saved.auth);
        assert_eq!(kept.signing_secret, saved.signing_secret);
        assert_eq!(kept.name, "ERP (prod)");

        draft.apply(DraftEdit::Password("n3w".into()));
        let replaced = draft.to_webhook("wh_1".into(), Some(&saved)).unwrap();
        assert_eq!(
            replaced.auth,
            Auth::Basic {
                username: "sync".into(),
                password: Secret::new("n3w")
            }
        );
    }

    #[test]
    fn switching_the_kind_of_authentication_does_not_carry_a_secret_over() {
        let saved = saved_webhook();
        let mut draft = WebhookDraft::from_webhook(&saved);
        draft.apply(DraftEdit::AuthKind(AuthKind::Bearer));
        let webhook = draft.to_webhook("wh_1".into(), Some(&saved)).unwrap();
        assert_eq!(
            webhook.auth,
            Auth::Bearer {
                token: Secret::new("")
            }
        );
    }

    #[test]
    fn numbers_that_are_not_numbers_are_problems_of_their_field() {
        let mut draft = WebhookDraft::new();
        draft.apply(DraftEdit::TimeoutSeconds("ten".into()));
        draft.apply(DraftEdit::MaxAttempts("-1".into()));
        let problems = draft.to_webhook("x".into(), None).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["timeout_ms", "retry.max_attempts"]);
    }

    #[test]
    fn headers_can_be_added_edited_and_removed() {
        let mut draft = WebhookDraft::new();
        draft.apply(DraftEdit::AddHeader);
        draft.apply(DraftEdit::HeaderName(0, "X-A".into()));
        draft.apply(DraftEdit::HeaderValue(0, "1".into()));
        draft.apply(DraftEdit::AddHeader);
        draft.apply(DraftEdit::RemoveHeader(1));
        draft.apply(DraftEdit::RemoveHeader(7));
        assert_eq!(
            draft.headers,
            [HeaderPair {
                name: "X-A".into(),
                value: "1".into()
            }]
        );
    }
}
