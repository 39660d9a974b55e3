//! The dispatcher: accepts record events (sandbox, host API), asks the engine which deliveries they
//! cause, keeps each in the IndexedDB outbox before sending, delivers with `fetch`, and records every
//! execution. Delivery is at least once: a reload resumes the outbox with the same execution ids
//! (`webhook-id`), and one tab at a time dispatches (Web Locks).

mod environment;
mod lock;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

use serde::Serialize;
use webhook_engine::catalog::Catalog;
use webhook_engine::event::{Event, User};
use webhook_engine::model::{Automation, Webhook};
use webhook_engine::runner::{
    attempt, plan, replay, CompiledConfig, Execution, FrequencyGuard, Planned, Status,
    MAX_CONCURRENT_PER_WEBHOOK,
};

pub use environment::BrowserEnvironment;

use crate::http::{sleep_ms, FetchTransport};
use crate::storage::{ChangeNotice, Store, Subscription};

/// How many recent event ids are remembered to ignore an event emitted twice.
const REMEMBERED_EVENTS: usize = 10_000;

/// Told about every execution as it is created and changes.
type Listener = Rc<dyn Fn(&Execution)>;

/// What became of an emitted event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// Deliveries were queued (possibly none: no automation matched).
    Deliveries(usize),
    /// The event id was seen before; nothing was done.
    Duplicate,
}

pub struct Dispatcher {
    store: Option<Rc<Store>>,
    catalog: RefCell<Rc<Catalog>>,
    config: RefCell<Rc<CompiledConfig>>,
    guard: RefCell<FrequencyGuard>,
    seen: RefCell<(HashSet<String>, VecDeque<String>)>,
    /// Executions being delivered by this tab, so a resume never starts one twice.
    running: RefCell<HashSet<String>>,
    in_flight: RefCell<HashMap<String, usize>>,
    waiting: RefCell<VecDeque<Planned>>,
    /// Whether this tab holds the dispatcher lock (or the browser has no locks).
    dispatching: Cell<bool>,
    listeners: RefCell<Vec<(u64, Listener)>>,
    next_listener: Cell<u64>,
    outbox_subscription: RefCell<Option<Subscription>>,
}

impl Dispatcher {
    pub fn new(
        store: Option<Rc<Store>>,
        catalog: Catalog,
        max_runs_per_minute: u32,
    ) -> Rc<Dispatcher> {
        let dispatcher = Rc::new(Dispatcher {
            store,
            config: RefCell::new(Rc::new(CompiledConfig::compile(&catalog, &[], &[]))),
            catalog: RefCell::new(Rc::new(catalog)),
            guard: RefCell::new(FrequencyGuard::new(max_runs_per_minute)),
            seen: RefCell::default(),
            running: RefCell::default(),
            in_flight: RefCell::default(),
            waiting: RefCell::default(),
            dispatching: Cell::new(false),
            listeners: RefCell::default(),
            next_listener: Cell::new(0),
            outbox_subscription: RefCell::default(),
        });
        dispatcher.take_turn();
        dispatcher
    }

    /// Waits for the dispatcher lock, then resumes the outbox and follows other tabs' additions to it.
    fn take_turn(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let on_granted = move || {
            if let Some(dispatcher) = weak.upgrade() {
                dispatcher.dispatching.set(true);
                dispatcher.follow_outbox();
                dispatcher.resume();
            }
        };
        if !lock::request_dispatcher_lock(on_granted.clone()) {
            on_granted();
        }
    }

    fn follow_outbox(self: &Rc<Self>) {
        let Some(store) = &self.store else { return };
        let weak = Rc::downgrade(self);
        let subscription = store.on_change(move |notice| {
            if let (ChangeNotice::Outbox, Some(dispatcher)) = (notice, weak.upgrade()) {
                dispatcher.resume();
            }
        });
        *self.outbox_subscription.borrow_mut() = Some(subscription);
    }

    /// Uses this configuration from now on (deliveries already planned keep their execution ids).
    pub fn set_config(&self, webhooks: &[Webhook], automations: &[Automation]) {
        let compiled = CompiledConfig::compile(&self.catalog.borrow(), webhooks, automations);
        *self.config.borrow_mut() = Rc::new(compiled);
    }

    pub fn set_catalog(&self, catalog: Catalog) {
        let config = self.config.borrow().clone();
        let automations: Vec<Automation> = config
            .automations
            .iter()
            .map(|compiled| compiled.automation.clone())
            .collect();
        *self.catalog.borrow_mut() = Rc::new(catalog);
        self.set_config(&config.webhooks, &automations);
    }

    pub fn set_max_runs_per_minute(&self, limit: u32) {
        self.guard.borrow_mut().set_limit(limit);
    }

    /// The page's dispatcher: every app mounted in this page shares one, so an event is delivered
    /// once however many widgets show it. The first app to start creates it with `create`.
    pub fn shared(create: impl FnOnce() -> Rc<Dispatcher>) -> Rc<Dispatcher> {
        PAGE_DISPATCHER.with(|page| page.borrow_mut().get_or_insert_with(create).clone())
    }

