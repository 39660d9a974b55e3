//! The automation builder: name, trigger, conditions and webhook actions, checked by the engine as
//! the admin types. Saving is refused while the engine reports an error, and says why.

use std::rc::Rc;

use webhook_engine::catalog::Catalog;
use webhook_engine::conditions::ConditionProblem;
use webhook_engine::editor::picker::picker_fields;
use webhook_engine::model::{Automation, Webhook};
use webhook_engine::validate::{validate_automation, AutomationProblem};
use yew::prelude::*;

use crate::random::new_id;
use crate::ui::automations::action::ActionEditor;
use crate::ui::automations::conditions::{condition_group_editor, ConditionGroupEditorProps};
use crate::ui::automations::draft::{AutomationDraft, DraftEdit};
use crate::ui::automations::leave_guard::use_leave_guard;
use crate::ui::automations::problems::{errors_and_warnings, located_problems};
use crate::ui::automations::reference::condition_fields;
use crate::ui::automations::trigger::TriggerPicker;
use crate::ui::webhooks::plural;
use crate::ui::widgets::{checkbox_checked, field, input_value, Dialog};

#[derive(Properties, PartialEq)]
pub struct AutomationEditorProps {
    /// The automation to edit; `None` builds a new one.
    pub editing: Option<Automation>,
    /// What fields exist; everything inside the editor reads it from context.
    pub catalog: Rc<Catalog>,
    pub webhooks: Rc<Vec<Webhook>>,
    pub on_save: Callback<Automation>,
    pub on_cancel: Callback<()>,
}

