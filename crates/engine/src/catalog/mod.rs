//! The field catalog: which entities the CRM has, their typed fields, and how records relate.
//!
//! The built-in catalog models a typical CRM (`data/catalog.json`); an embedding CRM can supply its
//! own in the same JSON format (`docs/formats.md`). Templates and conditions are checked against it.

mod resolve;
mod suggest;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use resolve::{
    AnyTriggerResolver, CatalogResolver, FieldTarget, Resolved, Unresolved, EVENT_ROOT,
    PREVIOUS_ROOT,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub entities: Vec<Entity>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub key: String,
    pub label: String,
    /// Whether its records' events can trigger automations; related-only entities (users,
    /// products) cannot.
    #[serde(default)]
    pub trigger: bool,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub key: String,
    pub label: String,
    #[serde(flatten)]
    pub kind: FieldKind,
    /// A required field always has a value; an optional one may be missing (null).
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Number,
    Monetary,
    Date,
    Datetime,
    Enum {
        options: Vec<EnumOption>,
    },
    Boolean,
    Email,
    Phone,
    /// The id of one record of another entity; its fields are reachable by dot path.
    Reference {
        entity: String,
    },
    /// An ordered list of records of another entity, reachable by index (`deal.products.0.name`).
    List {
        entity: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumOption {
    pub id: String,
    pub label: String,
}

/// The suffix of the companion field that holds an enum's option id; the field itself holds the
/// label (`deal.stage` → "Proposal made", `deal.stage_id` → "proposal_made").
pub const ENUM_ID_SUFFIX: &str = "_id";

#[derive(Debug, Error, PartialEq)]
pub enum CatalogError {
    #[error("the catalog is not valid JSON: {0}")]
    Json(String),
    #[error("entity \"{0}\" appears twice in the catalog")]
    DuplicateEntity(String),
    #[error("field \"{entity}.{field}\" appears twice")]
    DuplicateField { entity: String, field: String },
    #[error("\"{0}\" is not a usable key: use letters, digits and _, starting with a letter")]
    BadKey(String),
    #[error(
        "field \"{entity}.{field}\" points at entity \"{target}\", which the catalog does not have"
    )]
    UnknownTarget {
        entity: String,
        field: String,
        target: String,
    },
    #[error("entity \"{0}\" needs an \"id\" field")]
    MissingId(String),
    #[error("enum field \"{entity}.{field}\" needs at least one option")]
    EmptyEnum { entity: String, field: String },
    #[error("field \"{entity}.{field}\" clashes with the option-id field of enum \"{entity}.{enum_field}\"")]
    EnumIdClash {
        entity: String,
        field: String,
        enum_field: String,
    },
}

impl Catalog {
    /// The catalog the app ships with, modelled on a typical CRM.
    pub fn builtin() -> Catalog {
        Catalog::from_json(include_str!("../../data/catalog.json"))
            .expect("the built-in catalog is valid (tested)")
    }

    /// Reads and checks a catalog document, e.g. one an embedding CRM supplies.
    pub fn from_json(json: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog =
            serde_json::from_str(json).map_err(|error| CatalogError::Json(error.to_string()))?;
        catalog.check()?;
        Ok(catalog)
    }

    pub fn entity(&self, key: &str) -> Option<&Entity> {
        self.entities.iter().find(|entity| entity.key == key)
    }

    pub fn trigger_entities(&self) -> impl Iterator<Item = &Entity> {
        self.entities.iter().filter(|entity| entity.trigger)
    }

