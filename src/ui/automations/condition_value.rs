//! A condition's value, in the input the engine says fits its field: options as a select, dates and
//! date-times as the browser's pickers, numbers, yes/no, or text.

use serde_json::{Number, Value};
use webhook_engine::editor::operators::ValueInput;
use yew::prelude::*;

use crate::clock::{local_input, utc_from_local_input};
use crate::ui::widgets::input_value;

pub struct ConditionValueInputProps<'a> {
    pub id: &'a str,
    pub label: &'a str,
    pub input: &'a ValueInput,
    pub value: Option<&'a Value>,
    pub invalid: bool,
    pub described_by: Option<&'a str>,
    /// The new value; `None` when the input is emptied.
    pub on_change: &'a Callback<Option<Value>>,
}

pub fn condition_value_input(props: &ConditionValueInputProps) -> Html {
    let shown = props.value.map(as_text).unwrap_or_default();
    let typed = |read: fn(String) -> Option<Value>| {
        props
            .on_change
            .reform(move |event: InputEvent| read(input_value(&event)))
    };
    let chosen = |read: fn(String) -> Option<Value>| {
        props
            .on_change
            .reform(move |event: Event| read(input_value(&event)))
    };
    let invalid = if props.invalid { "true" } else { "false" };
    let (id, described_by) = (props.id.to_owned(), props.described_by.map(str::to_owned));
    let control = match props.input {
        ValueInput::None => return Html::default(),
        ValueInput::Text => html! {
            <input {id} class="wa-input" value={shown} aria-invalid={invalid} aria-describedby={described_by} oninput={typed(text)} />
        },
        ValueInput::Reference { entity } => html! {
            <input {id} class="wa-input" value={shown} placeholder={format!("ID of the {entity}, like 42")}
                aria-invalid={invalid} aria-describedby={described_by} oninput={typed(text)} />
        },
        ValueInput::Number => html! {
            <input {id} class="wa-input" type="number" step="any" value={shown} aria-invalid={invalid}
                aria-describedby={described_by} oninput={typed(number)} />
        },
        ValueInput::Date => html! {
            <input {id} class="wa-input" type="date" value={shown} aria-invalid={invalid}
                aria-describedby={described_by} onchange={chosen(text)} />
        },
        ValueInput::DateTime => html! {
            <input {id} class="wa-input" type="datetime-local" value={local_input(&shown)} aria-invalid={invalid}
                aria-describedby={described_by} onchange={chosen(instant)} />
        },
        ValueInput::Boolean => html! {
            <select {id} class="wa-input" aria-invalid={invalid} aria-describedby={described_by} onchange={chosen(boolean)}>
                <option value="" selected={shown.is_empty()} disabled=true>{ "Choose…" }</option>
                <option value="true" selected={shown == "true"}>{ "yes" }</option>
                <option value="false" selected={shown == "false"}>{ "no" }</option>
            </select>
        },
        ValueInput::Enum { options } => html! {
            <select {id} class="wa-input" aria-invalid={invalid} aria-describedby={described_by} onchange={chosen(text)}>
                <option value="" selected={shown.is_empty()} disabled=true>{ "Choose an option…" }</option>
                { for options.iter().map(|(option_id, label)| html! {
                    <option value={option_id.clone()} selected={*option_id == shown}>{ label }</option>
                }) }
            </select>
        },
    };
    html! {
        <>
            <label class="wa-visually-hidden" for={props.id.to_owned()}>{ props.label }</label>
            { control }
        </>
    }
}

/// The value as an input shows it.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn text(typed: String) -> Option<Value> {
    (!typed.is_empty()).then_some(Value::String(typed))
}

/// A JSON number when the text is one; other text is kept as typed, for validation to explain.
fn number(typed: String) -> Option<Value> {
    match typed.trim().parse::<Number>() {
        Ok(number) => Some(Value::Number(number)),
        Err(_) => text(typed),
    }
}

fn boolean(chosen: String) -> Option<Value> {
    match chosen.as_str() {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        _ => None,
    }
}

/// A `datetime-local` value (the admin's own time, no zone) as an instant with its zone: the browser
/// reads it in the local time zone and writes it in UTC.
fn instant(local: String) -> Option<Value> {
    match utc_from_local_input(&local) {
        Some(utc) => Some(Value::String(utc)),
        None => text(local),
    }
}
