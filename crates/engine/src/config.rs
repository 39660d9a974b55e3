//! The configuration document: every webhook and automation as one versioned JSON document — what the
//! app exports and imports, what an embedding CRM stores centrally and hands to every user's widget,
//! and what `webhook-cli preview --config` reads. It never holds a secret: webhooks say which kind of
//! authentication they use and which headers carry credentials, and credentials are entered in each
//! browser.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use crate::json_errors::scrub_quoted;
use crate::model::{Auth, AuthKind, Automation, HeaderPair, RetryPolicy, Route, Secret, Webhook};
use crate::request::{missing_credentials, names_a_credential};
use crate::signing::generate_secret;

/// The value of the document's `format` field, so a stray JSON file is recognised as foreign.
pub const CONFIG_FORMAT: &str = "webhook-automations/config";
/// The version this build writes. Older versions are migrated on read ([`migrate`]):
/// - 1: the first published format;
/// - 2: a custom header whose name marks a credential (`X-Api-Key`, `Authorization`, …) carries no
///   value, only `"secret": true`;
/// - 3: each webhook says where its requests leave from (`"route": "browser"` or `"relay"`), and the
///   document carries its `revision`;
/// - 4: more header names mark a credential (`X-Passwd`, `X-Access-Code`, `X-Jwt`, `X-User-Pin`, …):
///   such a header in an older document loses its value, as in step 2, rather than making the
///   whole document unreadable.
pub const CONFIG_VERSION: u64 = 4;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigDocument {
    pub format: String,
    pub version: u64,
    /// Which change of the configuration this is: larger is newer. Every change saved in the app
    /// gives it a larger one ([`next_revision`]); a copy handed over keeps it, so two copies of the
    /// same configuration — in a browser, at the host, at the relay — say the same, and a relay can
    /// tell that its copy is older than the one an event was planned with.
    #[serde(default)]
    pub revision: u64,
    pub webhooks: Vec<SharedWebhook>,
    pub automations: Vec<Automation>,
}

/// The revision a change saved at `now_ms` gives a configuration whose revision was `previous`: the
/// time of the change, so changes saved in different browsers order as they were made, and never
/// less than one more than before, so a wrong clock cannot make a change look older.
pub fn next_revision(previous: u64, now_ms: i64) -> u64 {
    u64::try_from(now_ms)
        .unwrap_or(0)
        .max(previous.saturating_add(1))
        .min(MAX_REVISION)
}

/// The largest revision: browsers count in doubles, which hold whole numbers exactly up to 2^53 − 1
/// (and revisions are milliseconds since 1970: that is year 285,000).
pub const MAX_REVISION: u64 = (1 << 53) - 1;

/// A webhook without its credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedWebhook {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub auth: SharedAuth,
    #[serde(default)]
    pub headers: Vec<SharedHeader>,
    /// Whether requests are signed; the signing secret itself stays in each browser.
    #[serde(default)]
    pub signed: bool,
    pub timeout_ms: u32,
    pub retry: RetryPolicy,
    #[serde(default)]
    pub route: Route,
}

/// Authentication minus its secrets: the kind, and the parts that are not secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum SharedAuth {
    None,
    Basic { username: String },
    Bearer,
    ApiKey { header: String },
}

/// A custom header: its value, or — for a header that carries a credential — only that it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedHeader {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub secret: bool,
}

impl SharedHeader {
    /// Whether the header carries a credential: marked so, or its name says so (`X-Api-Key`).
    pub fn is_secret(&self) -> bool {
        self.secret || names_a_credential(self.name.trim())
    }
}

fn is_false(value: &bool) -> bool {
    !value
}

#[derive(Debug, Error, PartialEq)]
pub enum ConfigError {
    #[error("this file is not valid JSON: {0}")]
    Json(String),
    #[error("this is not a Webhook Automations configuration (its \"format\" is {found})")]
    WrongFormat { found: String },
    #[error("this configuration was written by a newer version of Webhook Automations (version {found}; this one reads up to {CONFIG_VERSION}). Update the app, then import again.")]
    TooNew { found: u64 },
    #[error("the configuration has no usable \"version\" number")]
    NoVersion,
    #[error("the configuration does not match its format: {0}")]
    Shape(String),
    #[error("two webhooks have the id \"{0}\"")]
    DuplicateWebhook(String),
    #[error("two webhooks are named \"{0}\"; names must be unique")]
    DuplicateWebhookName(String),
    #[error("two automations have the id \"{0}\"")]
    DuplicateAutomation(String),
    #[error("webhook \"{webhook}\": the header {header} carries a credential, so the document holds no value for it — write {{\"name\": \"{header}\", \"secret\": true}} and enter the value in the app")]
    SecretHeaderValue { webhook: String, header: String },
    #[error("webhook \"{webhook}\": the header {header} needs a \"value\" (only a header that carries a credential — its name says so, like X-Api-Key, or the admin marked it — is written with \"secret\": true and no value)")]
    HeaderValueMissing { webhook: String, header: String },
    #[error("the \"revision\" {0} is larger than a browser counts exactly (at most {MAX_REVISION}); revisions are the time of the change in milliseconds since 1970")]
    RevisionTooLarge(u64),
}

