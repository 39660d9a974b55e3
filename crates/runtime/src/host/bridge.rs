//! The bridge between the host page's handle and what runs behind it — the app (`mount`) or the
//! runtime alone (`createRuntime`), each a [`HostApp`]: commands from the host wait here until it
//! has started, and its news goes out as `CustomEvent`s on the element (or the runtime's `events`).

use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};

use serde::Serialize;
use wasm_bindgen::{JsError, JsValue};
use web_sys::{CustomEvent, CustomEventInit, EventTarget};
use webhook_engine::catalog::Catalog;
use webhook_engine::config::{ConfigDocument, ImportedConfig};
use webhook_engine::event::{Event, User};
use webhook_engine::model::{Automation, Webhook};
use webhook_engine::runner::Execution;

use super::options::{self, HostRelay};
use crate::deliveries::{Deliveries, Listening};
use crate::js_json::json_to_js;
use crate::relay::RelayConnection;

pub const EXECUTION_EVENT: &str = "webhook-automations:execution";
pub const CONFIG_CHANGE_EVENT: &str = "webhook-automations:configchange";

pub enum HostCommand {
    Emit(Event),
    SetUser(User),
    SetCatalog(Catalog),
    SetConfig(ConfigDocument),
    SetRelay(RelayConnection),
}

/// What a configuration adoption resolves to: what was adopted, or `None` when nothing was.
pub type Adopting = Pin<Box<dyn Future<Output = Option<ImportedConfig>>>>;

/// What runs behind a host bridge, once started: the app, or the runtime alone. The bridge hands the
/// page's deliveries the events and the configuration; the rest of each command is the host app's.
pub trait HostApp {
    /// The page's deliveries, once they run.
    fn deliveries(&self) -> Option<Rc<dyn Deliveries>>;
    /// Keeps a listener registered on the page's deliveries for as long as this host app lives.
    fn keep_listener(&self, listener: Listening);
    fn set_user(&self, user: User);
    fn set_relay(&self, relay: RelayConnection);
    /// The catalog the dispatcher now plans with, for whatever else shows or uses it.
    fn set_catalog(&self, catalog: Catalog);
    /// Stores a configuration document the host shares with every user (credentials that still
    /// apply are kept), resolving to what was adopted.
    fn adopt(&self, document: ConfigDocument) -> Adopting;
}

pub struct HostBridge {
    target: EventTarget,
    /// This bridge, for the adoptions it waits on.
    this: Weak<HostBridge>,
    app: RefCell<Option<Rc<dyn HostApp>>>,
    /// Commands waiting for the app to start, or for a configuration to be adopted: an event handed
    /// over after `setConfig` runs under that configuration, as the host meant.
    queued: RefCell<VecDeque<HostCommand>>,
    /// True while a configuration document is being stored.
    adopting_document: Cell<bool>,
    /// The host destroyed the widget: what it handed over before still runs (the page's dispatcher
    /// outlives the widget), nothing more is accepted.
    destroyed: Cell<bool>,
    /// What ends the host app once a destroyed widget's waiting commands have been applied.
    when_drained: RefCell<Option<Box<dyn FnOnce()>>>,
    /// The ids of the events queued until the app starts, so one handed over twice meanwhile is
    /// refused at once; once started, the page's dispatcher remembers ids (in a bounded window).
    queued_events: RefCell<HashSet<String>>,
    /// The configuration as last exchanged with the host (received or announced), as JSON: a change
    /// the host itself made is not announced back to it.
    shared: RefCell<Option<String>>,
    /// True from `setConfig` until the app shows that configuration: what the app shows meanwhile is
    /// the stale local copy, which must never be announced over the host's.
    adopting: Cell<bool>,
}

impl HostBridge {
    pub fn new(target: EventTarget) -> Rc<Self> {
        crate::web_url::install();
        Rc::new_cyclic(|this| HostBridge {
            target,
            this: this.clone(),
            app: RefCell::default(),
            queued: RefCell::default(),
            adopting_document: Cell::new(false),
            destroyed: Cell::new(false),
            when_drained: RefCell::default(),
            queued_events: RefCell::default(),
            shared: RefCell::default(),
            adopting: Cell::new(false),
        })
    }

    /// The options given at start that go through the bridge, queued until the host app starts.
    pub fn start_with(
        &self,
        catalog: Option<Catalog>,
        relay: Option<RelayConnection>,
        config: Option<ConfigDocument>,
    ) {
        if let Some(catalog) = catalog {
            self.send(HostCommand::SetCatalog(catalog));
        }
        if let Some(relay) = relay {
            self.send(HostCommand::SetRelay(relay));
        }
        if let Some(document) = config {
            self.send(HostCommand::SetConfig(document));
        }
    }

    /// The running host app, unless commands must wait (not started, or adopting).
    fn ready_app(&self) -> Option<Rc<dyn HostApp>> {
        if self.adopting_document.get() {
            return None;
        }
        self.app.borrow().clone()
    }

