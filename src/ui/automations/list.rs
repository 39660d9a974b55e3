//! The table of automations: what triggers each one, whether it is on, and what it last did.

use std::collections::HashMap;
use std::rc::Rc;

use webhook_engine::catalog::Catalog;
use webhook_engine::changes::can_enable;
use webhook_engine::model::{Automation, Webhook};
use webhook_engine::runner::Status;
use yew::prelude::*;

use crate::ui::webhooks::status_badge;

use crate::ui::automations::reference::trigger_label;
use crate::ui::widgets::{capitalize, checkbox_checked};

#[derive(Properties, PartialEq)]
pub struct AutomationListProps {
    pub catalog: Rc<Catalog>,
    pub automations: Rc<Vec<Automation>>,
    pub webhooks: Rc<Vec<Webhook>>,
    pub last_run: Rc<HashMap<String, Status>>,
    pub can_manage: bool,
    /// The automation switched on or off; switching on was already allowed by `can_enable`.
    pub on_toggle: Callback<Automation>,
    pub on_edit: Callback<String>,
    pub on_duplicate: Callback<String>,
    pub on_delete: Callback<String>,
}

#[component]
pub fn AutomationList(props: &AutomationListProps) -> Html {
    // Why switching an automation on was refused: its id and the engine's reason.
    let refused = use_state(|| None::<(String, String)>);
    if props.automations.is_empty() {
        return html! {
            <div class="wa-empty">
                <h2>{ "No automations yet" }</h2>
                <p>{ "An automation is a trigger (entity and event), conditions, and a webhook action with a method, a path and a JSON body built from CRM fields." }</p>
                if !props.can_manage {
                    <p>{ "Only admins can add automations." }</p>
                }
            </div>
        };
    }
    html! {
        <table class="wa-table wa-automation-table" aria-label="Automations">
            <thead>
                <tr>
                    <th scope="col">{ "Name" }</th>
                    <th scope="col">{ "Trigger" }</th>
                    <th scope="col">{ "Webhook" }</th>
                    <th scope="col">{ "On" }</th>
                    <th scope="col">{ "Last run" }</th>
                    if props.can_manage { <th scope="col"><span class="wa-visually-hidden">{ "Actions" }</span></th> }
                </tr>
            </thead>
            <tbody>
                { for props.automations.iter().map(|automation| row(automation, props, &refused)) }
            </tbody>
        </table>
    }
}

fn row(
    automation: &Automation,
    props: &AutomationListProps,
    refused: &UseStateHandle<Option<(String, String)>>,
) -> Html {
    let id = automation.id.clone();
    let webhook_names: Vec<&str> = automation
        .actions
        .iter()
        .filter_map(|action| {
            props
                .webhooks
                .iter()
                .find(|webhook| webhook.id == action.webhook_id)
        })
        .map(|webhook| webhook.name.as_str())
        .collect();
    let webhook_missing = webhook_names.len() < automation.actions.len();
    let reason = refused
        .as_ref()
        .filter(|(refused_id, _)| *refused_id == id)
        .map(|(_, reason)| reason.clone());
    let reason_id = format!("auto-{id}-toggle-reason");
    let on_toggle = {
        let (automation, webhooks, refused, on_toggle) = (
            automation.clone(),
            props.webhooks.clone(),
            refused.clone(),
            props.on_toggle.clone(),
        );
        Callback::from(move |event: Event| {
            let enabled = checkbox_checked(&event);
            let allowed = if enabled {
                can_enable(&automation, &webhooks)
            } else {
                Ok(())
            };
            match allowed {
                Ok(()) => {
                    refused.set(None);
                    on_toggle.emit(Automation {
                        enabled,
                        ..automation.clone()
                    });
                }
                Err(reason) => {
                    // The checkbox already shows "on": put it back, and say why.
                    if let Some(input) = event.target_dyn_into::<web_sys::HtmlInputElement>() {
                        input.set_checked(false);
                    }
                    refused.set(Some((automation.id.clone(), capitalize(&reason))));
                }
            }
        })
    };
    let action = |callback: &Callback<String>| {
        let id = id.clone();
        callback.reform(move |_: MouseEvent| id.clone())
    };
    let columns = if props.can_manage { 6 } else { 5 };
    html! {
        <>
        <tr data-automation={id.clone()}>
            <th scope="row">{ &automation.name }</th>
            <td>{ trigger_label(&props.catalog, &automation.trigger) }</td>
            <td>
                if !webhook_names.is_empty() { <span>{ webhook_names.join(", ") }</span> }
                if webhook_missing { <span class="wa-badge is-error">{ "webhook missing" }</span> }
            </td>
            <td>
                <label class="wa-switch">
                    <input type="checkbox" role="switch" checked={automation.enabled} disabled={!props.can_manage}
                        aria-label={format!("Run “{}”", automation.name)}
                        aria-describedby={reason.as_ref().map(|_| reason_id.clone())} onchange={on_toggle} />
                    <span class="wa-switch-track" aria-hidden="true"></span>
                </label>
            </td>
            <td>{ status_badge(props.last_run.get(&automation.id).copied(), "never run") }</td>
            if props.can_manage {
                <td class="wa-row-actions">
                    <button type="button" class="wa-button is-small" onclick={action(&props.on_edit)}
                        aria-label={format!("Edit “{}”", automation.name)}>{ "Edit" }</button>
                    <button type="button" class="wa-button is-small" onclick={action(&props.on_duplicate)}
                        aria-label={format!("Duplicate “{}”", automation.name)}>{ "Duplicate" }</button>
                    <button type="button" class="wa-button is-small is-danger-quiet" onclick={action(&props.on_delete)}
                        aria-label={format!("Delete “{}”", automation.name)}>{ "Delete" }</button>
                </td>
            }
        </tr>
        // Under its row, across the table, so the columns keep their widths.
        if let Some(reason) = reason {
            <tr class="wa-refusal-row" data-refused={id}>
                <td colspan={columns.to_string()} id={reason_id} role="alert">{ reason }</td>
            </tr>
        }
        </>
    }
}