impl ConfigDocument {
    /// The document for this configuration, with every secret left out.
    pub fn export(webhooks: &[Webhook], automations: &[Automation]) -> ConfigDocument {
        ConfigDocument {
            format: CONFIG_FORMAT.into(),
            version: CONFIG_VERSION,
            revision: 0,
            webhooks: webhooks.iter().map(SharedWebhook::from).collect(),
            automations: automations.to_vec(),
        }
    }

    /// This document as revision `revision` of the configuration.
    pub fn at_revision(self, revision: u64) -> ConfigDocument {
        ConfigDocument { revision, ..self }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a configuration document always serializes")
    }

    /// Reads a document of any version this build knows, migrating older ones, and checks it.
    pub fn parse(json: &str) -> Result<ConfigDocument, ConfigError> {
        let value: Value = serde_json::from_str(json)
            .map_err(|error| ConfigError::Json(scrub_quoted(&error.to_string())))?;
        // Read from text, not from the `Value`: a second deserializer would double serde's code
        // in the browser bundle.
        let document: ConfigDocument = serde_json::from_str(&migrate(value)?.to_string())
            .map_err(|error| ConfigError::Shape(scrub_quoted(&error.to_string())))?;
        document.check()?;
        Ok(document)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.revision > MAX_REVISION {
            return Err(ConfigError::RevisionTooLarge(self.revision));
        }
        for (index, webhook) in self.webhooks.iter().enumerate() {
            let earlier = &self.webhooks[..index];
            if earlier.iter().any(|other| other.id == webhook.id) {
                return Err(ConfigError::DuplicateWebhook(webhook.id.clone()));
            }
            if earlier
                .iter()
                .any(|other| other.name.trim() == webhook.name.trim())
            {
                return Err(ConfigError::DuplicateWebhookName(
                    webhook.name.trim().to_string(),
                ));
            }
            for header in &webhook.headers {
                let problem = |make: fn(String, String) -> ConfigError| {
                    make(
                        webhook.name.trim().to_owned(),
                        header.name.trim().to_owned(),
                    )
                };
                if header.is_secret() {
                    if header.value.is_some() {
                        return Err(problem(|webhook, header| ConfigError::SecretHeaderValue {
                            webhook,
                            header,
                        }));
                    }
                } else if header.value.is_none() {
                    return Err(problem(|webhook, header| ConfigError::HeaderValueMissing {
                        webhook,
                        header,
                    }));
                }
            }
        }
        for (index, automation) in self.automations.iter().enumerate() {
            if self.automations[..index]
                .iter()
                .any(|other| other.id == automation.id)
            {
                return Err(ConfigError::DuplicateAutomation(automation.id.clone()));
            }
        }
        Ok(())
    }

    /// The webhooks of this document as this browser will hold them. A credential of `local` (this
    /// browser's copy) is kept only for the same webhook (id) still sending to the same origin
    /// (scheme, host, port) — and, for authentication, with the same kind of authentication; secret
    /// headers by name. A credential only ever goes to the origin it was entered for, and never stays
    /// in a browser for a webhook the relay delivers (the relay holds it). Browser webhooks left
    /// without a credential they need are listed in `credentials_needed`; those whose origin changed
    /// while this browser held credentials for them, in `origin_changed`.
    pub fn into_local(self, local: &[Webhook]) -> ImportedConfig {
        let mut credentials_needed = Vec::new();
        let mut origin_changed = Vec::new();
        let revision = self.revision;
        let webhooks = self
            .webhooks
            .into_iter()
            .map(|shared| {
                let same_id = local
                    .iter()
                    .find(|webhook| webhook.id == shared.id)
                    .filter(|_| shared.route == Route::Browser);
                let new_origin = crate::model::origin_of(&shared.base_url);
                let kept = match same_id {
                    // Credentials stay only where both origins can be read and are the same.
                    Some(old) if new_origin.is_some() && old.origin() == new_origin => Some(old),
                    Some(old) => {
                        if holds_credentials(old) {
                            origin_changed.push(OriginChange {
                                webhook_id: old.id.clone(),
                                from: old.origin().unwrap_or_else(|| old.base_url.clone()),
                                to: new_origin.unwrap_or_else(|| shared.base_url.clone()),
                            });
                        }
                        None
                    }
                    None => None,
                };
                let webhook = shared.with_credentials_from(kept);
                if webhook.route == Route::Browser && missing_credentials(&webhook) {
                    credentials_needed.push(webhook.id.clone());
                }
                webhook
            })
            .collect();
        ImportedConfig {
            revision,
            webhooks,
            automations: self.automations,
            credentials_needed,
            origin_changed,
        }
    }
}

