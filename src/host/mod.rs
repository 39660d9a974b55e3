//! The host API: how a CRM page embeds the app and feeds it real record events.
//!
//! `mount(element, options)` returns a [`WidgetHandle`] with `emit(event)`, `setUser(user)`,
//! `setCatalog(catalog)`, `setConfig(document)` and `destroy()`. The app announces itself on the
//! element with `CustomEvent`s: `webhook-automations:execution` (each execution as it is created and
//! changes) and `webhook-automations:configchange` (the whole configuration document, without
//! secrets, whenever an admin changes it) — the host stores that document centrally and hands it to
//! every user's widget with `setConfig`, which is how automations run for every CRM user.
//! `docs/host-api.md` documents it with examples. The bridge itself is the runtime's, shared with
//! `createRuntime`; the app is its [`HostApp`].

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use webhook_engine::catalog::Catalog;
use webhook_engine::config::ConfigDocument;
use webhook_engine::event::User;
use yew::{AppHandle, UseReducerDispatcher};

pub use webhook_automations_runtime::host::options::{self, HostOptions};
pub use webhook_automations_runtime::host::{
    HostApp, HostBridge, HostCommand, CONFIG_CHANGE_EVENT, EXECUTION_EVENT,
};

use crate::deliveries::{Deliveries, Listening};
use crate::page_runtime::RuntimeModule;
use crate::relay::RelayConnection;
use crate::services::{Adoption, Services};
use crate::state::{AppAction, AppState};
use crate::ui::app::{App, AppProps};
use webhook_automations_runtime::host::bridge::Adopting;

/// A mounted app, as the host page holds it.
#[wasm_bindgen]
pub struct WidgetHandle {
    bridge: Rc<HostBridge>,
    app: Option<AppHandle<App>>,
}

/// The running app as the host bridge drives it: its storage effects and its state.
pub struct MountedApp {
    pub services: Services,
    pub dispatch: UseReducerDispatcher<AppState>,
}

impl HostApp for MountedApp {
    fn deliveries(&self) -> Option<Rc<dyn Deliveries>> {
        self.services.deliveries()
    }

    fn keep_listener(&self, listener: Listening) {
        self.services.keep_listener(listener);
    }

    fn set_user(&self, user: User) {
        self.dispatch.dispatch(AppAction::SetUser(user));
    }

    fn set_relay(&self, relay: RelayConnection) {
        self.dispatch.dispatch(AppAction::RelayFromHost(relay));
    }

    fn set_catalog(&self, catalog: Catalog) {
        self.dispatch.dispatch(AppAction::SetCatalog(catalog));
    }

    fn adopt(&self, document: ConfigDocument) -> Adopting {
        let (services, dispatch) = (self.services.clone(), self.dispatch.clone());
        Box::pin(async move {
            services
                .adopt_document(dispatch, document, Adoption::Shared)
                .await
        })
    }
}

/// Mounts the app into `element` (any element the page owns) with `options`:
/// `{ runtime, user, catalog, config, relay, hashRouting, sandbox }`. `runtime`, the initialised
/// module `webhook-automations-runtime.js` (which sends what the app runs), is required; the others
/// are optional. Throws an `Error` naming what is wrong with the options.
#[wasm_bindgen]
pub fn mount(element: web_sys::Element, options: JsValue) -> Result<WidgetHandle, JsError> {
    let (runtime, options) = take_runtime(options).map_err(|message| JsError::new(&message))?;
    let options =
        HostOptions::from_js(options, "mount").map_err(|message| JsError::new(&message))?;
    let bridge = HostBridge::new(element.clone().into());
    bridge.start_with(options.catalog, options.relay, options.config);
    let props = AppProps {
        hash_routing: options.hash_routing,
        sandbox: options.sandbox,
        user: options.user,
        host: Some(bridge.clone()),
        runtime,
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
        self.bridge.emit_js(event)
    }

    /// The CRM user now using the widget: what they may manage follows their admin rights.
    #[wasm_bindgen(js_name = setUser)]
    pub fn set_user(&self, user: JsValue) -> Result<(), JsError> {
        self.bridge.set_user_js(user)
    }

    /// The CRM's own field catalog (docs/formats.md).
    #[wasm_bindgen(js_name = setCatalog)]
    pub fn set_catalog(&self, catalog: JsValue) -> Result<(), JsError> {
        self.bridge.set_catalog_js(catalog)
    }

    /// The shared configuration document the host stores centrally; it replaces this browser's copy
    /// (credentials of unchanged webhooks are kept).
    #[wasm_bindgen(js_name = setConfig)]
    pub fn set_config(&self, document: JsValue) -> Result<(), JsError> {
        self.bridge.set_config_js(document)
    }

    /// The relay this page's users hand events over to: `{ url, eventsToken }` (docs/host-api.md).
    #[wasm_bindgen(js_name = setRelay)]
    pub fn set_relay(&self, relay: JsValue) -> Result<(), JsError> {
        self.bridge.set_relay_js(relay)
    }

    /// Unmounts the app; calling it twice is harmless. Events accepted before still run: an app
    /// that has not started yet stays (unseen behind its loading state) until it has handed them —
    /// and the configuration sent before them — to the page's runtime.
    pub fn destroy(&mut self) {
        let Some(app) = self.app.take() else {
            return;
        };
        let destroying = Rc::new(Cell::new(true));
        let during_destroy = destroying.clone();
        self.bridge.detach_then(Box::new(move || {
            if during_destroy.get() {
                app.destroy();
            } else {
                // Called from the app's own effect or task: it is unmounted once that has returned.
                wasm_bindgen_futures::spawn_local(async move { app.destroy() });
            }
        }));
        destroying.set(false);
    }
}

/// `options.runtime`, and the other options (a copy: the host's object is left as it was).
fn take_runtime(options: JsValue) -> Result<(RuntimeModule, JsValue), String> {
    let runtime = if options.is_object() {
        js_sys::Reflect::get(&options, &JsValue::from_str("runtime")).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    };
    let runtime =
        RuntimeModule::from_js(runtime).map_err(|problem| format!("mount options: {problem}"))?;
    let rest = js_sys::Object::assign(&js_sys::Object::new(), options.unchecked_ref());
    js_sys::Reflect::delete_property(&rest, &JsValue::from_str("runtime"))
        .map_err(|_| "mount options: they cannot be read".to_owned())?;
    Ok((runtime, rest.into()))
}
