//! The Webhooks page: the list of automation webhooks and their create / edit form.

mod draft;
mod form;
mod list;
mod secret_input;

use std::rc::Rc;
use webhook_engine::roles::Permissions;

use std::collections::HashMap;

use webhook_engine::changes::automations_using;
use webhook_engine::event::User;
use webhook_engine::model::{Automation, Route, Webhook};
use webhook_engine::runner::{Execution, Status};
use yew::prelude::*;

use crate::ui::list_mode::{use_list_mode, Mode};

pub use draft::{DraftEdit, SecretDraft, WebhookDraft};
pub use form::plural;
pub use list::status_badge;
pub use secret_input::secret_input;

use crate::ui::widgets::Dialog;
use form::WebhookForm;
use list::{webhook_list, WebhookListProps};

#[derive(Properties, PartialEq)]
pub struct WebhooksPageProps {
    pub webhooks: Rc<Vec<Webhook>>,
    pub automations: Rc<Vec<Automation>>,
    /// Only admins manage webhooks; everyone sees which exist.
    pub permissions: Permissions,
    pub on_save: Callback<Webhook>,
    pub on_delete: Callback<String>,
    /// The latest delivery status per webhook id.
    pub last_delivery: Rc<HashMap<String, Status>>,
    /// Who presses "Test": recorded in the sample request.
    pub user: User,
    /// The relay with its admin token, when connected (relay webhooks, their Test).
    #[prop_or_default]
    pub relay: Option<crate::relay::RelayClient>,
    /// Sends a sample request from this browser (a webhook the browser delivers).
    pub send_test: Callback<(Webhook, User), crate::deliveries::Testing>,
    /// A webhook whose form to open (asked for from another section, e.g. a run's CORS advice).
    #[prop_or_default]
    pub open_form: Option<String>,
}

