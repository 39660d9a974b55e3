//! The table of one entity's records that the acting user can see, and how many they cannot.

use webhook_engine::catalog::{Catalog, Entity, Field, FieldKind};
use webhook_engine::event::Record;
use webhook_engine::records::{record_id, record_name};
use webhook_engine::sample::SampleUser;
use yew::prelude::*;

use crate::sandbox::SandboxCrm;
use crate::ui::sandbox::cells::cell;
use crate::ui::sandbox::entities::{count_of, entity_view};

pub struct RecordTableProps<'a> {
    pub catalog: &'a Catalog,
    pub crm: &'a SandboxCrm,
    pub entity: &'a Entity,
    pub viewer: &'a SampleUser,
    pub on_edit: Callback<u64>,
    pub on_delete: Callback<u64>,
}

pub fn record_table(props: &RecordTableProps) -> Html {
    let entity = props.entity;
    let view = entity_view(&entity.key);
    let columns: Vec<&Field> = view
        .columns
        .iter()
        .filter_map(|key| entity.field(key))
        .collect();
    let (visible, hidden) = props.crm.visible(&entity.key, props.viewer);
    let hidden_note = (hidden > 0).then(|| {
        let verb = if hidden == 1 { "is" } else { "are" };
        format!(
            "{} {verb} not visible to {}",
            count_of(hidden, &entity.label, view),
            props.viewer.user.name
        )
    });
    html! {
        <>
            if visible.is_empty() {
                <div class="wa-empty">
                    <h2>{ format!("No {} to show", view.plural.to_lowercase()) }</h2>
                    <p>{ format!("Add one to send a “{} · added” event to your automations.", entity.key) }</p>
                </div>
            } else {
                <table class="wa-table wa-sandbox-table" aria-label={view.plural}>
                    <thead>
                        <tr>
                            <th scope="col">{ "ID" }</th>
                            { for columns.iter().map(|field| html! { <th scope="col">{ &field.label }</th> }) }
                            <th scope="col"><span class="wa-visually-hidden">{ "Actions" }</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        { for visible.iter().map(|record| row(props, &columns, record)) }
                    </tbody>
                </table>
            }
            if let Some(note) = hidden_note {
                <p class="wa-muted wa-sandbox-hidden">{ note }</p>
            }
        </>
    }
}

fn row(props: &RecordTableProps, columns: &[&Field], record: &Record) -> Html {
    let id = record_id(record).unwrap_or_default();
    let name = record_name(props.entity, record);
    let (header, rest) = columns.split_first().expect("every view has a name column");
    let cell = |field: &Field| cell(props.catalog, props.crm, field, record);
    html! {
        <tr data-record={id.to_string()}>
            <td class="wa-sandbox-id">{ id }</td>
            <th scope="row">{ cell(header) }</th>
            { for rest.iter().map(|field| {
                let number = matches!(field.kind, FieldKind::Number | FieldKind::Monetary);
                html! { <td class={classes!(number.then_some("is-number"))}>{ cell(field) }</td> }
            }) }
            <td class="wa-row-actions">
                <button type="button" class="wa-button is-small" aria-label={format!("Edit {name}")}
                    onclick={props.on_edit.reform(move |_: MouseEvent| id)}>{ "Edit" }</button>
                <button type="button" class="wa-button is-small is-danger-quiet" aria-label={format!("Delete {name}")}
                    onclick={props.on_delete.reform(move |_: MouseEvent| id)}>{ "Delete" }</button>
            </td>
        </tr>
    }
}
