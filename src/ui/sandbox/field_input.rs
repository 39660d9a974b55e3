//! One labelled input of the record form, fitting its field's kind: a select for options and
//! references, date and local date-time pickers, a checkbox, a number box, or text.

use webhook_engine::catalog::{Field, FieldKind};
use yew::prelude::*;

use crate::clock::{local_input, utc_from_local_input};
use crate::ui::widgets::{checkbox_checked, field as labelled_field, input_value};

/// `value` is the field's value as the engine reads form text (`records::value_from_input`);
/// `choices` are each choice's value and label, for enum and reference fields.
pub fn field_input(
    field: &Field,
    value: &str,
    choices: &[(String, String)],
    error: Option<&str>,
    on_change: &Callback<String>,
) -> Html {
    let id = format!("sandbox-{}", field.key);
    let invalid = if error.is_some() { "true" } else { "false" };
    let described = error.is_some().then(|| format!("{id}-error"));
    let (input, hint) = match &field.kind {
        FieldKind::Boolean => {
            let on_check = on_change.reform(|event: Event| {
                if checkbox_checked(&event) {
                    "true"
                } else {
                    "false"
                }
                .to_string()
            });
            // The checkbox carries its own label beside it; the field shows only its problem.
            return html! {
                <div class={classes!("wa-field", error.is_some().then_some("has-error"))}>
                    <label class="wa-check wa-sandbox-check">
                        <input type="checkbox" id={id.clone()} checked={value == "true"} onchange={on_check}
                            aria-invalid={invalid} aria-describedby={described} />
                        { &field.label }
                    </label>
                    if let Some(error) = error {
                        <p class="wa-field-error" id={format!("{id}-error")} role="alert">{ error }</p>
                    }
                </div>
            };
        }
        FieldKind::Enum { .. } | FieldKind::Reference { .. } => {
            let on_select = on_change.reform(|event: Event| input_value(&event));
            let empty_label = if field.required {
                "Choose…"
            } else {
                "— none —"
            };
            let offer_empty = !field.required || value.is_empty();
            (
                html! {
                    <select id={id.clone()} class="wa-input" onchange={on_select} aria-invalid={invalid} aria-describedby={described}>
                        if offer_empty {
                            <option value="" selected={value.is_empty()}>{ empty_label }</option>
                        }
                        { for choices.iter().map(|(choice, label)| html! {
                            <option value={choice.clone()} selected={choice == value}>{ label }</option>
                        }) }
                    </select>
                },
                None,
            )
        }
        FieldKind::Datetime => {
            // The picker works in local time; the record keeps UTC.
            let on_local = on_change.reform(|event: InputEvent| {
                let local = input_value(&event);
                utc_from_local_input(&local).unwrap_or(local)
            });
            (
                html! {
                    <input id={id.clone()} class="wa-input" type="datetime-local" value={local_input(value)}
                        oninput={on_local} aria-invalid={invalid} aria-describedby={described} />
                },
                Some("Your local time; saved in UTC"),
            )
        }
        kind => {
            let (input_type, step) = match kind {
                FieldKind::Number | FieldKind::Monetary => ("number", Some("any")),
                FieldKind::Date => ("date", None),
                FieldKind::Email => ("email", None),
                FieldKind::Phone => ("tel", None),
                _ => ("text", None),
            };
            let on_text = on_change.reform(|event: InputEvent| input_value(&event));
            (
                html! {
                    <input id={id.clone()} class="wa-input" type={input_type} {step} value={value.to_owned()}
                        oninput={on_text} aria-invalid={invalid} aria-describedby={described} />
                },
                None,
            )
        }
    };
    labelled_field(&field.label, &id, hint, error, input)
}
