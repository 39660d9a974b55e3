//! The dispatcher: the browser's shell around the engine's [`Scheduler`], which decides which
//! delivery goes when. It accepts record events (sandbox, host API), asks the engine which
//! deliveries they cause, keeps each in the IndexedDB outbox before sending, makes the attempts the
//! scheduler starts with `fetch`, records every execution, and tells the app about every run and
//! every storage problem ([`Dispatcher::on_problem`]). Delivery is at least once: a reload resumes
//! the outbox with the same execution ids (`webhook-id`), and one tab at a time dispatches (Web
//! Locks). A delivery this tab could not leave in the outbox is sent by this tab, from memory,
//! whichever tab dispatches: no one else could send it.

mod commit;
mod environment;
mod handover;
mod lock;
mod problem;

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;

use serde::Serialize;
use webhook_engine::catalog::Catalog;
use webhook_engine::event::{Event, User};
use webhook_engine::model::{Automation, Route, Webhook};
use webhook_engine::runner::{
    attempt, plan, replay, CompiledConfig, Environment, Execution, FrequencyGuard, Planned,
    Scheduler, Status, Work,
};

pub use environment::BrowserEnvironment;
pub use handover::Handover;
pub use problem::DispatchProblem;

use crate::http::{sleep_ms, FetchTransport};
use crate::relay::RelayClient;
use crate::storage::{AttemptRecord, ChangeNotice, ClosedBy, EventClaim, Store, Subscription};
use commit::GroupCommit;

