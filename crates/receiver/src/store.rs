//! The in-memory state: recorded requests, preflights and the script queue, plus the
//! optional `--log` file.
//!
//! One mutex guards all of it so that assigning a `seq`, taking the next script action
//! and appending the record happen as one step: concurrent requests then consume actions
//! in `seq` order and the list stays sorted.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;

use crate::record::{PreflightRecord, RequestRecord};
use crate::script::ScriptAction;

/// Counts returned by `DELETE /_receiver/requests`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cleared {
    pub requests: usize,
    pub preflights: usize,
    pub script_actions: usize,
}

#[derive(Default)]
struct State {
    /// The last seq handed out; it keeps counting across clears so a client polling with
    /// `?since=` never sees a seq twice.
    last_seq: u64,
    records: Vec<RequestRecord>,
    preflights: Vec<PreflightRecord>,
    script: VecDeque<ScriptAction>,
    log: Option<File>,
}

pub struct Store {
    state: Mutex<State>,
}

impl Store {
    pub fn new(log: Option<File>) -> Store {
        Store {
            state: Mutex::new(State {
                log,
                ..State::default()
            }),
        }
    }

    /// Opens (creating if needed) a file to append JSON lines to.
    pub fn open_log(path: &Path) -> std::io::Result<File> {
        OpenOptions::new().create(true).append(true).open(path)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the lists half-updated in a way that
        // matters here, so keep serving rather than poisoning every later request.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a request: hands `build` the next seq and, when `take_action` is true, the
    /// next queued script action (if any), stores the record it builds, appends it to the
    /// log file, and returns a copy. A log write failure is returned as text for the caller
    /// to report; the record is kept regardless.
    pub fn record(
        &self,
        take_action: bool,
        build: impl FnOnce(u64, Option<ScriptAction>) -> RequestRecord,
    ) -> (RequestRecord, Option<String>) {
        let mut state = self.lock();
        state.last_seq += 1;
        let seq = state.last_seq;
        let action = if take_action {
            state.script.pop_front()
        } else {
            None
        };
        let record = build(seq, action);
        let log_error = state
            .log
            .as_mut()
            .and_then(|file| append_json_line(file, &record).err())
            .map(|err| format!("could not append request #{seq} to the log file: {err}"));
        state.records.push(record.clone());
        (record, log_error)
    }

    pub fn record_preflight(&self, preflight: PreflightRecord) {
        self.lock().preflights.push(preflight);
    }

    /// Serializes the records with seq greater than `since` (all when None), oldest first,
    /// while holding the lock so bodies are not cloned.
    pub fn requests_json(&self, since: Option<u64>) -> serde_json::Result<Vec<u8>> {
        let state = self.lock();
        let since = since.unwrap_or(0);
        // Records are sorted by seq, so the ones to return are a suffix.
        let start = state.records.partition_point(|record| record.seq <= since);
        serde_json::to_vec(&state.records[start..])
    }

    pub fn preflights_json(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(&self.lock().preflights)
    }

    /// Runs `view` over the records newest first, plus the preflight and queue counts.
    pub fn with_snapshot<T>(&self, view: impl FnOnce(&[RequestRecord], usize, usize) -> T) -> T {
        let state = self.lock();
        view(&state.records, state.preflights.len(), state.script.len())
    }

    /// Appends actions to the script queue; returns how many are queued now.
    pub fn enqueue(&self, actions: Vec<ScriptAction>) -> usize {
        let mut state = self.lock();
        state.script.extend(actions);
        state.script.len()
    }

    pub fn script_json(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(&self.lock().script)
    }

    /// Empties the script queue; returns how many actions were dropped.
    pub fn clear_script(&self) -> usize {
        let mut state = self.lock();
        let dropped = state.script.len();
        state.script.clear();
        dropped
    }

    /// Clears records, preflights and the script queue. The seq counter and the log file
    /// are left alone.
    pub fn clear_all(&self) -> Cleared {
        let mut state = self.lock();
        let cleared = Cleared {
            requests: state.records.len(),
            preflights: state.preflights.len(),
            script_actions: state.script.len(),
        };
        state.records.clear();
        state.preflights.clear();
        state.script.clear();
        cleared
    }
}

fn append_json_line(file: &mut File, record: &RequestRecord) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(record)?;
    line.push(b'\n');
    // One write per line so concurrent readers (tail -f) never see half a record. This is a
    // blocking write under the store lock, on purpose: lines stay in seq order, and a local
    // append of one small line is far cheaper than handing it to a blocking-pool thread.
    file.write_all(&line)?;
    file.flush()
}
