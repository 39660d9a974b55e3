//! Reading what the host page passes in: JavaScript values checked by the engine's own parsers, with
//! errors that say what is wrong.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::{JsError, JsValue};
use webhook_engine::catalog::Catalog;
use webhook_engine::config::ConfigDocument;
use webhook_engine::event::User;

/// `mount`'s options.
pub struct HostOptions {
    pub user: Option<User>,
    pub catalog: Option<Catalog>,
    pub config: Option<ConfigDocument>,
    pub hash_routing: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawOptions {
    user: Option<serde_json::Value>,
    catalog: Option<serde_json::Value>,
    config: Option<serde_json::Value>,
    #[serde(default)]
    hash_routing: bool,
}

impl HostOptions {
    pub fn from_js(options: JsValue) -> Result<HostOptions, String> {
        if options.is_undefined() || options.is_null() {
            return Ok(HostOptions {
                user: None,
                catalog: None,
                config: None,
                hash_routing: false,
            });
        }
        let raw: RawOptions = serde_wasm_bindgen::from_value(options).map_err(|error| {
            format!("mount options: {error} (expected {{ user, catalog, config, hashRouting }})")
        })?;
        let user = raw
            .user
            .map(|user| {
                serde_json::from_value(user)
                    .map_err(|error| format!("mount options: the user is not valid: {error}"))
            })
            .transpose()?;
        let catalog = raw
            .catalog
            .map(|catalog| {
                Catalog::from_json(&catalog.to_string())
                    .map_err(|error| format!("mount options: {error}"))
            })
            .transpose()?;
        let config = raw
            .config
            .map(|config| {
                ConfigDocument::parse(&config.to_string())
                    .map_err(|error| format!("mount options: {error}"))
            })
            .transpose()?;
        Ok(HostOptions {
            user,
            catalog,
            config,
            hash_routing: raw.hash_routing,
        })
    }
}

/// A host value read as `T`, or an `Error` naming `what` it should have been.
pub fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    let json: serde_json::Value = serde_wasm_bindgen::from_value(value)
        .map_err(|error| JsError::new(&format!("{what} is not valid: {error}")))?;
    serde_json::from_value(json)
        .map_err(|error| JsError::new(&format!("{what} is not valid: {error}")))
}

pub fn catalog_from_js(value: JsValue) -> Result<Catalog, JsError> {
    let json: serde_json::Value = from_js(value, "the catalog")?;
    Catalog::from_json(&json.to_string()).map_err(|error| JsError::new(&error.to_string()))
}

pub fn config_from_js(value: JsValue) -> Result<ConfigDocument, JsError> {
    let json: serde_json::Value = from_js(value, "the configuration")?;
    ConfigDocument::parse(&json.to_string()).map_err(|error| JsError::new(&error.to_string()))
}
