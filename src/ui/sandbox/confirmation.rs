//! The short confirmation after a saved change, naming the event it sent.

use webhook_engine::catalog::Entity;
use webhook_engine::records::{changed_fields, is_editable};

use crate::sandbox::RecordChange;

/// "Deal 302 updated (Stage) — automations on “deal · updated” were checked". An update names the
/// fields the person changed, not the CRM's own bookkeeping.
pub fn confirmation(entity: &Entity, change: &RecordChange) -> String {
    let action = change.action().as_str();
    let fields = match change {
        RecordChange::Updated { previous, current } => {
            let labels: Vec<&str> = changed_fields(entity, previous, current)
                .into_iter()
                .filter(|field| is_editable(field))
                .map(|field| field.label.as_str())
                .collect();
            format!(" ({})", labels.join(", "))
        }
        _ => String::new(),
    };
    format!(
        "{} {} {action}{fields} — automations on “{} · {action}” were checked",
        entity.label,
        change.id(),
        entity.key
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use webhook_engine::catalog::Catalog;
    use webhook_engine::event::Record;

    fn record(value: serde_json::Value) -> Record {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn names_the_record_the_event_and_what_changed() {
        let catalog = Catalog::builtin();
        let deal = catalog.entity("deal").unwrap();
        let previous = record(json!({"id": 302, "stage": "qualified", "update_time": "a"}));
        let current = record(json!({"id": 302, "stage": "won", "update_time": "b"}));
        assert_eq!(
            confirmation(deal, &RecordChange::Updated { previous, current }),
            "Deal 302 updated (Stage) — automations on “deal · updated” were checked"
        );
        let person = catalog.entity("person").unwrap();
        assert_eq!(
            confirmation(person, &RecordChange::Deleted(record(json!({"id": 205})))),
            "Person 205 deleted — automations on “person · deleted” were checked"
        );
    }
}
