//! Which deliveries one tab sends, and when: the per-webhook limit, retries waiting for their due
//! time, deliveries handed over through the outbox, the event ids already seen, and the storage
//! writes and reads to try again after they failed.
//!
//! The [`Scheduler`] is pure: its host (the browser's dispatcher) performs the [`Work`] it is
//! given — start an attempt, save a record again, read the outbox again — and reports back what
//! came of it; time comes from the [`Environment`]. It never sends, stores or waits itself.
//!
//! # Why a delivery is never sent twice from one tab
//!
//! Every delivery the scheduler knows is in exactly one state: ready (queued behind its webhook's
//! limit), waiting (a retry not due yet), attempting (started, not reported back), or ended. Its
//! execution id names it: an outbox entry for an id the scheduler knows is ignored, because the
//! tab's own copy is never older than the stored one.
//!
//! Outbox reads can be stale: a read started before a delivery ended may be handed over after it
//! ended, still listing the delivery as pending. So an ended delivery is remembered until every
//! read that started before its end was saved has been handed over or has failed ([`OutboxRead`]
//! numbers them). A read started after the save cannot list it: the host stores the end and
//! removes the outbox entry in one transaction. An end that could not be saved is remembered (and
//! saved again) until it is.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use crate::runner::deliver::Environment;
use crate::runner::execution::Status;
use crate::runner::plan::Planned;

/// Requests in flight at once to one webhook; more wait their turn.
pub const MAX_CONCURRENT_PER_WEBHOOK: usize = 4;

/// How many recent event ids are remembered to ignore an event emitted twice.
pub const RECENT_EVENTS: usize = 10_000;

/// The first wait before a failed storage read or write is tried again; it doubles on each
/// failure in a row, up to [`STORAGE_RETRY_MAX_MS`].
pub const STORAGE_RETRY_FIRST_MS: i64 = 5_000;
/// The longest wait before failed storage work is tried again.
pub const STORAGE_RETRY_MAX_MS: i64 = 300_000;

/// The last few distinct ids seen, oldest forgotten first.
#[derive(Debug, Clone)]
pub struct RecentIds {
    capacity: usize,
    seen: HashSet<String>,
    order: VecDeque<String>,
}

impl RecentIds {
    pub fn new(capacity: usize) -> Self {
        RecentIds {
            capacity,
            seen: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// Remembers `id`; false when it was seen before and not yet forgotten.
    pub fn insert(&mut self, id: &str) -> bool {
        if !self.seen.insert(id.to_string()) {
            return false;
        }
        self.order.push_back(id.to_string());
        if self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.seen.remove(&oldest);
            }
        }
        true
    }
}

/// One read of the outbox, numbered in the order the reads started. Take it with
/// [`Scheduler::begin_outbox_read`] just before reading, and hand it back with what the read found
/// ([`Scheduler::resume`]) or with its failure ([`Scheduler::outbox_read_failed`]).
#[derive(Debug, PartialEq, Eq)]
#[must_use = "hand the read back with resume or outbox_read_failed, or ended deliveries are remembered forever"]
pub struct OutboxRead(u64);

/// What the host is to do now.
#[derive(Debug, Default, PartialEq)]
pub struct Work {
    /// Deliveries to attempt now, each holding one of its webhook's places until the attempt is
    /// reported with [`Scheduler::attempted`].
    pub start: Vec<Planned>,
    /// Ended deliveries whose final record could not be stored: store each again (the record, and
    /// its outbox entry removed, in one transaction) and report it with [`Scheduler::saved_again`].
    pub save_again: Vec<Planned>,
    /// Read the outbox again: a read failed, and what it would have found is still to pick up.
    pub read_outbox: bool,
}

#[derive(Debug)]
struct Ended {
    /// Reads numbered from here on started after the end was saved, so they cannot list it.
    saved_before_read: u64,
    /// The final state, while its record could not be stored; `saving` while the host tries again.
    unsaved: Option<Planned>,
    saving: bool,
}

