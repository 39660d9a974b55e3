//! One execution in full, in a panel over the table: its status and reason in words, the condition
//! trace, the request, every attempt, "Copy as cURL" and Replay. What the user may see of it is the
//! engine's rule ([`visible_to`]); the panel only renders the result.

mod attempts;
mod curl;
mod headers;
mod request;
mod trace;

use std::rc::Rc;
use webhook_engine::roles::Permissions;

use webhook_engine::history::describe::{record_label, status_in_words};
use webhook_engine::history::relay::{answer_known, planned_here, request_known};
use webhook_engine::history::{visible_to, ExecutionView};
use webhook_engine::model::Route;
use webhook_engine::runner::{Execution, Status, CORS_REFUSED};
use yew::prelude::*;

use crate::storage::Store;
use crate::ui::history::table::relay_badge;
use crate::ui::history::time::local_time;
use attempts::attempt_list;
use curl::CopyAsCurl;
use request::request_view;
use trace::trace_table;

#[derive(Properties, PartialEq)]
pub struct ExecutionDetailProps {
    pub store: Rc<Store>,
    pub id: String,
    pub permissions: Permissions,
    /// Changes when executions were written, so a pending run shows its progress.
    pub refresh: u64,
    pub on_close: Callback<()>,
    /// Sends the run again; without it there is no Replay button.
    #[prop_or_default]
    pub on_replay: Option<Callback<Execution>>,
    /// Opens a webhook's form: offered with a CORS refusal, whose fix is there.
    #[prop_or_default]
    pub on_edit_webhook: Option<Callback<String>>,
}

#[derive(Clone, PartialEq)]
enum Loaded {
    Loading,
    Missing,
    Failed(String),
    Found(Rc<ExecutionView>),
}

#[component]
pub fn ExecutionDetail(props: &ExecutionDetailProps) -> Html {
    let loaded = use_state(|| Loaded::Loading);
    {
        let (store, loaded, permissions) = (props.store.clone(), loaded.clone(), props.permissions);
        use_effect_with((props.id.clone(), props.refresh), move |(id, _)| {
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                loaded.set(match store.get_execution(&id).await {
                    Ok(Some(execution)) => {
                        Loaded::Found(Rc::new(visible_to(execution, &permissions)))
                    }
                    Ok(None) => Loaded::Missing,
                    Err(error) => Loaded::Failed(error.to_string()),
                });
            });
        });
    }
    let panel = use_node_ref();
    {
        // Focus moves into the panel, so Escape and screen readers start there.
        let panel = panel.clone();
        use_effect_with(props.id.clone(), move |_| {
            if let Some(panel) = panel.cast::<web_sys::HtmlElement>() {
                let _ = panel.focus();
            }
        });
    }
    let on_key = {
        let on_close = props.on_close.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    let (title, body) = match &*loaded {
        Loaded::Loading => (
            "Execution".to_owned(),
            html! { <p class="wa-muted" aria-busy="true">{ "Loading…" }</p> },
        ),
        Loaded::Missing => (
            "Execution".to_owned(),
            html! { <p>{ "This execution is no longer stored: the history keeps executions for the days set in Settings." }</p> },
        ),
        Loaded::Failed(message) => (
            "Execution".to_owned(),
            html! { <p class="wa-field-error" role="alert">{ format!("It could not be read: {message}") }</p> },
        ),
        Loaded::Found(view) => (view.execution.automation_name.clone(), details(view, props)),
    };
    html! {
        <div class="wa-drawer-backdrop" onclick={props.on_close.reform(|_: MouseEvent| ())}>
            <aside class="wa-drawer" role="dialog" aria-modal="true" aria-labelledby="history-detail-title" tabindex="-1"
                ref={panel} onkeydown={on_key} onclick={Callback::from(|event: MouseEvent| event.stop_propagation())}>
                <header class="wa-drawer-head">
                    <h2 id="history-detail-title">{ title }</h2>
                    <button type="button" class="wa-button is-quiet" aria-label="Close" onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "×" }</button>
                </header>
                { body }
            </aside>
        </div>
    }
}

