//! What a field path (`deal.person.email`, `previous.deal.stage`, `event.user.name`) points at, for a
//! given trigger — the check behind "unknown field" errors and "may be empty" warnings.

use crate::catalog::suggest::closest;
use crate::catalog::{Catalog, Entity, Field, FieldKind, ENUM_ID_SUFFIX};
use crate::model::{EventAction, Trigger};
use crate::template::{FieldPath, FieldResolver, PathSegment, Resolution};

/// The first segment of paths into the event's own data rather than the record.
pub const EVENT_ROOT: &str = "event";
/// The first segment of paths into the record's values before an update.
pub const PREVIOUS_ROOT: &str = "previous";

/// What a valid path ends on.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldTarget<'c> {
    /// A field of the catalog; a reference field on its own stands for the related record's id.
    Field(&'c Field),
    /// The option id companion of an enum field (`deal.stage_id`).
    EnumId(&'c Field),
    /// One item of a list (`deal.products.0`): the whole related record.
    ListItem(&'c Entity),
    /// Event metadata: `event.id`, `event.action`, `event.entity` (text) and `event.time` (datetime).
    EventText,
    EventTime,
}

/// A resolved path: its target and, when the value can be absent for this trigger, why.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved<'c> {
    pub target: FieldTarget<'c>,
    pub may_be_absent: Option<String>,
}

/// Why a path names no field, with the path that was probably meant.
#[derive(Debug, Clone, PartialEq)]
pub struct Unresolved {
    pub message: String,
    pub suggestion: Option<String>,
}

impl Catalog {
    /// Resolves `path` as an automation on `trigger` sees it.
    pub fn resolve_path(
        &self,
        trigger: &Trigger,
        path: &FieldPath,
    ) -> Result<Resolved<'_>, Unresolved> {
        let segments = path.segments();
        let Some(PathSegment::Name(root)) = segments.first() else {
            return Err(unresolved(format!("{path} does not start with a name")));
        };
        match root.as_str() {
            EVENT_ROOT => self.resolve_event(&segments[1..]),
            PREVIOUS_ROOT => {
                let Some(PathSegment::Name(entity)) = segments.get(1) else {
                    return Err(Unresolved {
                        message: format!(
                            "{path} must name the record, as in previous.{}.…",
                            trigger.entity
                        ),
                        suggestion: Some(format!("{PREVIOUS_ROOT}.{}", trigger.entity)),
                    });
                };
                let mut resolved =
                    self.resolve_record(trigger, entity, &segments[1..], PREVIOUS_ROOT)?;
                if trigger.action != EventAction::Updated {
                    resolved.may_be_absent = Some(format!(
                        "previous values exist only when a record is updated; this automation runs when a {} is {}, so {{{{{path}}}}} is always empty",
                        trigger.entity,
                        trigger.action.as_str()
                    ));
                }
                Ok(resolved)
            }
            entity => self.resolve_record(trigger, entity, segments, ""),
        }
    }

    fn resolve_record<'c>(
        &'c self,
        trigger: &Trigger,
        root: &str,
        segments: &[PathSegment],
        prefix: &str,
    ) -> Result<Resolved<'c>, Unresolved> {
        let prefixed = |text: &str| {
            if prefix.is_empty() {
                text.to_string()
            } else {
                format!("{prefix}.{text}")
            }
        };
        if root != trigger.entity {
            let rest = FieldPath::new(segments[1..].to_vec());
            let suggestion = self
                .suggest_root(trigger, root, &rest)
                .map(|path| prefixed(&path));
            return Err(Unresolved {
                message: format!(
                    "unknown field {}: this automation runs on {} records, so fields start with {}.",
                    prefixed(&FieldPath::new(segments.to_vec()).to_string()),
                    trigger.entity,
                    prefixed(&trigger.entity)
                ),
                suggestion,
            });
        }
        let entity = self
            .entity(root)
            .ok_or_else(|| unresolved(format!("the catalog has no entity \"{root}\"")))?;
        self.walk(entity, &segments[1..], &prefixed(root))
    }

    fn resolve_event<'c>(&'c self, segments: &[PathSegment]) -> Result<Resolved<'c>, Unresolved> {
        const EVENT_FIELDS: [&str; 5] = ["id", "action", "entity", "time", "user"];
        let name = match segments.first() {
            Some(PathSegment::Name(name)) => name.as_str(),
            _ => {
                return Err(unresolved(format!(
                    "{EVENT_ROOT} needs a field: one of {}",
                    EVENT_FIELDS.join(", ")
                )))
            }
        };
        let known = |target| {
            if segments.len() == 1 {
                Ok(Resolved {
                    target,
                    may_be_absent: None,
                })
            } else {
                Err(unresolved(format!("{EVENT_ROOT}.{name} has no fields")))
            }
        };
        match name {
            "id" | "action" | "entity" => known(FieldTarget::EventText),
            "time" => known(FieldTarget::EventTime),
            "user" => {
                let user = self
                    .entity("user")
                    .ok_or_else(|| unresolved("the catalog has no \"user\" entity".to_string()))?;
                if segments.len() == 1 {
                    Ok(Resolved {
                        target: FieldTarget::Field(user.field("id").expect("checked")),
                        may_be_absent: None,
                    })
                } else {
                    self.walk(user, &segments[1..], "event.user")
                }
            }
            other => Err(Unresolved {
                message: format!("unknown field {EVENT_ROOT}.{other}"),
                suggestion: closest(other, EVENT_FIELDS).map(|name| format!("{EVENT_ROOT}.{name}")),
            }),
        }
    }

    /// Steps through `entity`'s fields along `segments`; `trail` is the path walked so far.
    fn walk<'c>(
        &'c self,
        entity: &'c Entity,
        segments: &[PathSegment],
        trail: &str,
    ) -> Result<Resolved<'c>, Unresolved> {
        let Some(first) = segments.first() else {
            // A bare record (`{{deal}}`) stands for the record's id, like a reference does.
            let id = entity
                .field("id")
                .expect("every entity has an id (checked)");
            return Ok(Resolved {
                target: FieldTarget::Field(id),
                may_be_absent: None,
            });
        };
        let name = match first {
            PathSegment::Name(name) => name,
            PathSegment::Index(index) => {
                return Err(unresolved(format!(
                    "{trail} is not a list, so it has no item {index}"
                )))
            }
        };
        let here = format!("{trail}.{name}");
        let rest = &segments[1..];
        let Some(field) = entity.field(name) else {
            return self.enum_id(entity, name, rest, &here, trail);
        };
        match &field.kind {
            FieldKind::Reference { entity: target } if !rest.is_empty() => {
                let related = self
                    .entity(target)
                    .expect("references point at entities (checked)");
                let mut resolved = self.walk(related, rest, &here)?;
                if !field.required && resolved.may_be_absent.is_none() {
                    resolved.may_be_absent = Some(format!(
                        "{here} may be empty on some records; then {trail}.{}{} is missing",
                        name,
                        suffix(rest)
                    ));
                }
                Ok(resolved)
            }
            FieldKind::List { entity: target } if !rest.is_empty() => {
                let PathSegment::Index(index) = rest[0] else {
                    return Err(Unresolved {
                        message: format!(
                            "{here} is a list: pick an item by its position, as in {here}.0{}",
                            suffix(rest)
                        ),
                        suggestion: Some(format!("{here}.0{}", suffix(rest))),
                    });
                };
                let item = self.entity(target).expect("lists hold entities (checked)");
                let mut resolved = if rest.len() == 1 {
                    Resolved {
                        target: FieldTarget::ListItem(item),
                        may_be_absent: None,
                    }
                } else {
                    self.walk(item, &rest[1..], &format!("{here}.{index}"))?
                };
                resolved.may_be_absent.get_or_insert_with(|| {
                    format!(
                        "{here} may have fewer than {} items; then {here}.{index}{} is missing",
                        index + 1,
                        suffix(&rest[1..])
                    )
                });
                Ok(resolved)
            }
            _ if !rest.is_empty() => Err(unresolved(format!(
                "{here} is a {} field; it has no field {}",
                field.kind.name(),
                FieldPath::new(rest.to_vec())
            ))),
            _ => Ok(Resolved {
                target: FieldTarget::Field(field),
                may_be_absent: None,
            }),
        }
    }

    /// `stage_id` names the option id of the enum field `stage`; anything else is unknown.
    fn enum_id<'c>(
        &'c self,
        entity: &'c Entity,
        name: &str,
        rest: &[PathSegment],
        here: &str,
        trail: &str,
    ) -> Result<Resolved<'c>, Unresolved> {
        let enum_field = name
            .strip_suffix(ENUM_ID_SUFFIX)
            .and_then(|base| entity.field(base))
            .filter(|field| matches!(field.kind, FieldKind::Enum { .. }));
        match enum_field {
            Some(field) if rest.is_empty() => Ok(Resolved {
                target: FieldTarget::EnumId(field),
                may_be_absent: None,
            }),
            Some(_) => Err(unresolved(format!(
                "{here} is an option id; it has no fields"
            ))),
            None => {
                let names = entity_names(entity);
                Err(Unresolved {
                    message: format!("unknown field {here}"),
                    suggestion: closest(name, names.iter().map(String::as_str))
                        .map(|name| format!("{trail}.{name}")),
                })
            }
        }
    }

    /// For a path that starts with the wrong entity: the misspelt trigger entity (`deals.title` →
    /// `deal.title`), or the trigger's reference to that entity (`person.email` on a deal trigger →
    /// `deal.person.email`).
    fn suggest_root(&self, trigger: &Trigger, root: &str, rest: &FieldPath) -> Option<String> {
        let tail = |path: &str| {
            if rest.segments().is_empty() {
                path.to_string()
            } else {
                format!("{path}.{rest}")
            }
        };
        if closest(root, [trigger.entity.as_str()]).is_some() {
            return Some(tail(&trigger.entity));
        }
        let trigger_entity = self.entity(&trigger.entity)?;
        trigger_entity
            .fields
            .iter()
            .find(|field| matches!(&field.kind, FieldKind::Reference { entity } if entity == root))
            .map(|field| tail(&format!("{}.{}", trigger.entity, field.key)))
    }

    /// The resolver that checks template placeholders for an automation on `trigger`.
    pub fn resolver(&self, trigger: &Trigger) -> CatalogResolver<'_> {
        CatalogResolver {
            catalog: self,
            trigger: trigger.clone(),
        }
    }
}

