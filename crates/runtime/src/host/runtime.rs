//! `createRuntime({ user, config, catalog, relay })`: the host API for a CRM page that shows no widget
//! but causes record events — every page, for every user. It runs what `mount` runs behind the
//! widget (the page's dispatcher over IndexedDB, fetch and Web Locks; the handover to the relay),
//! without the builder: its news goes out as the widget's `CustomEvent`s on the handle's `events`.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use serde_json::json;
use wasm_bindgen::prelude::*;
use web_sys::EventTarget;
use webhook_engine::catalog::Catalog;
use webhook_engine::config::ConfigDocument;
use webhook_engine::event::User;
use webhook_engine::settings::Settings;

use super::bridge::{announce, Adopting, HostApp, HostBridge};
use super::options::HostOptions;
use super::start::{adopt_document, start, Adoption, Started, SETTINGS_KEY};
use crate::deliveries::{Deliveries, Listening};
use crate::relay::{history, RelayConnection};
use crate::storage::{ChangeNotice, Store, Subscription};

/// A problem the runtime met on its own (storage full or unavailable): `detail` is `{ message }`.
const ERROR_EVENT: &str = "webhook-automations:error";

/// The running runtime, as its handle holds it.
#[wasm_bindgen]
pub struct RuntimeHandle {
    bridge: Rc<HostBridge>,
    events: EventTarget,
    runtime: Rc<RefCell<Slot>>,
}

/// Where the runtime behind a handle is: it starts once storage is open.
enum Slot {
    Starting,
    Running(Rc<Runtime>),
    Destroyed,
}

/// The runtime alone, as the host bridge drives it: the page's dispatcher kept in step with this
/// browser's stored configuration, settings and relay, as the app keeps it.
struct Runtime {
    events: EventTarget,
    store: Option<Rc<Store>>,
    deliveries: Rc<dyn Deliveries>,
    listeners: RefCell<Vec<Listening>>,
    subscription: RefCell<Option<Subscription>>,
    stored_relay: RefCell<RelayConnection>,
    host_relay: RefCell<Option<RelayConnection>>,
}

/// Starts the runtime with `options` (`{ user, catalog, config, relay }`, all optional) and returns
/// its handle; throws an `Error` naming what is wrong with the options.
#[wasm_bindgen(js_name = createRuntime)]
pub fn create_runtime(options: JsValue) -> Result<RuntimeHandle, JsError> {
    let options =
        HostOptions::from_js(options, "createRuntime").map_err(|message| JsError::new(&message))?;
    let events = EventTarget::new()
        .map_err(|_| JsError::new("this browser cannot create an EventTarget"))?;
    let bridge = HostBridge::new(events.clone());
    bridge.start_with(options.catalog, options.relay, options.config);
    let runtime = Rc::new(RefCell::new(Slot::Starting));
    wasm_bindgen_futures::spawn_local(run(bridge.clone(), events.clone(), runtime.clone()));
    Ok(RuntimeHandle {
        bridge,
        events,
        runtime,
    })
}

#[wasm_bindgen]
impl RuntimeHandle {
    /// Where the runtime's `CustomEvent`s go: `webhook-automations:execution`, `…:error`.
    #[wasm_bindgen(getter)]
    pub fn events(&self) -> EventTarget {
        self.events.clone()
    }

    /// Runs the automations a CRM record event triggers (the event format of docs/formats.md).
    /// Returns false when an event with the same id was seen before (it is then ignored).
    pub fn emit(&self, event: JsValue) -> Result<bool, JsError> {
        self.bridge.emit_js(event)
    }

    /// The CRM user now using the page.
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

    /// Stops announcing and accepting; the events it accepted still run. Calling it twice is harmless.
    pub fn destroy(&self) {
        self.bridge.detach();
        let slot = std::mem::replace(&mut *self.runtime.borrow_mut(), Slot::Destroyed);
        if let Slot::Running(runtime) = slot {
            runtime.stop();
        }
    }
}