fn details(view: &ExecutionView, props: &ExecutionDetailProps) -> Html {
    let execution = &view.execution;
    let verdict_class = match execution.status {
        Status::Succeeded => "is-success",
        Status::Failed => "is-error",
        Status::Stopped => "is-warning",
        Status::Pending => "is-pending",
    };
    let user = &execution.user;
    let relay = execution.route == Route::Relay;
    // Not for this user, or not held by this browser (read from the relay with its events token).
    let planned_hidden = view.details_hidden || !planned_here(execution);
    html! {
        <>
            <p class={classes!("wa-history-verdict", verdict_class)}>{ status_in_words(execution) }</p>
            { cors_advice(execution, props) }
            <dl class="wa-history-facts">
                <dt>{ "Sent from" }</dt>
                if relay {
                    <dd>{ relay_badge() }{ " the relay, from a server" }</dd>
                } else {
                    <dd>{ "this browser" }</dd>
                }
                <dt>{ "Ran at" }</dt>
                <dd>{ local_time(execution.created_at_ms) }</dd>
                <dt>{ "Trigger" }</dt>
                <dd>{ format!("{} {}", record_label(&execution.event), execution.event.action.as_str()) }</dd>
                <dt>{ "Triggered by" }</dt>
                <dd>{ format!("{} <{}>", user.name, user.email) }</dd>
                <dt>{ "Webhook" }</dt>
                <dd>{ execution.webhook_name.clone().unwrap_or_else(|| "a deleted webhook".to_owned()) }</dd>
                if let Some(finished) = execution.finished_at_ms {
                    <dt>{ "Finished at" }</dt>
                    <dd>{ local_time(finished) }</dd>
                }
                if let (Status::Pending, Some(next)) = (execution.status, execution.next_attempt_at_ms) {
                    <dt>{ "Next attempt" }</dt>
                    <dd>{ local_time(next) }</dd>
                }
                <dt>{ "Execution id" }</dt>
                <dd><code>{ &execution.id }</code>{ " — sent as the webhook-id header on every attempt" }</dd>
            </dl>
            if !execution.problems.is_empty() {
                <section class="wa-history-section wa-callout" aria-labelledby="history-detail-problems">
                    <h3 id="history-detail-problems">{ "Storage problems during this run" }</h3>
                    <ul>{ for execution.problems.iter().map(|problem| html! { <li>{ problem }</li> }) }</ul>
                </section>
            }
            { actions(view, props) }
            if view.details_hidden {
                <p class="wa-callout">{ "Only admins see request and response bodies, headers and the record's values. You see what ran and how it ended." }</p>
            } else if execution.details_withheld {
                <p class="wa-callout wa-history-withheld">{ "This browser read this run from the relay with its events token, so the relay kept the answers' bodies and headers (and whatever of the request and the record's values this browser did not plan itself). To see them here, enter the relay's admin token in Settings → Relay: the history then reads the relay's runs again, whole." }</p>
            }
            <section class="wa-history-section" aria-labelledby="history-detail-conditions">
                <h3 id="history-detail-conditions">{ "Conditions" }</h3>
                { trace_table(&execution.trace, planned_hidden) }
            </section>
            <section class="wa-history-section" aria-labelledby="history-detail-request">
                <h3 id="history-detail-request">{ "Request" }</h3>
                { request_view(execution.request.as_ref(), planned_hidden) }
            </section>
            <section class="wa-history-section" aria-labelledby="history-detail-attempts">
                <h3 id="history-detail-attempts">{ "Attempts" }</h3>
                { attempt_list(&execution.attempts, execution.status,
                    |response| !view.details_hidden && answer_known(execution, response)) }
            </section>
        </>
    }
}

/// The way to the fix of a CORS refusal: the webhook's form, where it can be switched to the relay.
/// For those who may change webhooks.
fn cors_advice(execution: &Execution, props: &ExecutionDetailProps) -> Html {
    let refused = execution.status == Status::Failed
        && execution
            .reason
            .as_deref()
            .is_some_and(|reason| reason.starts_with(CORS_REFUSED));
    let Some(on_edit) = props
        .on_edit_webhook
        .clone()
        .filter(|_| refused && props.permissions.manage)
    else {
        return Html::default();
    };
    let name = execution
        .webhook_name
        .clone()
        .unwrap_or_else(|| "the webhook".to_owned());
    let id = execution.webhook_id.clone();
    html! {
        <p class="wa-history-advice">
            <button type="button" class="wa-button is-primary" onclick={on_edit.reform(move |_: MouseEvent| id.clone())}>
                { format!("Open “{name}” to deliver it through the relay") }
            </button>
        </p>
    }
}

/// Copy as cURL and Replay: for admins, who see the whole request. A run the relay sent is sent
/// again by the relay, which holds its whole request even when this browser was not given it.
fn actions(view: &ExecutionView, props: &ExecutionDetailProps) -> Html {
    if view.details_hidden {
        return Html::default();
    }
    let curl = view
        .execution
        .request
        .clone()
        .filter(|_| request_known(&view.execution))
        .map(|request| html! { <CopyAsCurl {request} /> });
    let replay = props
        .on_replay
        .clone()
        .filter(|_| props.permissions.replay)
        .map(|on_replay| {
            let execution = view.execution.clone();
            html! { <ReplayButton {execution} {on_replay} /> }
        });
    html! { <div class="wa-history-detail-actions">{ curl }{ replay }</div> }
}

#[derive(Properties, PartialEq)]
struct ReplayButtonProps {
    execution: Execution,
    on_replay: Callback<Execution>,
}

/// Sends the run again, once per click, and says that it did.
#[component]
fn ReplayButton(props: &ReplayButtonProps) -> Html {
    let sent = use_state(|| false);
    let on_click = {
        let (execution, on_replay, sent) = (
            props.execution.clone(),
            props.on_replay.clone(),
            sent.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            on_replay.emit(execution.clone());
            sent.set(true);
        })
    };
    html! {
        <div class="wa-history-replay">
            <button type="button" class="wa-button" onclick={on_click}>{ "Replay" }</button>
            if *sent && props.execution.route == Route::Relay {
                <span role="status">{ "Replay asked of the relay: it sends the request again as a new execution, which appears at the top of the history." }</span>
            } else if *sent {
                <span role="status">{ "Replay queued: it runs as a new execution, at the top of the history." }</span>
            }
        </div>
    }
}