    /// Hands an event to the page's dispatcher (queued until the app has started); false when its id
    /// was seen before, by this widget or — once started — by any widget of the page.
    pub fn emit(&self, event: Event) -> bool {
        if self.destroyed.get() {
            return false;
        }
        let deliveries = self
            .ready_app()
            .filter(|_| self.queued.borrow().is_empty())
            .and_then(|app| app.deliveries());
        match deliveries {
            Some(deliveries) => deliveries.emit(event),
            None => {
                if !self.queued_events.borrow_mut().insert(event.id.clone()) {
                    return false;
                }
                self.queued.borrow_mut().push_back(HostCommand::Emit(event));
                true
            }
        }
    }

    /// `emit(event)` of a handle: false for an id seen before; an `Error` for an invalid event.
    pub fn emit_js(&self, event: JsValue) -> Result<bool, JsError> {
        let event: Event = options::from_js(event, "the event")?;
        Ok(self.emit(event))
    }

    /// `setUser(user)` of a handle.
    pub fn set_user_js(&self, user: JsValue) -> Result<(), JsError> {
        let user: User = options::from_js(user, "the user")?;
        self.send(HostCommand::SetUser(user));
        Ok(())
    }

    /// `setCatalog(catalog)` of a handle.
    pub fn set_catalog_js(&self, catalog: JsValue) -> Result<(), JsError> {
        let catalog = options::catalog_from_js(catalog)?;
        self.send(HostCommand::SetCatalog(catalog));
        Ok(())
    }

    /// `setConfig(document)` of a handle.
    pub fn set_config_js(&self, document: JsValue) -> Result<(), JsError> {
        let document = options::config_from_js(document)?;
        self.send(HostCommand::SetConfig(document));
        Ok(())
    }

    /// `setRelay({ url, eventsToken })` of a handle.
    pub fn set_relay_js(&self, relay: JsValue) -> Result<(), JsError> {
        let relay: HostRelay = options::from_js(relay, "the relay")?;
        self.send(HostCommand::SetRelay(RelayConnection::from(relay)));
        Ok(())
    }

    pub fn send(&self, command: HostCommand) {
        if self.destroyed.get() {
            return;
        }
        if self.ready_app().is_some() && self.queued.borrow().is_empty() {
            self.apply(command);
        } else {
            self.queued.borrow_mut().push_back(command);
        }
    }

    /// Called by the host app once its storage and dispatcher run: executions start going out as
    /// events and the commands the host sent meanwhile are applied in order.
    pub fn attach(&self, app: Rc<dyn HostApp>) {
        if let Some(deliveries) = app.deliveries() {
            let target = self.target.clone();
            let listener = deliveries.on_execution(Box::new(move |execution| {
                announce(&target, EXECUTION_EVENT, &summary(execution))
            }));
            app.keep_listener(listener);
        }
        *self.app.borrow_mut() = Some(app);
        self.apply_queued();
    }

    /// Applies the waiting commands in order, until one starts adopting a configuration. Once none
    /// waits, the configuration the host meant is in force and the outbox may resume.
    fn apply_queued(&self) {
        while let Some(app) = self.ready_app() {
            let Some(command) = self.queued.borrow_mut().pop_front() else {
                if let Some(deliveries) = app.deliveries() {
                    deliveries.release_outbox();
                }
                self.finish_if_drained();
                break;
            };
            if let HostCommand::Emit(event) = &command {
                self.queued_events.borrow_mut().remove(&event.id);
            }
            self.apply(command);
        }
    }

    /// The widget is gone: events it accepted still run — with the configuration, catalog and relay
    /// the host handed over before them, which they were meant to run under — and nothing after
    /// the last of them is applied; nothing more is accepted.
    pub fn detach(&self) {
        self.detach_then(Box::new(|| {}));
    }

    /// [`detach`](Self::detach), then `finish` (which ends the host app) once the host app has
    /// started and applied what waits: at once when nothing does. An app destroyed before it had
    /// started would otherwise never apply the events it accepted.
    pub fn detach_then(&self, finish: Box<dyn FnOnce()>) {
        self.destroyed.set(true);
        {
            let mut queued = self.queued.borrow_mut();
            let last_event = queued
                .iter()
                .rposition(|command| matches!(command, HostCommand::Emit(_)));
            queued.truncate(last_event.map_or(0, |index| index + 1));
        }
        *self.when_drained.borrow_mut() = Some(finish);
        self.apply_queued();
        if self.queued.borrow().is_empty() && !self.adopting_document.get() {
            self.finish_if_drained();
        }
    }

    /// Ends a destroyed widget's host app once nothing waits any more.
    fn finish_if_drained(&self) {
        if !self.destroyed.get() {
            return;
        }
        let finish = self.when_drained.borrow_mut().take();
        if let Some(finish) = finish {
            finish();
        }
    }