/// Opens storage, starts the page's dispatcher under the stored configuration, then hands the
/// runtime to the bridge, which applies what the host sent meanwhile.
async fn run(bridge: Rc<HostBridge>, events: EventTarget, slot: Rc<RefCell<Slot>>) {
    let problem = {
        let events = events.clone();
        move |message: String| report(&events, message)
    };
    let Started {
        store, dispatcher, ..
    } = start(true, Catalog::builtin(), &problem).await;
    let runtime = Rc::new(Runtime {
        events,
        store: store.clone(),
        deliveries: Rc::new(dispatcher),
        listeners: RefCell::default(),
        subscription: RefCell::default(),
        stored_relay: RefCell::default(),
        host_relay: RefCell::default(),
    });
    let problems = runtime.deliveries.on_problem(Box::new(problem));
    runtime.keep_listener(problems);
    if let Some(store) = store {
        // Before the host's queued events run: they are planned under the stored configuration.
        runtime.reload_config().await;
        runtime.reload_settings().await;
        let weak = Rc::downgrade(&runtime);
        *runtime.subscription.borrow_mut() = Some(store.on_change(move |notice| {
            follow(weak.clone(), notice);
        }));
    }
    runtime.relay_changed();
    let destroyed = matches!(*slot.borrow(), Slot::Destroyed);
    bridge.attach(runtime.clone());
    if destroyed {
        runtime.stop();
    } else {
        *slot.borrow_mut() = Slot::Running(runtime);
    }
}

fn report(events: &EventTarget, message: String) {
    announce(events, ERROR_EVENT, &json!({ "message": message }));
}

/// Another tab (an admin's settings page) changed what this one runs with.
fn follow(runtime: Weak<Runtime>, notice: ChangeNotice) {
    let Some(runtime) = runtime.upgrade() else {
        return;
    };
    match notice {
        ChangeNotice::Config => {
            wasm_bindgen_futures::spawn_local(async move { runtime.reload_config().await })
        }
        ChangeNotice::Settings => {
            wasm_bindgen_futures::spawn_local(async move { runtime.reload_settings().await })
        }
        ChangeNotice::Executions
        | ChangeNotice::Outbox
        | ChangeNotice::Handovers
        | ChangeNotice::Sandbox => {}
    }
}

impl Runtime {
    fn problem(&self, message: String) {
        report(&self.events, message);
    }

    /// The stored configuration is the one deliveries are planned under.
    async fn reload_config(&self) {
        let Some(store) = &self.store else { return };
        match store.load_config().await {
            Ok(config) => {
                self.deliveries
                    .set_config(&config.webhooks, &config.automations, config.revision)
            }
            Err(error) => self.problem(error.to_string()),
        }
    }

    /// The loop guard's limit and the relay connection saved in this browser.
    async fn reload_settings(&self) {
        let Some(store) = &self.store else { return };
        match store.get_setting::<Settings>(SETTINGS_KEY).await {
            Ok(Some(settings)) => self
                .deliveries
                .set_max_runs_per_minute(settings.max_runs_per_minute),
            Ok(None) => {}
            Err(error) => self.problem(error.to_string()),
        }
        match store
            .get_setting::<RelayConnection>(history::CONNECTION_KEY)
            .await
        {
            Ok(connection) => {
                *self.stored_relay.borrow_mut() = connection.unwrap_or_default();
                self.relay_changed();
            }
            Err(error) => self.problem(error.to_string()),
        }
    }

    /// The dispatcher hands relay deliveries to the page's relay (see [`RelayConnection::for_page`]).
    fn relay_changed(&self) {
        let relay = RelayConnection::for_page(
            self.host_relay.borrow().as_ref(),
            &self.stored_relay.borrow(),
        );
        self.deliveries.set_relay(&relay);
    }

    /// No more news to the host page and no more following other tabs.
    fn stop(&self) {
        self.listeners.borrow_mut().clear();
        self.subscription.borrow_mut().take();
    }
}

impl HostApp for Runtime {
    fn deliveries(&self) -> Option<Rc<dyn Deliveries>> {
        Some(self.deliveries.clone())
    }

    fn keep_listener(&self, listener: Listening) {
        self.listeners.borrow_mut().push(listener);
    }

    /// Automations run for whichever user causes an event (the event names them); the user only
    /// decides what the builder lets them manage, and there is no builder here.
    fn set_user(&self, _user: User) {}

    fn set_relay(&self, relay: RelayConnection) {
        *self.host_relay.borrow_mut() = Some(relay);
        self.relay_changed();
    }

    /// The dispatcher plans with it already; nothing else here shows a catalog.
    fn set_catalog(&self, _catalog: Catalog) {}

    fn adopt(&self, document: ConfigDocument) -> Adopting {
        let (store, events) = (self.store.clone(), self.events.clone());
        Box::pin(async move {
            let problem = |message: String| report(&events, message);
            adopt_document(store, document, Adoption::Shared, &problem).await
        })
    }
}