impl ConfigDocument {
    /// What differs between this document and `theirs` (another copy: the relay's, a file's), one
    /// line per webhook or automation, in words: "ERP (webhook): changed there".
    pub fn differences_from(&self, theirs: &ConfigDocument) -> Vec<String> {
        let mut lines = Vec::new();
        let webhooks = |document: &ConfigDocument| -> Vec<(String, String, String)> {
            document
                .webhooks
                .iter()
                .map(|webhook| (webhook.id.clone(), webhook.name.clone(), json(webhook)))
                .collect()
        };
        let automations = |document: &ConfigDocument| -> Vec<(String, String, String)> {
            document
                .automations
                .iter()
                .map(|automation| {
                    (
                        automation.id.clone(),
                        automation.name.clone(),
                        json(automation),
                    )
                })
                .collect()
        };
        compare("webhook", &webhooks(self), &webhooks(theirs), &mut lines);
        compare(
            "automation",
            &automations(self),
            &automations(theirs),
            &mut lines,
        );
        lines
    }
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("configuration parts always serialize")
}

/// Compares items (id, name, JSON) of one kind, here and there.
fn compare(
    kind: &str,
    here: &[(String, String, String)],
    there: &[(String, String, String)],
    lines: &mut Vec<String>,
) {
    for (id, name, json) in here {
        match there.iter().find(|(other, _, _)| other == id) {
            None => lines.push(format!("{name} ({kind}): only here")),
            Some((_, _, other)) if other != json => {
                lines.push(format!("{name} ({kind}): changed there"))
            }
            Some(_) => {}
        }
    }
    for (id, name, _) in there {
        if !here.iter().any(|(other, _, _)| other == id) {
            lines.push(format!("{name} ({kind}): only there"));
        }
    }
}

/// Whether a webhook holds any credential at all.
fn holds_credentials(webhook: &Webhook) -> bool {
    webhook
        .auth
        .secrets()
        .into_iter()
        .chain(&webhook.signing_secret)
        .any(|secret| !secret.is_empty())
        || webhook
            .headers
            .iter()
            .any(|header| header.is_secret() && !header.value.is_empty())
}

impl ConfigDocument {
    /// The document's webhooks with stand-in credentials, for checking and previewing a document that by
    /// design holds none: requests build exactly as they will once the real credentials are entered, and
    /// their redacted form (all that is ever shown) is the same.
    pub fn webhooks_with_stand_in_credentials(&self) -> Vec<Webhook> {
        self.webhooks
            .iter()
            .cloned()
            .map(|shared| {
                let mut webhook = shared.with_credentials_from(None);
                webhook.auth = match webhook.auth {
                    Auth::None => Auth::None,
                    Auth::Basic { username, .. } => Auth::Basic {
                        username,
                        password: Secret::new(STAND_IN_CREDENTIAL),
                    },
                    Auth::Bearer { .. } => Auth::Bearer {
                        token: Secret::new(STAND_IN_CREDENTIAL),
                    },
                    Auth::ApiKey { header, .. } => Auth::ApiKey {
                        header,
                        key: Secret::new(STAND_IN_CREDENTIAL),
                    },
                };
                if webhook.signing_secret.is_some() {
                    webhook.signing_secret = Some(generate_secret([0x5a; 32]));
                }
                for header in webhook.headers.iter_mut().filter(|h| h.is_secret()) {
                    header.value = STAND_IN_CREDENTIAL.into();
                }
                webhook
            })
            .collect()
    }
}

/// What stands in for a credential in previews; redaction masks it like a real one.
const STAND_IN_CREDENTIAL: &str = "stand-in-credential";

/// A configuration ready to store in this browser.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedConfig {
    /// The document's revision.
    pub revision: u64,
    pub webhooks: Vec<Webhook>,
    pub automations: Vec<Automation>,
    /// Ids of webhooks whose credentials must be entered before they can send.
    pub credentials_needed: Vec<String>,
    /// Webhooks that now send to another origin, whose credentials in this browser were not kept.
    pub origin_changed: Vec<OriginChange>,
}

/// A webhook whose base URL moved to another origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginChange {
    pub webhook_id: String,
    pub from: String,
    pub to: String,
}

/// Brings a document of an older version up to [`CONFIG_VERSION`], one version step at a time, each
/// step tested with a document of the version before it.
pub fn migrate(mut document: Value) -> Result<Value, ConfigError> {
    let format = document.get("format").cloned().unwrap_or(Value::Null);
    if format != Value::String(CONFIG_FORMAT.into()) {
        return Err(ConfigError::WrongFormat {
            found: format.to_string(),
        });
    }
    let version = document
        .get("version")
        .and_then(Value::as_u64)
        .ok_or(ConfigError::NoVersion)?;
    match version {
        0 => return Err(ConfigError::NoVersion),
        newer if newer > CONFIG_VERSION => return Err(ConfigError::TooNew { found: newer }),
        _ => {}
    }
    // Version 2 → 3 adds `route` (every webhook delivered from the browser until then, which is the
    // default) and `revision` (0 until the next change): nothing to rewrite.
    if version < 2 {
        secret_headers_lose_their_values(&mut document, names_a_credential);
    } else if version < 4 {
        // A value under a name the rule of its time took as ordinary was valid then: it goes, the
        // document still reads. One under a name that rule knew was an error then, and still is.
        secret_headers_lose_their_values(&mut document, |name| {
            names_a_credential(name) && !named_a_credential_before_version_4(name)
        });
    }
    document["version"] = Value::from(CONFIG_VERSION);
    Ok(document)
}