/// One tab's delivery schedule. See the module's documentation for its guarantees.
#[derive(Debug)]
pub struct Scheduler {
    limit_per_webhook: usize,
    events: RecentIds,
    /// Deliveries ready or waiting, by execution id.
    held: HashMap<String, Planned>,
    /// Per webhook, the ids ready to start, oldest first.
    ready: BTreeMap<String, VecDeque<String>>,
    /// Retries not due yet, by due time.
    waiting: BTreeSet<(i64, String)>,
    /// Ids being attempted, with their webhook.
    attempting: HashMap<String, String>,
    in_flight: HashMap<String, usize>,
    ended: HashMap<String, Ended>,
    /// The numbers of the reads handed out and not handed back.
    reads: BTreeSet<u64>,
    next_read: u64,
    /// The number of the latest read that failed, while no later read has succeeded.
    read_owed: Option<u64>,
    /// When to try failed storage work again, and how many failures in a row led there.
    storage_retry_at: Option<i64>,
    storage_failures: u32,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::new(MAX_CONCURRENT_PER_WEBHOOK)
    }
}

impl Scheduler {
    pub fn new(limit_per_webhook: usize) -> Self {
        Scheduler {
            limit_per_webhook: limit_per_webhook.max(1),
            events: RecentIds::new(RECENT_EVENTS),
            held: HashMap::new(),
            ready: BTreeMap::new(),
            waiting: BTreeSet::new(),
            attempting: HashMap::new(),
            in_flight: HashMap::new(),
            ended: HashMap::new(),
            reads: BTreeSet::new(),
            next_read: 0,
            read_owed: None,
            storage_retry_at: None,
            storage_failures: 0,
        }
    }

    /// Remembers an event id; false when this tab saw it lately (the event is then ignored).
    pub fn first_sighting(&mut self, event_id: &str) -> bool {
        self.events.insert(event_id)
    }

    /// Takes deliveries this tab is to send: the ones it planned while it dispatches, and the ones
    /// it could not leave in the outbox for the dispatching tab. Ended ones and ids it already
    /// knows are ignored.
    pub fn add(
        &mut self,
        deliveries: impl IntoIterator<Item = Planned>,
        env: &impl Environment,
    ) -> Work {
        let now = env.now_ms();
        for planned in deliveries {
            self.take(planned, now);
        }
        self.work(now)
    }

    /// Numbers an outbox read about to start.
    pub fn begin_outbox_read(&mut self) -> OutboxRead {
        let number = self.next_read;
        self.next_read += 1;
        self.reads.insert(number);
        OutboxRead(number)
    }

    /// Picks up the pending outbox entries a read found, the same execution (same `webhook-id`)
    /// each: what another tab left there, or this tab before a reload. Entries of deliveries this
    /// tab knows are older than its own copy, or stale, and are ignored.
    pub fn resume(
        &mut self,
        read: OutboxRead,
        entries: impl IntoIterator<Item = Planned>,
        env: &impl Environment,
    ) -> Work {
        let now = env.now_ms();
        self.reads.remove(&read.0);
        for planned in entries {
            self.take(planned, now);
        }
        if self.read_owed.is_some_and(|failed| read.0 > failed) {
            // This read started after the failed one, so it found everything that one would have.
            self.read_owed = None;
            self.storage_succeeded();
        }
        self.forget_ended();
        self.work(now)
    }

    /// A read could not be done; the outbox is read again later ([`Work::read_outbox`]).
    pub fn outbox_read_failed(&mut self, read: OutboxRead, env: &impl Environment) -> Work {
        let now = env.now_ms();
        self.reads.remove(&read.0);
        self.read_owed = Some(self.read_owed.map_or(read.0, |owed| owed.max(read.0)));
        self.storage_failed(now);
        self.forget_ended();
        self.work(now)
    }

