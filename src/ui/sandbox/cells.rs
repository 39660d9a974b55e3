//! How a stored value reads in the sandbox's table: option labels rather than ids, the related
//! record's name rather than its id, money with its currency, date-times in local time.

use serde_json::Value;
use webhook_engine::catalog::{Catalog, Field, FieldKind};
use webhook_engine::event::Record;
use webhook_engine::records::record_name;
use yew::prelude::*;

use crate::clock::local_display;
use crate::sandbox::SandboxCrm;

/// The cell for `field` of `record`; an empty value shows as a muted dash.
pub fn cell(catalog: &Catalog, crm: &SandboxCrm, field: &Field, record: &Record) -> Html {
    match record.get(&field.key).filter(|value| !value.is_null()) {
        Some(value) => html! { { cell_text(catalog, crm, field, record, value) } },
        None => html! { <span class="wa-muted" aria-label="empty">{ "—" }</span> },
    }
}

fn cell_text(
    catalog: &Catalog,
    crm: &SandboxCrm,
    field: &Field,
    record: &Record,
    value: &Value,
) -> String {
    match (&field.kind, value) {
        (FieldKind::Enum { options }, Value::String(id)) => options
            .iter()
            .find(|option| &option.id == id)
            .map_or_else(|| id.clone(), |option| option.label.clone()),
        (FieldKind::Reference { entity }, Value::Number(id)) => {
            let related = id.as_u64().and_then(|id| crm.record(entity, id));
            match (catalog.entity(entity), related) {
                (Some(target), Some(related)) => record_name(target, related),
                _ => format!("#{id}"),
            }
        }
        (FieldKind::Boolean, Value::Bool(yes)) => if *yes { "Yes" } else { "No" }.into(),
        (FieldKind::Monetary, Value::Number(amount)) => {
            let currency = record.get("currency").and_then(Value::as_str);
            let amount = grouped(amount.as_f64().unwrap_or_default());
            currency.map_or(amount.clone(), |code| format!("{amount} {code}"))
        }
        (FieldKind::Number, Value::Number(number)) => grouped(number.as_f64().unwrap_or_default()),
        (FieldKind::Datetime, Value::String(text)) => local_display(text),
        (_, Value::String(text)) => text.clone(),
        (_, other) => other.to_string(),
    }
}

/// `184000` → "184,000", `56500.5` → "56,500.50": thousands grouped, cents only when there are.
fn grouped(number: f64) -> String {
    let cents = (number.abs() * 100.0).round() as u64;
    let (whole, fraction) = (cents / 100, cents % 100);
    let digits = whole.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    let sign = if number < 0.0 && cents > 0 { "-" } else { "" };
    if fraction == 0 {
        format!("{sign}{out}")
    } else {
        format!("{sign}{out}.{fraction:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(184000.0), "184,000");
        assert_eq!(grouped(56500.5), "56,500.50");
        assert_eq!(grouped(420.0), "420");
        assert_eq!(grouped(-1234.567), "-1,234.57");
        assert_eq!(grouped(0.0), "0");
    }
}
