//! The delivery scheduler, driven the way the browser's dispatcher drives it, over a model of the
//! IndexedDB outbox that every tab shares: no execution id is sent twice from one tab (a retry is a
//! new attempt of the newest copy, never a stale copy or a second copy in flight), none is left
//! unsent, whatever the order of emits, outbox reads (handed over at any later moment), attempts,
//! retries, storage failures and other tabs' additions.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use serde_json::json;
use webhook_engine::event::User;
use webhook_engine::model::EventAction;
use webhook_engine::retry::Outcome;
use webhook_engine::runner::{
    Attempt, Environment, EventSummary, Execution, OutboxRead, Planned, Scheduler, Source, Status,
    Work, RECENT_EVENTS, STORAGE_RETRY_FIRST_MS,
};

/// A clock the test moves by hand, and execution ids in order.
#[derive(Default)]
struct Clock {
    now_ms: Cell<i64>,
    ids: u32,
}

impl Environment for Clock {
    fn now_ms(&self) -> i64 {
        self.now_ms.get()
    }

    fn random_unit(&mut self) -> f64 {
        0.5
    }

    fn new_id(&mut self) -> String {
        self.ids += 1;
        format!("msg_{:03}", self.ids)
    }

    async fn sleep_ms(&self, ms: u64) {
        self.now_ms.set(self.now_ms.get() + ms as i64);
    }
}

/// How an attempt ends.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Success,
    /// A 503: retried after this wait while attempts remain (3 in all), else failed.
    Retry(i64),
}

const MAX_ATTEMPTS: usize = 3;

/// One dispatching tab as the browser runs it: it performs the scheduler's work on the shared
/// outbox and checks every start against the newest state of the delivery.
struct Tab {
    scheduler: Scheduler,
    limit: usize,
    env: Clock,
    /// The outbox as stored, shared with the other tabs.
    outbox: BTreeMap<String, Planned>,
    /// Reads started and not handed over yet, with what the outbox held when each started.
    reads: Vec<(OutboxRead, Vec<Planned>)>,
    /// Attempts started and not reported yet.
    attempting: Vec<Planned>,
    /// Ended records handed out to be saved again.
    saving: Vec<Planned>,
    /// Ended records being written while their place is already free (`Scheduler::ending`).
    writing: Vec<Planned>,
    /// The newest state of every delivery, wherever it was made.
    latest: HashMap<String, Planned>,
    /// How many times each execution id was sent from this tab.
    sends: HashMap<String, usize>,
}

impl Tab {
    fn new(limit: usize) -> Tab {
        Tab {
            scheduler: Scheduler::new(limit),
            limit,
            env: Clock::default(),
            outbox: BTreeMap::new(),
            reads: Vec::new(),
            attempting: Vec::new(),
            saving: Vec::new(),
            writing: Vec::new(),
            latest: HashMap::new(),
            sends: HashMap::new(),
        }
    }

    fn now(&self) -> i64 {
        self.env.now_ms()
    }

    fn plan(&mut self, count: usize, webhook: &str) -> Vec<Planned> {
        (0..count)
            .map(|_| {
                let planned = delivery(self.env.new_id(), webhook, self.now());
                self.latest
                    .insert(planned.execution.id.clone(), planned.clone());
                planned
            })
            .collect()
    }

    /// This tab runs an event: its deliveries are claimed into the outbox (or the claim fails and
    /// they live in this tab only), then scheduled.
    fn emit(&mut self, count: usize, webhook: &str, stored: bool) -> Vec<String> {
        let planned = self.plan(count, webhook);
        if stored {
            for delivery in &planned {
                self.outbox
                    .insert(delivery.execution.id.clone(), delivery.clone());
            }
        }
        let ids = planned.iter().map(|p| p.execution.id.clone()).collect();
        let work = self.scheduler.add(planned, &self.env);
        self.perform(work);
        ids
    }

