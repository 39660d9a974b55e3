//! The add / edit form of a sandbox record. Every rule comes from the engine through
//! [`RecordDraft`]; the form shows each problem next to its input.

use std::rc::Rc;

use serde_json::Value;
use webhook_engine::catalog::{Catalog, Entity, Field, FieldKind};
use webhook_engine::event::Record;
use webhook_engine::records::{is_editable, record_id, record_name, RecordProblem};
use webhook_engine::sample::SampleUser;
use yew::prelude::*;

use crate::clock::now_rfc3339;
use crate::sandbox::{RecordChange, RecordDraft, SandboxCrm};
use crate::ui::sandbox::cells::cell;
use crate::ui::sandbox::field_input::field_input;
use crate::ui::webhooks::plural;
use crate::ui::widgets::capitalize;

#[derive(Properties, PartialEq)]
pub struct RecordFormProps {
    pub catalog: Rc<Catalog>,
    pub crm: Rc<SandboxCrm>,
    pub entity: String,
    pub viewer: SampleUser,
    /// The record being edited; `None` for a new one.
    pub editing: Option<Record>,
    /// The last save is still being written: the button waits, so one click saves once.
    pub busy: bool,
    pub on_save: Callback<RecordChange>,
    /// Submitted without a change: nothing to save, no event.
    pub on_unchanged: Callback<()>,
    pub on_cancel: Callback<()>,
}

#[component]
pub fn RecordForm(props: &RecordFormProps) -> Html {
    let Some(entity) = props.catalog.entity(&props.entity) else {
        return Html::default();
    };
    let draft = {
        let (editing, entity, owner) =
            (props.editing.clone(), entity.clone(), props.viewer.user.id);
        use_state(move || match &editing {
            Some(record) => RecordDraft::editing(record),
            None => RecordDraft::adding(&entity, owner),
        })
    };
    let problems = use_state(Vec::<RecordProblem>::new);

    let on_submit = {
        let (draft, problems) = (draft.clone(), problems.clone());
        let (entity, crm) = (entity.clone(), props.crm.clone());
        let (on_save, on_unchanged) = (props.on_save.clone(), props.on_unchanged.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            match draft.submit(&entity, &crm, &now_rfc3339()) {
                Ok(Some(change)) => {
                    problems.set(Vec::new());
                    on_save.emit(change);
                }
                Ok(None) => on_unchanged.emit(()),
                Err(found) => problems.set(found),
            }
        })
    };
    let problem = |key: &str| {
        let messages: Vec<&str> = problems
            .iter()
            .filter(|problem| problem.field == key)
            .map(|problem| problem.message.as_str())
            .collect();
        (!messages.is_empty()).then(|| capitalize(&messages.join("; ")))
    };
    let input = |field: &Field| {
        let on_change = {
            let (draft, problems, key) = (draft.clone(), problems.clone(), field.key.clone());
            Callback::from(move |text: String| {
                let mut next = (*draft).clone();
                next.edit(&key, text);
                draft.set(next);
                // A field being corrected no longer shows the problem it had at the last save.
                if problems.iter().any(|problem| problem.field == key) {
                    problems.set(
                        problems
                            .iter()
                            .filter(|problem| problem.field != key)
                            .cloned()
                            .collect(),
                    );
                }
            })
        };
        field_input(
            field,
            &draft.input(field),
            &choices(props, field, &draft),
            problem(&field.key).as_deref(),
            &on_change,
        )
    };
    let singular = entity.label.to_lowercase();
    let (title, action, button) = match &props.editing {
        Some(record) => (
            format!("Edit {singular} “{}”", record_name(entity, record)),
            "updated",
            "Save changes".to_string(),
        ),
        None => (
            format!("New {singular}"),
            "added",
            format!("Add {singular}"),
        ),
    };
    let lists: Vec<&Field> = entity
        .fields
        .iter()
        .filter(|field| matches!(field.kind, FieldKind::List { .. }))
        .collect();

    html! {
        <form class="wa-card wa-form wa-sandbox-form" onsubmit={on_submit} novalidate=true aria-labelledby="wa-sandbox-form-title">
            <h2 id="wa-sandbox-form-title">{ title }</h2>
            <p class="wa-muted">{ format!("Saving sends a “{} · {action}” event to your automations. The ID and the timestamps are set by the CRM.", entity.key) }</p>
            <div class="wa-form-grid">
                { for entity.fields.iter().filter(|field| is_editable(field)).map(input) }
            </div>
            { for lists.iter().map(|field| read_only_list(props, field, draft.stored(&field.key))) }
            if !problems.is_empty() {
                <p class="wa-form-summary" role="alert">{ format!("Not saved: {} to fix above.", plural(problems.len(), "problem")) }</p>
            }
            <div class="wa-actions">
                <button type="submit" class="wa-button is-primary" disabled={props.busy}>{ button }</button>
                <button type="button" class="wa-button" onclick={props.on_cancel.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
            </div>
        </form>
    }
}

/// The choices of a select: an enum's options, or the records a reference can point at (named,
/// never by bare id).
fn choices(props: &RecordFormProps, field: &Field, draft: &RecordDraft) -> Vec<(String, String)> {
    match &field.kind {
        FieldKind::Enum { options } => options
            .iter()
            .map(|option| (option.id.clone(), option.label.clone()))
            .collect(),
        FieldKind::Reference { entity: target } => {
            let Some(target_entity) = props.catalog.entity(target) else {
                return Vec::new();
            };
            let current = draft.input(field).parse().ok();
            props
                .crm
                .reference_choices(target, &props.viewer, current)
                .into_iter()
                .filter_map(|record| {
                    let id = record_id(record)?;
                    Some((id.to_string(), record_name(target_entity, record)))
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// A list field (a deal's products), shown but not edited: lists are managed elsewhere in a CRM.
fn read_only_list(props: &RecordFormProps, field: &Field, value: Option<&Value>) -> Html {
    let FieldKind::List {
        entity: item_entity,
    } = &field.kind
    else {
        return Html::default();
    };
    let items: Vec<&Record> = value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let columns: Vec<&Field> = props
        .catalog
        .entity(item_entity)
        .map(|entity: &Entity| entity.fields.iter().filter(|f| f.key != "id").collect())
        .unwrap_or_default();
    html! {
        <fieldset class="wa-fieldset">
            <legend>{ format!("{} (read-only here)", field.label) }</legend>
            if items.is_empty() {
                <p class="wa-muted">{ "None." }</p>
            } else {
                <table class="wa-table wa-sandbox-items" aria-label={field.label.clone()}>
                    <thead><tr>{ for columns.iter().map(|column| html! { <th scope="col">{ &column.label }</th> }) }</tr></thead>
                    <tbody>
                        { for items.iter().map(|item| html! {
                            <tr>{ for columns.iter().map(|column| html! {
                                <td>{ cell(&props.catalog, &props.crm, column, item) }</td>
                            }) }</tr>
                        }) }
                    </tbody>
                </table>
            }
        </fieldset>
    }
}