#[component]
pub fn AutomationEditor(props: &AutomationEditorProps) -> Html {
    let catalog = props.catalog.clone();
    let draft = {
        let (editing, webhooks, catalog) = (
            props.editing.clone(),
            props.webhooks.clone(),
            catalog.clone(),
        );
        use_reducer(move || match editing {
            Some(automation) => AutomationDraft::editing(automation),
            None => {
                let entity = catalog
                    .trigger_entities()
                    .next()
                    .map(|entity| entity.key.clone())
                    .unwrap_or_default();
                let webhook = webhooks.first().map(|webhook| webhook.id.clone());
                AutomationDraft::new(new_id("auto"), &entity, webhook.unwrap_or_default())
            }
        })
    };
    let on_edit = {
        let draft = draft.clone();
        Callback::from(move |edit: DraftEdit| draft.dispatch(edit))
    };
    let form = use_node_ref();
    // Where a refused save takes the focus: the list of what to fix.
    let problem_list = use_node_ref();
    let guard = use_leave_guard(draft.is_dirty(), form.clone(), props.on_cancel.clone());

    let automation = Rc::new(draft.automation.clone());
    let trigger = &automation.trigger;
    let picker = use_memo((catalog.clone(), trigger.clone()), |(catalog, trigger)| {
        picker_fields(catalog, trigger)
    });
    let condition_choices = use_memo((catalog.clone(), trigger.clone()), |(catalog, trigger)| {
        condition_fields(catalog, trigger)
    });
    let problems = Rc::new(validate_automation(&catalog, &automation, &props.webhooks));
    let condition_problems: Vec<ConditionProblem> = problems
        .iter()
        .filter_map(|problem| match problem {
            AutomationProblem::Condition(condition) => Some(condition.clone()),
            _ => None,
        })
        .collect();
    let listed = located_problems(&problems);
    let blocking = listed.iter().filter(|problem| problem.is_error).count();

    let on_submit = {
        let (automation, on_save, problem_list) = (
            automation.clone(),
            props.on_save.clone(),
            problem_list.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if blocking == 0 {
                on_save.emit((*automation).clone());
            } else if let Some(list) = problem_list.cast::<web_sys::HtmlElement>() {
                let _ = list.focus();
            }
        })
    };
    let save_reason = (blocking > 0).then(|| {
        format!(
            "Can't save yet: {} to fix, listed above.",
            plural(blocking, "problem")
        )
    });
    let title = if draft.is_new {
        "New automation"
    } else {
        "Edit automation"
    };

    html! {
        <ContextProvider<Rc<Catalog>> context={catalog.clone()}>
        <form class="wa-automation-editor" ref={form} onsubmit={on_submit} novalidate=true aria-labelledby="auto-editor-title">
            <div class="wa-card">
                <h2 id="auto-editor-title">{ title }</h2>
                <div class="wa-form-grid">
                    { field("Name", "auto-name", Some("How the list and the execution history name it."), None, html! {
                        <input id="auto-name" class="wa-input" value={automation.name.clone()} placeholder="Won deals to the ERP"
                            oninput={on_edit.reform(|event: InputEvent| DraftEdit::Name(input_value(&event)))} />
                    }) }
                    <div class="wa-enabled-field">
                        <label class="wa-switch">
                            <input id="auto-enabled" type="checkbox" role="switch" checked={automation.enabled}
                                aria-describedby="auto-enabled-hint"
                                onchange={on_edit.reform(|event: Event| DraftEdit::Enabled(checkbox_checked(&event)))} />
                            <span class="wa-switch-track" aria-hidden="true"></span>
                        </label>
                        <label for="auto-enabled" class="wa-enabled-label">{ "On" }</label>
                        <span id="auto-enabled-hint" class="wa-field-hint">{ "Runs for every matching event once saved." }</span>
                    </div>
                </div>
                <fieldset class="wa-fieldset">
                    <legend>{ "Trigger" }</legend>
                    <TriggerPicker trigger={trigger.clone()} on_change={on_edit.reform(DraftEdit::Trigger)} />
                </fieldset>
                <fieldset class="wa-fieldset">
                    <legend>{ "Conditions" }</legend>
                    { condition_group_editor(&ConditionGroupEditorProps {
                        group: &automation.conditions,
                        path: Vec::new(),
                        trigger,
                        fields: &condition_choices,
                        problems: &condition_problems,
                        on_edit: &on_edit,
                    }) }
                </fieldset>
            </div>

            { for (0..automation.actions.len()).map(|index| html! {
                <ActionEditor automation={automation.clone()} {index} webhooks={props.webhooks.clone()} problems={problems.clone()}
                    fields={picker.clone()} on_edit={on_edit.clone()}
                    refusal={draft.refused_switch.as_ref().filter(|(action, _)| *action == index).map(|(_, why)| why.clone())} />
            }) }
            <div class="wa-toolbar">
                <button type="button" class="wa-button" onclick={{
                    let (on_edit, webhooks) = (on_edit.clone(), props.webhooks.clone());
                    Callback::from(move |_: MouseEvent| on_edit.emit(DraftEdit::AddAction {
                        webhook_id: webhooks.first().map(|webhook| webhook.id.clone()).unwrap_or_default(),
                    }))
                }}>{ "Add webhook action" }</button>
            </div>

            <div class="wa-card wa-save-area">
                <div class="wa-problem-lists" ref={problem_list} tabindex="-1">
                    { errors_and_warnings(&listed) }
                </div>
                <div class="wa-actions">
                    <button type="submit" class="wa-button is-primary" aria-disabled={if blocking > 0 { "true" } else { "false" }}
                        aria-describedby={save_reason.as_ref().map(|_| "auto-save-reason")}>{ "Save automation" }</button>
                    <button type="button" class="wa-button" onclick={guard.cancel.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                    if let Some(reason) = &save_reason {
                        <span id="auto-save-reason" class="wa-save-reason">{ reason }</span>
                    }
                </div>
            </div>
            if guard.asking {
                <Dialog title="Leave without saving?" on_close={guard.stay.clone()}>
                    <p>{ "Your changes to this automation are not saved yet." }</p>
                    <div class="wa-actions">
                        <button type="button" class="wa-button is-danger" onclick={guard.leave.reform(|_: MouseEvent| ())}>{ "Discard changes" }</button>
                        <button type="button" class="wa-button" data-initial-focus="" onclick={guard.stay.reform(|_: MouseEvent| ())}>{ "Keep editing" }</button>
                    </div>
                </Dialog>
            }
        </form>
        </ContextProvider<Rc<Catalog>>>
    }
}