    /// Another tab claims an event: its deliveries land in the outbox only.
    fn other_tab(&mut self, count: usize, webhook: &str) {
        for delivery in self.plan(count, webhook) {
            self.outbox.insert(delivery.execution.id.clone(), delivery);
        }
    }

    /// An outbox notice: a read starts now; what it finds is handed over later.
    fn start_read(&mut self) {
        let read = self.scheduler.begin_outbox_read();
        let found = self.outbox.values().cloned().collect();
        self.reads.push((read, found));
    }

    fn hand_over(&mut self, pick: usize) -> Work {
        let (read, found) = self.reads.remove(pick % self.reads.len());
        let work = self.scheduler.resume(read, found, &self.env);
        let shown = Work {
            start: work.start.clone(),
            ..Work::default()
        };
        self.perform(work);
        shown
    }

    fn read_fails(&mut self, pick: usize) {
        let (read, _) = self.reads.remove(pick % self.reads.len());
        let work = self.scheduler.outbox_read_failed(read, &self.env);
        self.perform(work);
    }

    /// An attempt in flight is answered; its record (and outbox entry) is stored unless `saved` is
    /// false, as after a storage error.
    fn finish(&mut self, pick: usize, answer: Answer, saved: bool) {
        let planned = self.answer(pick, answer);
        if saved {
            self.store(&planned);
        }
        let work = self.scheduler.attempted(planned, saved, &self.env);
        self.perform(work);
    }

    /// As the browser's dispatcher does: an attempt that ended its delivery frees its place at once
    /// and its record is written meanwhile (answered by `write_result`); one still pending is
    /// reported once stored, as in `finish`.
    fn finish_writing_later(&mut self, pick: usize, answer: Answer) {
        let planned = self.answer(pick, answer);
        if planned.execution.status == Status::Pending {
            self.store(&planned);
            let work = self.scheduler.attempted(planned, true, &self.env);
            self.perform(work);
            return;
        }
        let work = self.scheduler.ending(&planned.execution.id, &self.env);
        self.writing.push(planned);
        self.perform(work);
    }

    fn write_result(&mut self, pick: usize, saved: bool) {
        let planned = self.writing.remove(pick % self.writing.len());
        if saved {
            self.store(&planned);
        }
        let work = self.scheduler.ending_stored(planned, saved, &self.env);
        self.perform(work);
    }

    /// An attempt in flight is answered: the delivery as it is after it.
    fn answer(&mut self, pick: usize, answer: Answer) -> Planned {
        let mut planned = self.attempting.remove(pick % self.attempting.len());
        let now = self.now();
        let execution = &mut planned.execution;
        let number = execution.attempts.len() + 1;
        let retry_in = match answer {
            Answer::Retry(wait) if number < MAX_ATTEMPTS => Some(wait),
            _ => None,
        };
        execution.attempts.push(Attempt {
            number: number as u32,
            started_at_ms: now,
            duration_ms: 0,
            outcome: Outcome::Status(match answer {
                Answer::Success => 200,
                Answer::Retry(_) => 503,
            }),
            response: None,
            retry_in: None,
        });
        match (answer, retry_in) {
            (Answer::Success, _) => end(execution, Status::Succeeded, now),
            (Answer::Retry(_), Some(wait)) => execution.next_attempt_at_ms = Some(now + wait),
            (Answer::Retry(_), None) => end(execution, Status::Failed, now),
        }
        self.latest
            .insert(planned.execution.id.clone(), planned.clone());
        planned
    }

    fn save_result(&mut self, pick: usize, saved: bool) {
        let planned = self.saving.remove(pick % self.saving.len());
        if saved {
            self.store(&planned);
        }
        let work = self
            .scheduler
            .saved_again(&planned.execution.id, saved, &self.env);
        self.perform(work);
    }

    fn advance(&mut self, ms: i64) {
        self.env.now_ms.set(self.now() + ms);
        let work = self.scheduler.wake(&self.env);
        self.perform(work);
    }

