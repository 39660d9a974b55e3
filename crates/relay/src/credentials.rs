//! Webhook credentials: what the configuration document leaves out (passwords, tokens, API keys,
//! signing secrets, values of secret custom headers), kept in their own KV bucket and merged into the
//! webhook only when a request is built.
//!
//! Like the browser, the relay sends a credential only to the origin (scheme, host, port) it was
//! entered for: the record remembers that origin, and a webhook whose base URL moved elsewhere gets no
//! credentials until they are entered again. So changing a base URL can never send a password to
//! another server.
//!
//! They also follow the configuration: the relay keeps credentials only for the webhooks it delivers
//! (route `relay`). Whenever a configuration is stored, [`sweep`] removes those of a webhook that was
//! removed, switched to the browser, or moved to another origin — a browser webhook's credentials
//! live in the browser, and an origin's credentials are never kept for another.

use async_nats::jetstream::kv::UpdateErrorKind;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use webhook_engine::config::{ConfigDocument, SharedAuth, SharedWebhook};
use webhook_engine::model::{origin_of, Auth, Route, Secret, Webhook};
use webhook_engine::request::validate_webhook;
use webhook_engine::signing::sign;

use crate::store::kv::read;
use crate::store::names::{id_for, key_for, DOCUMENT_KEY};
use crate::store::{Store, StoreError};

/// What `PUT /v1/webhooks/{id}/credentials` takes: the engine's type, the body the app sends.
pub use webhook_engine::credentials::Credentials;

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
    /// The engine's own rules found values the webhook could never send (each problem names its
    /// field, never the value).
    #[error("{0}")]
    CannotBeSent(String),
}

