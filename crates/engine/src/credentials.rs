//! A webhook's credentials on their own: what the configuration document leaves out (passwords,
//! tokens, API keys, signing secrets, values of secret custom headers). The relay keeps them apart
//! from the document and merges them in only to build a request; the app sends them to the relay
//! (`PUT /v1/webhooks/{id}/credentials`) and keeps none for a relay webhook. This is that body.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Auth, Secret, Webhook};

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

impl Credentials {
    /// The credentials `webhook` holds (those entered: an empty one is left out).
    pub fn of(webhook: &Webhook) -> Credentials {
        let entered = |secret: &Secret| (!secret.is_empty()).then(|| secret.expose().to_owned());
        let mut credentials = Credentials {
            signing_secret: webhook.signing_secret.as_ref().and_then(entered),
            headers: webhook
                .headers
                .iter()
                .filter(|header| header.is_secret() && !header.value.is_empty())
                .map(|header| (header.name.trim().to_owned(), header.value.clone()))
                .collect(),
            ..Credentials::default()
        };
        match &webhook.auth {
            Auth::None => {}
            Auth::Basic { password, .. } => credentials.password = entered(password),
            Auth::Bearer { token } => credentials.token = entered(token),
            Auth::ApiKey { key, .. } => credentials.api_key = entered(key),
        }
        credentials
    }

    /// Whether none was entered.
    pub fn is_empty(&self) -> bool {
        *self == Credentials::default()
    }
}

impl Webhook {
    /// What a browser keeps of this webhook once saved: all of it for one the browser delivers, no
    /// credential for one the relay delivers (the relay alone holds those).
    pub fn as_kept_in_browser(&self) -> Webhook {
        match self.route {
            crate::model::Route::Browser => self.clone(),
            crate::model::Route::Relay => self.without_credentials(),
        }
    }

    /// This webhook holding no credential: what a browser keeps of a webhook the relay delivers.
    pub fn without_credentials(&self) -> Webhook {
        let mut webhook = self.clone();
        let blank = |secret: &mut Secret| *secret = Secret::new("");
        match &mut webhook.auth {
            Auth::None => {}
            Auth::Basic { password, .. } => blank(password),
            Auth::Bearer { token } => blank(token),
            Auth::ApiKey { key, .. } => blank(key),
        }
        if let Some(secret) = &mut webhook.signing_secret {
            blank(secret);
        }
        for header in webhook
            .headers
            .iter_mut()
            .filter(|header| header.is_secret())
        {
            header.value.clear();
        }
        webhook
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HeaderPair, RetryPolicy, Route};

    fn webhook() -> Webhook {
        Webhook {
            id: "wh".into(),
            name: "ERP".into(),
            base_url: "https://erp.example".into(),
            route: Route::Relay,
            auth: Auth::Basic {
                username: "sync".into(),
                password: Secret::new("pa55"),
            },
            headers: vec![
                HeaderPair {
                    name: "X-Team".into(),
                    value: "sales".into(),
                    secret: false,
                },
                HeaderPair {
                    name: "X-Auth-Token".into(),
                    value: "tok".into(),
                    secret: false,
                },
            ],
            signing_secret: Some(Secret::new("whsec_c2VjcmV0")),
            timeout_ms: 5_000,
            retry: RetryPolicy::default(),
        }
    }

    #[test]
    fn credentials_are_what_was_entered_and_nothing_else() {
        let credentials = Credentials::of(&webhook());
        assert_eq!(
            serde_json::to_value(&credentials).unwrap(),
            serde_json::json!({
                "password": "pa55",
                "signing_secret": "whsec_c2VjcmV0",
                "headers": {"X-Auth-Token": "tok"},
            })
        );
        assert!(!format!("{credentials:?}").contains("pa55"));
        assert!(Credentials::of(&webhook().without_credentials()).is_empty());
    }

    #[test]
    fn without_credentials_keeps_everything_else() {
        let bare = webhook().without_credentials();
        assert_eq!(
            bare.auth,
            Auth::Basic {
                username: "sync".into(),
                password: Secret::new("")
            }
        );
        assert_eq!(bare.headers[0].value, "sales");
        assert_eq!(bare.headers[1].value, "");
        assert_eq!(bare.signing_secret, Some(Secret::new("")));
        assert_eq!(bare.route, Route::Relay);
    }

    #[test]
    fn a_browser_keeps_a_relay_webhook_without_credentials_and_its_own_whole() {
        let relay = webhook();
        assert!(Credentials::of(&relay.as_kept_in_browser()).is_empty());
        let browser = Webhook {
            route: Route::Browser,
            ..webhook()
        };
        assert_eq!(browser.as_kept_in_browser(), browser);
    }
}
