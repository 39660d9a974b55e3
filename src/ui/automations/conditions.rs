//! The conditions: an all/any group of conditions and nested groups, edited in place.

use std::rc::Rc;

use webhook_engine::conditions::ConditionProblem;
use webhook_engine::editor::picker::PickerField;
use webhook_engine::model::{ConditionGroup, ConditionItem, Match, Trigger};
use yew::prelude::*;

use crate::ui::automations::condition_row::ConditionRow;
use crate::ui::automations::draft::{DraftEdit, ItemPath, MAX_GROUP_DEPTH};
use crate::ui::widgets::input_value;

pub struct ConditionGroupEditorProps<'a> {
    pub group: &'a ConditionGroup,
    /// Where the group stands; empty for the root.
    pub path: ItemPath,
    pub trigger: &'a Trigger,
    /// The fields a condition can check.
    pub fields: &'a Rc<Vec<PickerField>>,
    pub problems: &'a [ConditionProblem],
    pub on_edit: &'a Callback<DraftEdit>,
}

pub fn condition_group_editor(props: &ConditionGroupEditorProps) -> Html {
    let is_root = props.path.is_empty();
    let number = item_number(&props.path);
    let id = if is_root {
        "auto-conditions".to_owned()
    } else {
        format!("auto-group-{}", number.replace('.', "-"))
    };
    let edit = |make: fn(ItemPath) -> DraftEdit| {
        let path = props.path.clone();
        props
            .on_edit
            .reform(move |_: MouseEvent| make(path.clone()))
    };
    let on_match = {
        let path = props.path.clone();
        props.on_edit.reform(move |event: Event| DraftEdit::Match {
            group: path.clone(),
            match_: if input_value(&event) == "any" {
                Match::Any
            } else {
                Match::All
            },
        })
    };
    let match_id = format!("{id}-match");
    let group_label = if is_root {
        "Conditions".to_owned()
    } else {
        format!("Group {number}")
    };
    html! {
        <div class={classes!("wa-condition-group", (!is_root).then_some("is-nested"))} role="group" aria-label={group_label.clone()}>
            <div class="wa-group-head">
                if !is_root { <span class="wa-condition-number">{ &number }</span> }
                <label for={match_id.clone()}>{ "Match" }</label>
                <select id={match_id} class="wa-input wa-match" onchange={on_match}>
                    <option value="all" selected={props.group.match_ == Match::All}>{ "all of these conditions" }</option>
                    <option value="any" selected={props.group.match_ == Match::Any}>{ "any of these conditions" }</option>
                </select>
                if !is_root {
                    <button type="button" class="wa-button is-small is-quiet" aria-label={format!("Remove {}", group_label.to_lowercase())}
                        onclick={props.on_edit.reform({ let path = props.path.clone(); move |_: MouseEvent| DraftEdit::RemoveItem(path.clone()) })}>
                        { "Remove group" }
                    </button>
                }
            </div>
            if props.group.items.is_empty() {
                <p class="wa-muted wa-no-conditions">{ if is_root {
                    "No conditions: the automation runs for every event of its trigger."
                } else {
                    "An empty group matches every event."
                } }</p>
            }
            <ol class="wa-condition-items">
                { for props.group.items.iter().enumerate().map(|(index, item)| {
                    let mut path = props.path.clone();
                    path.push(index);
                    match item {
                        ConditionItem::Condition(condition) => html! {
                            <ConditionRow condition={condition.clone()} path={path.clone()}
                                trigger={props.trigger.clone()} fields={props.fields.clone()}
                                problem={props.problems.iter().find(|problem| problem.index_path == path).cloned()}
                                on_edit={props.on_edit.clone()} />
                        },
                        ConditionItem::Group(group) => html! {
                            <li>
                                { condition_group_editor(&ConditionGroupEditorProps { group, path, ..*props }) }
                            </li>
                        },
                    }
                }) }
            </ol>
            <div class="wa-group-actions">
                <button type="button" class="wa-button is-small" onclick={edit(|group| DraftEdit::AddCondition { group })}>
                    { if is_root { "Add condition".to_owned() } else { format!("Add condition to group {number}") } }
                </button>
                if props.path.len() < MAX_GROUP_DEPTH {
                    <button type="button" class="wa-button is-small" onclick={edit(|group| DraftEdit::AddGroup { group })}>
                        { if is_root { "Add group".to_owned() } else { format!("Add group to group {number}") } }
                    </button>
                }
            </div>
        </div>
    }
}

/// "1.2": the item's position, numbered from 1 as the problem list names it.
pub fn item_number(path: &[usize]) -> String {
    path.iter()
        .map(|index| (index + 1).to_string())
        .collect::<Vec<_>>()
        .join(".")
}
