//! The trigger: which kind of record, and what happened to it.

use webhook_engine::model::{EventAction, Trigger};
use yew::prelude::*;

use crate::ui::automations::reference::use_catalog;
use crate::ui::widgets::{field, input_value};

#[derive(Properties, PartialEq)]
pub struct TriggerPickerProps {
    pub trigger: Trigger,
    pub on_change: Callback<Trigger>,
}

#[component]
pub fn TriggerPicker(props: &TriggerPickerProps) -> Html {
    let catalog = use_catalog();
    let on_entity = {
        let (trigger, on_change) = (props.trigger.clone(), props.on_change.clone());
        Callback::from(move |event: Event| {
            on_change.emit(Trigger {
                entity: input_value(&event),
                ..trigger.clone()
            })
        })
    };
    let on_action = {
        let (trigger, on_change) = (props.trigger.clone(), props.on_change.clone());
        Callback::from(move |event: Event| {
            let chosen = input_value(&event);
            if let Some(action) = EventAction::ALL
                .into_iter()
                .find(|action| action.as_str() == chosen)
            {
                on_change.emit(Trigger {
                    action,
                    ..trigger.clone()
                });
            }
        })
    };
    html! {
        <div class="wa-form-grid">
            { field("When a", "auto-trigger-entity", None, None, html! {
                <select id="auto-trigger-entity" class="wa-input" onchange={on_entity}>
                    { for catalog.trigger_entities().map(|entity| html! {
                        <option value={entity.key.clone()} selected={entity.key == props.trigger.entity}>{ &entity.label }</option>
                    }) }
                </select>
            }) }
            { field("is", "auto-trigger-action", None, None, html! {
                <select id="auto-trigger-action" class="wa-input" onchange={on_action}>
                    { for EventAction::ALL.into_iter().map(|action| html! {
                        <option value={action.as_str()} selected={action == props.trigger.action}>{ action.as_str() }</option>
                    }) }
                </select>
            }) }
        </div>
    }
}
