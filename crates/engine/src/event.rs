//! A record event: what happened to which record, by whom, when — the input of every automation run.
//! Its JSON form is documented in `docs/formats.md`; the sandbox CRM, the host API and replays all
//! produce it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::EventAction;

/// A CRM record as JSON: field key → raw value (enum option ids, reference ids, ISO dates).
pub type Record = Map<String, Value>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Unique per event; a host that sends the same id twice gets one run.
    pub id: String,
    pub entity: String,
    pub action: EventAction,
    /// RFC 3339.
    pub time: String,
    /// Who made the change. Automations run whatever this user's visibility or rights.
    pub user: User,
    /// The record after the change; for a deleted record, the record as it was when deleted.
    pub current: Record,
    /// The record before an update; absent for added and deleted records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Record>,
    /// Records the current one refers to, by entity: `{"person": [{"id": 7, …}]}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub related: BTreeMap<String, Vec<Record>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: u64,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub is_admin: bool,
}

impl Event {
    /// The related record of `entity` with this id, if the event carries it.
    pub fn related_record(&self, entity: &str, id: &Value) -> Option<&Record> {
        self.related
            .get(entity)?
            .iter()
            .find(|record| record.get("id") == Some(id))
    }
}
