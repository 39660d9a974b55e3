//! Webhook credentials: what the configuration document leaves out (passwords, tokens, API keys,
//! signing secrets, values of secret custom headers), kept in their own KV bucket and merged into the
//! webhook only when a request is built.
//!
//! Like the browser, the relay sends a credential only to the origin (scheme, host, port) it was
//! entered for: the record remembers that origin, and a webhook whose base URL moved elsewhere gets no
//! credentials until they are entered again. So changing a base URL can never send a password to
//! another server.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use webhook_engine::config::{SharedAuth, SharedWebhook};
use webhook_engine::model::{Auth, HeaderPair, Secret, Webhook};
use webhook_engine::signing::sign;

/// What `PUT /v1/webhooks/{id}/credentials` takes. Unknown fields are refused.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// Basic authentication's user name, when it should differ from the document's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
    /// Values of the webhook's secret custom headers (`X-Api-Key`, `Authorization`, …), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

// Never printable by accident.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(••••••)")
    }
}

/// The record kept in the credentials bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCredentials {
    /// The origin the webhook sent to when they were entered; they are only ever sent there.
    pub origin: String,
    pub credentials: Credentials,
    pub updated_at_ms: i64,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CredentialsError {
    #[error(
        "`{field}` does not apply: the webhook \"{webhook}\" uses {auth}, which takes {takes}"
    )]
    NotForThisAuth {
        field: &'static str,
        webhook: String,
        auth: &'static str,
        takes: &'static str,
    },
    #[error("`signing_secret` does not apply: the webhook \"{0}\" does not sign its requests (set \"signed\": true in the configuration first)")]
    NotSigned(String),
    #[error("`signing_secret`: {0}")]
    SigningSecret(String),
    #[error("`headers.{name}` does not apply: the webhook \"{webhook}\" has no secret custom header of that name ({known})")]
    UnknownHeader {
        name: String,
        webhook: String,
        known: String,
    },
    #[error(
        "`{field}` is empty: leave it out instead (DELETE the credentials to remove them all)"
    )]
    Empty { field: String },
    #[error("`{field}` contains a line break or NUL, which cannot be sent in a header")]
    Unsendable { field: String },
}

impl Credentials {
    /// Checks these credentials against the webhook they are for, as the document describes it: only
    /// the fields its kind of authentication takes, a signing secret only when it signs, header
    /// values only for its secret headers.
    pub fn check(&self, webhook: &SharedWebhook) -> Result<(), CredentialsError> {
        let (auth, takes) = match &webhook.auth {
            SharedAuth::None => ("no authentication", "no credential"),
            SharedAuth::Basic { .. } => ("Basic authentication", "`username` and `password`"),
            SharedAuth::Bearer => ("a bearer token", "`token`"),
            SharedAuth::ApiKey { .. } => ("an API key", "`api_key`"),
        };
        let allowed: &[&str] = match &webhook.auth {
            SharedAuth::None => &[],
            SharedAuth::Basic { .. } => &["username", "password"],
            SharedAuth::Bearer => &["token"],
            SharedAuth::ApiKey { .. } => &["api_key"],
        };
        for (field, value) in [
            ("username", &self.username),
            ("password", &self.password),
            ("token", &self.token),
            ("api_key", &self.api_key),
        ] {
            let Some(value) = value else { continue };
            if !allowed.contains(&field) {
                return Err(CredentialsError::NotForThisAuth {
                    field,
                    webhook: webhook.name.clone(),
                    auth,
                    takes,
                });
            }
            check_value(field, value)?;
        }
        if let Some(secret) = &self.signing_secret {
            if !webhook.signed {
                return Err(CredentialsError::NotSigned(webhook.name.clone()));
            }
            // Signing a sample is how the engine reads a secret: it fails the way delivery would.
            sign(&Secret::new(secret.clone()), "check", 0, b"")
                .map(drop)
                .map_err(|error| CredentialsError::SigningSecret(error.to_string()))?;
        }
        let secret_headers: Vec<&str> = webhook
            .headers
            .iter()
            .filter(|header| secret_header(&header.name))
            .map(|header| header.name.trim())
            .collect();
        for (name, value) in &self.headers {
            if !secret_headers
                .iter()
                .any(|known| known.eq_ignore_ascii_case(name.trim()))
            {
                let known = if secret_headers.is_empty() {
                    "it has none".to_owned()
                } else {
                    format!("it has {}", secret_headers.join(", "))
                };
                return Err(CredentialsError::UnknownHeader {
                    name: name.clone(),
                    webhook: webhook.name.clone(),
                    known,
                });
            }
            check_value(&format!("headers.{name}"), value)?;
        }
        Ok(())
    }

    /// Which credentials are set, by field (`headers.X-Api-Key` for a header): what
    /// `GET /v1/webhooks/{id}/credentials` answers instead of any value.
    pub fn fields_set(&self) -> Vec<String> {
        let mut set: Vec<String> = [
            ("username", self.username.is_some()),
            ("password", self.password.is_some()),
            ("token", self.token.is_some()),
            ("api_key", self.api_key.is_some()),
            ("signing_secret", self.signing_secret.is_some()),
        ]
        .into_iter()
        .filter(|(_, set)| *set)
        .map(|(field, _)| field.to_owned())
        .collect();
        set.extend(self.headers.keys().map(|name| format!("headers.{name}")));
        set
    }
}

fn check_value(field: &str, value: &str) -> Result<(), CredentialsError> {
    if value.is_empty() {
        return Err(CredentialsError::Empty {
            field: field.into(),
        });
    }
    if value.contains(['\r', '\n', '\0']) {
        return Err(CredentialsError::Unsendable {
            field: field.into(),
        });
    }
    Ok(())
}