    /// The record and its outbox entry, in one transaction: kept while pending, removed once ended.
    fn store(&mut self, planned: &Planned) {
        if planned.execution.status == Status::Pending {
            self.outbox
                .insert(planned.execution.id.clone(), planned.clone());
        } else {
            self.outbox.remove(&planned.execution.id);
        }
    }

    /// Does what the scheduler says, checking each start first.
    fn perform(&mut self, work: Work) {
        for planned in work.start {
            let id = &planned.execution.id;
            assert!(
                !self.attempting.iter().any(|a| &a.execution.id == id),
                "{id} started while an attempt of it is in flight"
            );
            assert_eq!(
                Some(&planned),
                self.latest.get(id),
                "{id} started from a copy other than its newest"
            );
            assert_eq!(planned.execution.status, Status::Pending, "{id} had ended");
            let due = planned.execution.next_attempt_at_ms.unwrap_or(i64::MIN);
            assert!(due <= self.now(), "{id} started before its retry was due");
            let webhook = &planned.execution.webhook_id;
            let in_flight = 1 + self
                .attempting
                .iter()
                .filter(|a| &a.execution.webhook_id == webhook)
                .count();
            assert!(
                in_flight <= self.limit,
                "{in_flight} in flight to {webhook}"
            );
            *self.sends.entry(id.clone()).or_default() += 1;
            self.attempting.push(planned);
        }
        self.saving.extend(work.save_again);
        if work.read_outbox {
            self.start_read();
        }
    }

    /// Lets everything finish: reads handed over, attempts answered with success, saves succeed,
    /// time moves on to every due retry, and a last notice picks up what other tabs left.
    fn drain(&mut self) {
        for _ in 0..10_000 {
            if !self.reads.is_empty() {
                self.hand_over(0);
            } else if !self.attempting.is_empty() {
                self.finish(0, Answer::Success, true);
            } else if !self.saving.is_empty() {
                self.save_result(0, true);
            } else if !self.writing.is_empty() {
                self.write_result(0, true);
            } else if let Some(at) = self.scheduler.next_wake() {
                self.advance((at - self.now()).max(0));
            } else if self
                .outbox
                .values()
                .any(|p| !self.scheduler.knows(&p.execution.id))
            {
                self.start_read();
            } else {
                return;
            }
        }
        panic!("the schedule did not settle");
    }

    /// Every delivery ended, each attempt was one send, and the outbox is empty.
    fn assert_each_sent_once_per_attempt(&self) {
        for (id, planned) in &self.latest {
            assert_ne!(
                planned.execution.status,
                Status::Pending,
                "{id} left unsent"
            );
            assert_eq!(
                self.sends.get(id).copied().unwrap_or(0),
                planned.execution.attempts.len(),
                "{id}: one send per attempt"
            );
        }
        assert!(
            self.outbox.is_empty(),
            "left in the outbox: {:?}",
            self.outbox.keys()
        );
    }
}

fn delivery(id: String, webhook: &str, now_ms: i64) -> Planned {
    Planned {
        execution: Execution {
            id,
            route: Default::default(),
            automation_id: "au_won".into(),
            automation_name: "Won deals to the ERP".into(),
            action_index: 0,
            webhook_id: webhook.into(),
            webhook_name: Some(webhook.into()),
            event: EventSummary {
                id: "ev_1".into(),
                entity: "deal".into(),
                action: EventAction::Updated,
                record_id: Some(json!(7)),
                time: "2026-01-01T00:00:00Z".into(),
            },
            user: User {
                id: 1,
                name: "Ada Admin".into(),
                email: "ada@example.com".into(),
                is_admin: true,
            },
            created_at_ms: now_ms,
            status: Status::Pending,
            reason: None,
            trace: Vec::new(),
            request: None,
            attempts: Vec::new(),
            next_attempt_at_ms: Some(now_ms),
            finished_at_ms: None,
            problems: Vec::new(),
            details_withheld: false,
        },
        source: Source::Template {
            context: json!({"deal": {"id": 7}}),
        },
    }
}