/// Told about every execution as it is created and changes.
type Listener = Rc<dyn Fn(&Execution)>;
/// Told about every storage problem while dispatching.
type ProblemListener = Rc<dyn Fn(&DispatchProblem)>;

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
    scheduler: RefCell<Scheduler>,
    /// Whether this tab holds the dispatcher lock (or the browser has no locks).
    dispatching: Cell<bool>,
    /// Whether the outbox may be resumed: only under the configuration in force — the stored one,
    /// or the one the host page is handing over — or a delivery resumed after a reload would be
    /// attempted against an empty or stale configuration (ended as "webhook deleted", or sent to an
    /// endpoint the host has moved).
    outbox_released: Cell<bool>,
    listeners: RefCell<Vec<(u64, Listener)>>,
    problem_listeners: RefCell<Vec<(u64, ProblemListener)>>,
    next_listener: Cell<u64>,
    outbox_subscription: RefCell<Option<Subscription>>,
    /// The time the wake-up timer is set for, so a later one is not set beside it.
    wake_at: Cell<Option<i64>>,
    /// The relay that takes this page's relay deliveries (its events token), when one is known.
    relay: RefCell<Option<RelayClient>>,
    /// The configuration revision deliveries are planned under (what the relay is told).
    revision: Cell<u64>,
    /// A handover round is under way; the wait before the next one while the relay cannot take.
    handing_over: Cell<bool>,
    handover_again: Cell<bool>,
    handover_wait_ms: Cell<u64>,
    /// Handovers waiting, when there is no storage.
    memory_handovers: RefCell<Vec<Handover>>,
    /// Claims of emitted events and records of attempts, several in one transaction under load.
    claims: Rc<GroupCommit<EventClaim>>,
    attempts: Rc<GroupCommit<AttemptRecord>>,
    /// The deliveries this tab sends that have no outbox entry (storage refused their claim):
    /// no other tab can see them.
    unstored: RefCell<HashSet<String>>,
    /// Another tab deleted the database, outbox and all: whatever this tab holds, only it can send.
    outbox_gone: Cell<bool>,
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
            scheduler: RefCell::default(),
            dispatching: Cell::new(false),
            outbox_released: Cell::new(false),
            listeners: RefCell::default(),
            problem_listeners: RefCell::default(),
            next_listener: Cell::new(0),
            outbox_subscription: RefCell::default(),
            wake_at: Cell::new(None),
            relay: RefCell::default(),
            revision: Cell::new(0),
            handing_over: Cell::new(false),
            handover_again: Cell::new(false),
            handover_wait_ms: Cell::new(1_000),
            memory_handovers: RefCell::default(),
            claims: Rc::default(),
            attempts: Rc::default(),
            unstored: RefCell::default(),
            outbox_gone: Cell::new(false),
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
                if dispatcher.outbox_released.get() {
                    dispatcher.start_dispatching();
                }
            }
        };
        // Without storage there is no outbox to share: this page sends what it started itself,
        // and must not hold the lock a page with the outbox waits for.
        let Some(store) = &self.store else {
            on_granted();
            return;
        };
        let lock = lock::request_dispatcher_lock(store.name(), on_granted.clone());
        let locks = lock.is_some();
        // Once another tab's upgrade or delete closes this page's storage, its outbox is out of
        // reach from here: the lock goes to a tab that can still read it. Without Web Locks (a
        // page served over plain http) every tab dispatches, and this one stops all the same.
        let weak = Rc::downgrade(self);
        store.on_closed(move |by| {
            if let Some(lock) = lock.as_ref() {
                lock.release();
            }
            if let Some(dispatcher) = weak.upgrade() {
                dispatcher.dispatching.set(false);
                dispatcher.let_go_of_the_outbox(by);
            }
        });
        if !locks {
            on_granted();
        }
    }

    /// Whether this tab holds the dispatcher lock: it is the one that sends the outbox's deliveries.
    pub fn dispatches(&self) -> bool {
        self.dispatching.get()
    }

    /// Whether this tab will still send the delivery `execution_id` (ready, waiting for a retry or
    /// under way): the question diagnostics and tests ask.
    pub fn holds(&self, execution_id: &str) -> bool {
        self.scheduler.borrow().knows(execution_id)
    }

    /// This page's storage was closed by another tab. After an upgrade, a tab of the newer version
    /// resumes the outbox: the retries held here that it has are that tab's to send from now on.
    /// After a deletion nobody else has them, so they are sent from here.
    fn let_go_of_the_outbox(&self, by: ClosedBy) {
        match by {
            ClosedBy::Upgrade => {
                let unstored = self.unstored.borrow();
                self.scheduler
                    .borrow_mut()
                    .release_stored(|id| !unstored.contains(id));
            }
            ClosedBy::Deletion => self.outbox_gone.set(true),
        }
    }

    /// Whether another tab can see this delivery in the outbox, and so send it.
    fn in_outbox(&self, execution_id: &str) -> bool {
        self.store.is_some()
            && !self.outbox_gone.get()
            && !self.unstored.borrow().contains(execution_id)
    }

    fn note_unstored(&self, planned: &[Planned]) {
        self.unstored.borrow_mut().extend(
            planned
                .iter()
                .filter(|delivery| delivery.execution.status == Status::Pending)
                .map(|delivery| delivery.execution.id.clone()),
        );
    }

    /// Resumes the outbox and follows other tabs' additions to it: once this tab dispatches and
    /// knows the configuration, whichever comes last.
    fn start_dispatching(self: &Rc<Self>) {
        self.follow_outbox();
        self.resume();
        self.hand_over_waiting();
    }

    fn follow_outbox(self: &Rc<Self>) {
        let Some(store) = &self.store else { return };
        let weak = Rc::downgrade(self);
        let subscription = store.on_change(move |notice| match (notice, weak.upgrade()) {
            (ChangeNotice::Outbox, Some(dispatcher)) => dispatcher.resume(),
            // Another tab stored an event for the relay: posted from here too, should that tab
            // close before the relay takes it.
            (ChangeNotice::Handovers, Some(dispatcher)) => dispatcher.hand_over_waiting(),
            _ => {}
        });
        *self.outbox_subscription.borrow_mut() = Some(subscription);
    }

    /// Uses this configuration from now on (deliveries already planned keep their execution ids).
    pub fn set_config(&self, webhooks: &[Webhook], automations: &[Automation]) {
        let compiled = CompiledConfig::compile(&self.catalog.borrow(), webhooks, automations);
        *self.config.borrow_mut() = Rc::new(compiled);
    }

    /// The revision of the configuration in force, which events handed to the relay carry.
    pub fn set_revision(&self, revision: u64) {
        self.revision.set(revision);
    }

    /// The relay this page hands events over to (`None`: none known); waiting events go at once.
    pub fn set_relay(self: &Rc<Self>, relay: Option<RelayClient>) {
        let known = relay.is_some();
        *self.relay.borrow_mut() = relay;
        if known {
            self.handover_wait_ms.set(1_000);
            self.hand_over_waiting();
        }
    }

    /// The configuration in force is known: the outbox may resume (once this tab dispatches).
    pub fn release_outbox(self: &Rc<Self>) {
        if !self.outbox_released.replace(true) && self.dispatching.get() {
            self.start_dispatching();
        }
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
        let id = self.listener_id();
        self.listeners.borrow_mut().push((id, Rc::new(listener)));
        ListenerGuard {
            dispatcher: Rc::downgrade(self),
            id,
        }
    }

    /// Calls `listener` with every storage problem met while dispatching (the app shows it to the
    /// admin), until the returned guard is dropped.
    pub fn on_problem(
        self: &Rc<Self>,
        listener: impl Fn(&DispatchProblem) + 'static,
    ) -> ListenerGuard {
        let id = self.listener_id();
        self.problem_listeners
            .borrow_mut()
            .push((id, Rc::new(listener)));
        ListenerGuard {
            dispatcher: Rc::downgrade(self),
            id,
        }
    }

    fn listener_id(&self) -> u64 {
        let id = self.next_listener.get();
        self.next_listener.set(id + 1);
        id
    }

    /// Runs the automations `event` triggers. An event id this page saw before is ignored at once;
    /// one that another tab or an earlier visit ran is ignored as soon as storage says so.
    pub fn emit(self: &Rc<Self>, event: Event) -> Accepted {
        if !self.scheduler.borrow_mut().first_sighting(&event.id) {
            return Accepted::Duplicate;
        }
        let config = self.config.borrow().clone();
        let catalog = self.catalog.borrow().clone();
        let all = plan(&config, &catalog, &event, &mut BrowserEnvironment).planned;
        let count = all.len();
        // The relay's deliveries are the relay's to send (and to pass through its loop guard):
        // this page records them as pending and hands the event over.
        let (for_relay, mut planned): (Vec<Planned>, Vec<Planned>) =
            all.into_iter().partition(|delivery| {
                delivery.execution.route == Route::Relay
                    && delivery.execution.status == Status::Pending
            });
        let handover = (!for_relay.is_empty()).then(|| Handover {
            id: event.id.clone(),
            event: event.clone(),
            revision: self.revision.get(),
            executions: for_relay
                .iter()
                .map(|delivery| delivery.execution.id.clone())
                .collect(),
        });
        // Admitted before the claim: a re-sent event then counts toward the loop guard, which errs
        // on the side of stopping a loop.
        self.admit(&mut planned);
        let Some(store) = self.store.clone() else {
            for delivery in &for_relay {
                self.announce(&delivery.execution);
            }
            self.memory_handovers.borrow_mut().extend(handover);
            self.begin(planned, true);
            self.hand_over_waiting();
            return Accepted::Deliveries(count);
        };
        let dispatcher = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let executions: Vec<Execution> = planned
                .iter()
                .chain(&for_relay)
                .map(|delivery| delivery.execution.clone())
                .collect();
            let outbox: Vec<OutboxEntry> = planned
                .iter()
                .filter(|delivery| delivery.execution.status == Status::Pending)
                .map(outbox_entry)
                .collect();
            let now_ms = BrowserEnvironment.now_ms();
            let claimed =
                match EventClaim::new(&event.id, now_ms, &executions, &outbox, handover.as_ref()) {
                    Ok(claim) => dispatcher.claims.write(&store, claim).await,
                    Err(error) => Err(error),
                };
            match claimed {
                Ok(true) => {
                    for delivery in &for_relay {
                        dispatcher.announce(&delivery.execution);
                    }
                    let here = dispatcher.dispatching.get();
                    dispatcher.begin(planned, here);
                    if handover.is_some() {
                        dispatcher.hand_over_waiting();
                    }
                }
                Ok(false) => web_sys::console::info_1(
                    &format!(
                        "Webhook Automations: event \"{}\" already ran in this browser; ignored.",
                        event.id
                    )
                    .into(),
                ),
                // Nothing was stored, so no other tab can send these: this one does. Running an
                // event twice is better than losing it.
                Err(error) => {
                    dispatcher.report(&mut planned, DispatchProblem::NotClaimed { error });
                    dispatcher.note_unstored(&planned);
                    dispatcher.begin(planned, true);
                    // Kept in memory: the relay keeps each event id once, so handing it over
                    // again later (from here or another tab) sends nothing twice.
                    dispatcher.memory_handovers.borrow_mut().extend(handover);
                    dispatcher.hand_over_waiting();
                }
            }
        });
        Accepted::Deliveries(count)
    }

    /// Passes new executions through the frequency guard.
    fn admit(&self, planned: &mut [Planned]) {
        let now_ms = BrowserEnvironment.now_ms();
        for delivery in planned {
            self.guard
                .borrow_mut()
                .admit(&mut delivery.execution, now_ms);
        }
    }

    /// Sends `original`'s recorded request again as a new execution, asked for by `by`.
    pub fn replay(self: &Rc<Self>, original: &Execution, by: &User) {
        let config = self.config.borrow().clone();
        let mut planned = replay(&config, original, by, &mut BrowserEnvironment);
        let Some(store) = self.store.clone() else {
            self.begin(vec![planned], true);
            return;
        };
        let dispatcher = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // The execution and its outbox entry in one transaction, like an attempt's result.
            let pending =
                (planned.execution.status == Status::Pending).then(|| outbox_entry(&planned));
            let stored = store
                .record_attempt(&planned.execution, pending.as_ref())
                .await;
            match stored {
                Ok(()) => {
                    let here = dispatcher.dispatching.get();
                    dispatcher.begin(vec![planned], here);
                }
                Err(error) => {
                    dispatcher.report(
                        std::slice::from_mut(&mut planned),
                        DispatchProblem::NotQueued { error },
                    );
                    dispatcher.note_unstored(std::slice::from_ref(&planned));
                    dispatcher.begin(vec![planned], true);
                }
            }
        });
    }

    /// Announces new executions, and schedules the pending ones when this tab is to send them
    /// (otherwise the dispatching tab picks them up from the outbox).
    fn begin(self: &Rc<Self>, planned: Vec<Planned>, here: bool) {
        for delivery in &planned {
            self.announce(&delivery.execution);
        }
        if here {
            let work = self
                .scheduler
                .borrow_mut()
                .add(planned, &BrowserEnvironment);
            self.perform(work);
        }
    }

    /// Reads the outbox and hands what it holds to the scheduler, which starts what this tab is not
    /// already sending: after a reload, the same execution (same `webhook-id`) is sent again.
    fn resume(self: &Rc<Self>) {
        let Some(store) = self.store.clone() else {
            return;
        };
        let dispatcher = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // Numbered just before the read's transaction opens (see `Scheduler::begin_outbox_read`).
            let read = dispatcher.scheduler.borrow_mut().begin_outbox_read();
            let work = match store.outbox().await {
                Ok(entries) => {
                    let planned: Vec<Planned> = entries
                        .iter()
                        .filter_map(|entry| dispatcher.read_entry(entry))
                        .collect();
                    dispatcher
                        .scheduler
                        .borrow_mut()
                        .resume(read, planned, &BrowserEnvironment)
                }
                Err(error) => {
                    dispatcher.tell(&DispatchProblem::OutboxUnreadable { error });
                    dispatcher
                        .scheduler
                        .borrow_mut()
                        .outbox_read_failed(read, &BrowserEnvironment)
                }
            };
            dispatcher.perform(work);
        });
    }

    /// The delivery an outbox entry holds; one that does not read is reported, not dropped silently.
    fn read_entry(&self, entry: &serde_json::Value) -> Option<Planned> {
        match read_outbox_entry(entry) {
            Ok(planned) => Some(planned),
            Err(reason) => {
                let id = entry.get("id").and_then(|id| id.as_str()).unwrap_or("?");
                self.tell(&DispatchProblem::EntryUnreadable {
                    id: id.to_string(),
                    reason,
                });
                None
            }
        }
    }

    /// Does what the scheduler says, then sets the timer for its next wake-up.
    fn perform(self: &Rc<Self>, work: Work) {
        for planned in work.start {
            wasm_bindgen_futures::spawn_local(self.clone().send(planned));
        }
        for planned in work.save_again {
            wasm_bindgen_futures::spawn_local(self.clone().save_again(planned));
        }
        if work.read_outbox {
            self.resume();
        }
        self.set_wake_up();
    }

    /// Sets one timer for the scheduler's next wake-up (a retry due, failed storage work to try
    /// again), unless one is already set for then or earlier.
    fn set_wake_up(self: &Rc<Self>) {
        let Some(at) = self.scheduler.borrow().next_wake() else {
            return;
        };
        if self.wake_at.get().is_some_and(|set| set <= at) {
            return;
        }
        self.wake_at.set(Some(at));
        let weak = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            let wait = at - BrowserEnvironment.now_ms();
            if wait > 0 {
                sleep_ms(wait as u64).await;
            }
            let Some(dispatcher) = weak.upgrade() else {
                return;
            };
            if dispatcher.wake_at.get() == Some(at) {
                dispatcher.wake_at.set(None);
            }
            let work = dispatcher.scheduler.borrow_mut().wake(&BrowserEnvironment);
            dispatcher.perform(work);
        });
    }

    /// Makes one attempt, records it, and reports it to the scheduler (which frees the webhook's
    /// place and keeps a retry until it is due).
    async fn send(self: Rc<Self>, mut planned: Planned) {
        // Offline, an attempt could only fail: the delivery waits (in the outbox too) and goes out
        // when the browser is back online.
        wait_until_online().await;
        let config = self.config.borrow().clone();
        attempt(
            &config,
            &mut planned,
            &FetchTransport,
            &mut BrowserEnvironment,
        )
        .await;
        if planned.execution.status != Status::Pending && self.store.is_some() {
            // Ended: the webhook's place is free at once, and the record is written meanwhile
            // (with others that end close by): the next delivery does not wait for the write.
            let work = self
                .scheduler
                .borrow_mut()
                .ending(&planned.execution.id, &BrowserEnvironment);
            self.perform(work);
            self.unstored.borrow_mut().remove(&planned.execution.id);
            let saved = self.persist(&mut planned).await;
            self.announce(&planned.execution);
            let work =
                self.scheduler
                    .borrow_mut()
                    .ending_stored(planned, saved, &BrowserEnvironment);
            self.perform(work);
            return;
        }
        let saved = self.persist(&mut planned).await;
        self.announce(&planned.execution);
        let id = &planned.execution.id;
        if saved {
            self.unstored.borrow_mut().remove(id);
        }
        let handed_over = planned.execution.status == Status::Pending
            && !self.dispatching.get()
            && self.in_outbox(id);
        let work = if handed_over {
            // This tab does not dispatch, and the outbox has the delivery: one this tab sent only
            // because it could not store it, now stored, or one it sent until another tab's
            // upgrade closed its storage. The dispatching tab sends its retry from here on.
            self.scheduler
                .borrow_mut()
                .handed_over(&planned.execution.id, &BrowserEnvironment)
        } else {
            self.scheduler
                .borrow_mut()
                .attempted(planned, saved, &BrowserEnvironment)
        };
        self.perform(work);
    }

    /// Saves the execution after an attempt with its outbox entry, kept while it is pending and
    /// removed once it has ended, so a reload resumes from here. On failure the problem is told
    /// and noted in the execution, which its next save then records.
    async fn persist(&self, planned: &mut Planned) -> bool {
        let Some(store) = &self.store else {
            return true;
        };
        let record = {
            let pending =
                (planned.execution.status == Status::Pending).then(|| outbox_entry(planned));
            AttemptRecord::new(&planned.execution, pending.as_ref())
        };
        let stored = match record {
            Ok(record) => self.attempts.write(store, record).await,
            Err(error) => Err(error),
        };
        match stored {
            Ok(()) => true,
            Err(error) => {
                let webhook = webhook_name(&planned.execution);
                self.report(
                    std::slice::from_mut(planned),
                    DispatchProblem::AttemptNotSaved { webhook, error },
                );
                false
            }
        }
    }

    /// Stores again the final record of a delivery whose end could not be saved, removing its
    /// outbox entry, and reports the result to the scheduler.
    async fn save_again(self: Rc<Self>, planned: Planned) {
        let stored = match &self.store {
            Some(store) => {
                store
                    .record_attempt::<OutboxEntry>(&planned.execution, None)
                    .await
            }
            None => Ok(()),
        };
        if let Err(error) = &stored {
            self.tell(&DispatchProblem::AttemptNotSaved {
                webhook: webhook_name(&planned.execution),
                error: error.clone(),
            });
        }
        let work = self.scheduler.borrow_mut().saved_again(
            &planned.execution.id,
            stored.is_ok(),
            &BrowserEnvironment,
        );
        self.perform(work);
    }

    /// Notes `problem` in these executions (stored with their next save) and tells the app.
    fn report(&self, planned: &mut [Planned], problem: DispatchProblem) {
        for delivery in planned {
            delivery.execution.problems.push(problem.to_string());
        }
        self.tell(&problem);
    }

    /// Tells the problem listeners; with none (no app listening) the console is the only place left.
    fn tell(&self, problem: &DispatchProblem) {
        let listeners: Vec<_> = self
            .problem_listeners
            .borrow()
            .iter()
            .map(|(_, listener)| listener.clone())
            .collect();
        if listeners.is_empty() {
            web_sys::console::warn_1(&format!("Webhook Automations: {problem}").into());
        }
        for listener in listeners {
            listener(problem);
        }
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

fn webhook_name(execution: &Execution) -> String {
    execution
        .webhook_name
        .clone()
        .unwrap_or_else(|| "a deleted webhook".to_string())
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

/// Removes its listener when dropped (an app unmounted stops hearing about executions and problems).
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
            dispatcher
                .problem_listeners
                .borrow_mut()
                .retain(|(id, _)| *id != self.id);
        }
    }
}

