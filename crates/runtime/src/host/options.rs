//! Reading what the host page passes in: JavaScript values checked by the engine's own parsers, with
//! errors that say what is wrong.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::{JsError, JsValue};
use webhook_engine::catalog::Catalog;
use webhook_engine::config::ConfigDocument;
use webhook_engine::event::User;
use webhook_engine::model::Secret;

use crate::relay::RelayConnection;

use webhook_engine::json_errors::scrub_quoted;

use crate::js_json::{json_from_js, json_text};

/// The options of `mount` and `createRuntime` (which has no use for `hashRouting` and `sandbox`).
pub struct HostOptions {
    pub user: Option<User>,
    pub catalog: Option<Catalog>,
    pub config: Option<ConfigDocument>,
    pub hash_routing: bool,
    /// The relay this page's users hand events over to: its URL and the events token.
    pub relay: Option<RelayConnection>,
    /// Offer the sandbox CRM and its user switch: the standalone app's own page does; a CRM page
    /// embedding the app does not, so its users only ever act as the user it names.
    pub sandbox: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawOptions {
    user: Option<serde_json::Value>,
    catalog: Option<serde_json::Value>,
    config: Option<serde_json::Value>,
    #[serde(default)]
    hash_routing: bool,
    #[serde(default)]
    sandbox: bool,
    relay: Option<HostRelay>,
}

/// `relay` as the host passes it: `{ url, eventsToken }`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HostRelay {
    url: String,
    events_token: String,
}

impl From<HostRelay> for RelayConnection {
    fn from(relay: HostRelay) -> Self {
        RelayConnection {
            url: relay.url,
            admin_token: None,
            events_token: Some(Secret::new(relay.events_token)),
        }
    }
}

impl HostOptions {
    /// Reads `options`; `call` names the call they were given to, in the error ("mount options: …").
    pub fn from_js(options: JsValue, call: &str) -> Result<HostOptions, String> {
        if options.is_undefined() || options.is_null() {
            return Ok(HostOptions {
                user: None,
                catalog: None,
                config: None,
                hash_routing: false,
                relay: None,
                sandbox: false,
            });
        }
        let raw: RawOptions = json_from_js(&options).map_err(|problem| {
            format!("{call} options: {problem} (expected {{ user, catalog, config, relay, hashRouting, sandbox }})")
        })?;
        let user = raw
            .user
            .map(|user| {
                serde_json::from_str(&user.to_string()).map_err(|error| {
                    format!(
                        "{call} options: the user is not valid: {}",
                        scrub_quoted(&error.to_string())
                    )
                })
            })
            .transpose()?;
        let catalog = raw
            .catalog
            .map(|catalog| {
                Catalog::from_json(&catalog.to_string())
                    .map_err(|error| format!("{call} options: {error}"))
            })
            .transpose()?;
        let config = raw
            .config
            .map(|config| {
                ConfigDocument::parse(&config.to_string())
                    .map_err(|error| format!("{call} options: {error}"))
            })
            .transpose()?;
        Ok(HostOptions {
            user,
            catalog,
            config,
            hash_routing: raw.hash_routing,
            relay: raw.relay.map(RelayConnection::from),
            sandbox: raw.sandbox,
        })
    }
}

/// A host value read as `T`, or an `Error` naming `what` it should have been.
pub fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    json_from_js(&value).map_err(|problem| invalid(what, &problem))
}

pub fn catalog_from_js(value: JsValue) -> Result<Catalog, JsError> {
    let json = host_json(&value, "the catalog")?;
    Catalog::from_json(&json).map_err(|error| JsError::new(&error.to_string()))
}

pub fn config_from_js(value: JsValue) -> Result<ConfigDocument, JsError> {
    let json = host_json(&value, "the configuration")?;
    ConfigDocument::parse(&json).map_err(|error| JsError::new(&error.to_string()))
}

fn host_json(value: &JsValue, what: &str) -> Result<String, JsError> {
    json_text(value).map_err(|problem| invalid(what, &problem))
}

/// The error for a host value that is not what it should be; not generic, so the bundle holds it
/// once rather than once per type read.
fn invalid(what: &str, problem: &str) -> JsError {
    JsError::new(&format!("{what} is not valid: {problem}"))
}