    /// A shared configuration is stored (or, refused by storage, in force in memory): the app will
    /// show it as `adopted` — sorted as its lists are, which is what is compared, whatever order the
    /// host wrote it in. When nothing was adopted, what the app shows is again the one to compare.
    fn adopted(&self, adopted: Option<&ImportedConfig>) {
        self.adopting_document.set(false);
        match adopted {
            Some(adopted) => {
                let shared = ConfigDocument::export(&adopted.webhooks, &adopted.automations)
                    .at_revision(adopted.revision);
                *self.shared.borrow_mut() = Some(shared.to_json());
            }
            None => {
                self.adopting.set(false);
                *self.shared.borrow_mut() = None;
            }
        }
    }

    /// Tells the host about the configuration after an admin changed it in the widget. The first
    /// configuration the app shows, and one the host sent, are not changes.
    pub fn configuration_changed(
        &self,
        webhooks: &[Webhook],
        automations: &[Automation],
        revision: u64,
    ) {
        let document = ConfigDocument::export(webhooks, automations).at_revision(revision);
        let json = document.to_json();
        let known = self.shared.borrow().clone();
        if self.adopting.get() {
            self.adopting.set(known.as_deref() != Some(json.as_str()));
            return;
        }
        match known {
            None => *self.shared.borrow_mut() = Some(json),
            Some(known) if known == json => {}
            Some(_) => {
                *self.shared.borrow_mut() = Some(json);
                announce(&self.target, CONFIG_CHANGE_EVENT, &document);
            }
        }
    }

    fn apply(&self, command: HostCommand) {
        let Some(app) = self.app.borrow().clone() else {
            return;
        };
        match command {
            HostCommand::Emit(event) => {
                if let Some(deliveries) = app.deliveries() {
                    deliveries.emit(event);
                }
            }
            HostCommand::SetUser(user) => app.set_user(user),
            HostCommand::SetRelay(relay) => app.set_relay(relay),
            HostCommand::SetCatalog(catalog) => {
                if let Some(deliveries) = app.deliveries() {
                    deliveries.set_catalog(catalog.clone());
                }
                app.set_catalog(catalog);
            }
            HostCommand::SetConfig(document) => {
                self.adopting.set(true);
                self.adopting_document.set(true);
                // Held strongly until the adoption ends: events it holds back must still run if
                // the host destroys the widget (and drops its handle) meanwhile.
                let (adopting, this) = (app.adopt(document), self.this.upgrade());
                wasm_bindgen_futures::spawn_local(async move {
                    let adopted = adopting.await;
                    // Events waiting behind it run under the adopted configuration at once, not
                    // after the app's next render hands it to the dispatcher.
                    if let (Some(adopted), Some(deliveries)) = (&adopted, app.deliveries()) {
                        deliveries.set_config(
                            &adopted.webhooks,
                            &adopted.automations,
                            adopted.revision,
                        );
                    }
                    if let Some(bridge) = this {
                        bridge.adopted(adopted.as_ref());
                        bridge.apply_queued();
                    }
                });
            }
        }
    }
}

/// What the host learns of an execution: enough to show and count it, nothing of the request.
fn summary(execution: &Execution) -> Summary<'_> {
    let last = execution.attempts.last();
    Summary {
        id: &execution.id,
        automation_id: &execution.automation_id,
        automation_name: &execution.automation_name,
        webhook_id: &execution.webhook_id,
        webhook_name: execution.webhook_name.as_deref(),
        event_id: &execution.event.id,
        entity: &execution.event.entity,
        action: &execution.event.action,
        record_id: execution.event.record_id.as_ref(),
        user: SummaryUser {
            id: execution.user.id,
            name: &execution.user.name,
        },
        status: &execution.status,
        reason: execution.reason.as_deref(),
        http_status: last
            .and_then(|attempt| attempt.response.as_ref())
            .map(|response| response.status),
        attempts: execution.attempts.len(),
        created_at_ms: execution.created_at_ms,
        finished_at_ms: execution.finished_at_ms,
    }
}

/// The detail of an execution event, written straight to JSON text (no `serde_json::Value` built
/// on the way: it is sent for every run at every change).
#[derive(Serialize)]
struct Summary<'a> {
    id: &'a str,
    automation_id: &'a str,
    automation_name: &'a str,
    webhook_id: &'a str,
    webhook_name: Option<&'a str>,
    event_id: &'a str,
    entity: &'a str,
    action: &'a webhook_engine::model::EventAction,
    record_id: Option<&'a serde_json::Value>,
    user: SummaryUser<'a>,
    status: &'a webhook_engine::runner::Status,
    reason: Option<&'a str>,
    http_status: Option<u16>,
    attempts: usize,
    created_at_ms: i64,
    finished_at_ms: Option<i64>,
}

#[derive(Serialize)]
struct SummaryUser<'a> {
    id: u64,
    name: &'a str,
}

pub fn announce(target: &EventTarget, name: &str, detail: &impl Serialize) {
    let Ok(detail) = json_to_js(detail) else {
        return;
    };
    let init = CustomEventInit::new();
    init.set_detail(&detail);
    init.set_bubbles(true);
    init.set_composed(true);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = target.dispatch_event(&event);
    }
}