    /// Calls `listener` with every execution as it is created and each time it changes, until the
    /// returned guard is dropped.
    pub fn on_execution(self: &Rc<Self>, listener: impl Fn(&Execution) + 'static) -> ListenerGuard {
        let id = self.next_listener.get();
        self.next_listener.set(id + 1);
        self.listeners.borrow_mut().push((id, Rc::new(listener)));
        ListenerGuard {
            dispatcher: Rc::downgrade(self),
            id,
        }
    }

    /// Runs the automations `event` triggers. An event id this page saw before is ignored at once;
    /// one that another tab or an earlier visit ran is ignored as soon as storage says so.
    pub fn emit(self: &Rc<Self>, event: Event) -> Accepted {
        if !self.remember(&event.id) {
            return Accepted::Duplicate;
        }
        let config = self.config.borrow().clone();
        let catalog = self.catalog.borrow().clone();
        let mut planned = plan(&config, &catalog, &event, &mut BrowserEnvironment).planned;
        let count = planned.len();
        let Some(store) = self.store.clone() else {
            self.admit(&mut planned);
            self.accept(planned);
            return Accepted::Deliveries(count);
        };
        let dispatcher = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // Admitted before the claim: a re-sent event then counts toward the loop guard, which
            // errs on the side of stopping a loop.
            dispatcher.admit(&mut planned);
            let executions: Vec<Execution> = planned
                .iter()
                .map(|delivery| delivery.execution.clone())
                .collect();
            let outbox: Vec<OutboxEntry> = planned
                .iter()
                .filter(|delivery| delivery.execution.status == Status::Pending)
                .map(outbox_entry)
                .collect();
            let now_ms = js_sys::Date::now() as i64;
            match store
                .claim_event_and_record(&event.id, now_ms, &executions, &outbox)
                .await
            {
                Ok(true) => dispatcher.start(planned),
                Ok(false) => web_sys::console::info_1(
                    &format!(
                        "Webhook Automations: event \"{}\" already ran in this browser; ignored.",
                        event.id
                    )
                    .into(),
                ),
                // Running an event twice is better than losing it.
                Err(error) => {
                    web_sys::console::warn_1(
                        &format!("Webhook Automations: could not check whether event \"{}\" ran before: {error}", event.id)
                            .into(),
                    );
                    dispatcher.accept(planned);
                }
            }
        });
        Accepted::Deliveries(count)
    }

    /// Passes new executions through the frequency guard.
    fn admit(&self, planned: &mut [Planned]) {
        let now_ms = js_sys::Date::now() as i64;
        for delivery in planned {
            self.guard
                .borrow_mut()
                .admit(&mut delivery.execution, now_ms);
        }
    }

    /// Sends `original`'s recorded request again as a new execution, asked for by `by`.
    pub fn replay(self: &Rc<Self>, original: &Execution, by: &User) {
        let config = self.config.borrow().clone();
        let planned = replay(&config, original, by, &mut BrowserEnvironment);
        self.accept(vec![planned]);
    }

    fn remember(&self, event_id: &str) -> bool {
        let mut seen = self.seen.borrow_mut();
        if !seen.0.insert(event_id.to_string()) {
            return false;
        }
        seen.1.push_back(event_id.to_string());
        if seen.1.len() > REMEMBERED_EVENTS {
            if let Some(oldest) = seen.1.pop_front() {
                seen.0.remove(&oldest);
            }
        }
        true
    }

    /// Records new executions, keeps the pending ones in the outbox, and starts them.
    fn accept(self: &Rc<Self>, planned: Vec<Planned>) {
        let dispatcher = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(store) = &dispatcher.store {
                let executions: Vec<Execution> = planned
                    .iter()
                    .map(|delivery| delivery.execution.clone())
                    .collect();
                if let Err(error) = store.put_executions(&executions).await {
                    web_sys::console::warn_1(
                        &format!("Webhook Automations: the history could not be saved: {error}")
                            .into(),
                    );
                }
                for delivery in planned
                    .iter()
                    .filter(|delivery| delivery.execution.status == Status::Pending)
                {
                    let _ = store.put_outbox(&outbox_entry(delivery)).await;
                }
            }
            dispatcher.start(planned);
        });
    }

    /// Announces recorded executions and sends the pending ones when this tab dispatches
    /// (otherwise the dispatching tab picks them up from the outbox).
    fn start(self: &Rc<Self>, planned: Vec<Planned>) {
        for delivery in &planned {
            self.announce(&delivery.execution);
        }
        if self.dispatching.get() || self.store.is_none() {
            for delivery in planned
                .into_iter()
                .filter(|delivery| delivery.execution.status == Status::Pending)
            {
                self.schedule(delivery);
            }
        }
    }

    /// Picks up every delivery in the outbox that this tab is not already sending: after a reload,
    /// the same execution (same `webhook-id`) is sent again.
    fn resume(self: &Rc<Self>) {
        let Some(store) = self.store.clone() else {
            return;
        };
        let dispatcher = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Ok(entries) = store.outbox().await else {
                return;
            };
            for entry in entries {
                // Read from text: a `Value` deserializer would add a second copy of serde's code.
                let Some(planned) = entry
                    .get("planned")
                    .and_then(|value| serde_json::from_str::<Planned>(&value.to_string()).ok())
                else {
                    continue;
                };
                if planned.execution.status == Status::Pending {
                    dispatcher.schedule(planned);
                }
            }
        });
    }

    /// Starts a delivery now, or queues it while its webhook already has the maximum in flight.
    fn schedule(self: &Rc<Self>, planned: Planned) {
        if !self
            .running
            .borrow_mut()
            .insert(planned.execution.id.clone())
        {
            return;
        }
        let webhook = planned.execution.webhook_id.clone();
        let busy = self.in_flight.borrow().get(&webhook).copied().unwrap_or(0)
            >= MAX_CONCURRENT_PER_WEBHOOK;
        if busy {
            self.running.borrow_mut().remove(&planned.execution.id);
            self.waiting.borrow_mut().push_back(planned);
            return;
        }
        *self.in_flight.borrow_mut().entry(webhook).or_default() += 1;
        let dispatcher = self.clone();
        wasm_bindgen_futures::spawn_local(async move { dispatcher.deliver(planned).await });
    }

    async fn deliver(self: Rc<Self>, mut planned: Planned) {
        // A due time in the future (a retry waiting when the page was reloaded) is honoured.
        if let Some(due) = planned.execution.next_attempt_at_ms {
            let wait = due - js_sys::Date::now() as i64;
            if wait > 0 {
                sleep_ms(wait as u64).await;
            }
        }
        loop {
            // Offline, an attempt could only fail: the delivery waits in the outbox instead and
            // goes out when the browser is back online.
            wait_until_online().await;
            let config = self.config.borrow().clone();
            let delay = attempt(
                &config,
                &mut planned,
                &FetchTransport,
                &mut BrowserEnvironment,
            )
            .await;
            self.persist(&planned).await;
            self.announce(&planned.execution);
            match delay {
                Some(delay) => sleep_ms(delay.ms).await,
                None => break,
            }
        }
        let webhook = planned.execution.webhook_id.clone();
        self.running.borrow_mut().remove(&planned.execution.id);
        if let Some(count) = self.in_flight.borrow_mut().get_mut(&webhook) {
            *count = count.saturating_sub(1);
        }
        let next = {
            let mut waiting = self.waiting.borrow_mut();
            let position = waiting
                .iter()
                .position(|queued| queued.execution.webhook_id == webhook);
            position.and_then(|index| waiting.remove(index))
        };
        if let Some(next) = next {
            self.schedule(next);
        }
    }

    /// Saves the execution after each attempt with its outbox entry, kept while it is pending and
    /// removed once it has ended, so a reload resumes from here.
    async fn persist(&self, planned: &Planned) {
        let Some(store) = &self.store else { return };
        let pending = (planned.execution.status == Status::Pending).then(|| outbox_entry(planned));
        let _ = store
            .record_attempt(&planned.execution, pending.as_ref())
            .await;
    }

    fn announce(&self, execution: &Execution) {
        let listeners: Vec<_> = self
            .listeners
            .borrow()
            .iter()
            .map(|(_, listener)| listener.clone())
            .collect();
        for listener in listeners {
            listener(execution);
        }
    }
}