fn entity_names(entity: &Entity) -> Vec<String> {
    let mut names: Vec<String> = entity
        .fields
        .iter()
        .map(|field| field.key.clone())
        .collect();
    names.extend(
        entity
            .fields
            .iter()
            .filter(|field| matches!(field.kind, FieldKind::Enum { .. }))
            .map(|field| format!("{}{ENUM_ID_SUFFIX}", field.key)),
    );
    names
}

fn suffix(rest: &[PathSegment]) -> String {
    if rest.is_empty() {
        String::new()
    } else {
        format!(".{}", FieldPath::new(rest.to_vec()))
    }
}

fn unresolved(message: String) -> Unresolved {
    Unresolved {
        message,
        suggestion: None,
    }
}

/// Checks placeholders against the catalog for one trigger.
pub struct CatalogResolver<'c> {
    catalog: &'c Catalog,
    trigger: Trigger,
}

impl FieldResolver for CatalogResolver<'_> {
    fn resolve(&self, path: &FieldPath) -> Resolution {
        match self.catalog.resolve_path(&self.trigger, path) {
            Ok(Resolved {
                may_be_absent: Some(why),
                ..
            }) => Resolution::Warning(why),
            Ok(Resolved {
                may_be_absent: None,
                ..
            }) => Resolution::Known,
            Err(Unresolved {
                message,
                suggestion,
            }) => Resolution::Unknown {
                message,
                suggestion,
            },
        }
    }

    fn value_path(&self, path: FieldPath) -> FieldPath {
        let stands_for_id = match self.catalog.resolve_path(&self.trigger, &path) {
            Ok(Resolved {
                target: FieldTarget::Field(field),
                ..
            }) => {
                matches!(field.kind, FieldKind::Reference { .. })
                    || (field.key == "id"
                        && !matches!(path.segments().last(), Some(PathSegment::Name(last)) if last == "id"))
            }
            _ => false,
        };
        if !stands_for_id {
            return path;
        }
        let mut segments = path.segments().to_vec();
        segments.push(PathSegment::Name("id".into()));
        FieldPath::new(segments)
    }
}