/// Checks `credentials` against the webhook they are for, as the document describes it: only the
/// fields its kind of authentication takes, a signing secret only when it signs, header values only
/// for its secret headers.
pub fn check(credentials: &Credentials, webhook: &SharedWebhook) -> Result<(), CredentialsError> {
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
        ("username", &credentials.username),
        ("password", &credentials.password),
        ("token", &credentials.token),
        ("api_key", &credentials.api_key),
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
    if let Some(secret) = &credentials.signing_secret {
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
        .filter(|header| header.is_secret())
        .map(|header| header.name.trim())
        .collect();
    for (name, value) in &credentials.headers {
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
pub fn fields_set(credentials: &Credentials) -> Vec<String> {
    let mut set: Vec<String> = [
        ("username", credentials.username.is_some()),
        ("password", credentials.password.is_some()),
        ("token", credentials.token.is_some()),
        ("api_key", credentials.api_key.is_some()),
        ("signing_secret", credentials.signing_secret.is_some()),
    ]
    .into_iter()
    .filter(|(_, set)| *set)
    .map(|(field, _)| field.to_owned())
    .collect();
    set.extend(
        credentials
            .headers
            .keys()
            .map(|name| format!("headers.{name}")),
    );
    set
}

/// Checks the webhook as it would send with `stored` — `webhook`, the document's webhook in its local
/// form (no credentials), with them merged in — by the engine's rules for a webhook
/// (`validate_webhook`, what the app's form checks): a value that can never be sent (characters
/// beyond Latin-1 in a header, a ':' in a Basic user name) is refused when it is entered rather than
/// found later as failed executions. Only problems of the credentials count (the document was checked
/// when it was stored); each is named by its field in the `PUT` body, never with its value.
pub fn check_sendable(
    webhook: Webhook,
    stored: &StoredCredentials,
) -> Result<(), CredentialsError> {
    let webhook = merged(webhook, Some(stored));
    let problems: Vec<String> = validate_webhook(&webhook)
        .into_iter()
        .filter_map(|problem| {
            let field = credential_field(&webhook, &problem.field)?;
            Some(format!("`{field}`: {}", problem.message))
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CredentialsError::CannotBeSent(problems.join("; ")))
    }
}

/// The `PUT` body's field for a field of the engine's webhook form (`auth.token` → `token`,
/// `headers.2.value` → `headers.X-Auth-Token`), when it is a credential's.
fn credential_field(webhook: &Webhook, form_field: &str) -> Option<String> {
    let field = match form_field {
        "auth.username" => "username",
        "auth.password" => "password",
        "auth.token" => "token",
        "auth.key" => "api_key",
        "signing_secret" => "signing_secret",
        other => {
            let index: usize = other
                .strip_prefix("headers.")?
                .strip_suffix(".value")?
                .parse()
                .ok()?;
            let header = webhook.headers.get(index)?;
            return header
                .is_secret()
                .then(|| format!("headers.{}", header.name.trim()));
        }
    };
    Some(field.to_owned())
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

/// Whether credentials stored under `key` may stay under `document`: they belong to a webhook the
/// relay delivers, which still sends to the origin they were entered for (`stored`; when the record
/// does not read, `None`, the webhook alone decides).
pub fn may_stay(document: &ConfigDocument, key: &str, stored: Option<&StoredCredentials>) -> bool {
    document.webhooks.iter().any(|webhook| {
        key_for(&webhook.id) == key
            && webhook.route == Route::Relay
            && stored.is_none_or(|stored| {
                origin_of(&webhook.base_url).as_deref() == Some(stored.origin.as_str())
            })
    })
}

/// Removes the stored credentials that may not stay under `document`, the stored configuration at
/// KV revision `revision` (see [`may_stay`]); answers the ids of the webhooks whose credentials were
/// removed. Credentials stored again while it runs are left alone (each is removed only at the
/// revision it was judged at), and it stops when a newer configuration is stored meanwhile: whoever
/// stored that one sweeps under it.
pub async fn sweep(
    store: &Store,
    document: &ConfigDocument,
    revision: u64,
) -> Result<Vec<String>, StoreError> {
    let keys: Vec<String> = store
        .credentials
        .keys()
        .await
        .map_err(StoreError::of)?
        .try_collect()
        .await
        .map_err(StoreError::of)?;
    let mut removed = Vec::new();
    for key in keys {
        let Some((json, stored_at)) = read(&store.credentials, &key).await? else {
            continue;
        };
        let stored = serde_json::from_slice::<StoredCredentials>(&json).ok();
        if may_stay(document, &key, stored.as_ref()) {
            continue;
        }
        let current = read(&store.config, DOCUMENT_KEY).await?;
        if current.is_none_or(|(_, current)| current != revision) {
            break;
        }
        match store
            .credentials
            .purge_expect_revision(&key, Some(stored_at))
            .await
        {
            Ok(()) => removed.push(id_for(&key)),
            Err(error) if error.kind() == UpdateErrorKind::WrongLastRevision => {}
            Err(error) => return Err(StoreError::of(error)),
        }
    }
    if !removed.is_empty() {
        tracing::info!(webhooks = ?removed, "credentials removed: their webhooks are no longer delivered by the relay to the origin they were entered for");
    }
    Ok(removed)
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
        check(
            &credentials(r#"{"password": "p", "signing_secret": "whsec_c2VjcmV0", "headers": {"x-auth-token": "t"}}"#),
            basic,
        )
        .unwrap();
        let wrong = check(&credentials(r#"{"token": "t"}"#), basic).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "`token` does not apply: the webhook \"ERP\" uses Basic authentication, which takes `username` and `password`"
        );
        assert!(matches!(
            check(
                &credentials(r#"{"signing_secret": "whsec_c2VjcmV0"}"#),
                bearer
            ),
            Err(CredentialsError::NotSigned(_))
        ));
        assert!(matches!(
            check(&credentials(r#"{"signing_secret": "nope"}"#), basic),
            Err(CredentialsError::SigningSecret(_))
        ));
        assert!(matches!(
            check(&credentials(r#"{"headers": {"X-Team": "x"}}"#), basic),
            Err(CredentialsError::UnknownHeader { .. })
        ));
        assert!(matches!(
            check(&credentials(r#"{"token": "a\nb"}"#), bearer),
            Err(CredentialsError::Unsendable { .. })
        ));
        assert!(serde_json::from_str::<Credentials>(r#"{"pasword": "p"}"#).is_err());
    }

    #[test]
    fn credentials_the_webhook_could_never_send_are_named_without_their_value() {
        let webhooks = document().into_local(&[]).webhooks;
        let stored = |json: &str| StoredCredentials {
            origin: "https://erp.example".into(),
            credentials: credentials(json),
            updated_at_ms: 0,
        };
        let chat = || Webhook {
            base_url: "https://erp.example".into(),
            ..webhooks[1].clone()
        };
        check_sendable(chat(), &stored(r#"{"token": "plain-token"}"#)).unwrap();
        let emoji = check_sendable(chat(), &stored(r#"{"token": "token-🎉-canary"}"#))
            .unwrap_err()
            .to_string();
        assert!(
            emoji.starts_with("`token`: the token can't be sent"),
            "{emoji}"
        );
        assert!(!emoji.contains("canary"), "{emoji}");
        let erp = webhooks[0].clone();
        let header = check_sendable(
            erp.clone(),
            &stored(r#"{"password": "p", "headers": {"x-auth-token": "🎉-canary"}}"#),
        )
        .unwrap_err()
        .to_string();
        assert!(header.starts_with("`headers.X-Auth-Token`: "), "{header}");
        assert!(!header.contains("canary"), "{header}");
        let colon = check_sendable(erp, &stored(r#"{"username": "a:b-canary"}"#))
            .unwrap_err()
            .to_string();
        assert!(colon.starts_with("`username`: "), "{colon}");
        assert!(!colon.contains("canary"), "{colon}");
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
    fn credentials_stay_only_with_a_relay_webhook_at_their_origin() {
        let document = |route: &str, base_url: &str| {
            ConfigDocument::parse(&format!(
                r#"{{"format": "webhook-automations/config", "version": 3, "revision": 2, "automations": [],
                  "webhooks": [{{"id": "wh.x", "name": "ERP", "base_url": "{base_url}", "route": "{route}",
                    "auth": {{"type": "bearer"}}, "timeout_ms": 5000, "retry": {{}}}}]}}"#
            ))
            .unwrap()
        };
        let stored = StoredCredentials {
            origin: "https://erp.example".into(),
            credentials: credentials(r#"{"token": "t"}"#),
            updated_at_ms: 0,
        };
        let key = key_for("wh.x");
        let relay = document("relay", "https://erp.example/api/v2");
        assert!(may_stay(&relay, &key, Some(&stored)));
        assert!(
            may_stay(&relay, &key, None),
            "unreadable: the webhook decides"
        );
        assert!(!may_stay(&relay, "wh_other", Some(&stored)), "removed");
        assert!(!may_stay(
            &document("browser", "https://erp.example/api"),
            &key,
            Some(&stored)
        ));
        assert!(!may_stay(
            &document("browser", "https://erp.example/api"),
            &key,
            None
        ));
        for moved in [
            "http://erp.example",
            "https://erp.example:8443",
            "https://erp2.example",
        ] {
            assert!(
                !may_stay(&document("relay", moved), &key, Some(&stored)),
                "{moved}"
            );
        }
    }

    #[test]
    fn debug_output_holds_no_credential() {
        let printed = format!("{:?}", credentials(r#"{"password": "hunter2-canary"}"#));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert_eq!(
            fields_set(&credentials(
                r#"{"password": "p", "headers": {"X-Auth-Token": "t"}}"#
            )),
            ["password", "headers.X-Auth-Token"]
        );
    }
}
