//! The field picker: every field an automation on a trigger can insert, grouped and labelled for a
//! CRM admin, with the same "may be empty" warnings the template diagnostics give.

use serde::{Deserialize, Serialize};

use crate::catalog::{
    Catalog, Entity, FieldKind, FieldTarget, ENUM_ID_SUFFIX, EVENT_ROOT, PREVIOUS_ROOT,
};
use crate::model::{EventAction, Trigger};
use crate::template::{FieldPath, PathSegment};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickerField {
    /// What the placeholder holds: `deal.person.email`.
    pub path: String,
    /// The field's name within its group: `Contact person › Email`.
    pub label: String,
    /// Where the picker lists it: `Deal`, `Deal › Contact person`, `Previous values`, `Event`.
    pub group: String,
    /// The catalog type of the value (`FieldKind::name`); an enum's option id is `text`.
    pub kind: String,
    /// Why the value may be missing for some records, as the template diagnostics say it.
    pub warning: Option<String>,
}

/// The fields an automation on `trigger` can use: the record's fields (an enum with its `_id`
/// companion, a list as a whole and its first item's fields), each related record's fields one hop
/// deep, the previous values on `updated` triggers, and the event's own data.
pub fn picker_fields(catalog: &Catalog, trigger: &Trigger) -> Vec<PickerField> {
    let mut picker = Picker {
        catalog,
        trigger,
        fields: Vec::new(),
    };
    if let Some(entity) = catalog.entity(&trigger.entity) {
        picker.record(entity, &entity.key, "", &entity.label, 1);
        if trigger.action == EventAction::Updated {
            let prefix = format!("{PREVIOUS_ROOT}.{}", entity.key);
            picker.record(entity, &prefix, "", "Previous values", 0);
        }
    }
    for (key, label) in [
        ("id", "Event ID"),
        ("action", "Action"),
        ("entity", "Record type"),
        ("time", "Time"),
    ] {
        picker.add(format!("{EVENT_ROOT}.{key}"), label.to_owned(), "Event");
    }
    if let Some(user) = catalog.entity("user") {
        picker.record(
            user,
            &format!("{EVENT_ROOT}.user"),
            "User",
            "Event › User",
            0,
        );
    }
    picker.fields
}

/// The fields whose label, group or path contains every word of `query`, ignoring case; all of them
/// for an empty query.
pub fn search_fields<'f>(fields: &'f [PickerField], query: &str) -> Vec<&'f PickerField> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    fields
        .iter()
        .filter(|field| {
            let texts = [&field.label, &field.group, &field.path].map(|text| text.to_lowercase());
            words
                .iter()
                .all(|word| texts.iter().any(|text| text.contains(word.as_str())))
        })
        .collect()
}

struct Picker<'c> {
    catalog: &'c Catalog,
    trigger: &'c Trigger,
    fields: Vec<PickerField>,
}

impl Picker<'_> {
    /// Adds `entity`'s fields under `prefix` (`deal`, `deal.person`), labelled after `label_prefix`,
    /// following references and lists `hops` more levels.
    fn record(
        &mut self,
        entity: &Entity,
        prefix: &str,
        label_prefix: &str,
        group: &str,
        hops: usize,
    ) {
        for field in &entity.fields {
            let path = format!("{prefix}.{}", field.key);
            let label = join(label_prefix, &field.label);
            self.add(path.clone(), label.clone(), group);
            let (related, item_prefix, item_label) = match &field.kind {
                FieldKind::Enum { .. } => {
                    let id_path = format!("{path}{ENUM_ID_SUFFIX}");
                    self.add(id_path, format!("{label} (option id)"), group);
                    continue;
                }
                FieldKind::Reference { entity } => (entity, path, label),
                FieldKind::List { entity } => {
                    (entity, format!("{path}.0"), join(&label, "First item"))
                }
                _ => continue,
            };
            if let Some(related) = self.catalog.entity(related).filter(|_| hops > 0) {
                let group = join(group, &field.label);
                self.record(related, &item_prefix, &item_label, &group, hops - 1);
            }
        }
    }

    /// Adds the field at `path` as the catalog resolves it for the trigger; a path it can't resolve
    /// (a custom catalog without a `user` entity, say) is left out rather than offered broken.
    fn add(&mut self, path: String, label: String, group: &str) {
        let Ok(resolved) = self.catalog.resolve_path(self.trigger, &field_path(&path)) else {
            return;
        };
        let kind = match resolved.target {
            FieldTarget::Field(field) => field.kind.name(),
            FieldTarget::EnumId(_) | FieldTarget::EventText => FieldKind::Text.name(),
            FieldTarget::ListItem(_) => "reference",
            FieldTarget::EventTime => FieldKind::Datetime.name(),
        };
        self.fields.push(PickerField {
            path,
            label,
            group: group.to_owned(),
            kind: kind.to_owned(),
            warning: resolved.may_be_absent,
        });
    }
}

/// `a › b`, or `b` alone when there is no `a`.
fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix} › {name}")
    }
}

