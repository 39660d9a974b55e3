//! One condition: a field, an operator that fits it, and a value input that fits both.

use std::rc::Rc;

use webhook_engine::conditions::{ConditionPart, ConditionProblem};
use webhook_engine::editor::operators::{operators_for, value_input};
use webhook_engine::editor::picker::PickerField;
use webhook_engine::model::{Condition, Operator, Trigger};
use yew::prelude::*;

use crate::ui::automations::condition_value::{condition_value_input, ConditionValueInputProps};
use crate::ui::automations::conditions::item_number;
use crate::ui::automations::draft::{DraftEdit, ItemPath};
use crate::ui::automations::reference::{grouped, use_catalog};
use crate::ui::widgets::{capitalize, input_value};

#[derive(Properties, PartialEq)]
pub struct ConditionRowProps {
    pub condition: Condition,
    pub path: ItemPath,
    pub trigger: Trigger,
    pub fields: Rc<Vec<PickerField>>,
    /// The condition's problem, if validation found one.
    pub problem: Option<ConditionProblem>,
    pub on_edit: Callback<DraftEdit>,
}

#[component]
pub fn ConditionRow(props: &ConditionRowProps) -> Html {
    let catalog = use_catalog();
    let condition = &props.condition;
    let number = item_number(&props.path);
    let id = format!("auto-condition-{}", number.replace('.', "-"));
    let (field_id, operator_id, value_id) = (
        format!("{id}-field"),
        format!("{id}-operator"),
        format!("{id}-value"),
    );
    let choose_field = {
        let (path, trigger, on_edit, catalog) = (
            props.path.clone(),
            props.trigger.clone(),
            props.on_edit.clone(),
            catalog.clone(),
        );
        Callback::from(move |field: String| {
            // The first operator the field allows, so the condition is complete but for its value.
            let operator = operators_for(&catalog, &trigger, &field)
                .ok()
                .and_then(|operators| operators.first().copied())
                .unwrap_or(Operator::Is);
            on_edit.emit(DraftEdit::ConditionField {
                item: path.clone(),
                field,
                operator,
            });
        })
    };
    let on_operator = {
        let path = props.path.clone();
        props.on_edit.reform(move |event: Event| {
            let operator = input_value(&event)
                .parse::<usize>()
                .ok()
                .and_then(|index| Operator::ALL.get(index).copied())
                .unwrap_or(Operator::Is);
            DraftEdit::ConditionOperator {
                item: path.clone(),
                operator,
            }
        })
    };
    let on_value = {
        let path = props.path.clone();
        props
            .on_edit
            .reform(move |value| DraftEdit::ConditionValue {
                item: path.clone(),
                value,
            })
    };
    let on_remove = {
        let path = props.path.clone();
        props
            .on_edit
            .reform(move |_: MouseEvent| DraftEdit::RemoveItem(path.clone()))
    };

    let mut operators =
        operators_for(&catalog, &props.trigger, &condition.field).unwrap_or_default();
    if !operators.contains(&condition.operator) {
        // Shown as chosen, so the problem below it makes sense.
        operators.insert(0, condition.operator);
    }
    let known_field = props
        .fields
        .iter()
        .any(|field| field.path == condition.field);
    let problem_id = format!("{id}-problem");
    let described = props.problem.as_ref().map(|_| problem_id.clone());
    let invalid = |part: ConditionPart| {
        let wrong = props
            .problem
            .as_ref()
            .is_some_and(|problem| problem.part == part);
        if wrong {
            "true"
        } else {
            "false"
        }
    };
    html! {
        <li class={classes!("wa-condition", props.problem.is_some().then_some("has-error"))}>
            <span class="wa-condition-number" aria-hidden="true">{ &number }</span>
            <div class="wa-condition-inputs">
                <label class="wa-visually-hidden" for={field_id.clone()}>{ format!("Field of condition {number}") }</label>
                <select id={field_id} class="wa-input" aria-invalid={invalid(ConditionPart::Field)} aria-describedby={described.clone()}
                    onchange={choose_field.reform(|event: Event| input_value(&event))}>
                    <option value="" selected={condition.field.is_empty()} disabled=true>{ "Choose a field…" }</option>
                    if !condition.field.is_empty() && !known_field {
                        <option value={condition.field.clone()} selected=true>{ format!("{} (not available)", condition.field) }</option>
                    }
                    { field_options(&props.fields, &condition.field) }
                </select>
                <label class="wa-visually-hidden" for={operator_id.clone()}>{ format!("Operator of condition {number}") }</label>
                <select id={operator_id} class="wa-input" disabled={condition.field.is_empty()}
                    aria-invalid={invalid(ConditionPart::Operator)} aria-describedby={described.clone()} onchange={on_operator}>
                    { for operators.into_iter().map(|operator| html! {
                        <option value={operator_index(operator).to_string()} selected={operator == condition.operator}>{ operator.label() }</option>
                    }) }
                </select>
                if condition.operator.takes_value() && !condition.field.is_empty() {
                    { condition_value_input(&ConditionValueInputProps {
                        id: &value_id,
                        label: &format!("Value of condition {number}"),
                        input: &value_input(&catalog, &props.trigger, &condition.field),
                        value: condition.value.as_ref(),
                        invalid: props.problem.as_ref().is_some_and(|problem| problem.part == ConditionPart::Value),
                        described_by: described.as_deref(),
                        on_change: &on_value,
                    }) }
                }
            </div>
            <button type="button" class="wa-button is-small is-quiet" aria-label={format!("Remove condition {number}")} onclick={on_remove}>{ "Remove" }</button>
            if let Some(problem) = &props.problem {
                <p class="wa-field-error wa-condition-problem" id={problem_id}>
                    { capitalize(&problem.message) }
                    if let Some(suggestion) = problem.suggestion.clone().filter(|_| problem.part == ConditionPart::Field) {
                        { " " }
                        <button type="button" class="wa-button is-small" onclick={choose_field.reform(move |_: MouseEvent| suggestion.clone())}>
                            { format!("Use {}", problem.suggestion.as_deref().unwrap_or_default()) }
                        </button>
                    }
                </p>
            }
        </li>
    }
}

/// The fields as options, in `<optgroup>`s named as the picker groups them.
fn field_options(fields: &[PickerField], chosen: &str) -> Html {
    html! {
        { for grouped(fields).into_iter().map(|(group, members)| html! {
            <optgroup label={group.to_owned()}>
                { for members.into_iter().map(|field| html! {
                    <option value={field.path.clone()} selected={field.path == chosen}>{ &field.label }</option>
                }) }
            </optgroup>
        }) }
    }
}

/// The operator's place in `Operator::ALL`: the option value that names it.
fn operator_index(operator: Operator) -> usize {
    Operator::ALL
        .iter()
        .position(|&known| known == operator)
        .unwrap_or_default()
}