fn end(execution: &mut Execution, status: Status, now_ms: i64) {
    execution.status = status;
    execution.next_attempt_at_ms = None;
    execution.finished_at_ms = Some(now_ms);
}

fn in_flight_ids(tab: &Tab) -> Vec<String> {
    tab.attempting
        .iter()
        .map(|p| p.execution.id.clone())
        .collect()
}

#[test]
fn six_pending_for_one_webhook_and_three_resumes_send_each_id_once() {
    let mut tab = Tab::new(4);
    let ids = tab.emit(6, "wh_erp", true);
    assert_eq!(in_flight_ids(&tab), ids[..4], "four at once, two wait");

    // Resume 1, while four are in flight: the outbox lists all six as pending.
    tab.start_read();
    assert_eq!(tab.hand_over(0), Work::default(), "nothing new to start");

    // Resume 2 starts reading; two deliveries end before it is handed over, so it is stale.
    tab.start_read();
    tab.finish(0, Answer::Success, true);
    tab.finish(0, Answer::Success, true);
    assert_eq!(
        in_flight_ids(&tab),
        ids[2..],
        "the waiting two took the free places"
    );
    assert_eq!(
        tab.hand_over(0),
        Work::default(),
        "the stale copies are ignored"
    );

    // Resume 3 reads while all four are still in flight and is handed over after all ended.
    tab.start_read();
    while !tab.attempting.is_empty() {
        tab.finish(0, Answer::Success, true);
    }
    assert_eq!(
        tab.hand_over(0),
        Work::default(),
        "ended deliveries are not sent again"
    );

    assert_eq!(tab.scheduler.next_wake(), None);
    tab.assert_each_sent_once_per_attempt();
    for id in &ids {
        assert_eq!(tab.sends[id], 1, "{id}");
        assert!(
            !tab.scheduler.knows(id),
            "{id} is forgotten once no read can list it"
        );
    }
}

#[test]
fn a_retry_waits_for_its_due_time_without_holding_a_place() {
    let mut tab = Tab::new(1);
    let ids = tab.emit(2, "wh_erp", true);
    tab.finish(0, Answer::Retry(1_000), true);
    assert_eq!(
        in_flight_ids(&tab),
        ids[1..],
        "the next one goes while the retry waits"
    );
    assert_eq!(tab.scheduler.next_wake(), Some(1_000));
    tab.finish(0, Answer::Success, true);
    tab.advance(999);
    assert!(tab.attempting.is_empty(), "not before it is due");
    tab.advance(1);
    assert_eq!(in_flight_ids(&tab), ids[..1]);
    tab.finish(0, Answer::Success, true);
    tab.assert_each_sent_once_per_attempt();
}

#[test]
fn a_retry_due_from_before_a_reload_waits_for_its_time() {
    let mut tab = Tab::new(4);
    let mut planned = delivery("msg_reloaded".into(), "wh_erp", 0);
    planned.execution.next_attempt_at_ms = Some(30_000);
    tab.latest.insert("msg_reloaded".into(), planned.clone());
    tab.outbox.insert("msg_reloaded".into(), planned);
    tab.start_read();
    tab.hand_over(0);
    assert!(tab.attempting.is_empty());
    assert_eq!(tab.scheduler.next_wake(), Some(30_000));
    tab.advance(30_000);
    assert_eq!(in_flight_ids(&tab), ["msg_reloaded"]);
}