/// The path of a field this module spelled: names, and digits for list indexes.
fn field_path(path: &str) -> FieldPath {
    FieldPath::new(
        path.split('.')
            .map(|segment| match segment.parse() {
                Ok(index) => PathSegment::Index(index),
                Err(_) => PathSegment::Name(segment.to_owned()),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{FieldResolver, Resolution};

    fn trigger(entity: &str, action: EventAction) -> Trigger {
        Trigger {
            entity: entity.into(),
            action,
        }
    }

    fn find<'f>(fields: &'f [PickerField], path: &str) -> &'f PickerField {
        fields
            .iter()
            .find(|field| field.path == path)
            .unwrap_or_else(|| panic!("{path} is offered"))
    }

    #[test]
    fn a_deal_update_offers_its_fields_related_records_previous_values_and_the_event() {
        let catalog = Catalog::builtin();
        let fields = picker_fields(&catalog, &trigger("deal", EventAction::Updated));
        let email = find(&fields, "deal.person.email");
        assert_eq!(
            (
                email.label.as_str(),
                email.group.as_str(),
                email.kind.as_str()
            ),
            ("Contact person › Email", "Deal › Contact person", "email")
        );
        assert_eq!(find(&fields, "deal.stage").kind, "enum");
        assert_eq!(find(&fields, "deal.stage_id").label, "Stage (option id)");
        assert_eq!(find(&fields, "deal.stage_id").kind, "text");
        assert_eq!(find(&fields, "deal.products").kind, "list");
        let product = find(&fields, "deal.products.0.name");
        assert_eq!(
            (product.label.as_str(), product.group.as_str()),
            ("Products › First item › Name", "Deal › Products")
        );
        assert_eq!(find(&fields, "deal.owner.name").group, "Deal › Owner");
        assert_eq!(
            find(&fields, "previous.deal.stage").group,
            "Previous values"
        );
        assert_eq!(find(&fields, "event.time").kind, "datetime");
        assert_eq!(find(&fields, "event.action").group, "Event");
        assert_eq!(find(&fields, "event.user.name").label, "User › Name");
        // One hop deep: the person's organization is offered as a reference, not expanded.
        assert_eq!(find(&fields, "deal.person.organization").kind, "reference");
        assert!(!fields
            .iter()
            .any(|f| f.path.starts_with("deal.person.organization.")));
        assert!(!fields
            .iter()
            .any(|f| f.path.starts_with("previous.deal.person.")));
    }

    #[test]
    fn previous_values_only_on_updates() {
        let catalog = Catalog::builtin();
        for action in [EventAction::Added, EventAction::Deleted] {
            let fields = picker_fields(&catalog, &trigger("deal", action));
            assert!(
                !fields.iter().any(|f| f.path.starts_with("previous.")),
                "{action:?}"
            );
            assert!(fields.iter().any(|f| f.path == "deal.title"));
        }
    }

    #[test]
    fn warnings_match_the_diagnostics() {
        let catalog = Catalog::builtin();
        let fields = picker_fields(&catalog, &trigger("deal", EventAction::Added));
        let email = find(&fields, "deal.person.email");
        assert!(email
            .warning
            .as_deref()
            .unwrap()
            .contains("deal.person may be empty"));
        assert!(find(&fields, "deal.products.0.name").warning.is_some());
        assert_eq!(find(&fields, "deal.title").warning, None);
        assert_eq!(
            find(&fields, "deal.owner.name").warning,
            None,
            "the owner is required"
        );
    }

    #[test]
    fn every_offered_path_resolves_with_the_warning_shown() {
        let catalog = Catalog::builtin();
        for entity in catalog.trigger_entities() {
            for action in EventAction::ALL {
                let trigger = trigger(&entity.key, action);
                let resolver = catalog.resolver(&trigger);
                let fields = picker_fields(&catalog, &trigger);
                assert!(fields.len() > 10, "{} {action:?}", entity.key);
                for field in &fields {
                    let expected = match &field.warning {
                        Some(warning) => Resolution::Warning(warning.clone()),
                        None => Resolution::Known,
                    };
                    assert_eq!(
                        resolver.resolve(&field_path(&field.path)),
                        expected,
                        "{}",
                        field.path
                    );
                }
                let mut paths: Vec<&str> = fields.iter().map(|f| f.path.as_str()).collect();
                paths.sort_unstable();
                paths.dedup();
                assert_eq!(paths.len(), fields.len(), "no path twice");
            }
        }
    }

    #[test]
    fn search_needs_every_word_in_the_label_group_or_path() {
        let catalog = Catalog::builtin();
        let fields = picker_fields(&catalog, &trigger("deal", EventAction::Updated));
        assert_eq!(search_fields(&fields, "  ").len(), fields.len());
        let paths = |query: &str| -> Vec<String> {
            search_fields(&fields, query)
                .iter()
                .map(|f| f.path.clone())
                .collect()
        };
        assert_eq!(paths("CONTACT email"), ["deal.person.email"]);
        assert_eq!(
            paths("previous stage"),
            ["previous.deal.stage", "previous.deal.stage_id"]
        );
        assert_eq!(paths("products.0.unit"), ["deal.products.0.unit_price"]);
        assert!(paths("email nothing-like-this").is_empty());
    }
}