/// Whether a custom header of this name carries a credential (the engine's rule).
pub fn secret_header(name: &str) -> bool {
    HeaderPair {
        name: name.into(),
        value: String::new(),
    }
    .is_secret()
}

/// `webhook` (as read from the document, without credentials) with `stored`'s credentials filled in
/// when they were entered for the origin it sends to now.
pub fn merged(mut webhook: Webhook, stored: Option<&StoredCredentials>) -> Webhook {
    let Some(stored) =
        stored.filter(|stored| webhook.origin().as_deref() == Some(stored.origin.as_str()))
    else {
        return webhook;
    };
    let credentials = &stored.credentials;
    let secret = |value: &Option<String>| Secret::new(value.clone().unwrap_or_default());
    webhook.auth = match webhook.auth {
        Auth::None => Auth::None,
        Auth::Basic { username, .. } => Auth::Basic {
            username: credentials.username.clone().unwrap_or(username),
            password: secret(&credentials.password),
        },
        Auth::Bearer { .. } => Auth::Bearer {
            token: secret(&credentials.token),
        },
        Auth::ApiKey { header, .. } => Auth::ApiKey {
            header,
            key: secret(&credentials.api_key),
        },
    };
    if webhook.signing_secret.is_some() {
        webhook.signing_secret = Some(secret(&credentials.signing_secret));
    }
    for header in &mut webhook.headers {
        let value = credentials
            .headers
            .iter()
            .find(|(name, _)| name.trim().eq_ignore_ascii_case(header.name.trim()));
        if let Some((_, value)) = value {
            header.value = value.clone();
        }
    }
    webhook
}

#[cfg(test)]
mod tests {
    use super::*;
    use webhook_engine::config::ConfigDocument;

    fn document() -> ConfigDocument {
        ConfigDocument::parse(
            r#"{"format": "webhook-automations/config", "version": 1, "automations": [],
              "webhooks": [
                {"id": "wh_basic", "name": "ERP", "base_url": "https://erp.example/api",
                 "auth": {"type": "basic", "username": "crm"}, "signed": true, "timeout_ms": 5000, "retry": {},
                 "headers": [{"name": "X-Team", "value": "sales"}, {"name": "X-Auth-Token", "value": ""}]},
                {"id": "wh_bearer", "name": "Chat", "base_url": "https://chat.example",
                 "auth": {"type": "bearer"}, "timeout_ms": 5000, "retry": {}}
              ]}"#,
        )
        .unwrap()
    }

    fn credentials(json: &str) -> Credentials {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn only_the_fields_of_the_webhooks_authentication_are_taken() {
        let document = document();
        let basic = &document.webhooks[0];
        let bearer = &document.webhooks[1];
        credentials(r#"{"password": "p", "signing_secret": "whsec_c2VjcmV0", "headers": {"x-auth-token": "t"}}"#)
            .check(basic)
            .unwrap();
        let wrong = credentials(r#"{"token": "t"}"#).check(basic).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "`token` does not apply: the webhook \"ERP\" uses Basic authentication, which takes `username` and `password`"
        );
        assert!(matches!(
            credentials(r#"{"signing_secret": "whsec_c2VjcmV0"}"#).check(bearer),
            Err(CredentialsError::NotSigned(_))
        ));
        assert!(matches!(
            credentials(r#"{"signing_secret": "nope"}"#).check(basic),
            Err(CredentialsError::SigningSecret(_))
        ));
        assert!(matches!(
            credentials(r#"{"headers": {"X-Team": "x"}}"#).check(basic),
            Err(CredentialsError::UnknownHeader { .. })
        ));
        assert!(matches!(
            credentials(r#"{"token": "a\nb"}"#).check(bearer),
            Err(CredentialsError::Unsendable { .. })
        ));
        assert!(serde_json::from_str::<Credentials>(r#"{"pasword": "p"}"#).is_err());
    }

    #[test]
    fn credentials_are_merged_only_for_the_origin_they_were_entered_for() {
        let webhook = document().into_local(&[]).webhooks.remove(0);
        let stored = StoredCredentials {
            origin: "https://erp.example".into(),
            credentials: credentials(
                r#"{"password": "pa55", "signing_secret": "whsec_c2VjcmV0", "headers": {"x-auth-token": "tok"}}"#,
            ),
            updated_at_ms: 0,
        };
        let filled = merged(webhook.clone(), Some(&stored));
        assert_eq!(
            filled.auth,
            Auth::Basic {
                username: "crm".into(),
                password: Secret::new("pa55")
            }
        );
        assert_eq!(filled.signing_secret, Some(Secret::new("whsec_c2VjcmV0")));
        assert_eq!(filled.headers[1].value, "tok");
        assert_eq!(filled.headers[0].value, "sales");

        let moved = Webhook {
            base_url: "https://attacker.example/api".into(),
            ..webhook
        };
        let unfilled = merged(moved, Some(&stored));
        assert_eq!(
            unfilled.auth,
            Auth::Basic {
                username: "crm".into(),
                password: Secret::new("")
            }
        );
    }

    #[test]
    fn debug_output_holds_no_credential() {
        let printed = format!("{:?}", credentials(r#"{"password": "hunter2-canary"}"#));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert_eq!(
            credentials(r#"{"password": "p", "headers": {"X-Auth-Token": "t"}}"#).fields_set(),
            ["password", "headers.X-Auth-Token"]
        );
    }
}