/// Checks placeholders when no single trigger is known (the command line validating a lone template):
/// each path is checked as if the automation ran on the entity it starts with, on `action`.
pub struct AnyTriggerResolver<'c> {
    catalog: &'c Catalog,
    action: EventAction,
}

impl Catalog {
    pub fn any_trigger_resolver(&self, action: EventAction) -> AnyTriggerResolver<'_> {
        AnyTriggerResolver {
            catalog: self,
            action,
        }
    }
}

impl AnyTriggerResolver<'_> {
    fn trigger_for(&self, path: &FieldPath) -> Option<Trigger> {
        let named_entity = |index: usize| match path.segments().get(index) {
            Some(PathSegment::Name(name)) => {
                self.catalog.entity(name).filter(|entity| entity.trigger)
            }
            _ => None,
        };
        let entity = named_entity(0)
            .or_else(|| named_entity(1))
            .or_else(|| self.catalog.trigger_entities().next())?;
        Some(Trigger {
            entity: entity.key.clone(),
            action: self.action,
        })
    }
}

impl FieldResolver for AnyTriggerResolver<'_> {
    fn resolve(&self, path: &FieldPath) -> Resolution {
        match self.trigger_for(path) {
            Some(trigger) => self.catalog.resolver(&trigger).resolve(path),
            None => Resolution::unknown_field(path, None),
        }
    }

    fn value_path(&self, path: FieldPath) -> FieldPath {
        match self.trigger_for(&path) {
            Some(trigger) => self.catalog.resolver(&trigger).value_path(path),
            None => path,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> FieldPath {
        FieldPath::new(
            text.split('.')
                .map(|segment| match segment.parse() {
                    Ok(index) => PathSegment::Index(index),
                    Err(_) => PathSegment::Name(segment.to_string()),
                })
                .collect(),
        )
    }

    fn resolve(trigger: (&str, EventAction), text: &str) -> Resolution {
        let catalog = Catalog::builtin();
        let trigger = Trigger {
            entity: trigger.0.into(),
            action: trigger.1,
        };
        catalog.resolver(&trigger).resolve(&path(text))
    }

    const DEAL_UPDATED: (&str, EventAction) = ("deal", EventAction::Updated);
    const DEAL_ADDED: (&str, EventAction) = ("deal", EventAction::Added);

    #[test]
    fn known_fields_of_the_record_related_records_lists_and_the_event() {
        for known in [
            "deal.title",
            "deal.value",
            "deal.stage",
            "deal.stage_id",
            "deal.owner",
            "deal.owner.email",
            "deal.products",
            "event.action",
            "event.time",
            "event.user.name",
            "previous.deal.stage",
            "deal",
        ] {
            assert_eq!(resolve(DEAL_UPDATED, known), Resolution::Known, "{known}");
        }
    }

    #[test]
    fn unknown_fields_suggest_what_was_probably_meant() {
        let unknown = |text: &str| match resolve(DEAL_UPDATED, text) {
            Resolution::Unknown {
                message,
                suggestion,
            } => (message, suggestion),
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(
            unknown("deal.titel"),
            ("unknown field deal.titel".into(), Some("deal.title".into()))
        );
        assert_eq!(
            unknown("deal.person.emial").1.as_deref(),
            Some("deal.person.email")
        );
        assert_eq!(unknown("deals.title").1.as_deref(), Some("deal.title"));
        assert_eq!(
            unknown("person.email").1.as_deref(),
            Some("deal.person.email")
        );
        assert_eq!(unknown("event.usr").1.as_deref(), Some("event.user"));
        assert_eq!(
            unknown("deal.products.name").1.as_deref(),
            Some("deal.products.0.name")
        );
        assert_eq!(
            unknown("deal.stage_idd").1.as_deref(),
            Some("deal.stage_id")
        );
        assert_eq!(
            unknown("deal.title.length").0,
            "deal.title is a text field; it has no field length"
        );
        assert_eq!(unknown("deal.xyzzy").1, None);
    }

    #[test]
    fn warns_about_values_the_trigger_may_not_provide() {
        let warning = |trigger, text: &str| match resolve(trigger, text) {
            Resolution::Warning(message) => message,
            other => panic!("{text}: {other:?}"),
        };
        assert!(warning(DEAL_ADDED, "previous.deal.stage").contains("always empty"));
        assert!(warning(DEAL_UPDATED, "deal.person.email").starts_with("deal.person may be empty"));
        assert!(warning(DEAL_UPDATED, "deal.products.2.name").contains("fewer than 3 items"));
        // A required reference (every deal has an owner) gives no warning.
        assert_eq!(resolve(DEAL_ADDED, "deal.owner.name"), Resolution::Known);
    }

    #[test]
    fn references_and_bare_records_render_their_id() {
        let catalog = Catalog::builtin();
        let trigger = Trigger {
            entity: "deal".into(),
            action: EventAction::Updated,
        };
        let resolver = catalog.resolver(&trigger);
        for (written, rendered) in [
            ("deal.person", "deal.person.id"),
            ("deal", "deal.id"),
            ("event.user", "event.user.id"),
            ("deal.person.email", "deal.person.email"),
            ("deal.id", "deal.id"),
            ("deal.stage", "deal.stage"),
        ] {
            assert_eq!(resolver.value_path(path(written)).to_string(), rendered);
        }
    }

    #[test]
    fn without_a_trigger_each_path_is_checked_against_the_entity_it_names() {
        let catalog = Catalog::builtin();
        let resolver = catalog.any_trigger_resolver(EventAction::Updated);
        assert_eq!(resolver.resolve(&path("person.email")), Resolution::Known);
        assert_eq!(
            resolver.resolve(&path("previous.lead.title")),
            Resolution::Known
        );
        assert!(
            matches!(resolver.resolve(&path("lead.titel")), Resolution::Unknown { suggestion: Some(s), .. } if s == "lead.title")
        );
        let added = catalog.any_trigger_resolver(EventAction::Added);
        assert!(matches!(
            added.resolve(&path("previous.deal.title")),
            Resolution::Warning(_)
        ));
    }
}
