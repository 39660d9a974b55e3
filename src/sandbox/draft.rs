//! A record being added or edited in the sandbox's form: where it starts, what was typed, and how
//! that becomes a checked change. Every rule it applies comes from `webhook_engine::records`.

use std::collections::BTreeMap;

use serde_json::Value;
use webhook_engine::catalog::{Entity, Field};
use webhook_engine::event::Record;
use webhook_engine::model::EventAction;
use webhook_engine::records::{
    apply_inputs, changed_fields, input_from_value, new_record, stamp_times, validate_record,
    RecordProblem,
};

use super::crm::{RecordChange, SandboxCrm};

#[derive(Debug, Clone, PartialEq)]
pub struct RecordDraft {
    /// The record as it was (editing) or as a new one starts.
    base: Record,
    /// Field key → the text typed, for the fields changed in the form only.
    edits: BTreeMap<String, String>,
    editing: bool,
}

impl RecordDraft {
    /// A new record of `entity`, owned by the acting user.
    pub fn adding(entity: &Entity, owner: u64) -> RecordDraft {
        RecordDraft {
            base: new_record(entity, owner),
            edits: BTreeMap::new(),
            editing: false,
        }
    }

    pub fn editing(record: &Record) -> RecordDraft {
        RecordDraft {
            base: record.clone(),
            edits: BTreeMap::new(),
            editing: true,
        }
    }

    pub fn is_editing(&self) -> bool {
        self.editing
    }

    /// The text the field's input shows: what was typed, or the stored value.
    pub fn input(&self, field: &Field) -> String {
        self.edits.get(&field.key).cloned().unwrap_or_else(|| {
            self.base
                .get(&field.key)
                .map(|value| input_from_value(&field.kind, value))
                .unwrap_or_default()
        })
    }

    /// The stored value of a field the form does not edit (a deal's products).
    pub fn stored(&self, key: &str) -> Option<&Value> {
        self.base.get(key)
    }

    pub fn edit(&mut self, key: &str, text: String) {
        self.edits.insert(key.to_string(), text);
    }

    /// The change to save, stamped with the CRM's times (`now`, RFC 3339) and checked against the
    /// catalog; `Ok(None)` when an edit changed nothing. A new record gets the entity's next id.
    pub fn submit(
        &self,
        entity: &Entity,
        crm: &SandboxCrm,
        now: &str,
    ) -> Result<Option<RecordChange>, Vec<RecordProblem>> {
        let mut record = apply_inputs(entity, &self.base, &self.edits)?;
        let action = if self.editing {
            if changed_fields(entity, &self.base, &record).is_empty() {
                return Ok(None);
            }
            EventAction::Updated
        } else {
            record.insert("id".into(), Value::from(crm.next_id(&entity.key)));
            EventAction::Added
        };
        stamp_times(entity, &mut record, action, now);
        let problems = validate_record(entity, &record, |target, id| {
            crm.record(target, id).is_some()
        });
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Some(if self.editing {
            RecordChange::Updated {
                previous: self.base.clone(),
                current: record,
            }
        } else {
            RecordChange::Added(record)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use webhook_engine::catalog::Catalog;

    const NOW: &str = "2026-11-28T09:00:00Z";

    fn entity(key: &str) -> Entity {
        Catalog::builtin().entity(key).unwrap().clone()
    }

    #[test]
    fn an_edit_becomes_an_update_with_the_record_before_it() {
        let crm = SandboxCrm::builtin();
        let deal = entity("deal");
        let mut draft = RecordDraft::editing(crm.record("deal", 302).unwrap());
        assert_eq!(draft.input(deal.field("stage").unwrap()), "proposal_made");
        draft.edit("stage", "negotiations".into());
        let Ok(Some(RecordChange::Updated { previous, current })) = draft.submit(&deal, &crm, NOW)
        else {
            panic!("an update");
        };
        assert_eq!(previous["stage"], "proposal_made");
        assert_eq!(current["stage"], "negotiations");
        assert_eq!(current["update_time"], NOW);
        assert_eq!(current["add_time"], previous["add_time"]);
    }

    #[test]
    fn an_edit_that_changes_nothing_saves_nothing() {
        let crm = SandboxCrm::builtin();
        let mut draft = RecordDraft::editing(crm.record("deal", 302).unwrap());
        draft.edit("stage", "proposal_made".into());
        assert_eq!(draft.submit(&entity("deal"), &crm, NOW), Ok(None));
    }

    #[test]
    fn a_new_record_gets_the_next_id_its_times_and_the_creator_as_owner() {
        let crm = SandboxCrm::builtin();
        let person = entity("person");
        let mut draft = RecordDraft::adding(&person, 2);
        draft.edit("name", "Ana Lima".into());
        draft.edit("email", "ana@lima.example".into());
        let Ok(Some(RecordChange::Added(record))) = draft.submit(&person, &crm, NOW) else {
            panic!("an addition");
        };
        assert_eq!(
            Value::Object(record),
            json!({"id": 205, "name": "Ana Lima", "email": "ana@lima.example", "owner": 2, "add_time": NOW})
        );
    }

    #[test]
    fn problems_name_their_fields() {
        let crm = SandboxCrm::builtin();
        let person = entity("person");
        let mut draft = RecordDraft::adding(&person, 2);
        draft.edit("email", "ana-at-lima".into());
        let problems = draft.submit(&person, &crm, NOW).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["name", "email"]);
    }
}
