//! The webhook form's state: what the admin typed, and how it becomes a webhook. Secrets already
//! saved (credentials, the signing secret, values of headers that carry a credential) are never
//! loaded into the form — they can only be kept or replaced, and kept only while the webhook still
//! sends to the origin they were entered for.

use webhook_engine::decimal::{parse_decimal, thousandths};
use webhook_engine::model::{
    origin_of, Auth, AuthKind, HeaderPair, RetryPolicy, Route, Secret, Webhook,
};
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
    pub headers: Vec<HeaderDraft>,
    pub signing: bool,
    pub signing_secret: SecretDraft,
    pub timeout_seconds: String,
    /// Where requests leave from: this browser or the relay.
    pub route: Route,
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

impl SecretDraft {
    /// The secret this field stands for: typed now, the saved one kept, or none.
    pub fn resolve(&self, saved: Option<&Secret>) -> Option<Secret> {
        match self {
            SecretDraft::Empty => None,
            SecretDraft::Typed(text) => Some(Secret::new(text.clone())),
            SecretDraft::Saved => saved.cloned(),
        }
    }
}

/// A custom header row. Its value is a [`SecretDraft`] because a header whose name marks a credential
/// (`X-Api-Key`), or that the admin marked secret, is a secret; other headers' values are always
/// `Typed` (or `Empty`).
#[derive(Clone, Debug, PartialEq)]
pub struct HeaderDraft {
    pub name: String,
    pub value: SecretDraft,
    /// Marked secret by the admin (a name may say so by itself: see [`Self::name_marks_secret`]).
    pub marked_secret: bool,
    /// The name of the saved header this row edits, whose value `SecretDraft::Saved` keeps.
    pub saved_name: Option<String>,
}

impl HeaderDraft {
    /// Whether the value is shown masked: a credential, or a saved one not yet replaced.
    pub fn is_secret(&self) -> bool {
        matches!(self.value, SecretDraft::Saved) || self.pair(String::new()).is_secret()
    }

    /// Whether the name alone makes the header a secret (`X-Api-Key`), whatever the admin marks.
    pub fn name_marks_secret(&self) -> bool {
        HeaderPair {
            secret: false,
            ..self.pair(String::new())
        }
        .is_secret()
    }

    /// A saved credential never becomes the clear value of an ordinary header.
    fn forget_saved_value_unless_secret(&mut self) {
        if self.value == SecretDraft::Saved && !self.pair(String::new()).is_secret() {
            self.value = SecretDraft::Empty;
        }
    }

    pub fn typed_value(&self) -> &str {
        match &self.value {
            SecretDraft::Typed(text) => text,
            SecretDraft::Empty | SecretDraft::Saved => "",
        }
    }