#[test]
fn an_end_that_could_not_be_saved_is_saved_again_and_its_stale_entry_never_sent() {
    let mut tab = Tab::new(4);
    tab.emit(1, "wh_erp", true);
    tab.finish(0, Answer::Success, false);
    assert_eq!(tab.outbox.len(), 1, "the pending entry is still stored");
    tab.start_read();
    assert_eq!(tab.hand_over(0), Work::default());
    assert_eq!(tab.scheduler.next_wake(), Some(STORAGE_RETRY_FIRST_MS));
    tab.advance(STORAGE_RETRY_FIRST_MS);
    assert_eq!(tab.saving.len(), 1, "handed out to be saved again");
    tab.save_result(0, false);
    assert_eq!(
        tab.scheduler.next_wake(),
        Some(3 * STORAGE_RETRY_FIRST_MS),
        "the wait doubles"
    );
    tab.advance(2 * STORAGE_RETRY_FIRST_MS);
    tab.save_result(0, true);
    assert_eq!(tab.scheduler.next_wake(), None);
    tab.assert_each_sent_once_per_attempt();
}

#[test]
fn a_failed_outbox_read_is_tried_again() {
    let mut tab = Tab::new(4);
    tab.other_tab(1, "wh_erp");
    tab.start_read();
    tab.read_fails(0);
    assert!(tab.attempting.is_empty());
    assert_eq!(tab.scheduler.next_wake(), Some(STORAGE_RETRY_FIRST_MS));
    tab.advance(STORAGE_RETRY_FIRST_MS);
    assert_eq!(tab.reads.len(), 1, "a new read was asked for");
    tab.hand_over(0);
    assert_eq!(tab.attempting.len(), 1);
    assert_eq!(tab.scheduler.next_wake(), None, "nothing more is owed");
}

#[test]
fn deliveries_not_in_the_outbox_are_still_sent() {
    let mut tab = Tab::new(4);
    tab.emit(2, "wh_erp", false);
    tab.drain();
    tab.assert_each_sent_once_per_attempt();
}

#[test]
fn a_retry_a_non_dispatching_tab_could_store_is_handed_over_to_the_dispatching_tab() {
    // This tab does not dispatch; the claim failed, so it sent the delivery itself. The attempt
    // asks for a retry, and this time its record and outbox entry were stored.
    let mut tab = Tab::new(1);
    let ids = tab.emit(2, "wh_erp", false);
    let sent = tab.attempting.remove(0);
    let work = tab.scheduler.handed_over(&sent.execution.id, &tab.env);
    tab.perform(work);
    assert_eq!(
        in_flight_ids(&tab),
        ids[1..],
        "its place went to the next one"
    );
    assert!(
        !tab.scheduler.knows(&ids[0]),
        "the dispatching tab sends it now"
    );
    assert_eq!(tab.scheduler.next_wake(), None, "no retry is kept here");
}

/// Another tab's upgrade closed this tab's storage; a tab of the newer version resumes the outbox.
/// The retries held here that the outbox has are that tab's now (before, both sent each of them);
/// the one only this tab knows is still sent from here.
#[test]
fn after_an_upgrade_elsewhere_only_the_deliveries_missing_from_the_outbox_stay() {
    let mut tab = Tab::new(1);
    let stored = tab.emit(3, "wh_erp", true);
    tab.finish(0, Answer::Retry(1_000), true); // waiting for its retry
    let unstored = tab.emit(1, "wh_erp", false);
    assert_eq!(
        in_flight_ids(&tab),
        stored[1..2],
        "one place: one in flight"
    );

    let outbox = tab.outbox.clone();
    tab.scheduler.release_stored(|id| outbox.contains_key(id));
    for id in [&stored[0], &stored[2]] {
        assert!(!tab.scheduler.knows(id), "{id} is the other tab's to send");
    }
    assert!(
        tab.scheduler.knows(&stored[1]),
        "the attempt under way is reported as usual"
    );
    assert!(tab.scheduler.knows(&unstored[0]));

    tab.finish(0, Answer::Success, false);
    assert_eq!(
        in_flight_ids(&tab),
        unstored,
        "only what no other tab can see is sent"
    );
    tab.finish(0, Answer::Success, false);
    tab.advance(5_000);
    assert!(tab.attempting.is_empty(), "no retry of a released delivery");
    assert_eq!(tab.sends[&stored[0]], 1);
    assert!(!tab.sends.contains_key(&stored[2]));
}

