//! An action's body: the Key-value / Raw tabs and the editor of the chosen mode. Switching converts
//! the body (see the draft); a refused switch says why and leaves the body as it was.

use std::rc::Rc;

use webhook_engine::editor::picker::PickerField;
use webhook_engine::model::Body;
use webhook_engine::Diagnostic;
use yew::prelude::*;

use crate::ui::automations::draft::{ActionEdit, BodyMode};
use crate::ui::automations::key_value_editor::{key_value_editor, KeyValueEditorProps};
use crate::ui::automations::raw_editor::RawEditor;

pub struct BodyEditorProps<'a> {
    /// Prefix of the ids inside, unique per action.
    pub id: &'a str,
    /// "action 1", for labels.
    pub action_name: &'a str,
    pub body: &'a Body,
    pub diagnostics: Rc<Vec<Diagnostic>>,
    pub fields: &'a Rc<Vec<PickerField>>,
    /// Why the last switch to key-value rows was refused.
    pub refusal: Option<&'a str>,
    pub on_edit: &'a Callback<ActionEdit>,
}

pub fn body_editor(props: &BodyEditorProps) -> Html {
    let mode = BodyMode::of(props.body);
    let panel_id = format!("{}-panel", props.id);
    let tab = |tab_mode: BodyMode, label: &str| {
        let selected = tab_mode == mode;
        html! {
            <button type="button" role="tab" id={format!("{}-tab-{}", props.id, label.to_lowercase())}
                class={classes!("wa-tab", selected.then_some("is-selected"))}
                aria-selected={if selected { "true" } else { "false" }} aria-controls={panel_id.clone()}
                onclick={props.on_edit.reform(move |_: MouseEvent| ActionEdit::BodyMode(tab_mode))}>
                { label.to_owned() }
            </button>
        }
    };
    let selected_tab = match mode {
        BodyMode::KeyValue => format!("{}-tab-key-value", props.id),
        BodyMode::Raw => format!("{}-tab-raw", props.id),
    };
    let editor = match props.body {
        Body::KeyValue { rows } => key_value_editor(&KeyValueEditorProps {
            id: props.id,
            rows,
            diagnostics: &props.diagnostics,
            fields: props.fields,
            on_edit: &props.on_edit.reform(ActionEdit::Row),
        }),
        Body::Raw { template } => {
            let textarea_id = format!("{}-raw", props.id);
            html! {
                <>
                    <label class="wa-visually-hidden" for={textarea_id.clone()}>{ format!("Raw JSON body of {}", props.action_name) }</label>
                    <RawEditor id={textarea_id} text={AttrValue::from(template.clone())} diagnostics={props.diagnostics.clone()}
                        fields={props.fields.clone()} on_change={props.on_edit.reform(ActionEdit::Raw)} />
                </>
            }
        }
    };
    html! {
        <div class="wa-body-editor">
            <div class="wa-body-head">
                <span class="wa-label" id={format!("{}-label", props.id)}>{ "Body" }</span>
                <div class="wa-tabs" role="tablist" aria-labelledby={format!("{}-label", props.id)}>
                    { tab(BodyMode::KeyValue, "Key-value") }
                    { tab(BodyMode::Raw, "Raw") }
                </div>
            </div>
            if let Some(refusal) = props.refusal {
                <p class="wa-callout wa-switch-refusal" role="alert">
                    { format!("Can't switch to Key-value: {refusal}") }
                </p>
            }
            <div role="tabpanel" id={panel_id} aria-labelledby={selected_tab}>
                { editor }
            </div>
        </div>
    }
}
