//! `connectApp(hosted, catalog)`: the named JavaScript interface through which the app's module
//! drives this page's deliveries. The two wasm modules share no memory, so what crosses is JSON
//! text: events, the configuration in force (with the credentials deliveries need: it never leaves
//! the page), executions and problems. The app's page and a CRM's settings page load both modules;
//! the page then runs one dispatcher, this module's, whichever of `createRuntime` and the app
//! started it.

use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use webhook_engine::catalog::Catalog;
use webhook_engine::event::User;
use webhook_engine::json_errors::scrub_quoted;
use webhook_engine::model::{Automation, Webhook};

use super::start::start;
use crate::deliveries::{Deliveries, Listening};

/// The page's deliveries, as the app's module holds them.
#[wasm_bindgen]
pub struct AppPort {
    deliveries: Rc<dyn Deliveries>,
}

/// A listener registered through the port; `free()` removes it.
#[wasm_bindgen]
pub struct PortListener {
    _listening: Listening,
}

/// The configuration in force, as the app hands it over.
#[derive(Deserialize)]
struct InForce {
    webhooks: Vec<Webhook>,
    automations: Vec<Automation>,
    revision: u64,
}

/// Opens this browser's storage as the app's page may (`hosted`: a CRM page embeds the app, and
/// owns the data) and joins the page's dispatcher, or starts it planning with `catalog` (JSON).
/// The app reports storage problems itself, from its own connection.
#[wasm_bindgen(js_name = connectApp)]
pub async fn connect_app(hosted: bool, catalog: String) -> Result<AppPort, JsError> {
    crate::web_url::install();
    let catalog = Catalog::from_json(&catalog).map_err(|error| JsError::new(&error.to_string()))?;
    let started = start(hosted, catalog, &|_| {}).await;
    Ok(AppPort {
        deliveries: Rc::new(started.dispatcher),
    })
}

#[wasm_bindgen]
impl AppPort {
    /// Runs the automations the event (JSON) triggers; false when its id was seen before.
    pub fn emit(&self, event: &str) -> Result<bool, JsError> {
        Ok(self.deliveries.emit(read(event, "event")?))
    }

    /// Sends a recorded execution's request again, asked for by `by` (both JSON).
    pub fn replay(&self, execution: &str, by: &str) -> Result<(), JsError> {
        let by: User = read(by, "user")?;
        self.deliveries.replay(&read(execution, "execution")?, &by);
        Ok(())
    }

    /// Sends one sample request to the webhook (JSON) for `by`; resolves to the execution (JSON).
    pub fn test(&self, webhook: &str, by: &str) -> Result<js_sys::Promise, JsError> {
        let (webhook, by): (Webhook, User) = (read(webhook, "webhook")?, read(by, "user")?);
        let testing = self.deliveries.test(&webhook, &by);
        Ok(wasm_bindgen_futures::future_to_promise(async move {
            let execution = testing.await;
            serde_json::to_string(&execution)
                .map(JsValue::from)
                .map_err(|error| JsError::new(&error.to_string()).into())
        }))
    }

    /// The configuration in force: `{ webhooks, automations, revision }` (JSON).
    #[wasm_bindgen(js_name = setConfig)]
    pub fn set_config(&self, config: &str) -> Result<(), JsError> {
        let config: InForce = read(config, "configuration")?;
        self.deliveries
            .set_config(&config.webhooks, &config.automations, config.revision);
        Ok(())
    }

    /// The field catalog (JSON) events are planned with.
    #[wasm_bindgen(js_name = setCatalog)]
    pub fn set_catalog(&self, catalog: &str) -> Result<(), JsError> {
        let catalog =
            Catalog::from_json(catalog).map_err(|error| JsError::new(&error.to_string()))?;
        self.deliveries.set_catalog(catalog);
        Ok(())
    }

    #[wasm_bindgen(js_name = setMaxRunsPerMinute)]
    pub fn set_max_runs_per_minute(&self, limit: u32) {
        self.deliveries.set_max_runs_per_minute(limit);
    }

    /// The relay connection (JSON) whose events token takes this page's relay deliveries.
    #[wasm_bindgen(js_name = setRelay)]
    pub fn set_relay(&self, relay: &str) -> Result<(), JsError> {
        self.deliveries.set_relay(&read(relay, "relay connection")?);
        Ok(())
    }

    #[wasm_bindgen(js_name = releaseOutbox)]
    pub fn release_outbox(&self) {
        self.deliveries.release_outbox();
    }

    /// Calls `listener` with every execution (JSON) as it is created and changes.
    #[wasm_bindgen(js_name = onExecution)]
    pub fn on_execution(&self, listener: js_sys::Function) -> PortListener {
        let listening = self.deliveries.on_execution(Box::new(move |execution| {
            if let Ok(json) = serde_json::to_string(execution) {
                let _ = listener.call1(&JsValue::NULL, &JsValue::from(json));
            }
        }));
        PortListener {
            _listening: listening,
        }
    }

    /// Calls `listener` with every storage problem met while dispatching (a sentence for an admin).
    #[wasm_bindgen(js_name = onProblem)]
    pub fn on_problem(&self, listener: js_sys::Function) -> PortListener {
        let listening = self.deliveries.on_problem(Box::new(move |problem| {
            let _ = listener.call1(&JsValue::NULL, &JsValue::from(problem));
        }));
        PortListener {
            _listening: listening,
        }
    }
}

/// `json` read as `T`; otherwise an `Error` naming `what` it should have been (the two modules come
/// from different builds). Quoted values are left out of it: they may be credentials.
fn read<T: DeserializeOwned>(json: &str, what: &str) -> Result<T, JsError> {
    serde_json::from_str(json).map_err(|error| {
        JsError::new(&format!(
            "The delivery runtime could not read the {what} the app handed it ({}): load webhook-automations.js and webhook-automations-runtime.js from the same build.",
            scrub_quoted(&error.to_string())
        ))
    })
}
