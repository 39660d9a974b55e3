//! The table of webhooks.

use std::collections::HashMap;

use webhook_engine::changes::automations_using;
use webhook_engine::model::{AuthKind, Automation, Route, Webhook};
use webhook_engine::request::missing_credentials;
use webhook_engine::runner::Status;
use yew::prelude::*;

use crate::ui::webhooks::form::plural;

pub struct WebhookListProps<'a> {
    pub webhooks: &'a [Webhook],
    pub automations: &'a [Automation],
    pub last_delivery: &'a HashMap<String, Status>,
    pub can_manage: bool,
    pub on_edit: Callback<String>,
    pub on_delete: Callback<String>,
    pub on_test: Callback<Webhook>,
}

pub fn webhook_list(props: &WebhookListProps) -> Html {
    if props.webhooks.is_empty() {
        return html! {
            <div class="wa-empty">
                <h2>{ "No webhooks yet" }</h2>
                <p>{ "Register a webhook once, then pick it by name in any automation. Credentials stay in this browser and never appear in the history or in exports." }</p>
                if !props.can_manage {
                    <p>{ "Only admins can add webhooks." }</p>
                }
            </div>
        };
    }
    html! {
        <table class="wa-table" aria-label="Webhooks">
            <thead>
                <tr>
                    <th scope="col">{ "Name" }</th>
                    <th scope="col">{ "Base URL" }</th>
                    <th scope="col">{ "Authentication" }</th>
                    <th scope="col">{ "Used by" }</th>
                    <th scope="col">{ "Last delivery" }</th>
                    if props.can_manage { <th scope="col"><span class="wa-visually-hidden">{ "Actions" }</span></th> }
                </tr>
            </thead>
            <tbody>
                { for props.webhooks.iter().map(|webhook| row(webhook, props)) }
            </tbody>
        </table>
    }
}

fn row(webhook: &Webhook, props: &WebhookListProps) -> Html {
    let users = automations_using(props.automations, &webhook.id).len();
    let id = webhook.id.clone();
    let edit = props.on_edit.reform({
        let id = id.clone();
        move |_: MouseEvent| id.clone()
    });
    let delete = props.on_delete.reform(move |_: MouseEvent| id.clone());
    let test = props.on_test.reform({
        let webhook = webhook.clone();
        move |_: MouseEvent| webhook.clone()
    });
    html! {
        <tr data-webhook={webhook.id.clone()}>
            <th scope="row">{ &webhook.name }</th>
            <td><code>{ &webhook.base_url }</code></td>
            <td>
                { auth_label(webhook.auth.kind()) }
                if webhook.signing_secret.is_some() { <span class="wa-badge">{ "signed" }</span> }
                if webhook.route == Route::Relay {
                    <span class="wa-badge is-relay" title="Delivered by the relay, which holds its credentials">{ "relay" }</span>
                } else if missing_credentials(webhook) {
                    <span class="wa-badge is-warning">{ "credentials needed" }</span>
                }
            </td>
            <td>{ if users == 0 { "no automation".to_string() } else { plural(users, "automation") } }</td>
            <td>{ status_badge(props.last_delivery.get(&webhook.id).copied(), "never used") }</td>
            if props.can_manage {
                <td class="wa-row-actions">
                    <button type="button" class="wa-button is-small" onclick={test}>{ "Test" }</button>
                    <button type="button" class="wa-button is-small" onclick={edit}>{ "Edit" }</button>
                    <button type="button" class="wa-button is-small is-danger-quiet" onclick={delete}>{ "Delete" }</button>
                </td>
            }
        </tr>
    }
}

/// A status as a coloured badge, or `never` in muted text when there is none yet.
pub fn status_badge(status: Option<Status>, never: &'static str) -> Html {
    let (class, label) = match status {
        None => return html! { <span class="wa-muted">{ never }</span> },
        Some(Status::Pending) => ("wa-badge", "pending"),
        Some(Status::Succeeded) => ("wa-badge is-success", "succeeded"),
        Some(Status::Failed) => ("wa-badge is-error", "failed"),
        Some(Status::Stopped) => ("wa-badge is-warning", "stopped"),
    };
    html! { <span class={class}>{ label }</span> }
}

fn auth_label(kind: AuthKind) -> &'static str {
    match kind {
        AuthKind::None => "None",
        AuthKind::Basic => "Basic",
        AuthKind::Bearer => "Bearer token",
        AuthKind::ApiKey => "API key",
    }
}
