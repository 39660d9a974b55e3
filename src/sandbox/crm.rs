//! The sandbox CRM in memory: its users (from the sample, with their visibility), its records, and
//! the events its changes produce.

use std::collections::BTreeMap;

use webhook_engine::catalog::Catalog;
use webhook_engine::event::{Event, Record, User};
use webhook_engine::model::EventAction;
use webhook_engine::order;
use webhook_engine::records::{next_record_id, record_id};
use webhook_engine::sample::{Change, SampleData, SampleUser, Visibility};

use crate::storage::SandboxRecords;

/// The entity whose records are the CRM's users: part of the sample, never edited in the sandbox.
const USER_ENTITY: &str = "user";

#[derive(Debug, Clone, PartialEq)]
pub struct SandboxCrm {
    /// The sample's users and the sandbox's records (users included, as references point at them).
    data: SampleData,
    /// The highest id each entity ever gave out, so deleted ids are not reused.
    highest_ids: BTreeMap<String, u64>,
}

/// One saved change to a record.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordChange {
    Added(Record),
    Updated {
        previous: Record,
        current: Record,
    },
    /// The record as it was when deleted.
    Deleted(Record),
}

/// Who made a change, when, and the event's id.
pub struct EventMeta<'a> {
    pub id: &'a str,
    pub time: &'a str,
    pub user: &'a User,
}

impl SandboxCrm {
    /// The built-in sample dataset: the sandbox's starting data.
    pub fn builtin() -> SandboxCrm {
        let data = SampleData::builtin();
        let highest_ids = data
            .records
            .iter()
            .map(|(entity, records)| (entity.clone(), next_record_id(records, 0) - 1))
            .collect();
        SandboxCrm { data, highest_ids }
    }

    /// The CRM holding the stored records; users always come from the sample.
    pub fn from_stored(stored: SandboxRecords) -> SandboxCrm {
        let mut data = SampleData::builtin();
        let users = data.records.remove(USER_ENTITY).unwrap_or_default();
        data.records = stored.records;
        data.records.insert(USER_ENTITY.into(), users);
        SandboxCrm {
            data,
            highest_ids: stored.highest_ids,
        }
    }

    /// What storage keeps: every record but the users.
    pub fn to_stored(&self) -> SandboxRecords {
        let mut records = self.data.records.clone();
        records.remove(USER_ENTITY);
        let mut highest_ids = self.highest_ids.clone();
        highest_ids.remove(USER_ENTITY);
        SandboxRecords {
            records,
            highest_ids,
        }
    }

    pub fn users(&self) -> &[SampleUser] {
        &self.data.users
    }

    /// The acting user with their visibility. A user the sample does not know (one an embedding
    /// CRM signed in) sees everything when an admin, their own records otherwise.
    pub fn viewer(&self, user: &User) -> SampleUser {
        self.data
            .user(user.id)
            .cloned()
            .unwrap_or_else(|| SampleUser {
                user: user.clone(),
                visibility: if user.is_admin {
                    Visibility::Everything
                } else {
                    Visibility::OwnRecords
                },
            })
    }

    pub fn records(&self, entity: &str) -> &[Record] {
        self.data.records.get(entity).map_or(&[], Vec::as_slice)
    }

    pub fn record(&self, entity: &str, id: u64) -> Option<&Record> {
        self.data.record(entity, id)
    }

    /// The records of `entity` that `viewer` sees, and how many others there are.
    pub fn visible(&self, entity: &str, viewer: &SampleUser) -> (Vec<&Record>, usize) {
        let records = self.records(entity);
        let visible: Vec<&Record> = records
            .iter()
            .filter(|record| self.data.can_see(viewer, record))
            .collect();
        let hidden = records.len() - visible.len();
        (visible, hidden)
    }

    /// The records a reference field to `target` can point at for `viewer`: those they see (every
    /// user, since anyone can hand a record to a colleague), plus `current`, the value it has now.
    pub fn reference_choices(
        &self,
        target: &str,
        viewer: &SampleUser,
        current: Option<u64>,
    ) -> Vec<&Record> {
        self.records(target)
            .iter()
            .filter(|record| {
                target == USER_ENTITY
                    || self.data.can_see(viewer, record)
                    || record_id(record).is_some_and(|id| Some(id) == current)
            })
            .collect()
    }

    /// The id the next new record of `entity` gets.
    pub fn next_id(&self, entity: &str) -> u64 {
        let highest = self.highest_ids.get(entity).copied().unwrap_or_default();
        next_record_id(self.records(entity), highest)
    }

    /// Applies a saved change; records stay in id order.
    pub fn apply(&mut self, entity: &str, change: &RecordChange) {
        let records = self.data.records.entry(entity.to_string()).or_default();
        let id = record_id(change.current());
        records.retain(|record| record_id(record) != id);
        if !matches!(change, RecordChange::Deleted(_)) {
            records.push(change.current().clone());
            order::sort_by_key(records, record_id);
        }
        if let Some(id) = id {
            let highest = self.highest_ids.entry(entity.to_string()).or_default();
            *highest = (*highest).max(id);
        }
    }

