//! The Automations page: the list of automations and the builder that creates and edits them.

mod action;
mod body_editor;
mod caret;
mod code_lines;
mod condition_row;
mod condition_value;
mod conditions;
mod deferred;
pub mod draft;
mod editor;
mod field_picker;
mod key_value_editor;
mod leave_guard;
mod line_painter;
mod list;
mod preview;
mod problems;
mod raw_editor;
mod reference;
mod trigger;

use std::collections::HashMap;
use std::rc::Rc;
use webhook_engine::roles::Permissions;

use webhook_engine::catalog::Catalog;
use webhook_engine::changes::duplicate;
use webhook_engine::model::{Automation, Webhook};
use webhook_engine::runner::Status;
use yew::prelude::*;

use crate::ui::list_mode::{use_list_mode, Mode};

pub use editor::{AutomationEditor, AutomationEditorProps};

use crate::random::new_id;
use crate::ui::widgets::Dialog;
use list::AutomationList;

#[derive(Properties, PartialEq)]
pub struct AutomationsPageProps {
    /// The CRM's field catalog: the built-in one, or the embedding CRM's own.
    pub catalog: Rc<Catalog>,
    pub automations: Rc<Vec<Automation>>,
    pub webhooks: Rc<Vec<Webhook>>,
    /// Only admins build automations; everyone sees which exist.
    pub permissions: Permissions,
    pub on_save: Callback<Automation>,
    pub on_delete: Callback<String>,
    /// The latest execution status per automation id.
    pub last_run: Rc<HashMap<String, Status>>,
}

#[component]
pub fn AutomationsPage(props: &AutomationsPageProps) -> Html {
    let (mode, await_saved) = use_list_mode(props.automations.clone());
    let show = |next: Mode| {
        let mode = mode.clone();
        Callback::from(move |()| mode.set(next.clone()))
    };
    let on_save = {
        let (await_saved, save) = (await_saved.clone(), props.on_save.clone());
        Callback::from(move |automation: Automation| {
            await_saved.emit(automation.clone());
            save.emit(automation);
        })
    };
    let open = |make: fn(String) -> Mode| {
        let mode = mode.clone();
        Callback::from(move |id: String| mode.set(make(id)))
    };
    let on_duplicate = {
        let (automations, save) = (props.automations.clone(), props.on_save.clone());
        Callback::from(move |id: String| {
            if let Some(original) = automations.iter().find(|automation| automation.id == id) {
                save.emit(duplicate(original, new_id("auto"), &automations));
            }
        })
    };

    let editor = |editing: Option<Automation>| {
        let key = editing
            .as_ref()
            .map_or_else(|| "new".to_owned(), |automation| automation.id.clone());
        html! {
            <AutomationEditor {key} {editing} catalog={props.catalog.clone()} webhooks={props.webhooks.clone()} on_save={on_save.clone()}
                on_cancel={show(Mode::Listing)} />
        }
    };
    let body = match &*mode {
        Mode::Creating => editor(None),
        Mode::Editing(id) => match props
            .automations
            .iter()
            .find(|automation| &automation.id == id)
        {
            Some(automation) => editor(Some(automation.clone())),
            None => html! { <p class="wa-muted">{ "This automation no longer exists." }</p> },
        },
        Mode::Listing | Mode::ConfirmingDelete(_) => html! {
            <AutomationList catalog={props.catalog.clone()} automations={props.automations.clone()} webhooks={props.webhooks.clone()}
                last_run={props.last_run.clone()}
                can_manage={props.permissions.manage} on_toggle={props.on_save.clone()} on_edit={open(Mode::Editing)}
                {on_duplicate} on_delete={open(Mode::ConfirmingDelete)} />
        },
    };
    let confirm = match &*mode {
        Mode::ConfirmingDelete(id) => props
            .automations
            .iter()
            .find(|automation| &automation.id == id)
            .map(|automation| {
                let on_confirm = {
                    let (mode, delete, id) = (mode.clone(), props.on_delete.clone(), id.clone());
                    Callback::from(move |_: MouseEvent| {
                        delete.emit(id.clone());
                        mode.set(Mode::Listing);
                    })
                };
                html! {
                    <Dialog title={format!("Delete automation “{}”?", automation.name)} on_close={show(Mode::Listing)}>
                        <p>{ "It stops running at once. This can't be undone." }</p>
                        <div class="wa-actions">
                            <button type="button" class="wa-button is-danger" onclick={on_confirm}>{ "Delete automation" }</button>
                            <button type="button" class="wa-button" data-initial-focus="" onclick={show(Mode::Listing).reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                        </div>
                    </Dialog>
                }
            }),
        _ => None,
    };
    let listing = matches!(&*mode, Mode::Listing | Mode::ConfirmingDelete(_));
    html! {
        <>
            if props.permissions.manage && listing {
                <div class="wa-toolbar">
                    <button type="button" class="wa-button is-primary" onclick={show(Mode::Creating).reform(|_: MouseEvent| ())}>{ "New automation" }</button>
                </div>
            }
            { body }
            { confirm.unwrap_or_default() }
        </>
    }
}