    fn pair(&self, value: String) -> HeaderPair {
        HeaderPair::marked(self.name.clone(), value, self.marked_secret)
    }
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
    HeaderSecret(usize, bool),
    AddHeader,
    RemoveHeader(usize),
    Signing(bool),
    SigningSecret(String),
    TimeoutSeconds(String),
    MaxAttempts(String),
    InitialBackoffSeconds(String),
    MaxBackoffSeconds(String),
    Route(Route),
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
            route: Route::Browser,
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
        let headers = webhook
            .headers
            .iter()
            .map(|header| HeaderDraft {
                name: header.name.clone(),
                value: if header.is_secret() {
                    saved(&Secret::new(header.value.clone()))
                } else {
                    typed(header.value.clone())
                },
                marked_secret: header.secret,
                saved_name: Some(header.name.clone()),
            })
            .collect();
        let mut draft = WebhookDraft {
            id: Some(webhook.id.clone()),
            name: webhook.name.clone(),
            base_url: webhook.base_url.clone(),
            auth_kind: webhook.auth.kind(),
            headers,
            signing: webhook.signing_secret.is_some(),
            signing_secret: webhook
                .signing_secret
                .as_ref()
                .map_or(SecretDraft::Empty, saved),
            timeout_seconds: seconds(webhook.timeout_ms),
            route: webhook.route,
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
                    header.forget_saved_value_unless_secret();
                }
            }
            DraftEdit::HeaderValue(index, text) => {
                if let Some(header) = self.headers.get_mut(index) {
                    header.value = typed(text);
                }
            }
            DraftEdit::HeaderSecret(index, secret) => {
                if let Some(header) = self.headers.get_mut(index) {
                    header.marked_secret = secret;
                    header.forget_saved_value_unless_secret();
                }
            }
            DraftEdit::AddHeader => self.headers.push(HeaderDraft {
                name: String::new(),
                value: SecretDraft::Empty,
                marked_secret: false,
                saved_name: None,
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
            DraftEdit::Route(route) => self.route = route,
        }
    }

    /// Whether the admin typed any credential: a relay webhook's credentials then go to the relay,
    /// all of them together (the relay replaces what it held).
    pub fn typed_credentials(&self) -> bool {
        let typed = |secret: &SecretDraft| matches!(secret, SecretDraft::Typed(_));
        [
            &self.password,
            &self.token,
            &self.api_key,
            &self.signing_secret,
        ]
        .into_iter()
        .chain(
            self.headers
                .iter()
                .filter(|header| header.is_secret())
                .map(|header| &header.value),
        )
        .any(typed)
    }

    /// Whether the base URL now names another origin than the saved webhook's, while secrets are
    /// marked "saved": they will not be kept, and the form says so.
    pub fn origin_moved(&self, saved: Option<&Webhook>) -> bool {
        let holds_saved = [
            &self.password,
            &self.token,
            &self.api_key,
            &self.signing_secret,
        ]
        .into_iter()
        .chain(self.headers.iter().map(|header| &header.value))
        .any(|secret| *secret == SecretDraft::Saved);
        holds_saved && saved.is_some_and(|saved| !self.keeps_saved_secrets_of(saved))
    }

    fn keeps_saved_secrets_of(&self, saved: &Webhook) -> bool {
        let origin = origin_of(&self.base_url);
        origin.is_some() && origin == saved.origin()
    }

    /// The webhook this form saves, with secrets marked "saved" taken from `saved` (the stored
    /// webhook) while it sends to the same origin, or the fields it cannot even read as numbers.
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
        // A credential only ever goes to the origin it was entered for.
        let saved = saved.filter(|saved| self.keeps_saved_secrets_of(saved));
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
            route: self.route,
            auth,
            headers: self
                .headers
                .iter()
                .map(|header| {
                    let value = match &header.value {
                        SecretDraft::Empty => String::new(),
                        SecretDraft::Typed(text) => text.clone(),
                        SecretDraft::Saved => saved
                            .into_iter()
                            .flat_map(|webhook| &webhook.headers)
                            .find(|kept| Some(&kept.name) == header.saved_name.as_ref())
                            .map(|kept| kept.value.clone())
                            .unwrap_or_default(),
                    };
                    header.pair(value)
                })
                .collect(),
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