/// Resolves at once when the browser is online, otherwise at its next `online` event.
async fn wait_until_online() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if window.navigator().on_line() {
        return;
    }
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let options = web_sys::AddEventListenerOptions::new();
        options.set_once(true);
        let _ = window.add_event_listener_with_callback_and_add_event_listener_options(
            "online", &resolve, &options,
        );
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

thread_local! {
    static PAGE_DISPATCHER: RefCell<Option<Rc<Dispatcher>>> = const { RefCell::new(None) };
}

/// Removes its execution listener when dropped (an app unmounted stops hearing about executions).
pub struct ListenerGuard {
    dispatcher: std::rc::Weak<Dispatcher>,
    id: u64,
}

impl Drop for ListenerGuard {
    fn drop(&mut self) {
        if let Some(dispatcher) = self.dispatcher.upgrade() {
            dispatcher
                .listeners
                .borrow_mut()
                .retain(|(id, _)| *id != self.id);
        }
    }
}

#[derive(Serialize)]
struct OutboxEntry<'a> {
    id: &'a str,
    planned: &'a Planned,
}

fn outbox_entry(planned: &Planned) -> OutboxEntry<'_> {
    OutboxEntry {
        id: &planned.execution.id,
        planned,
    }
}

/// Sends one sample request to `webhook` (the "Test webhook" button) and returns its classified
/// execution; nothing is recorded in the history.
pub async fn test_webhook(webhook: &Webhook, by: &User) -> Execution {
    let mut environment = BrowserEnvironment;
    let (config, mut planned) =
        webhook_engine::runner::test_delivery(webhook, by, &mut environment);
    webhook_engine::runner::deliver(&config, &mut planned, &FetchTransport, &mut environment).await;
    planned.execution
}
