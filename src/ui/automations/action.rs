//! One webhook action: the webhook picked by name, the method, the path with its field picker, the
//! body, and the live preview of the request.

use std::rc::Rc;

use webhook_engine::editor::picker::PickerField;
use webhook_engine::model::{Automation, Method, Webhook};
use webhook_engine::validate::AutomationProblem;
use yew::prelude::*;

use crate::ui::automations::body_editor::{body_editor, BodyEditorProps};
use crate::ui::automations::draft::{ActionEdit, DraftEdit};
use crate::ui::automations::field_picker::FieldPicker;
use crate::ui::automations::preview::ActionPreviewPanel;
use crate::ui::automations::problems::diagnostic_message;
use crate::ui::widgets::{field, input_value};

#[derive(Properties, PartialEq)]
pub struct ActionEditorProps {
    /// The whole automation: the action is `automation.actions[index]`, and the preview needs the rest.
    pub automation: Rc<Automation>,
    pub index: usize,
    pub webhooks: Rc<Vec<Webhook>>,
    /// The automation's problems; the editor shows this action's.
    pub problems: Rc<Vec<AutomationProblem>>,
    pub fields: Rc<Vec<PickerField>>,
    pub refusal: Option<String>,
    pub on_edit: Callback<DraftEdit>,
}

#[component]
pub fn ActionEditor(props: &ActionEditorProps) -> Html {
    let path_input = use_node_ref();
    let index = props.index;
    let Some(action) = props.automation.actions.get(index) else {
        return Html::default();
    };
    let id = format!("auto-action-{}", index + 1);
    let name = format!("action {}", index + 1);
    let edit = props.on_edit.reform(move |edit| DraftEdit::Action {
        action: index,
        edit,
    });

    let mut path_problems = Vec::new();
    let mut body_problems = Vec::new();
    let mut webhook_problem = None;
    for problem in props.problems.iter() {
        match problem {
            AutomationProblem::Path { action, diagnostic } if *action == index => {
                path_problems.push(diagnostic_message(diagnostic))
            }
            AutomationProblem::Body { action, diagnostic } if *action == index => {
                body_problems.push(diagnostic.clone())
            }
            AutomationProblem::Webhook { action, .. } if *action == index => {
                webhook_problem = Some(if props.webhooks.is_empty() {
                    "No webhook yet: add one on the Webhooks page, then pick it here."
                } else {
                    "Webhook missing: pick the webhook this action sends to."
                });
            }
            _ => {}
        }
    }
    let webhook = props
        .webhooks
        .iter()
        .find(|webhook| webhook.id == action.webhook_id);
    let on_webhook = edit.reform(|event: Event| ActionEdit::Webhook(input_value(&event)));
    let on_method = edit.reform(|event: Event| {
        let chosen = input_value(&event);
        ActionEdit::Method(
            Method::ALL
                .into_iter()
                .find(|method| method.as_str() == chosen)
                .unwrap_or(Method::Post),
        )
    });
    let on_path = edit.reform(|event: InputEvent| ActionEdit::Path(input_value(&event)));
    let can_remove = props.automation.actions.len() > 1;

    html! {
        <section class="wa-card wa-action" aria-labelledby={format!("{id}-title")}>
            <div class="wa-action-head">
                <h3 id={format!("{id}-title")}>{ format!("Webhook action {}", index + 1) }</h3>
                if can_remove {
                    <button type="button" class="wa-button is-small is-danger-quiet"
                        onclick={props.on_edit.reform(move |_: MouseEvent| DraftEdit::RemoveAction(index))}>
                        { format!("Remove action {}", index + 1) }
                    </button>
                }
            </div>
            <div class="wa-action-grid">
                { field("Webhook", &format!("{id}-webhook"), None, webhook_problem, html! {
                    <select id={format!("{id}-webhook")} class="wa-input" onchange={on_webhook}>
                        if webhook.is_none() {
                            <option value={action.webhook_id.clone()} selected=true disabled=true>
                                { if action.webhook_id.is_empty() { "Choose a webhook…" } else { "— webhook missing —" } }
                            </option>
                        }
                        { for props.webhooks.iter().map(|candidate| html! {
                            <option value={candidate.id.clone()} selected={candidate.id == action.webhook_id}>{ &candidate.name }</option>
                        }) }
                    </select>
                }) }
                { field("Method", &format!("{id}-method"), None, None, html! {
                    <select id={format!("{id}-method")} class="wa-input" onchange={on_method}>
                        { for Method::ALL.into_iter().map(|method| html! {
                            <option value={method.as_str()} selected={method == action.method}>{ method.as_str() }</option>
                        }) }
                    </select>
                }) }
            </div>
            { field("Path", &format!("{id}-path"),
                Some("Appended to the webhook's base URL; fields are encoded so they can't change the address."),
                (!path_problems.is_empty()).then(|| path_problems.join(" ")).as_deref(), html! {
                <div class="wa-input-with-picker">
                    if let Some(webhook) = webhook {
                        <span class="wa-base-url" title="The webhook's base URL">{ &webhook.base_url }</span>
                    }
                    <input id={format!("{id}-path")} ref={path_input.clone()} class="wa-input wa-mono" value={action.path.clone()}
                        placeholder="/orders/{{deal.id}}" oninput={on_path} />
                    <FieldPicker target={path_input} fields={props.fields.clone()} label={format!("Insert a field into the path of {name}")} />
                </div>
            }) }
            { body_editor(&BodyEditorProps {
                id: &id,
                action_name: &name,
                body: &action.body,
                diagnostics: Rc::new(body_problems),
                fields: &props.fields,
                refusal: props.refusal.as_deref(),
                on_edit: &edit,
            }) }
            <ActionPreviewPanel automation={props.automation.clone()} action={index} webhooks={props.webhooks.clone()} />
        </section>
    }
}