/// Versions 1 → 2 and 3 → 4: a header that carries a credential (`secret`, by its name) keeps its
/// name and loses its value, which is entered in the app like any other credential (a version 1
/// export held it in clear text; a version 3 document, under a name the rule of its time did not
/// recognise).
fn secret_headers_lose_their_values(document: &mut Value, secret: impl Fn(&str) -> bool) {
    let webhooks = document
        .get_mut("webhooks")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten();
    let headers = webhooks
        .filter_map(|webhook| webhook.get_mut("headers").and_then(Value::as_array_mut))
        .flatten();
    for header in headers {
        let secret = header
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|name| secret(name.trim()));
        if let (true, Some(fields)) = (secret, header.as_object_mut()) {
            fields.remove("value");
            fields.insert("secret".into(), Value::Bool(true));
        }
    }
}

/// The rule of versions 2 and 3 for header names that carry a credential, kept for their migration.
fn named_a_credential_before_version_4(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "auth",
        "token",
        "secret",
        "key",
        "password",
        "cookie",
        "session",
        "signature",
    ]
    .iter()
    .any(|word| name.contains(word))
}

impl From<&Webhook> for SharedWebhook {
    fn from(webhook: &Webhook) -> Self {
        SharedWebhook {
            id: webhook.id.clone(),
            name: webhook.name.clone(),
            base_url: webhook.base_url.clone(),
            auth: match &webhook.auth {
                Auth::None => SharedAuth::None,
                Auth::Basic { username, .. } => SharedAuth::Basic {
                    username: username.clone(),
                },
                Auth::Bearer { .. } => SharedAuth::Bearer,
                Auth::ApiKey { header, .. } => SharedAuth::ApiKey {
                    header: header.clone(),
                },
            },
            headers: webhook
                .headers
                .iter()
                .map(|header| SharedHeader {
                    name: header.name.clone(),
                    value: (!header.is_secret()).then(|| header.value.clone()),
                    secret: header.is_secret(),
                })
                .collect(),
            signed: webhook.signing_secret.is_some(),
            timeout_ms: webhook.timeout_ms,
            retry: webhook.retry.clone(),
            route: webhook.route,
        }
    }
}

impl SharedWebhook {
    fn auth_kind(&self) -> AuthKind {
        match self.auth {
            SharedAuth::None => AuthKind::None,
            SharedAuth::Basic { .. } => AuthKind::Basic,
            SharedAuth::Bearer => AuthKind::Bearer,
            SharedAuth::ApiKey { .. } => AuthKind::ApiKey,
        }
    }