#[component]
pub fn WebhooksPage(props: &WebhooksPageProps) -> Html {
    let (mode, await_saved) = use_list_mode(props.webhooks.clone());
    {
        let mode = mode.clone();
        let manage = props.permissions.manage;
        use_effect_with(props.open_form.clone(), move |open_form| {
            if let (Some(id), true) = (open_form, manage) {
                mode.set(Mode::Editing(id.clone()));
            }
        });
    }
    let show = |next: Mode| {
        let mode = mode.clone();
        Callback::from(move |_| mode.set(next.clone()))
    };
    let on_save = {
        let await_saved = await_saved.clone();
        let save = props.on_save.clone();
        Callback::from(move |webhook: Webhook| {
            // The list shows the webhook as this browser keeps it (a relay one without credentials).
            await_saved.emit(webhook.as_kept_in_browser());
            save.emit(webhook);
        })
    };
    let on_edit = {
        let mode = mode.clone();
        Callback::from(move |id: String| mode.set(Mode::Editing(id)))
    };
    let test_result = use_state(|| None::<TestResult>);
    let on_test = {
        let (test_result, user) = (test_result.clone(), props.user.clone());
        let (permitted, relay) = (props.permissions.manage, props.relay.clone());
        let send_test = props.send_test.clone();
        Callback::from(move |webhook: Webhook| {
            // A test sends with the webhook's real credentials: an admin's action, like editing it.
            if !permitted {
                return;
            }
            let (test_result, user, send_test) =
                (test_result.clone(), user.clone(), send_test.clone());
            test_result.set(Some(TestResult {
                webhook: webhook.name.clone(),
                execution: None,
            }));
            let relay = relay.clone().filter(|_| webhook.route == Route::Relay);
            wasm_bindgen_futures::spawn_local(async move {
                let execution = match relay {
                    // Sent by the relay, with the credentials it holds.
                    Some(relay) => match relay.test(&webhook.id).await {
                        Ok(execution) => execution,
                        Err(error) => {
                            crate::dispatch::failed_test(&webhook, &user, &error.to_string())
                        }
                    },
                    None => send_test.emit((webhook.clone(), user)).await,
                };
                test_result.set(Some(TestResult {
                    webhook: webhook.name.clone(),
                    execution: Some(execution),
                }));
            });
        })
    };
    let on_ask_delete = {
        let mode = mode.clone();
        Callback::from(move |id: String| mode.set(Mode::ConfirmingDelete(id)))
    };

    let body = match &*mode {
        Mode::Creating => html! {
            <WebhookForm editing={None::<Webhook>} webhooks={props.webhooks.clone()} {on_save} on_cancel={show(Mode::Listing)} relay={props.relay.clone()} />
        },
        Mode::Editing(id) => match props.webhooks.iter().find(|webhook| &webhook.id == id) {
            Some(webhook) => html! {
                <WebhookForm key={id.clone()} editing={Some(webhook.clone())} webhooks={props.webhooks.clone()} {on_save} on_cancel={show(Mode::Listing)} relay={props.relay.clone()} />
            },
            None => html! { <p class="wa-muted">{ "This webhook no longer exists." }</p> },
        },
        Mode::Listing | Mode::ConfirmingDelete(_) => html! {
            <>
                if let Some(result) = &*test_result {
                    { test_panel(result) }
                }
                { webhook_list(&WebhookListProps {
                    webhooks: &props.webhooks,
                    automations: &props.automations,
                    last_delivery: &props.last_delivery,
                    can_manage: props.permissions.manage,
                    on_edit,
                    on_delete: on_ask_delete,
                    on_test,
                }) }
            </>
        },
    };
    let confirm = match &*mode {
        Mode::ConfirmingDelete(id) => props.webhooks.iter().find(|webhook| &webhook.id == id).map(|webhook| {
            let users: Vec<String> = automations_using(&props.automations, id).iter().map(|a| a.name.clone()).collect();
            let on_confirm = {
                let mode = mode.clone();
                let delete = props.on_delete.clone();
                let id = id.clone();
                Callback::from(move |_: MouseEvent| {
                    delete.emit(id.clone());
                    mode.set(Mode::Listing);
                })
            };
            html! {
                <Dialog title={format!("Delete webhook “{}”?", webhook.name)} on_close={show(Mode::Listing)}>
                    if users.is_empty() {
                        <p>{ "No automation uses it." }</p>
                    } else {
                        <p>{ format!("{} use it and will be switched off, marked “webhook missing”, until they point at another webhook:", plural(users.len(), "automation")) }</p>
                        <ul class="wa-dialog-list">{ for users.iter().map(|name| html! { <li>{ name }</li> }) }</ul>
                    }
                    <div class="wa-actions">
                        <button type="button" class="wa-button is-danger" onclick={on_confirm}>{ "Delete webhook" }</button>
                        <button type="button" class="wa-button" data-initial-focus="" onclick={show(Mode::Listing).reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                    </div>
                </Dialog>
            }
        }),
        _ => None,
    };
    let creating = matches!(&*mode, Mode::Listing | Mode::ConfirmingDelete(_));
    html! {
        <>
            if props.permissions.manage && creating {
                <div class="wa-toolbar">
                    <button type="button" class="wa-button is-primary" onclick={show(Mode::Creating).reform(|_: MouseEvent| ())}>{ "New webhook" }</button>
                </div>
            }
            { body }
            { confirm.unwrap_or_default() }
        </>
    }
}

/// The outcome of the last "Test" press, while the page is open.
#[derive(Clone, PartialEq)]
struct TestResult {
    webhook: String,
    /// `None` while the request is on its way.
    execution: Option<Execution>,
}

fn test_panel(result: &TestResult) -> Html {
    let (class, text) = match &result.execution {
        None => ("wa-test-result", format!("Testing “{}”…", result.webhook)),
        Some(execution) if execution.status == Status::Succeeded => {
            let attempt = execution.attempts.last();
            let status = attempt
                .and_then(|attempt| attempt.response.as_ref())
                .map_or(0, |response| response.status);
            let duration = attempt.map_or(0, |attempt| attempt.duration_ms);
            (
                "wa-test-result is-success",
                format!(
                    "Test of “{}”: the endpoint answered {status} in {duration} ms.",
                    result.webhook
                ),
            )
        }
        Some(execution) => (
            "wa-test-result is-failure",
            format!(
                "Test of “{}” failed: {}.",
                result.webhook,
                execution.reason.as_deref().unwrap_or("no answer")
            ),
        ),
    };
    html! { <p class={class} role="status">{ text }</p> }
}
