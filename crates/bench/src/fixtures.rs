//! The inputs the benches measure, built the same way for our engine and for its peers.

use serde_json::{json, Value};

/// `json` with `placeholder` written at the start of a string value roughly every `every` bytes: the
/// spot where a placeholder is valid for our validator and still plain JSON text for serde_json.
pub fn inject_placeholders(json: &str, every: usize, placeholder: &str) -> String {
    let bytes = json.as_bytes();
    let mut out = String::with_capacity(json.len() + json.len() / every * placeholder.len());
    let (mut in_string, mut escaped, mut last) = (false, false, 0);
    let mut copied = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if byte == b'"' {
            in_string = true;
            // Only string values (after ':' or in arrays), not object keys, hold placeholders.
            let before = json[..index].trim_end().bytes().last();
            if index - last >= every
                && matches!(before, Some(b':') | Some(b'[') | Some(b','))
                && !is_key(bytes, index)
            {
                out.push_str(&json[copied..=index]);
                out.push_str(placeholder);
                copied = index + 1;
                last = index;
            }
        }
    }
    out.push_str(&json[copied..]);
    out
}

/// Whether the string starting at `quote` is an object key: a ':' follows its closing quote.
fn is_key(bytes: &[u8], quote: usize) -> bool {
    let mut index = quote + 1;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            b'"' => break,
            _ => index += 1,
        }
    }
    bytes[index + 1..]
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|&byte| byte == b':')
}

/// The same ~2 KB JSON body with 20 placeholders (10 whole values, 10 inside strings) written for
/// each engine, and the context they render.
pub struct RenderFixture {
    pub ours: String,
    pub minijinja: String,
    pub handlebars: String,
    pub context: Value,
}

pub fn render_fixture() -> RenderFixture {
    const VALUE_FIELDS: [&str; 10] = [
        "deal.id",
        "deal.value",
        "deal.probability",
        "deal.is_rotten",
        "deal.person.id",
        "deal.organization.id",
        "deal.products",
        "deal.owner.id",
        "deal.missing",
        "event.user.id",
    ];
    const TEXT_FIELDS: [&str; 10] = [
        "deal.title",
        "deal.stage",
        "deal.status",
        "deal.currency",
        "deal.person.name",
        "deal.person.email",
        "deal.organization.name",
        "deal.owner.name",
        "event.action",
        "event.time",
    ];
    let filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.";
    let body = |value: &dyn Fn(&str) -> String, text: &dyn Fn(&str) -> String| {
        let mut lines = Vec::new();
        for (index, (v, t)) in VALUE_FIELDS.iter().zip(TEXT_FIELDS).enumerate() {
            lines.push(format!(
                "  \"value_{index}\": {},\n  \"text_{index}\": \"{} — {filler}\"",
                value(v),
                text(t)
            ));
        }
        format!("{{\n{}\n}}", lines.join(",\n"))
    };
    RenderFixture {
        ours: body(&|field| format!("{{{{{field}}}}}"), &|field| {
            format!("{{{{{field}}}}}")
        }),
        minijinja: body(&|field| format!("{{{{ {field}|tojson }}}}"), &|field| {
            format!("{{{{ {field}|json_text }}}}")
        }),
        handlebars: body(&|field| format!("{{{{{{json {field}}}}}}}"), &|field| {
            format!("{{{{{field}}}}}")
        }),
        context: json!({
            "deal": {
                "id": 301, "title": "Fleet telematics \"T4\" rollout </script> — 120 trucks", "value": 184000.5,
                "probability": 70, "is_rotten": false, "stage": "Negotiations started", "status": "Open",
                "currency": "EUR",
                "person": {"id": 201, "name": "Ingrid Haugen", "email": "ingrid.haugen@fjord-logistics.example"},
                "organization": {"id": 101, "name": "Fjord Logistics AS\nBergen"},
                "owner": {"id": 1, "name": "Ada Admin"},
                "products": [{"name": "Telematics unit T4", "quantity": 120}, {"name": "Dashboard", "quantity": 1}]
            },
            "event": {"action": "updated", "time": "2026-11-28T09:15:00Z", "user": {"id": 2}}
        }),
    }
}

/// JSON-string escaping without the quotes: what a placeholder inside a JSON string needs. Shared by
/// the peers' set-ups (minijinja filter, handlebars escape function) so all three do the same work.
pub fn json_string_contents(text: &str) -> String {
    let quoted = serde_json::to_string(text).expect("strings serialize");
    quoted[1..quoted.len() - 1].to_string()
}

/// The text of a value as a placeholder inside a string shows it: strings as they are, null as
/// nothing, anything else as its JSON.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