    /// This webhook holding the credentials of `local` that still apply: the caller has checked that
    /// `local` is the same webhook sending to the same origin.
    fn with_credentials_from(self, local: Option<&Webhook>) -> Webhook {
        let same_auth = local.filter(|webhook| webhook.auth.kind() == self.auth_kind());
        let secret = |pick: fn(&Auth) -> Option<&Secret>| {
            same_auth
                .and_then(|webhook| pick(&webhook.auth))
                .cloned()
                .unwrap_or_else(|| Secret::new(""))
        };
        let auth = match self.auth {
            SharedAuth::None => Auth::None,
            SharedAuth::Basic { username } => Auth::Basic {
                username,
                password: secret(|auth| match auth {
                    Auth::Basic { password, .. } => Some(password),
                    _ => None,
                }),
            },
            SharedAuth::Bearer => Auth::Bearer {
                token: secret(|auth| match auth {
                    Auth::Bearer { token } => Some(token),
                    _ => None,
                }),
            },
            SharedAuth::ApiKey { header } => Auth::ApiKey {
                header,
                key: secret(|auth| match auth {
                    Auth::ApiKey { key, .. } => Some(key),
                    _ => None,
                }),
            },
        };
        let signing_secret = self.signed.then(|| {
            local
                .and_then(|webhook| webhook.signing_secret.clone())
                .unwrap_or_else(|| Secret::new(""))
        });
        let headers = self
            .headers
            .into_iter()
            .map(|header| {
                let value = match header.value {
                    Some(value) => value,
                    None => local
                        .into_iter()
                        .flat_map(|webhook| &webhook.headers)
                        .find(|kept| {
                            kept.is_secret()
                                && kept.name.trim().eq_ignore_ascii_case(header.name.trim())
                        })
                        .map(|kept| kept.value.clone())
                        .unwrap_or_default(),
                };
                HeaderPair::marked(header.name, value, header.secret)
            })
            .collect();
        Webhook {
            id: self.id,
            name: self.name,
            base_url: self.base_url,
            auth,
            headers,
            signing_secret,
            timeout_ms: self.timeout_ms,
            retry: self.retry,
            route: self.route,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Body, Condition, ConditionGroup, ConditionItem, EventAction, Match, Method, Operator,
        Trigger, WebhookAction,
    };
    use crate::template::Row;

    fn webhook(id: &str, auth: Auth) -> Webhook {
        Webhook {
            id: id.into(),
            name: format!("ERP {id}"),
            base_url: "https://erp.example/api".into(),
            route: Default::default(),
            auth,
            headers: vec![HeaderPair {
                name: "X-Team".into(),
                value: "sales".into(),
                secret: false,
            }],
            signing_secret: Some(Secret::new("whsec_c2VjcmV0LXNpZ25pbmcta2V5")),
            timeout_ms: 5_000,
            retry: RetryPolicy::default(),
        }
    }

    fn automation(webhook_id: &str) -> Automation {
        Automation {
            id: "auto_1".into(),
            name: "Won deals to ERP".into(),
            enabled: true,
            trigger: Trigger {
                entity: "deal".into(),
                action: EventAction::Updated,
            },
            conditions: ConditionGroup::default(),
            actions: vec![WebhookAction {
                webhook_id: webhook_id.into(),
                method: Method::Put,
                path: "/orders/{{deal.id}}".into(),
                body: Body::KeyValue {
                    rows: vec![Row::new("title", "{{deal.title}}")],
                },
            }],
        }
    }

    #[test]
    fn exports_hold_no_secret_and_read_back_the_same() {
        let webhooks = [
            webhook(
                "wh_basic",
                Auth::Basic {
                    username: "erp-user".into(),
                    password: Secret::new("pa55-word-x"),
                },
            ),
            webhook(
                "wh_bearer",
                Auth::Bearer {
                    token: Secret::new("tok-123-secret"),
                },
            ),
            webhook(
                "wh_key",
                Auth::ApiKey {
                    header: "X-API-Key".into(),
                    key: Secret::new("key-456-secret"),
                },
            ),
        ];
        let json = ConfigDocument::export(&webhooks, &[automation("wh_basic")]).to_json();
        for secret in [
            "pa55-word-x",
            "tok-123-secret",
            "key-456-secret",
            "c2VjcmV0LXNpZ25pbmcta2V5",
        ] {
            assert!(!json.contains(secret), "{secret} leaked into {json}");
        }
        assert!(json.contains("erp-user") && json.contains("X-API-Key"));
        let document = ConfigDocument::parse(&json).unwrap();
        assert_eq!(
            document,
            ConfigDocument::export(&webhooks, &[automation("wh_basic")])
        );
    }

    #[test]
    fn importing_keeps_local_credentials_of_the_same_kind_and_flags_the_rest() {
        let local = [
            webhook(
                "wh_basic",
                Auth::Basic {
                    username: "old".into(),
                    password: Secret::new("kept"),
                },
            ),
            webhook(
                "wh_changed",
                Auth::Bearer {
                    token: Secret::new("was-bearer"),
                },
            ),
        ];
        let exported = [
            webhook(
                "wh_basic",
                Auth::Basic {
                    username: "erp-user".into(),
                    password: Secret::new("x"),
                },
            ),
            webhook(
                "wh_changed",
                Auth::Basic {
                    username: "u".into(),
                    password: Secret::new("y"),
                },
            ),
            webhook("wh_new", Auth::None),
        ];
        let document =
            ConfigDocument::parse(&ConfigDocument::export(&exported, &[]).to_json()).unwrap();
        let imported = document.into_local(&local);
        assert_eq!(
            imported.webhooks[0].auth,
            Auth::Basic {
                username: "erp-user".into(),
                password: Secret::new("kept")
            }
        );
        assert_eq!(
            imported.credentials_needed,
            ["wh_changed", "wh_new"],
            "wh_new lacks its signing secret"
        );
    }

    /// The webhook "wh_erp" at `base_url`, with a bearer token.
    fn bearer(base_url: &str) -> Webhook {
        Webhook {
            base_url: base_url.into(),
            ..webhook(
                "wh_erp",
                Auth::Bearer {
                    token: Secret::new("tok-kept"),
                },
            )
        }
    }

    #[test]
    fn credentials_never_stay_where_no_origin_can_be_read() {
        let imported = ConfigDocument::export(&[bearer("attacker.example/api")], &[])
            .into_local(&[bearer("erp.example/api")]);
        assert_eq!(
            imported.webhooks[0].auth,
            Auth::Bearer {
                token: Secret::new("")
            }
        );
    }

    #[test]
    fn credentials_stay_only_with_the_origin_they_were_entered_for() {
        let local = [bearer("https://erp.example/api")];
        let import =
            |base_url: &str| ConfigDocument::export(&[bearer(base_url)], &[]).into_local(&local);

        let same_origin = import("https://erp.example/v2/other-path");
        assert_eq!(
            same_origin.webhooks[0].auth,
            Auth::Bearer {
                token: Secret::new("tok-kept")
            }
        );
        assert!(same_origin.credentials_needed.is_empty());
        assert!(same_origin.origin_changed.is_empty());

        for elsewhere in [
            "https://attacker.example/api",
            "http://erp.example/api",
            "https://erp.example:8443/api",
            "https://sub.erp.example/api",
        ] {
            let moved = import(elsewhere);
            assert_eq!(
                moved.webhooks[0].auth,
                Auth::Bearer {
                    token: Secret::new("")
                },
                "{elsewhere}"
            );
            assert_eq!(
                moved.webhooks[0].signing_secret,
                Some(Secret::new("")),
                "{elsewhere}"
            );
            assert_eq!(moved.credentials_needed, ["wh_erp"]);
            assert_eq!(moved.origin_changed.len(), 1, "{elsewhere}");
            assert_eq!(moved.origin_changed[0].from, "https://erp.example");
        }
    }

    #[test]
    fn secret_headers_leave_no_value_in_the_document_and_are_kept_by_name() {
        let mut with_secret_header = webhook("wh_key", Auth::None);
        with_secret_header.headers.push(HeaderPair {
            name: "X-Auth-Token".into(),
            value: "header-canary-123".into(),
            secret: false,
        });
        let document = ConfigDocument::export(std::slice::from_ref(&with_secret_header), &[]);
        let json = document.to_json();
        assert!(!json.contains("header-canary-123"), "{json}");
        assert!(json.contains("\"secret\": true"), "{json}");
        let read = ConfigDocument::parse(&json).unwrap();
        let imported = read
            .clone()
            .into_local(std::slice::from_ref(&with_secret_header));
        assert_eq!(imported.webhooks[0].headers, with_secret_header.headers);
        assert!(imported.credentials_needed.is_empty());

        let elsewhere = read.into_local(&[]);
        assert_eq!(elsewhere.webhooks[0].headers[1].value, "");
        assert_eq!(elsewhere.credentials_needed, ["wh_key"]);
    }

    /// A header whose name no rule recognises, marked secret by the admin, is kept like any other
    /// credential: not exported, kept by name on import, masked wherever the request is shown.
    #[test]
    fn a_header_marked_secret_is_a_secret_whatever_its_name() {
        let mut marked = webhook("wh_ref", Auth::None);
        marked.headers.push(HeaderPair {
            name: "X-Customer-Ref".into(),
            value: "marked-canary-456".into(),
            secret: true,
        });
        let json = ConfigDocument::export(std::slice::from_ref(&marked), &[]).to_json();
        assert!(!json.contains("marked-canary-456"), "{json}");
        let read = ConfigDocument::parse(&json).unwrap();
        assert!(read.webhooks[0].headers[1].secret);
        let imported = read.clone().into_local(std::slice::from_ref(&marked));
        assert_eq!(imported.webhooks[0].headers, marked.headers);
        assert_eq!(read.into_local(&[]).credentials_needed, ["wh_ref"]);

        let with_value = json.replace(
            "\"secret\": true",
            "\"secret\": true, \"value\": \"marked-canary-456\"",
        );
        assert!(matches!(
            ConfigDocument::parse(&with_value),
            Err(ConfigError::SecretHeaderValue { .. })
        ));

        let request = crate::request::OutgoingRequest {
            method: crate::model::Method::Post,
            url: "https://erp.example/api/x".into(),
            headers: vec![
                ("X-Team".into(), "sales".into()),
                ("x-customer-ref".into(), "marked-canary-456".into()),
            ],
            body: "{}".into(),
        };
        let shown = crate::request::redact(&request, &marked);
        assert_eq!(shown.headers[1].1, crate::request::MASK);
        assert_eq!(shown.headers[0].1, "sales");
    }

    #[test]
    fn a_document_must_not_carry_a_secret_header_value_and_ordinary_headers_need_one() {
        let document = |header: &str| {
            format!(
                r#"{{"format": "webhook-automations/config", "version": 2, "automations": [],
                "webhooks": [{{"id": "w", "name": "ERP", "base_url": "https://erp.example",
                  "auth": {{"type": "none"}}, "timeout_ms": 5000, "retry": {{}}, "headers": [{header}]}}]}}"#
            )
        };
        let error =
            ConfigDocument::parse(&document(r#"{"name": "X-Api-Key", "value": "k"}"#)).unwrap_err();
        assert!(
            matches!(&error, ConfigError::SecretHeaderValue { header, .. } if header == "X-Api-Key"),
            "{error:?}"
        );
        assert!(error.to_string().contains("\"secret\": true"), "{error}");
        assert!(matches!(
            ConfigDocument::parse(&document(r#"{"name": "X-Team"}"#)).unwrap_err(),
            ConfigError::HeaderValueMissing { .. }
        ));
        assert!(
            ConfigDocument::parse(&document(r#"{"name": "X-Team", "secret": true}"#)).is_ok(),
            "a header the admin marked secret has no value in the document"
        );
        assert!(
            ConfigDocument::parse(&document(r#"{"name": "X-Api-Key", "secret": true}"#)).is_ok()
        );
    }

    #[test]
    fn a_version_1_document_is_migrated_and_its_secret_header_values_dropped() {
        let version_1 = r#"{"format": "webhook-automations/config", "version": 1, "automations": [],
            "webhooks": [{"id": "w", "name": "ERP", "base_url": "https://erp.example",
              "auth": {"type": "basic", "username": "u"}, "signed": true, "timeout_ms": 5000,
              "retry": {"max_attempts": 3, "initial_backoff_ms": 1000, "max_backoff_ms": 8000},
              "headers": [{"name": "X-Team", "value": "sales"}, {"name": "X-Api-Key", "value": "v1-leaked-key"}]}]}"#;
        let document = ConfigDocument::parse(version_1).unwrap();
        assert_eq!(document.version, CONFIG_VERSION);
        assert_eq!(
            document.webhooks[0].headers,
            [
                SharedHeader {
                    name: "X-Team".into(),
                    value: Some("sales".into()),
                    secret: false
                },
                SharedHeader {
                    name: "X-Api-Key".into(),
                    value: None,
                    secret: true
                },
            ]
        );
        assert!(!document.to_json().contains("v1-leaked-key"));
        assert_eq!(
            document.webhooks[0].auth,
            SharedAuth::Basic {
                username: "u".into()
            }
        );
    }

    /// A header a version 3 document gave a value, whose name only the wider rule of version 4
    /// recognises as a credential: the document still reads (before, it was refused, and a relay
    /// that had stored it ran no automation at all); the value is dropped, never shared.
    #[test]
    fn a_version_3_document_with_a_value_under_a_newly_recognised_credential_name_still_reads() {
        let document = |version: u64| {
            format!(
                r#"{{"format": "webhook-automations/config", "version": {version}, "automations": [],
                "webhooks": [{{"id": "w", "name": "ERP", "base_url": "https://erp.example",
                  "auth": {{"type": "none"}}, "timeout_ms": 5000, "retry": {{}},
                  "headers": [{{"name": "X-Team", "value": "sales"}}, {{"name": "X-User-Pin", "value": "1234"}}]}}]}}"#
            )
        };
        let read = ConfigDocument::parse(&document(3)).unwrap();
        let headers = &read.webhooks[0].headers;
        assert_eq!(headers[0].value.as_deref(), Some("sales"));
        assert_eq!(
            (headers[1].value.as_deref(), headers[1].secret),
            (None, true)
        );
        assert!(matches!(
            ConfigDocument::parse(&document(4)),
            Err(ConfigError::SecretHeaderValue { .. })
        ));
    }

    #[test]
    fn a_newer_document_is_refused_naming_both_versions() {
        let newer = CONFIG_VERSION + 1;
        let error = ConfigDocument::parse(&format!(
            r#"{{"format": "webhook-automations/config", "version": {newer}, "webhooks": [], "automations": [], "feature": {{}}}}"#,
        ))
        .unwrap_err();
        assert_eq!(error, ConfigError::TooNew { found: newer });
        let message = error.to_string();
        assert!(
            message.contains(&format!("version {newer}"))
                && message.contains(&format!("up to {CONFIG_VERSION}")),
            "{message}"
        );
    }

    #[test]
    fn a_version_2_document_is_migrated_every_webhook_delivered_from_the_browser() {
        let version_2 = r#"{"format": "webhook-automations/config", "version": 2, "automations": [],
            "webhooks": [{"id": "w", "name": "ERP", "base_url": "https://erp.example",
              "auth": {"type": "bearer"}, "timeout_ms": 5000, "retry": {},
              "headers": [{"name": "X-Api-Key", "secret": true}]}]}"#;
        let document = ConfigDocument::parse(version_2).unwrap();
        assert_eq!(document.version, CONFIG_VERSION);
        assert_eq!(document.revision, 0);
        assert_eq!(document.webhooks[0].route, Route::Browser);
        let json = document.to_json();
        assert!(json.contains("\"route\": \"browser\""), "{json}");
        assert_eq!(ConfigDocument::parse(&json).unwrap(), document);
    }

    #[test]
    fn a_webhook_the_relay_delivers_keeps_no_credential_in_the_browser() {
        let local = [webhook(
            "wh_relay",
            Auth::Bearer {
                token: Secret::new("tok-in-the-browser"),
            },
        )];
        let moved_to_relay = Webhook {
            route: Route::Relay,
            ..local[0].clone()
        };
        let imported = ConfigDocument::export(&[moved_to_relay], &[])
            .at_revision(7)
            .into_local(&local);
        assert_eq!(
            imported.webhooks[0].auth,
            Auth::Bearer {
                token: Secret::new("")
            }
        );
        assert_eq!(imported.webhooks[0].signing_secret, Some(Secret::new("")));
        assert!(
            imported.credentials_needed.is_empty(),
            "the relay holds them: nothing is needed here"
        );
        assert_eq!(imported.revision, 7);
    }

    #[test]
    fn differences_name_what_is_only_here_only_there_or_changed() {
        let mine = ConfigDocument::export(
            &[webhook("a", Auth::None), webhook("b", Auth::None)],
            &[automation("a")],
        );
        let mut changed = webhook("b", Auth::None);
        changed.timeout_ms = 1_000;
        let theirs = ConfigDocument::export(&[changed, webhook("c", Auth::None)], &[]);
        assert_eq!(
            mine.differences_from(&theirs),
            [
                "ERP a (webhook): only here",
                "ERP b (webhook): changed there",
                "ERP c (webhook): only there",
                "Won deals to ERP (automation): only here",
            ]
        );
        assert!(mine
            .differences_from(&mine.clone().at_revision(9))
            .is_empty());
    }

    #[test]
    fn revisions_grow_with_time_and_never_go_back() {
        assert_eq!(next_revision(0, 1_700_000_000_000), 1_700_000_000_000);
        assert_eq!(
            next_revision(1_700_000_000_000, 1_600_000_000_000),
            1_700_000_000_001,
            "a clock behind the last change still moves forward"
        );
        assert_eq!(next_revision(5, -1), 6);
    }

    /// A document put by hand with `"revision": 18446744073709551615` made the next change wrap
    /// round to "now" (release builds do not check overflow), which the relay refuses as going
    /// back, for ever.
    #[test]
    fn a_revision_beyond_what_browsers_count_is_refused_and_never_wraps() {
        assert_eq!(next_revision(u64::MAX, 1_700_000_000_000), MAX_REVISION);
        assert_eq!(next_revision(MAX_REVISION - 1, 0), MAX_REVISION);
        let text = |revision: u64| {
            format!(
                r#"{{"format": "webhook-automations/config", "version": 3, "revision": {revision}, "webhooks": [], "automations": []}}"#
            )
        };
        assert_eq!(
            ConfigDocument::parse(&text(MAX_REVISION)).unwrap().revision,
            MAX_REVISION
        );
        let error = ConfigDocument::parse(&text(u64::MAX)).unwrap_err();
        assert!(
            error.to_string().contains("at most 9007199254740991"),
            "{error}"
        );
    }

    #[test]
    fn stand_in_credentials_let_a_secretless_document_build_requests() {
        let webhooks = [
            webhook(
                "wh_basic",
                Auth::Basic {
                    username: "u".into(),
                    password: Secret::new("real"),
                },
            ),
            webhook("wh_none", Auth::None),
        ];
        let document = ConfigDocument::export(&webhooks, &[]);
        let stood_in = document.webhooks_with_stand_in_credentials();
        assert!(stood_in.iter().all(|webhook| !missing_credentials(webhook)));
        assert!(stood_in
            .iter()
            .all(|webhook| crate::request::validate_webhook(webhook).is_empty()));
        assert_eq!(stood_in[1].auth, Auth::None);
    }

    #[test]
    fn a_misspelt_automation_field_is_refused_naming_it_and_nested_groups_still_read() {
        let mut nested = automation("wh_a");
        nested.conditions = ConditionGroup {
            match_: Match::All,
            items: vec![
                ConditionItem::Condition(Condition {
                    field: "deal.stage".into(),
                    operator: Operator::Is,
                    value: Some(Value::from("won")),
                }),
                ConditionItem::Group(ConditionGroup {
                    match_: Match::Any,
                    items: vec![ConditionItem::Condition(Condition {
                        field: "deal.value".into(),
                        operator: Operator::IsEmpty,
                        value: None,
                    })],
                }),
            ],
        };
        let document = ConfigDocument::export(&[webhook("wh_a", Auth::None)], &[nested]);
        let json: Value = serde_json::from_str(&document.to_json()).unwrap();
        assert_eq!(ConfigDocument::parse(&json.to_string()).unwrap(), document);

        let misspelt = |pointer: &str, from: &str, to: &str| {
            let mut json = json.clone();
            let object = json.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
            let value = object.remove(from).unwrap();
            object.insert(to.into(), value);
            match ConfigDocument::parse(&json.to_string()) {
                Err(ConfigError::Shape(message)) => message,
                other => panic!("{to} at {pointer} was accepted: {other:?}"),
            }
        };
        // Before, a misspelt "conditions" was dropped and the automation fired on every event.
        for (pointer, from, to) in [
            ("/automations/0", "conditions", "condition"),
            ("/automations/0/trigger", "action", "actions"),
            ("/automations/0/conditions/items/0", "value", "valeu"),
            ("/automations/0/conditions/items/1", "items", "itemz"),
            (
                "/automations/0/conditions/items/1/items/0",
                "field",
                "feild",
            ),
            // A condition with a group's key is still read as a condition, naming the stray key.
            ("/automations/0/conditions/items/0", "value", "items"),
            ("/automations/0/actions/0", "path", "paht"),
            ("/automations/0/actions/0/body", "rows", "row"),
            ("/automations/0/actions/0/body/rows/0", "value", "val"),
        ] {
            let message = misspelt(pointer, from, to);
            assert!(
                message.contains(&format!("unknown field `{to}`")),
                "{to} at {pointer}: {message}"
            );
        }
    }

    #[test]
    fn foreign_newer_and_malformed_documents_are_refused_with_reasons() {
        let parse = |json: &str| ConfigDocument::parse(json).unwrap_err();
        assert!(matches!(parse("{"), ConfigError::Json(_)));
        assert!(matches!(
            parse(r#"{"format": "other"}"#),
            ConfigError::WrongFormat { .. }
        ));
        assert_eq!(
            parse(r#"{"format": "webhook-automations/config", "version": 9}"#),
            ConfigError::TooNew { found: 9 }
        );
        assert_eq!(
            parse(r#"{"format": "webhook-automations/config"}"#),
            ConfigError::NoVersion
        );
        let unknown_field = r#"{"format": "webhook-automations/config", "version": 1, "webhooks": [], "automations": [], "extra": 1}"#;
        assert!(
            matches!(parse(unknown_field), ConfigError::Shape(message) if message.contains("extra"))
        );
        let twice =
            ConfigDocument::export(&[webhook("a", Auth::None), webhook("a", Auth::None)], &[])
                .to_json();
        assert_eq!(parse(&twice), ConfigError::DuplicateWebhook("a".into()));
    }
}