#[test]
fn an_event_id_seen_lately_is_recognised() {
    let mut scheduler = Scheduler::default();
    assert!(scheduler.first_sighting("evt_1"));
    assert!(!scheduler.first_sighting("evt_1"));
    for n in 0..RECENT_EVENTS {
        assert!(scheduler.first_sighting(&format!("evt_other_{n}")));
    }
    assert!(
        scheduler.first_sighting("evt_1"),
        "the window is bounded: the oldest id is forgotten"
    );
}

#[derive(Debug, Clone)]
enum Step {
    Emit {
        count: usize,
        webhook: usize,
        stored: bool,
    },
    OtherTab {
        count: usize,
        webhook: usize,
    },
    Notice,
    HandOver(usize),
    ReadFails(usize),
    Finish {
        pick: usize,
        answer: Answer,
        saved: bool,
    },
    SaveResult {
        pick: usize,
        saved: bool,
    },
    FinishWritingLater {
        pick: usize,
        answer: Answer,
    },
    WriteResult {
        pick: usize,
        saved: bool,
    },
    Advance(i64),
}

fn step() -> impl Strategy<Value = Step> {
    let answer = prop_oneof![
        3 => Just(Answer::Success),
        2 => (0i64..3_000).prop_map(Answer::Retry),
    ];
    prop_oneof![
        3 => (1usize..=6, 0usize..2, prop::bool::weighted(0.8))
            .prop_map(|(count, webhook, stored)| Step::Emit { count, webhook, stored }),
        1 => (1usize..=4, 0usize..2).prop_map(|(count, webhook)| Step::OtherTab { count, webhook }),
        3 => Just(Step::Notice),
        3 => any::<usize>().prop_map(Step::HandOver),
        1 => any::<usize>().prop_map(Step::ReadFails),
        6 => (any::<usize>(), answer.clone(), prop::bool::weighted(0.8))
            .prop_map(|(pick, answer, saved)| Step::Finish { pick, answer, saved }),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(pick, saved)| Step::SaveResult { pick, saved }),
        4 => (any::<usize>(), answer)
            .prop_map(|(pick, answer)| Step::FinishWritingLater { pick, answer }),
        2 => (any::<usize>(), prop::bool::weighted(0.8))
            .prop_map(|(pick, saved)| Step::WriteResult { pick, saved }),
        2 => (0i64..8_000).prop_map(Step::Advance),
    ]
}

const WEBHOOKS: [&str; 2] = ["wh_erp", "wh_mail"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_interleaving_sends_an_id_twice_from_one_tab_or_leaves_one_unsent(
        limit in 1usize..=4,
        steps in prop::collection::vec(step(), 1..80),
    ) {
        let mut tab = Tab::new(limit);
        for step in steps {
            match step {
                Step::Emit { count, webhook, stored } => {
                    tab.emit(count, WEBHOOKS[webhook], stored);
                }
                Step::OtherTab { count, webhook } => tab.other_tab(count, WEBHOOKS[webhook]),
                Step::Notice => tab.start_read(),
                Step::HandOver(pick) if !tab.reads.is_empty() => {
                    tab.hand_over(pick);
                }
                Step::ReadFails(pick) if !tab.reads.is_empty() => tab.read_fails(pick),
                Step::Finish { pick, answer, saved } if !tab.attempting.is_empty() => {
                    tab.finish(pick, answer, saved)
                }
                Step::SaveResult { pick, saved } if !tab.saving.is_empty() => {
                    tab.save_result(pick, saved)
                }
                Step::FinishWritingLater { pick, answer } if !tab.attempting.is_empty() => {
                    tab.finish_writing_later(pick, answer)
                }
                Step::WriteResult { pick, saved } if !tab.writing.is_empty() => {
                    tab.write_result(pick, saved)
                }
                Step::Advance(ms) => tab.advance(ms),
                _ => {}
            }
        }
        tab.drain();
        tab.assert_each_sent_once_per_attempt();
    }
}