    /// An attempt handed out in [`Work::start`] is over: `planned` is the delivery as it is now,
    /// still pending (a retry then waits for `next_attempt_at_ms`) or ended. `saved` says whether
    /// its record and outbox entry were stored; an end that was not is handed out again in
    /// [`Work::save_again`] until it is.
    pub fn attempted(&mut self, planned: Planned, saved: bool, env: &impl Environment) -> Work {
        let now = env.now_ms();
        let id = planned.execution.id.clone();
        if let Some(webhook) = self.attempting.remove(&id) {
            if let Some(count) = self.in_flight.get_mut(&webhook) {
                *count = count.saturating_sub(1);
            }
            if planned.execution.status == Status::Pending {
                // A stored older copy is harmless: it is ignored while this one is known.
                self.hold(planned, now);
            } else {
                if !saved {
                    self.storage_failed(now);
                }
                self.ended.insert(
                    id,
                    Ended {
                        saved_before_read: self.next_read,
                        unsaved: (!saved).then_some(planned),
                        saving: false,
                    },
                );
            }
        }
        self.forget_ended();
        self.work(now)
    }

    /// An attempt handed out in [`Work::start`] ended its delivery, and the host is writing its
    /// record now: the webhook's place is free at once, so the next delivery does not wait for the
    /// write. Until [`Scheduler::ending_stored`] says how the write went, the end is remembered as
    /// not saved (no outbox read can be trusted to leave it out).
    pub fn ending(&mut self, execution_id: &str, env: &impl Environment) -> Work {
        if let Some(webhook) = self.attempting.remove(execution_id) {
            if let Some(count) = self.in_flight.get_mut(&webhook) {
                *count = count.saturating_sub(1);
            }
            self.ended.insert(
                execution_id.to_owned(),
                Ended {
                    saved_before_read: u64::MAX,
                    unsaved: None,
                    saving: true,
                },
            );
        }
        self.work(env.now_ms())
    }

    /// The record of an end reported by [`Scheduler::ending`] was stored, or not: then `planned`
    /// (the final state) is handed out again in [`Work::save_again`] until it is.
    pub fn ending_stored(&mut self, planned: Planned, saved: bool, env: &impl Environment) -> Work {
        let now = env.now_ms();
        let next_read = self.next_read;
        let known = match self.ended.get_mut(&planned.execution.id) {
            Some(ended) if ended.saving && ended.unsaved.is_none() => {
                ended.saving = false;
                if saved {
                    ended.saved_before_read = next_read;
                } else {
                    ended.unsaved = Some(planned);
                }
                true
            }
            _ => false,
        };
        if known {
            if saved {
                self.storage_succeeded();
            } else {
                self.storage_failed(now);
            }
        }
        self.forget_ended();
        self.work(now)
    }

    /// An attempt handed out in [`Work::start`] is over and its delivery, still pending, is now in
    /// the outbox, which another tab dispatches: this tab sent it only because it could not store
    /// it before, and from now on that tab sends it. This tab frees its place and forgets it, so
    /// should it dispatch later itself, an outbox read picks it up again (the same execution).
    pub fn handed_over(&mut self, execution_id: &str, env: &impl Environment) -> Work {
        if let Some(webhook) = self.attempting.remove(execution_id) {
            if let Some(count) = self.in_flight.get_mut(&webhook) {
                *count = count.saturating_sub(1);
            }
        }
        self.work(env.now_ms())
    }

    /// This tab no longer dispatches the outbox: another tab's upgrade of the database closed this
    /// tab's connection, and a tab of the newer version resumes the same entries. The deliveries
    /// held here (ready or waiting for a retry) for which `stored` holds — an outbox entry has them
    /// — are that tab's to send from now on and are dropped, or both tabs would send each retry.
    /// The others, which no other tab can see, stay.
    pub fn release_stored(&mut self, stored: impl Fn(&str) -> bool) {
        self.held.retain(|id, _| !stored(id));
        let held = &self.held;
        for queue in self.ready.values_mut() {
            queue.retain(|id| held.contains_key(id));
        }
        self.ready.retain(|_, queue| !queue.is_empty());
        self.waiting.retain(|(_, id)| held.contains_key(id));
    }

    /// A record handed out in [`Work::save_again`] was stored, or failed again.
    pub fn saved_again(&mut self, execution_id: &str, saved: bool, env: &impl Environment) -> Work {
        let now = env.now_ms();
        if let Some(ended) = self.ended.get_mut(execution_id) {
            ended.saving = false;
            if saved {
                ended.unsaved = None;
                ended.saved_before_read = self.next_read;
            }
            if saved {
                self.storage_succeeded();
            } else {
                self.storage_failed(now);
            }
        }
        self.forget_ended();
        self.work(now)
    }

