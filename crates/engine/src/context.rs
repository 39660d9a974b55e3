//! Turns an event into the context templates render from: each value typed by its catalog field, so
//! `{{deal.value}}` is a number, `{{deal.stage}}` the option's label, `{{deal.won_time}}` RFC 3339 UTC,
//! and related records are reachable by dot path.

use serde_json::{json, Map, Value};

use crate::catalog::{Catalog, Entity, FieldKind, ENUM_ID_SUFFIX, EVENT_ROOT, PREVIOUS_ROOT};
use crate::event::{Event, Record};
use crate::time::{Date, Instant};

/// How many reference hops are expanded (`activity.deal.person.email` needs two).
const RELATED_DEPTH: usize = 2;

/// The render context of `event`: `{"deal": {…}, "previous": {"deal": {…}}, "event": {…}}`.
pub fn render_context(catalog: &Catalog, event: &Event) -> Value {
    let mut context = Map::new();
    if let Some(entity) = catalog.entity(&event.entity) {
        context.insert(
            entity.key.clone(),
            typed_record(catalog, entity, &event.current, event, RELATED_DEPTH),
        );
        if let Some(previous) = &event.previous {
            let typed = typed_record(catalog, entity, previous, event, RELATED_DEPTH);
            context.insert(PREVIOUS_ROOT.into(), json!({ entity.key.clone(): typed }));
        }
    }
    let time = Instant::parse(&event.time).map_or_else(|| event.time.clone(), Instant::to_rfc3339);
    context.insert(
        EVENT_ROOT.into(),
        json!({
            "id": event.id,
            "action": event.action.as_str(),
            "entity": event.entity,
            "time": time,
            "user": event.user,
        }),
    );
    Value::Object(context)
}

/// `record`'s fields that the catalog knows, each typed by its field kind; missing and null values
/// are left out, so templates see them as missing.
pub fn typed_record(
    catalog: &Catalog,
    entity: &Entity,
    record: &Record,
    event: &Event,
    depth: usize,
) -> Value {
    let mut typed = Map::new();
    for field in &entity.fields {
        let Some(raw) = record.get(&field.key).filter(|value| !value.is_null()) else {
            continue;
        };
        match &field.kind {
            FieldKind::Enum { options } => {
                let id = text_of(raw);
                let label = options
                    .iter()
                    .find(|option| option.id == id)
                    .map_or(id.clone(), |option| option.label.clone());
                typed.insert(field.key.clone(), Value::String(label));
                typed.insert(format!("{}{ENUM_ID_SUFFIX}", field.key), Value::String(id));
            }
            FieldKind::Reference { entity: target } => {
                let related = catalog
                    .entity(target)
                    .expect("references point at entities (checked)");
                let record = (depth > 0)
                    .then(|| event.related_record(target, raw))
                    .flatten();
                let value = match record {
                    Some(record) => typed_record(catalog, related, record, event, depth - 1),
                    None => json!({ "id": raw }),
                };
                typed.insert(field.key.clone(), value);
            }
            FieldKind::List { entity: target } => {
                let item_entity = catalog
                    .entity(target)
                    .expect("lists hold entities (checked)");
                let items = raw.as_array().map(Vec::as_slice).unwrap_or_default();
                let typed_items = items
                    .iter()
                    .filter_map(Value::as_object)
                    .map(|item| {
                        typed_record(catalog, item_entity, item, event, depth.saturating_sub(1))
                    })
                    .collect();
                typed.insert(field.key.clone(), Value::Array(typed_items));
            }
            kind => {
                typed.insert(field.key.clone(), typed_scalar(kind, raw));
            }
        }
    }
    Value::Object(typed)
}

/// A scalar in the form its kind renders as. A value that does not fit its kind (a date that is not a
/// date) is kept as it came, so the request shows what the CRM sent instead of hiding it.
fn typed_scalar(kind: &FieldKind, raw: &Value) -> Value {
    match kind {
        FieldKind::Text | FieldKind::Email | FieldKind::Phone => Value::String(text_of(raw)),
        FieldKind::Number | FieldKind::Monetary => match raw {
            Value::String(text) => text
                .trim()
                .parse::<serde_json::Number>()
                .map_or(raw.clone(), Value::Number),
            _ => raw.clone(),
        },
        FieldKind::Boolean => match raw.as_str() {
            Some("true") => Value::Bool(true),
            Some("false") => Value::Bool(false),
            _ => raw.clone(),
        },
        FieldKind::Date => raw
            .as_str()
            .and_then(Date::parse)
            .map_or(raw.clone(), |date| Value::String(date.to_iso())),
        FieldKind::Datetime => {
            let instant = match raw {
                Value::String(text) => Instant::parse(text),
                Value::Number(millis) => millis.as_i64().map(Instant::from_unix_millis),
                _ => None,
            };
            instant.map_or(raw.clone(), |instant| Value::String(instant.to_rfc3339()))
        }
        FieldKind::Enum { .. } | FieldKind::Reference { .. } | FieldKind::List { .. } => {
            raw.clone()
        }
    }
}

/// The text of a scalar: strings as they are, other values as their JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::User;
    use crate::model::EventAction;

    fn event(current: Value, previous: Option<Value>, related: Value) -> Event {
        Event {
            id: "evt_1".into(),
            entity: "deal".into(),
            action: EventAction::Updated,
            time: "2026-11-28T10:15:00+01:00".into(),
            user: User {
                id: 2,
                name: "Riley Regular".into(),
                email: "riley@example.com".into(),
                is_admin: false,
            },
            current: current.as_object().unwrap().clone(),
            previous: previous.map(|value| value.as_object().unwrap().clone()),
            related: serde_json::from_value(related).unwrap(),
        }
    }

    #[test]
    fn values_are_typed_by_their_catalog_field() {
        let event = event(
            json!({"id": 7, "title": "Big \"one\"", "value": "12000.50", "stage": "proposal_made",
                   "expected_close_date": "2026-12-01T00:00:00Z", "won_time": 1614265330000_i64,
                   "is_rotten": "false", "person": 3, "organization": 99, "unknown_field": 1, "currency": null,
                   "products": [{"id": 1, "name": "Seat", "quantity": 3, "unit_price": 49}]}),
            Some(json!({"id": 7, "stage": "negotiations"})),
            json!({"person": [{"id": 3, "name": "Pat", "email": "pat@example.com", "organization": 99}]}),
        );
        let context = render_context(&Catalog::builtin(), &event);
        let deal = &context["deal"];
        assert_eq!(deal["title"], "Big \"one\"");
        assert_eq!(deal["value"], json!(12000.50));
        assert_eq!(deal["stage"], "Proposal made");
        assert_eq!(deal["stage_id"], "proposal_made");
        assert_eq!(deal["expected_close_date"], "2026-12-01");
        assert_eq!(deal["won_time"], "2021-02-25T15:02:10Z");
        assert_eq!(deal["is_rotten"], false);
        assert_eq!(deal["person"]["email"], "pat@example.com");
        assert_eq!(
            deal["person"]["organization"],
            json!({"id": 99}),
            "related records not in the event keep their id"
        );
        assert_eq!(deal["organization"], json!({"id": 99}));
        assert_eq!(deal["products"][0]["name"], "Seat");
        assert!(deal.get("unknown_field").is_none() && deal.get("currency").is_none());
        assert_eq!(context["previous"]["deal"]["stage"], "Negotiations started");
        assert_eq!(context["event"]["time"], "2026-11-28T09:15:00Z");
        assert_eq!(context["event"]["user"]["name"], "Riley Regular");
        assert_eq!(context["event"]["action"], "updated");
    }
}