    fn check(&self) -> Result<(), CatalogError> {
        for (index, entity) in self.entities.iter().enumerate() {
            check_key(&entity.key)?;
            if self.entities[..index]
                .iter()
                .any(|other| other.key == entity.key)
            {
                return Err(CatalogError::DuplicateEntity(entity.key.clone()));
            }
            if entity.field("id").is_none() {
                return Err(CatalogError::MissingId(entity.key.clone()));
            }
            for (field_index, field) in entity.fields.iter().enumerate() {
                self.check_field(entity, field)?;
                if entity.fields[..field_index]
                    .iter()
                    .any(|other| other.key == field.key)
                {
                    return Err(CatalogError::DuplicateField {
                        entity: entity.key.clone(),
                        field: field.key.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    fn check_field(&self, entity: &Entity, field: &Field) -> Result<(), CatalogError> {
        check_key(&field.key)?;
        match &field.kind {
            FieldKind::Reference { entity: target } | FieldKind::List { entity: target }
                if self.entity(target).is_none() =>
            {
                Err(CatalogError::UnknownTarget {
                    entity: entity.key.clone(),
                    field: field.key.clone(),
                    target: target.clone(),
                })
            }
            FieldKind::Enum { options } if options.is_empty() => Err(CatalogError::EmptyEnum {
                entity: entity.key.clone(),
                field: field.key.clone(),
            }),
            FieldKind::Enum { .. } => {
                let id_field = format!("{}{ENUM_ID_SUFFIX}", field.key);
                match entity.field(&id_field) {
                    Some(clash) => Err(CatalogError::EnumIdClash {
                        entity: entity.key.clone(),
                        field: clash.key.clone(),
                        enum_field: field.key.clone(),
                    }),
                    None => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }
}

impl Entity {
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|field| field.key == key)
    }
}

impl FieldKind {
    pub fn name(&self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Monetary => "monetary",
            FieldKind::Date => "date",
            FieldKind::Datetime => "datetime",
            FieldKind::Enum { .. } => "enum",
            FieldKind::Boolean => "boolean",
            FieldKind::Email => "email",
            FieldKind::Phone => "phone",
            FieldKind::Reference { .. } => "reference",
            FieldKind::List { .. } => "list",
        }
    }
}

fn check_key(key: &str) -> Result<(), CatalogError> {
    let mut chars = key.chars();
    let starts_well = chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic());
    if starts_well && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err(CatalogError::BadKey(key.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_has_the_five_trigger_entities_with_typed_fields() {
        let catalog = Catalog::builtin();
        let triggers: Vec<_> = catalog.trigger_entities().map(|e| e.key.as_str()).collect();
        assert_eq!(
            triggers,
            ["deal", "person", "organization", "activity", "lead"]
        );
        let deal = catalog.entity("deal").unwrap();
        assert_eq!(deal.field("value").unwrap().kind, FieldKind::Monetary);
        assert!(matches!(
            deal.field("stage").unwrap().kind,
            FieldKind::Enum { .. }
        ));
        assert_eq!(
            deal.field("person").unwrap().kind,
            FieldKind::Reference {
                entity: "person".into()
            }
        );
        let kinds: std::collections::BTreeSet<_> = catalog
            .entities
            .iter()
            .flat_map(|e| e.fields.iter().map(|f| f.kind.name()))
            .collect();
        assert_eq!(kinds.len(), 11, "every field type is exercised: {kinds:?}");
    }

    #[test]
    fn a_catalog_pointing_at_a_missing_entity_is_refused() {
        let json = r#"{"entities": [{"key": "deal", "label": "Deal", "fields": [
            {"key": "id", "label": "ID", "type": "number"},
            {"key": "person", "label": "Person", "type": "reference", "entity": "contact"}]}]}"#;
        assert_eq!(
            Catalog::from_json(json).unwrap_err().to_string(),
            "field \"deal.person\" points at entity \"contact\", which the catalog does not have"
        );
    }

    #[test]
    fn duplicate_keys_bad_keys_and_enum_id_clashes_are_refused() {
        let entity = |fields: &str| {
            format!(
                r#"{{"entities": [{{"key": "deal", "label": "Deal", "fields": [{{"key": "id", "label": "ID", "type": "number"}}, {fields}]}}]}}"#
            )
        };
        let dup = entity(r#"{"key": "id", "label": "Again", "type": "text"}"#);
        assert!(matches!(
            Catalog::from_json(&dup),
            Err(CatalogError::DuplicateField { .. })
        ));
        let bad = entity(r#"{"key": "due date", "label": "Due", "type": "date"}"#);
        assert_eq!(
            Catalog::from_json(&bad),
            Err(CatalogError::BadKey("due date".into()))
        );
        let clash = entity(
            r#"{"key": "stage", "label": "Stage", "type": "enum", "options": [{"id": "a", "label": "A"}]},
               {"key": "stage_id", "label": "Stage id", "type": "number"}"#,
        );
        assert!(matches!(
            Catalog::from_json(&clash),
            Err(CatalogError::EnumIdClash { .. })
        ));
        assert!(matches!(
            Catalog::from_json("{"),
            Err(CatalogError::Json(_))
        ));
    }
}