fn typed(text: String) -> SecretDraft {
    if text.is_empty() {
        SecretDraft::Empty
    } else {
        SecretDraft::Typed(text)
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
            route: Default::default(),
            auth: Auth::Basic {
                username: "sync".into(),
                password: Secret::new("pa55w0rd-secret"),
            },
            headers: vec![HeaderPair {
                name: "X-Team".into(),
                value: "sales".into(),
                secret: false,
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
            draft.to_webhook("x".into(), None).unwrap().headers,
            [HeaderPair {
                name: "X-A".into(),
                value: "1".into(),
                secret: false,
            }]
        );
    }

    fn with_secret_header() -> Webhook {
        let mut webhook = saved_webhook();
        webhook.headers.push(HeaderPair {
            name: "X-Api-Key".into(),
            value: "header-secret-9".into(),
            secret: false,
        });
        webhook
    }

    #[test]
    fn a_header_that_carries_a_credential_is_masked_and_kept_unless_replaced() {
        let saved = with_secret_header();
        let mut draft = WebhookDraft::from_webhook(&saved);
        assert!(!format!("{draft:?}").contains("header-secret-9"));
        assert_eq!(draft.headers[1].value, SecretDraft::Saved);
        assert!(draft.headers[1].is_secret() && !draft.headers[0].is_secret());
        assert_eq!(draft.headers[0].typed_value(), "sales");
        assert_eq!(
            draft
                .to_webhook("wh_1".into(), Some(&saved))
                .unwrap()
                .headers,
            saved.headers
        );
        draft.apply(DraftEdit::HeaderValue(1, "replaced".into()));
        assert_eq!(
            draft
                .to_webhook("wh_1".into(), Some(&saved))
                .unwrap()
                .headers[1]
                .value,
            "replaced"
        );
    }

    /// A saved credential of a secret header must not become the clear-text value of an ordinary
    /// header when the row is renamed — an ordinary header's value is exported, announced to the host
    /// in `configchange` and shown unmasked in the form.
    #[test]
    fn renaming_a_secret_header_to_an_ordinary_name_does_not_carry_its_credential_into_the_clear() {
        let saved = with_secret_header();
        let mut draft = WebhookDraft::from_webhook(&saved);
        draft.apply(DraftEdit::HeaderName(1, "X-Request-Source".into()));
        let webhook = draft.to_webhook("wh_1".into(), Some(&saved)).unwrap();
        let document =
            webhook_engine::config::ConfigDocument::export(std::slice::from_ref(&webhook), &[])
                .to_json();
        assert!(
            !document.contains("header-secret-9"),
            "the credential reached the configuration document: {document}"
        );
        let reopened = WebhookDraft::from_webhook(&webhook);
        assert!(
            !format!("{reopened:?}").contains("header-secret-9"),
            "the credential is loaded into the form in clear text"
        );
    }

    /// A header the admin marks secret is kept like a credential; unmarked again, its saved value
    /// is forgotten, never shown or exported in the clear.
    #[test]
    fn a_header_marked_secret_is_masked_once_saved_and_unmarking_it_forgets_the_value() {
        let mut draft = WebhookDraft::from_webhook(&saved_webhook());
        draft.apply(DraftEdit::AddHeader);
        draft.apply(DraftEdit::HeaderName(1, "X-Customer-Ref".into()));
        assert!(!draft.headers[1].is_secret() && !draft.headers[1].name_marks_secret());
        draft.apply(DraftEdit::HeaderSecret(1, true));
        draft.apply(DraftEdit::HeaderValue(1, "marked-canary-7".into()));
        assert!(draft.headers[1].is_secret());
        assert!(draft.typed_credentials());
        let saved = draft.to_webhook("wh_1".into(), None).unwrap();
        assert!(saved.headers[1].secret && saved.headers[1].is_secret());

        let mut reopened = WebhookDraft::from_webhook(&saved);
        assert!(!format!("{reopened:?}").contains("marked-canary-7"));
        assert_eq!(reopened.headers[1].value, SecretDraft::Saved);
        assert!(reopened.headers[1].marked_secret);
        assert_eq!(
            reopened
                .to_webhook("wh_1".into(), Some(&saved))
                .unwrap()
                .headers,
            saved.headers,
            "kept while it stays marked"
        );
        reopened.apply(DraftEdit::HeaderSecret(1, false));
        let unmarked = reopened.to_webhook("wh_1".into(), Some(&saved)).unwrap();
        assert_eq!(
            unmarked.headers[1].value, "",
            "the saved value is not carried into the clear"
        );
    }

    #[test]
    fn the_route_is_kept_and_typed_credentials_are_told_apart_from_saved_ones() {
        let saved = Webhook {
            route: Route::Relay,
            ..with_secret_header()
        };
        let mut draft = WebhookDraft::from_webhook(&saved);
        assert_eq!(draft.route, Route::Relay);
        assert!(!draft.typed_credentials(), "saved ones are not typed");
        draft.apply(DraftEdit::HeaderValue(0, "sales-2".into()));
        assert!(
            !draft.typed_credentials(),
            "an ordinary header is no credential"
        );
        draft.apply(DraftEdit::Password("n3w".into()));
        assert!(draft.typed_credentials());
        draft.apply(DraftEdit::Route(Route::Browser));
        assert_eq!(
            draft.to_webhook("wh_1".into(), Some(&saved)).unwrap().route,
            Route::Browser
        );
    }

    #[test]
    fn saved_secrets_stay_only_where_both_origins_can_be_read() {
        let saved = Webhook {
            base_url: "erp.example/api".into(),
            ..saved_webhook()
        };
        let mut draft = WebhookDraft::from_webhook(&saved);
        draft.apply(DraftEdit::BaseUrl("attacker.example/api".into()));
        assert!(draft.origin_moved(Some(&saved)));
    }

    #[test]
    fn moving_the_base_url_to_another_origin_keeps_no_saved_secret() {
        let saved = with_secret_header();
        let mut draft = WebhookDraft::from_webhook(&saved);
        draft.apply(DraftEdit::BaseUrl("https://erp.example/v2".into()));
        assert!(!draft.origin_moved(Some(&saved)), "same origin, other path");
        assert_eq!(
            draft.to_webhook("wh_1".into(), Some(&saved)).unwrap().auth,
            saved.auth
        );

        draft.apply(DraftEdit::BaseUrl("https://elsewhere.example/api".into()));
        assert!(draft.origin_moved(Some(&saved)));
        let moved = draft.to_webhook("wh_1".into(), Some(&saved)).unwrap();
        assert_eq!(
            moved.auth,
            Auth::Basic {
                username: "sync".into(),
                password: Secret::new("")
            }
        );
        assert_eq!(moved.signing_secret, Some(Secret::new("")));
        assert_eq!(moved.headers[1].value, "");
        assert!(webhook_engine::request::missing_credentials(&moved));
    }
}
