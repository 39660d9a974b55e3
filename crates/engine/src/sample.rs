//! The built-in sample dataset (`data/sample.json`): realistic deals, people, organizations,
//! activities and leads, an admin and a regular user who sees only their own records. The preview,
//! the sandbox CRM and the tests all use it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::{Catalog, FieldKind};
use crate::event::{Event, Record, User};
use crate::model::EventAction;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleData {
    pub users: Vec<SampleUser>,
    /// Records by entity key.
    pub records: BTreeMap<String, Vec<Record>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleUser {
    #[serde(flatten)]
    pub user: User,
    pub visibility: Visibility,
}

/// Which records a user sees in the CRM. It limits what they see, never which automations run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Everything,
    /// Only records whose `owner` is the user.
    OwnRecords,
}

impl SampleData {
    pub fn builtin() -> SampleData {
        let mut sample: SampleData = serde_json::from_str(include_str!("../data/sample.json"))
            .expect("the sample dataset is valid (tested)");
        // Users are records too: deals and activities refer to their owner.
        let users = sample
            .users
            .iter()
            .map(|sample_user| user_record(&sample_user.user))
            .collect();
        sample.records.insert("user".into(), users);
        sample
    }

    pub fn record(&self, entity: &str, id: u64) -> Option<&Record> {
        self.records
            .get(entity)?
            .iter()
            .find(|record| record.get("id").and_then(Value::as_u64) == Some(id))
    }

    pub fn user(&self, id: u64) -> Option<&SampleUser> {
        self.users.iter().find(|sample| sample.user.id == id)
    }

    pub fn admin(&self) -> &SampleUser {
        self.users
            .iter()
            .find(|sample| sample.user.is_admin)
            .expect("the sample has an admin")
    }

    pub fn can_see(&self, user: &SampleUser, record: &Record) -> bool {
        match user.visibility {
            Visibility::Everything => true,
            Visibility::OwnRecords => {
                record.get("owner").and_then(Value::as_u64) == Some(user.user.id)
            }
        }
    }

    /// The event for a change to a record of `entity`, carrying the related records it refers to.
    pub fn event(&self, catalog: &Catalog, change: Change<'_>) -> Event {
        let related = related_records(catalog, change.entity, change.current, |entity, id| {
            self.records
                .get(entity)?
                .iter()
                .find(|record| record.get("id") == Some(id))
        });
        Event {
            id: change.id.to_string(),
            entity: change.entity.to_string(),
            action: change.action,
            time: change.time.to_string(),
            user: change.user.clone(),
            current: change.current.clone(),
            previous: change.previous.cloned(),
            related,
        }
    }

    /// An event for every sample record and action (updates change nothing but the update time),
    /// by the admin: what previews and benches render against.
    pub fn example_event(
        &self,
        catalog: &Catalog,
        entity: &str,
        action: EventAction,
    ) -> Option<Event> {
        let current = self.records.get(entity)?.first()?;
        let previous = (action == EventAction::Updated).then_some(current);
        Some(self.event(
            catalog,
            Change {
                id: "evt_example",
                entity,
                action,
                time: "2026-11-28T09:00:00Z",
                user: &self.admin().user,
                current,
                previous,
            },
        ))
    }
}

fn user_record(user: &User) -> Record {
    match serde_json::to_value(user) {
        Ok(Value::Object(record)) => record,
        _ => unreachable!("a user serializes as an object"),
    }
}

/// One change to a record, as the CRM reports it.
pub struct Change<'a> {
    pub id: &'a str,
    pub entity: &'a str,
    pub action: EventAction,
    pub time: &'a str,
    pub user: &'a User,
    pub current: &'a Record,
    pub previous: Option<&'a Record>,
}

/// The records `record` refers to (and those they refer to, two hops deep), found with `lookup`.
pub fn related_records<'r>(
    catalog: &Catalog,
    entity: &str,
    record: &Record,
    lookup: impl Fn(&str, &Value) -> Option<&'r Record> + Copy,
) -> BTreeMap<String, Vec<Record>> {
    let mut related: BTreeMap<String, Vec<Record>> = BTreeMap::new();
    collect_related(catalog, entity, record, lookup, 2, &mut related);
    related
}

fn collect_related<'r>(
    catalog: &Catalog,
    entity: &str,
    record: &Record,
    lookup: impl Fn(&str, &Value) -> Option<&'r Record> + Copy,
    depth: usize,
    related: &mut BTreeMap<String, Vec<Record>>,
) {
    let Some(entity) = catalog.entity(entity) else {
        return;
    };
    if depth == 0 {
        return;
    }
    for field in &entity.fields {
        let (FieldKind::Reference { entity: target }, Some(id)) =
            (&field.kind, record.get(&field.key))
        else {
            continue;
        };
        let Some(found) = lookup(target, id) else {
            continue;
        };
        let known = related.entry(target.clone()).or_default();
        if !known.iter().any(|existing| existing.get("id") == Some(id)) {
            known.push(found.clone());
        }
        collect_related(catalog, target, found, lookup, depth - 1, related);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::render_context;

    #[test]
    fn every_sample_record_matches_the_catalog() {
        let catalog = Catalog::builtin();
        let sample = SampleData::builtin();
        for entity in &catalog.entities {
            if entity.key == "product" {
                continue; // products live inside deals, not on their own
            }
            let records = &sample.records[&entity.key];
            assert!(records.len() >= 2, "{} has sample records", entity.key);
            for record in records {
                for key in record.keys() {
                    assert!(
                        entity.field(key).is_some(),
                        "{}.{key} is in the catalog",
                        entity.key
                    );
                }
                for field in entity.fields.iter().filter(|field| field.required) {
                    assert!(
                        record.contains_key(&field.key),
                        "{}.{} is required",
                        entity.key,
                        field.key
                    );
                }
            }
        }
    }

    #[test]
    fn the_regular_user_sees_only_their_own_records() {
        let sample = SampleData::builtin();
        let regular = sample.user(2).unwrap();
        assert!(!regular.user.is_admin);
        let visible = sample.records["deal"]
            .iter()
            .filter(|deal| sample.can_see(regular, deal))
            .count();
        assert!(visible > 0 && visible < sample.records["deal"].len());
        assert!(sample.records["deal"]
            .iter()
            .all(|deal| sample.can_see(sample.admin(), deal)));
    }

    #[test]
    fn events_carry_related_records_two_hops_deep() {
        let catalog = Catalog::builtin();
        let sample = SampleData::builtin();
        let activity = sample.record("activity", 401).unwrap();
        let event = sample.event(
            &catalog,
            Change {
                id: "evt_1",
                entity: "activity",
                action: EventAction::Added,
                time: "2026-11-28T10:00:00Z",
                user: &sample.user(2).unwrap().user,
                current: activity,
                previous: None,
            },
        );
        let context = render_context(&catalog, &event);
        assert_eq!(
            context["activity"]["deal"]["person"]["email"],
            "ingrid.haugen@fjord-logistics.example"
        );
        assert_eq!(
            context["activity"]["deal"]["organization"]["name"],
            "Fjord Logistics AS"
        );
        assert_eq!(context["activity"]["owner"]["name"], "Ada Admin");
        assert_eq!(context["event"]["user"]["name"], "Riley Regular");
    }
}