    /// Time has passed: starts the retries now due, and hands out failed storage work due again.
    pub fn wake(&mut self, env: &impl Environment) -> Work {
        let now = env.now_ms();
        let mut work = self.work(now);
        if self.storage_retry_at.is_some_and(|at| at <= now) {
            self.storage_retry_at = None;
            work.read_outbox = self.read_owed.is_some();
            for ended in self.ended.values_mut() {
                if let (Some(planned), false) = (&ended.unsaved, ended.saving) {
                    ended.saving = true;
                    work.save_again.push(planned.clone());
                }
            }
        }
        work
    }

    /// When [`Scheduler::wake`] next has something to do: a retry falls due, or failed storage work
    /// is to be tried again.
    pub fn next_wake(&self) -> Option<i64> {
        let retry = self.waiting.first().map(|(due, _)| *due);
        let storage = self.storage_retry_at.filter(|_| self.storage_owed());
        match (retry, storage) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether the scheduler knows this delivery, in any state (ended ones while it remembers them).
    pub fn knows(&self, execution_id: &str) -> bool {
        self.held.contains_key(execution_id)
            || self.attempting.contains_key(execution_id)
            || self.ended.contains_key(execution_id)
    }

    fn take(&mut self, planned: Planned, now: i64) {
        if planned.execution.status == Status::Pending && !self.knows(&planned.execution.id) {
            self.hold(planned, now);
        }
    }

    fn hold(&mut self, planned: Planned, now: i64) {
        let id = planned.execution.id.clone();
        match planned.execution.next_attempt_at_ms {
            Some(due) if due > now => {
                self.waiting.insert((due, id.clone()));
            }
            _ => self
                .ready
                .entry(planned.execution.webhook_id.clone())
                .or_default()
                .push_back(id.clone()),
        }
        self.held.insert(id, planned);
    }

    /// Moves the retries now due behind their webhooks' queues, then starts what the limits allow.
    fn work(&mut self, now: i64) -> Work {
        while let Some((due, id)) = self.waiting.first().cloned() {
            if due > now {
                break;
            }
            self.waiting.pop_first();
            if let Some(planned) = self.held.get(&id) {
                self.ready
                    .entry(planned.execution.webhook_id.clone())
                    .or_default()
                    .push_back(id);
            }
        }
        let mut start = Vec::new();
        for (webhook, queue) in &mut self.ready {
            let in_flight = self.in_flight.entry(webhook.clone()).or_default();
            while *in_flight < self.limit_per_webhook {
                let Some(id) = queue.pop_front() else { break };
                if let Some(planned) = self.held.remove(&id) {
                    *in_flight += 1;
                    self.attempting.insert(id, webhook.clone());
                    start.push(planned);
                }
            }
        }
        self.ready.retain(|_, queue| !queue.is_empty());
        self.in_flight.retain(|_, count| *count > 0);
        Work {
            start,
            ..Work::default()
        }
    }

    /// Forgets the ended deliveries no read still out can list (see the module's documentation).
    fn forget_ended(&mut self) {
        let oldest_read = self.reads.first().copied().unwrap_or(self.next_read);
        self.ended
            .retain(|_, ended| ended.unsaved.is_some() || ended.saved_before_read > oldest_read);
    }

    fn storage_owed(&self) -> bool {
        self.read_owed.is_some()
            || self
                .ended
                .values()
                .any(|ended| ended.unsaved.is_some() && !ended.saving)
    }

    fn storage_failed(&mut self, now: i64) {
        self.storage_failures = self.storage_failures.saturating_add(1);
        let doublings = self.storage_failures.saturating_sub(1).min(16);
        let wait = STORAGE_RETRY_FIRST_MS
            .saturating_mul(1 << doublings)
            .min(STORAGE_RETRY_MAX_MS);
        self.storage_retry_at = Some(now + wait);
    }

    fn storage_succeeded(&mut self) {
        self.storage_failures = 0;
        if !self.storage_owed() {
            self.storage_retry_at = None;
        }
    }
}