    /// The event of a change, with the records it refers to as this CRM holds them now.
    pub fn event(
        &self,
        catalog: &Catalog,
        entity: &str,
        change: &RecordChange,
        meta: EventMeta<'_>,
    ) -> Event {
        let previous = match change {
            RecordChange::Updated { previous, .. } => Some(previous),
            _ => None,
        };
        self.data.event(
            catalog,
            Change {
                id: meta.id,
                entity,
                action: change.action(),
                time: meta.time,
                user: meta.user,
                current: change.current(),
                previous,
            },
        )
    }
}

impl RecordChange {
    pub fn action(&self) -> EventAction {
        match self {
            RecordChange::Added(_) => EventAction::Added,
            RecordChange::Updated { .. } => EventAction::Updated,
            RecordChange::Deleted(_) => EventAction::Deleted,
        }
    }

    /// The record after the change; for a deletion, the record as it was.
    pub fn current(&self) -> &Record {
        match self {
            RecordChange::Added(current)
            | RecordChange::Updated { current, .. }
            | RecordChange::Deleted(current) => current,
        }
    }

    pub fn id(&self) -> u64 {
        record_id(self.current()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn regular(crm: &SandboxCrm) -> SampleUser {
        crm.users()
            .iter()
            .find(|user| user.visibility == Visibility::OwnRecords)
            .unwrap()
            .clone()
    }

    fn record(value: Value) -> Record {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_regular_user_sees_their_own_records_and_how_many_are_hidden() {
        let crm = SandboxCrm::builtin();
        let riley = regular(&crm);
        let (visible, hidden) = crm.visible("deal", &riley);
        let ids: Vec<u64> = visible.iter().filter_map(|r| record_id(r)).collect();
        assert_eq!((ids, hidden), (vec![302, 304], 2));
        let admin = crm.viewer(&crm.users()[0].user);
        assert_eq!(crm.visible("deal", &admin).1, 0);
    }

    #[test]
    fn references_offer_visible_records_every_user_and_the_current_value() {
        let crm = SandboxCrm::builtin();
        let riley = regular(&crm);
        let ids = |target: &str, current| -> Vec<u64> {
            crm.reference_choices(target, &riley, current)
                .iter()
                .filter_map(|r| record_id(r))
                .collect()
        };
        assert_eq!(ids("person", None), [202, 204]);
        assert_eq!(ids("person", Some(201)), [201, 202, 204]);
        assert_eq!(ids("user", None), [1, 2]);
    }

    #[test]
    fn ids_of_deleted_records_are_not_given_out_again() {
        let mut crm = SandboxCrm::builtin();
        assert_eq!(crm.next_id("deal"), 305);
        crm.apply(
            "deal",
            &RecordChange::Added(record(json!({"id": 305, "title": "New"}))),
        );
        crm.apply("deal", &RecordChange::Deleted(record(json!({"id": 305}))));
        assert!(crm.record("deal", 305).is_none());
        assert_eq!(crm.next_id("deal"), 306);
        let reopened = SandboxCrm::from_stored(crm.to_stored());
        assert_eq!(reopened.next_id("deal"), 306, "kept across storage");
        assert_eq!(
            reopened.records("user").len(),
            2,
            "users come from the sample"
        );
        assert!(!crm.to_stored().records.contains_key("user"));
    }

    #[test]
    fn an_update_replaces_the_record_in_place() {
        let mut crm = SandboxCrm::builtin();
        let previous = crm.record("deal", 302).unwrap().clone();
        let mut current = previous.clone();
        current.insert("stage".into(), json!("negotiations"));
        crm.apply("deal", &RecordChange::Updated { previous, current });
        assert_eq!(crm.record("deal", 302).unwrap()["stage"], "negotiations");
        assert_eq!(crm.records("deal").len(), 4);
    }

    #[test]
    fn events_carry_previous_related_records_and_the_acting_user() {
        let crm = SandboxCrm::builtin();
        let catalog = Catalog::builtin();
        let riley = regular(&crm).user;
        let previous = crm.record("deal", 302).unwrap().clone();
        let mut current = previous.clone();
        current.insert("status".into(), json!("won"));
        let change = RecordChange::Updated { previous, current };
        let meta = EventMeta {
            id: "evt_1",
            time: "2026-11-28T09:00:00Z",
            user: &riley,
        };
        let event = crm.event(&catalog, "deal", &change, meta);
        assert_eq!(event.action, EventAction::Updated);
        assert_eq!(event.user, riley);
        assert_eq!(event.previous.unwrap()["status"], "open");
        assert_eq!(event.current["status"], "won");
        assert_eq!(event.related["person"][0]["name"], "Jürgen Müller");
        assert_eq!(event.related["organization"][0]["id"], 102);
    }
}
