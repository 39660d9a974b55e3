//! The configuration document: every webhook and automation as one versioned JSON document — what the
//! app exports and imports, what an embedding CRM stores centrally and hands to every user's widget,
//! and what `webhook-cli preview --config` reads. It never holds a secret: webhooks say which kind of
//! authentication they use, and credentials are entered in each browser.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use crate::model::{Auth, AuthKind, Automation, HeaderPair, RetryPolicy, Secret, Webhook};
use crate::request::missing_credentials;
use crate::signing::generate_secret;

/// The value of the document's `format` field, so a stray JSON file is recognised as foreign.
pub const CONFIG_FORMAT: &str = "webhook-automations/config";
/// The version this build writes. Older versions are migrated on read (`migrate`).
pub const CONFIG_VERSION: u64 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigDocument {
    pub format: String,
    pub version: u64,
    pub webhooks: Vec<SharedWebhook>,
    pub automations: Vec<Automation>,
}

/// A webhook without its credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedWebhook {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub auth: SharedAuth,
    #[serde(default)]
    pub headers: Vec<HeaderPair>,
    /// Whether requests are signed; the signing secret itself stays in each browser.
    #[serde(default)]
    pub signed: bool,
    pub timeout_ms: u32,
    pub retry: RetryPolicy,
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
}

impl ConfigDocument {
    /// The document for this configuration, with every secret left out.
    pub fn export(webhooks: &[Webhook], automations: &[Automation]) -> ConfigDocument {
        ConfigDocument {
            format: CONFIG_FORMAT.into(),
            version: CONFIG_VERSION,
            webhooks: webhooks.iter().map(SharedWebhook::from).collect(),
            automations: automations.to_vec(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a configuration document always serializes")
    }

    /// Reads a document of any version this build knows, migrating older ones, and checks it.
    pub fn parse(json: &str) -> Result<ConfigDocument, ConfigError> {
        let value: Value =
            serde_json::from_str(json).map_err(|error| ConfigError::Json(error.to_string()))?;
        // Read from text, not from the `Value`: a second deserializer would double serde's code
        // in the browser bundle.
        let document: ConfigDocument = serde_json::from_str(&migrate(value)?.to_string())
            .map_err(|error| ConfigError::Shape(error.to_string()))?;
        document.check()?;
        Ok(document)
    }

    fn check(&self) -> Result<(), ConfigError> {
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

    /// The webhooks of this document as this browser will hold them: credentials come from `local`
    /// (this browser's copy) where the same webhook kept the same kind of authentication; the others
    /// are left empty and listed in `credentials_needed`.
    pub fn into_local(self, local: &[Webhook]) -> ImportedConfig {
        let mut credentials_needed = Vec::new();
        let webhooks = self
            .webhooks
            .into_iter()
            .map(|shared| {
                let kept = local.iter().find(|webhook| webhook.id == shared.id);
                let webhook = shared.with_credentials_from(kept);
                if missing_credentials(&webhook) {
                    credentials_needed.push(webhook.id.clone());
                }
                webhook
            })
            .collect();
        ImportedConfig {
            webhooks,
            automations: self.automations,
            credentials_needed,
        }
    }
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
    pub webhooks: Vec<Webhook>,
    pub automations: Vec<Automation>,
    /// Ids of webhooks whose credentials must be entered before they can send.
    pub credentials_needed: Vec<String>,
}

/// Brings a document of an older version up to [`CONFIG_VERSION`], one version step at a time.
/// Version 1 is the first published format, so there is no step yet; each future format change adds
/// one here with a test that reads a document of the version before it.
pub fn migrate(document: Value) -> Result<Value, ConfigError> {
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
        0 => Err(ConfigError::NoVersion),
        CONFIG_VERSION => Ok(document),
        newer => Err(ConfigError::TooNew { found: newer }),
    }
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
            headers: webhook.headers.clone(),
            signed: webhook.signing_secret.is_some(),
            timeout_ms: webhook.timeout_ms,
            retry: webhook.retry.clone(),
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

    fn with_credentials_from(self, local: Option<&Webhook>) -> Webhook {
        let local = local.filter(|webhook| webhook.auth.kind() == self.auth_kind());
        let secret = |pick: fn(&Auth) -> Option<&Secret>| {
            local
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
        Webhook {
            id: self.id,
            name: self.name,
            base_url: self.base_url,
            auth,
            headers: self.headers,
            signing_secret,
            timeout_ms: self.timeout_ms,
            retry: self.retry,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Body, ConditionGroup, EventAction, Method, Trigger, WebhookAction};
    use crate::template::Row;

    fn webhook(id: &str, auth: Auth) -> Webhook {
        Webhook {
            id: id.into(),
            name: format!("ERP {id}"),
            base_url: "https://erp.example/api".into(),
            auth,
            headers: vec![HeaderPair {
                name: "X-Team".into(),
                value: "sales".into(),
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