/// An outbox entry as stored: the delivery as JSON text beside its id. Text, not a second structured
/// copy of the execution (the history has that one): IndexedDB copies a string as it is, while an
/// object is cloned field by field on every write, and the history's record is written anyway.
#[derive(Serialize)]
pub struct OutboxEntry<'a> {
    id: &'a str,
    delivery: String,
}

/// The outbox entry for `planned`.
pub fn outbox_entry(planned: &Planned) -> OutboxEntry<'_> {
    OutboxEntry {
        id: &planned.execution.id,
        // Serializing a `Planned` cannot fail: its maps have text keys.
        delivery: serde_json::to_string(planned).unwrap_or_default(),
    }
}

/// The delivery an outbox entry holds: the text of `delivery`, or, in an entry written by a version
/// before that, the object `planned`.
pub fn read_outbox_entry(entry: &serde_json::Value) -> Result<Planned, String> {
    let text = match (entry.get("delivery"), entry.get("planned")) {
        (Some(serde_json::Value::String(text)), _) => text.clone(),
        // Read from text: a `Value` deserializer would add a second copy of serde's code.
        (None, Some(value)) => value.to_string(),
        _ => return Err("it holds no delivery".to_string()),
    };
    serde_json::from_str::<Planned>(&text).map_err(|error| error.to_string())
}

/// The "Test webhook" execution of a test that could not even be sent (the relay refused it, or
/// could not be reached), saying why.
pub fn failed_test(webhook: &Webhook, by: &User, reason: &str) -> Execution {
    let (_, planned) = webhook_engine::runner::test_delivery(webhook, by, &mut BrowserEnvironment);
    let mut execution = planned.execution;
    execution.finish(
        Status::Failed,
        Some(reason.to_owned()),
        BrowserEnvironment.now_ms(),
    );
    execution
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
