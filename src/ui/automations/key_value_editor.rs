//! The key-value body editor: rows of key and value, added, removed and reordered, each value with
//! the field picker; a cell's problems show under it.

use std::rc::Rc;

use webhook_engine::editor::picker::PickerField;
use webhook_engine::template::Row;
use webhook_engine::{CellPart, Diagnostic};
use yew::prelude::*;

use crate::ui::automations::draft::RowEdit;
use crate::ui::automations::field_picker::FieldPicker;
use crate::ui::automations::problems::diagnostic_message;
use crate::ui::widgets::input_value;

pub struct KeyValueEditorProps<'a> {
    /// Prefix of the inputs' ids, unique per action.
    pub id: &'a str,
    pub rows: &'a [Row],
    pub diagnostics: &'a [Diagnostic],
    pub fields: &'a Rc<Vec<PickerField>>,
    pub on_edit: &'a Callback<RowEdit>,
}

pub fn key_value_editor(props: &KeyValueEditorProps) -> Html {
    // Problems that belong to no cell ("the body needs at least one row").
    let body_problems: Vec<&Diagnostic> = props
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.cell.is_none())
        .collect();
    let count = props.rows.len();
    html! {
        <div class="wa-key-value">
            if count > 0 {
                <div class="wa-key-value-head" aria-hidden="true"><span>{ "Key" }</span><span>{ "Value" }</span></div>
            }
            <ol class="wa-key-value-rows">
                { for props.rows.iter().enumerate().map(|(index, row)| {
                    let cell_problems = |part: CellPart| -> Vec<String> {
                        props.diagnostics.iter()
                            .filter(|diagnostic| diagnostic.cell.is_some_and(|cell| cell.row == index && cell.part == part))
                            .map(diagnostic_message)
                            .collect()
                    };
                    html! {
                        <KeyValueRow id={format!("{}-row-{index}", props.id)} {index} is_last={index + 1 == count}
                            row={row.clone()} key_problems={cell_problems(CellPart::Key)} value_problems={cell_problems(CellPart::Value)}
                            fields={props.fields.clone()} on_edit={props.on_edit.clone()} />
                    }
                }) }
            </ol>
            { for body_problems.into_iter().map(|diagnostic| html! {
                <p class="wa-field-error">{ diagnostic_message(diagnostic) }</p>
            }) }
            <button type="button" class="wa-button is-small" onclick={props.on_edit.reform(|_: MouseEvent| RowEdit::Add)}>{ "Add row" }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct KeyValueRowProps {
    id: String,
    index: usize,
    is_last: bool,
    row: Row,
    key_problems: Vec<String>,
    value_problems: Vec<String>,
    fields: Rc<Vec<PickerField>>,
    on_edit: Callback<RowEdit>,
}

/// One row; it owns its value input's `NodeRef`, so the picker inserts where that input's caret is.
#[component]
fn KeyValueRow(props: &KeyValueRowProps) -> Html {
    let value_input = use_node_ref();
    let index = props.index;
    let number = index + 1;
    let (key_id, value_id) = (format!("{}-key", props.id), format!("{}-value", props.id));
    let button = |label: &str, text: &str, disabled: bool, edit: fn(usize) -> RowEdit| {
        html! {
            <button type="button" class="wa-button is-small is-quiet" aria-label={format!("{label} row {number}")}
                title={format!("{label} row {number}")} {disabled}
                onclick={props.on_edit.reform(move |_: MouseEvent| edit(index))}>{ text.to_owned() }</button>
        }
    };
    let problems = |id: String, problems: &[String]| {
        if problems.is_empty() {
            return Html::default();
        }
        html! {
            <div {id} class="wa-cell-problems">
                { for problems.iter().map(|problem| html! { <p class="wa-field-error">{ problem }</p> }) }
            </div>
        }
    };
    let described =
        |id: &str, problems: &[String]| (!problems.is_empty()).then(|| format!("{id}-problem"));
    html! {
        <li class="wa-key-value-row">
            <div class={classes!("wa-cell", (!props.key_problems.is_empty()).then_some("has-error"))}>
                <label class="wa-visually-hidden" for={key_id.clone()}>{ format!("Key of row {number}") }</label>
                <input id={key_id.clone()} class="wa-input" value={props.row.key.clone()} placeholder="key"
                    aria-describedby={described(&key_id, &props.key_problems)}
                    oninput={props.on_edit.reform(move |event: InputEvent| RowEdit::Key(index, input_value(&event)))} />
                { problems(format!("{key_id}-problem"), &props.key_problems) }
            </div>
            <div class={classes!("wa-cell", (!props.value_problems.is_empty()).then_some("has-error"))}>
                <label class="wa-visually-hidden" for={value_id.clone()}>{ format!("Value of row {number}") }</label>
                <div class="wa-input-with-picker">
                    <input id={value_id.clone()} ref={value_input.clone()} class="wa-input wa-mono" value={props.row.value.clone()}
                        placeholder="text or {{field}}" aria-describedby={described(&value_id, &props.value_problems)}
                        oninput={props.on_edit.reform(move |event: InputEvent| RowEdit::Value(index, input_value(&event)))} />
                    <FieldPicker target={value_input} fields={props.fields.clone()} label={format!("Insert a field into the value of row {number}")} />
                </div>
                { problems(format!("{value_id}-problem"), &props.value_problems) }
            </div>
            <div class="wa-row-tools">
                { button("Move up", "↑", index == 0, RowEdit::MoveUp) }
                { button("Move down", "↓", props.is_last, RowEdit::MoveDown) }
                { button("Remove", "×", false, RowEdit::Remove) }
            </div>
        </li>
    }
}
