//! The host API: how a CRM page embeds the app and feeds it real record events.
//!
//! `mount(element, options)` returns a [`WidgetHandle`] with `emit(event)`, `setUser(user)`,
//! `setCatalog(catalog)`, `setConfig(document)` and `destroy()`. The app announces itself on the
//! element with `CustomEvent`s: `webhook-automations:execution` (each execution as it is created and
//! changes) and `webhook-automations:configchange` (the whole configuration document, without
//! secrets, whenever an admin changes it) — the host stores that document centrally and hands it to
//! every user's widget with `setConfig`, which is how automations run for every CRM user.
//! `docs/host-api.md` documents it with examples.

mod bridge;

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use webhook_engine::event::{Event, User};
use yew::AppHandle;

pub use bridge::{HostBridge, HostCommand, CONFIG_CHANGE_EVENT, EXECUTION_EVENT};
pub use webhook_automations_runtime::host::options::{self, HostOptions};

use crate::relay::RelayConnection;
use crate::ui::app::{App, AppProps};

/// A mounted app, as the host page holds it.
#[wasm_bindgen]
pub struct WidgetHandle {
    bridge: Rc<HostBridge>,
    app: Option<AppHandle<App>>,
}

/// Mounts the app into `element` (any element the page owns) with `options`:
/// `{ user, catalog, config, relay, hashRouting, sandbox }`, all optional. Throws an `Error` naming what is wrong
/// with the options.
#[wasm_bindgen]
pub fn mount(element: web_sys::Element, options: JsValue) -> Result<WidgetHandle, JsError> {
    let options = HostOptions::from_js(options).map_err(|message| JsError::new(&message))?;
    let bridge = HostBridge::new(element.clone());
    if let Some(catalog) = options.catalog {
        bridge.send(HostCommand::SetCatalog(catalog));
    }
    if let Some(relay) = options.relay {
        bridge.send(HostCommand::SetRelay(relay));
    }
    if let Some(document) = options.config {
        bridge.send(HostCommand::SetConfig(document));
    }
    let props = AppProps {
        hash_routing: options.hash_routing,
        sandbox: options.sandbox,
        user: options.user,
        host: Some(bridge.clone()),
    };
    let app = yew::Renderer::<App>::with_root_and_props(element, props).render();
    Ok(WidgetHandle {
        bridge,
        app: Some(app),
    })
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Runs the automations a CRM record event triggers (the event format of docs/formats.md).
    /// Returns false when an event with the same id was seen before (it is then ignored).
    pub fn emit(&self, event: JsValue) -> Result<bool, JsError> {
        let event: Event = options::from_js(event, "the event")?;
        Ok(self.bridge.emit(event))
    }

    /// The CRM user now using the widget: what they may manage follows their admin rights.
    #[wasm_bindgen(js_name = setUser)]
    pub fn set_user(&self, user: JsValue) -> Result<(), JsError> {
        let user: User = options::from_js(user, "the user")?;
        self.bridge.send(HostCommand::SetUser(user));
        Ok(())
    }

    /// The CRM's own field catalog (docs/formats.md).
    #[wasm_bindgen(js_name = setCatalog)]
    pub fn set_catalog(&self, catalog: JsValue) -> Result<(), JsError> {
        let catalog = options::catalog_from_js(catalog)?;
        self.bridge.send(HostCommand::SetCatalog(catalog));
        Ok(())
    }

    /// The shared configuration document the host stores centrally; it replaces this browser's copy
    /// (credentials of unchanged webhooks are kept).
    #[wasm_bindgen(js_name = setConfig)]
    pub fn set_config(&self, document: JsValue) -> Result<(), JsError> {
        let document = options::config_from_js(document)?;
        self.bridge.send(HostCommand::SetConfig(document));
        Ok(())
    }

    /// The relay this page's users hand events over to: `{ url, eventsToken }` (docs/host-api.md).
    #[wasm_bindgen(js_name = setRelay)]
    pub fn set_relay(&self, relay: JsValue) -> Result<(), JsError> {
        let relay: options::HostRelay = options::from_js(relay, "the relay")?;
        self.bridge
            .send(HostCommand::SetRelay(RelayConnection::from(relay)));
        Ok(())
    }

    /// Unmounts the app; calling it twice is harmless.
    pub fn destroy(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        self.bridge.detach();
    }
}
