//! The create / edit form of a webhook. Every check comes from the engine; the form only shows the
//! problems next to the fields they concern.

use std::rc::Rc;

use webhook_engine::changes::{check_webhook, relay_credential_problems};
use webhook_engine::model::{AuthKind, Route, Webhook};
use webhook_engine::request::WebhookProblem;
use webhook_engine::signing::generate_secret;
use yew::prelude::*;

use crate::random::{new_id, random_bytes};
use crate::relay::RelayClient;
use crate::ui::webhooks::draft::{DraftEdit, SecretDraft, WebhookDraft};
use crate::ui::webhooks::secret_input::secret_input;
use crate::ui::widgets::{capitalize, checkbox_checked, field, input_value};

#[derive(Properties, PartialEq)]
pub struct WebhookFormProps {
    /// The webhook being edited; `None` for a new one.
    pub editing: Option<Webhook>,
    pub webhooks: Rc<Vec<Webhook>>,
    pub on_save: Callback<Webhook>,
    pub on_cancel: Callback<()>,
    /// The relay, with its admin token, when one is connected: webhooks may then be delivered
    /// through it, and the form says which credentials it holds.
    #[prop_or_default]
    pub relay: Option<RelayClient>,
}

/// The form's own state: the draft, the problems of the last save attempt, and a secret generated
/// in this session (shown once so the admin can copy it to the endpoint).
#[derive(Clone, PartialEq)]
struct FormState {
    draft: WebhookDraft,
    problems: Vec<WebhookProblem>,
    generated_secret: Option<String>,
}

impl Reducible for FormState {
    type Action = FormAction;

    fn reduce(self: Rc<Self>, action: FormAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            FormAction::Edit(edit) => next.draft.apply(edit),
            FormAction::Problems(problems) => next.problems = problems,
            FormAction::Generated(secret) => {
                next.draft.apply(DraftEdit::SigningSecret(secret.clone()));
                next.generated_secret = Some(secret);
            }
        }
        Rc::new(next)
    }
}

enum FormAction {
    Edit(DraftEdit),
    Problems(Vec<WebhookProblem>),
    Generated(String),
}

#[component]
pub fn WebhookForm(props: &WebhookFormProps) -> Html {
    let state = {
        let editing = props.editing.clone();
        use_reducer(move || FormState {
            draft: editing
                .as_ref()
                .map_or_else(WebhookDraft::new, WebhookDraft::from_webhook),
            problems: Vec::new(),
            generated_secret: None,
        })
    };
    let edit = |make: fn(String) -> DraftEdit| {
        let state = state.clone();
        Callback::from(move |event: InputEvent| {
            state.dispatch(FormAction::Edit(make(input_value(&event))))
        })
    };
    let edit_text = |make: fn(String) -> DraftEdit| {
        let state = state.clone();
        Callback::from(move |text: String| state.dispatch(FormAction::Edit(make(text))))
    };
    let problem = |field: &str| {
        let messages: Vec<&str> = state
            .problems
            .iter()
            .filter(|problem| problem.field == field)
            .map(|problem| problem.message.as_str())
            .collect();
        (!messages.is_empty()).then(|| capitalize(&messages.join("; ")))
    };

    let on_submit = {
        let state = state.clone();
        let editing = props.editing.clone();
        let webhooks = props.webhooks.clone();
        let on_save = props.on_save.clone();
        let relay_connected = props.relay.is_some();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let id = editing
                .as_ref()
                .map_or_else(|| new_id("wh"), |webhook| webhook.id.clone());
            let problems = match state.draft.to_webhook(id, editing.as_ref()) {
                Ok(webhook) => {
                    let mut problems = check_webhook(&webhook, &webhooks);
                    let relay_holds_them = editing
                        .as_ref()
                        .is_some_and(|saved| saved.route == Route::Relay);
                    problems.extend(relay_credential_problems(
                        &webhook,
                        relay_holds_them,
                        state.draft.typed_credentials(),
                    ));
                    if webhook.route == Route::Relay && !relay_connected {
                        problems.push(WebhookProblem {
                            field: "route".into(),
                            message:
                                "connect the relay first (Settings → Relay, with its admin token)"
                                    .into(),
                        });
                    }
                    if problems.is_empty() {
                        on_save.emit(webhook);
                    }
                    problems
                }
                Err(problems) => problems,
            };
            state.dispatch(FormAction::Problems(problems));
        })
    };
    let on_auth_kind = {
        let state = state.clone();
        Callback::from(move |event: Event| {
            let kind = match input_value(&event).as_str() {
                "basic" => AuthKind::Basic,
                "bearer" => AuthKind::Bearer,
                "api_key" => AuthKind::ApiKey,
                _ => AuthKind::None,
            };
            state.dispatch(FormAction::Edit(DraftEdit::AuthKind(kind)));
        })
    };
    let on_signing = {
        let state = state.clone();
        Callback::from(move |event: Event| {
            state.dispatch(FormAction::Edit(DraftEdit::Signing(checkbox_checked(
                &event,
            ))))
        })
    };
    let on_generate = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let secret = generate_secret(random_bytes::<32>());
            state.dispatch(FormAction::Generated(secret.expose().to_string()));
        })
    };
    let draft = &state.draft;
    let title = if props.editing.is_some() {
        "Edit webhook"
    } else {
        "New webhook"
    };

    html! {
        <form class="wa-card wa-form" onsubmit={on_submit} novalidate=true aria-labelledby="wa-webhook-form-title">
            <h2 id="wa-webhook-form-title">{ title }</h2>
            <div class="wa-form-grid">
                { field("Name", "wh-name", Some("Automations pick the webhook by this name."), problem("name").as_deref(), html! {
                    <input id="wh-name" class="wa-input" value={draft.name.clone()} oninput={edit(DraftEdit::Name)} />
                }) }
                { field("Base URL", "wh-base-url", Some("https://…, or http:// for localhost. Each action's path is appended to it."), problem("base_url").as_deref(), html! {
                    <input id="wh-base-url" class="wa-input" type="url" placeholder="https://erp.example/api"
                        value={draft.base_url.clone()} oninput={edit(DraftEdit::BaseUrl)} />
                }) }
            </div>

            if draft.origin_moved(props.editing.as_ref()) {
                <p class="wa-callout" role="status" id="wh-origin-moved">
                    { "The base URL now points at another host. Credentials are only ever sent to the host they were entered for: enter the password, token, key, signing secret and secret headers again for the new host." }
                </p>
            }
            <fieldset class="wa-fieldset wa-route">
                <legend>{ "Deliver from" }</legend>
                { for [(Route::Browser, "browser", "This browser",
                        "Sent with fetch by the browser of whoever caused the event: the endpoint must accept requests from browsers (CORS), retries happen while a tab is open, and each sending browser holds the credentials."),
                       (Route::Relay, "relay", "The relay",
                        "Sent by the relay (webhook-relay) from a server: any endpoint works, retries go on with every tab closed (waits up to 24 hours), and the credentials are held by the relay only — never in users' browsers.")]
                    .into_iter().map(|(route, value, label, hint)| {
                        let state = state.clone();
                        let disabled = route == Route::Relay && props.relay.is_none() && draft.route != Route::Relay;
                        html! {
                            <label class="wa-check wa-route-choice">
                                <input type="radio" name="wh-route" {value} checked={draft.route == route} {disabled}
                                    onchange={Callback::from(move |_: Event| state.dispatch(FormAction::Edit(DraftEdit::Route(route))))} />
                                <span><strong>{ label }</strong><br /><span class="wa-muted">{ hint }</span></span>
                            </label>
                        }
                    }) }
                if props.relay.is_none() {
                    <p class="wa-muted">{ "To deliver through the relay, connect one first: Settings → Relay." }</p>
                }
                if let Some(route_problem) = problem("route") {
                    <p class="wa-field-error" id="wh-route-error" role="alert">{ route_problem }</p>
                }
                if draft.route == Route::Relay {
                    <HeldOnRelay relay={props.relay.clone()} webhook_id={props.editing.as_ref().filter(|saved| saved.route == Route::Relay).map(|saved| saved.id.clone())} />
                }
            </fieldset>

            <fieldset class="wa-fieldset">
                <legend>{ "Authentication" }</legend>
                { field("Type", "wh-auth-kind", None, None, html! {
                    <select id="wh-auth-kind" class="wa-input" onchange={on_auth_kind}>
                        { for [(AuthKind::None, "none", "None"), (AuthKind::Basic, "basic", "Basic (user name and password)"),
                               (AuthKind::Bearer, "bearer", "Bearer token"), (AuthKind::ApiKey, "api_key", "API key in a header")]
                            .into_iter().map(|(kind, value, label)| html! {
                                <option {value} selected={draft.auth_kind == kind}>{ label }</option>
                            }) }
                    </select>
                }) }
                { match draft.auth_kind {
                    AuthKind::None => html! {},
                    AuthKind::Basic => html! { <div class="wa-form-grid">
                        { field("User name", "wh-username", None, problem("auth.username").as_deref(), html! {
                            <input id="wh-username" class="wa-input" autocomplete="off" value={draft.username.clone()} oninput={edit(DraftEdit::Username)} />
                        }) }
                        { field("Password", "wh-password", None, problem("auth.password").as_deref(), secret_input("wh-password", &draft.password, edit_text(DraftEdit::Password))) }
                    </div> },
                    AuthKind::Bearer => html! {
                        { field("Token", "wh-token", None, problem("auth.token").as_deref(), secret_input("wh-token", &draft.token, edit_text(DraftEdit::Token))) }
                    },
                    AuthKind::ApiKey => html! { <div class="wa-form-grid">
                        { field("Header name", "wh-api-header", None, problem("auth.header").as_deref(), html! {
                            <input id="wh-api-header" class="wa-input" value={draft.api_header.clone()} oninput={edit(DraftEdit::ApiHeader)} />
                        }) }
                        { field("API key", "wh-api-key", None, problem("auth.key").as_deref(), secret_input("wh-api-key", &draft.api_key, edit_text(DraftEdit::ApiKey))) }
                    </div> },
                } }
            </fieldset>

            <fieldset class="wa-fieldset">
                <legend>{ "Custom headers" }</legend>
                if draft.headers.is_empty() {
                    <p class="wa-muted">{ "None. Headers added here go with every request to this webhook. A header whose name marks a credential (X-Api-Key, X-Auth-Token, Authorization…), or that you mark Secret, is kept secret like a password." }</p>
                }
                { for draft.headers.iter().enumerate().map(|(index, header)| {
                    let name_id = format!("wh-header-{index}-name");
                    let value_id = format!("wh-header-{index}-value");
                    let secret_id = format!("wh-header-{index}-secret");
                    let state_name = state.clone();
                    let state_value = state.clone();
                    let state_secret = state.clone();
                    let name_marks_secret = header.name_marks_secret();
                    let state_remove = state.clone();
                    html! {
                        <div class="wa-form-row is-header">
                            { field("Header", &name_id, None, problem(&format!("headers.{index}.name")).as_deref(), html! {
                                <input id={name_id.clone()} class="wa-input" value={header.name.clone()}
                                    oninput={Callback::from(move |event: InputEvent| state_name.dispatch(FormAction::Edit(DraftEdit::HeaderName(index, input_value(&event)))))} />
                            }) }
                            { field("Value", &value_id, None, problem(&format!("headers.{index}.value")).as_deref(),
                                if header.is_secret() {
                                    secret_input(&value_id, &header.value,
                                        Callback::from(move |text| state_value.dispatch(FormAction::Edit(DraftEdit::HeaderValue(index, text)))))
                                } else {
                                    html! {
                                        <input id={value_id.clone()} class="wa-input" value={header.typed_value().to_owned()}
                                            oninput={Callback::from(move |event: InputEvent| state_value.dispatch(FormAction::Edit(DraftEdit::HeaderValue(index, input_value(&event)))))} />
                                    }
                                }) }
                            <label class="wa-check" title={name_marks_secret.then_some("Its name marks a credential: it is always kept secret")}>
                                <input id={secret_id} type="checkbox" checked={name_marks_secret || header.marked_secret} disabled={name_marks_secret}
                                    onchange={Callback::from(move |event: Event| state_secret.dispatch(FormAction::Edit(DraftEdit::HeaderSecret(index, checkbox_checked(&event)))))} />
                                { "Secret" }
                            </label>
                            <button type="button" class="wa-button is-quiet" aria-label={format!("Remove header {}", index + 1)}
                                onclick={Callback::from(move |_: MouseEvent| state_remove.dispatch(FormAction::Edit(DraftEdit::RemoveHeader(index))))}>{ "Remove" }</button>
                        </div>
                    }
                }) }
                <button type="button" class="wa-button" onclick={{
                    let state = state.clone();
                    Callback::from(move |_: MouseEvent| state.dispatch(FormAction::Edit(DraftEdit::AddHeader)))
                }}>{ "Add header" }</button>
            </fieldset>

            <fieldset class="wa-fieldset">
                <legend>{ "Signing" }</legend>
                <label class="wa-check">
                    <input id="wh-signing" type="checkbox" checked={draft.signing} onchange={on_signing} />
                    { "Sign requests (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature)" }
                </label>
                if draft.signing {
                    <div class="wa-form-row is-pair">
                        { field("Signing secret", "wh-signing-secret", Some("whsec_… shared with the endpoint, which verifies each signature."), problem("signing_secret").as_deref(), secret_input("wh-signing-secret", &draft.signing_secret, edit_text(DraftEdit::SigningSecret))) }
                        <button type="button" class="wa-button" onclick={on_generate}>{ "Generate" }</button>
                    </div>
                    if let (Some(secret), SecretDraft::Typed(typed)) = (&state.generated_secret, &draft.signing_secret) {
                        if secret == typed {
                            <p class="wa-callout">{ "Copy this secret to your endpoint now; once saved it is never shown again: " }
                                <code class="wa-generated-secret">{ secret }</code></p>
                        }
                    }
                }
            </fieldset>

            <fieldset class="wa-fieldset">
                <legend>{ "Delivery" }</legend>
                <div class="wa-form-grid is-four">
                    { field("Timeout (seconds)", "wh-timeout", None, problem("timeout_ms").as_deref(), html! {
                        <input id="wh-timeout" class="wa-input" inputmode="decimal" value={draft.timeout_seconds.clone()} oninput={edit(DraftEdit::TimeoutSeconds)} />
                    }) }
                    { field("Attempts", "wh-attempts", Some("1 means never retry."), problem("retry.max_attempts").as_deref(), html! {
                        <input id="wh-attempts" class="wa-input" inputmode="numeric" value={draft.max_attempts.clone()} oninput={edit(DraftEdit::MaxAttempts)} />
                    }) }
                    { field("First retry after (s)", "wh-backoff", None, problem("retry.initial_backoff_ms").as_deref(), html! {
                        <input id="wh-backoff" class="wa-input" inputmode="decimal" value={draft.initial_backoff_seconds.clone()} oninput={edit(DraftEdit::InitialBackoffSeconds)} />
                    }) }
                    { field("Longest wait (s)", "wh-max-backoff", None, problem("retry.max_backoff_ms").as_deref(), html! {
                        <input id="wh-max-backoff" class="wa-input" inputmode="decimal" value={draft.max_backoff_seconds.clone()} oninput={edit(DraftEdit::MaxBackoffSeconds)} />
                    }) }
                </div>
                <p class="wa-muted">{ "Retries happen on network errors, timeouts, 408, 429 (honouring Retry-After) and 5xx answers, with growing waits; never on other 4xx answers." }</p>
            </fieldset>

            if !state.problems.is_empty() {
                <p class="wa-form-summary" role="alert">{ format!("Not saved: {} to fix above.", plural(state.problems.len(), "problem")) }</p>
            }
            <div class="wa-actions">
                <button type="submit" class="wa-button is-primary">{ "Save webhook" }</button>
                <button type="button" class="wa-button" onclick={props.on_cancel.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
            </div>
        </form>
    }
}

pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[derive(Properties, PartialEq)]
struct HeldOnRelayProps {
    relay: Option<RelayClient>,
    /// The saved relay webhook whose credentials the relay may hold; `None` for one not there yet.
    webhook_id: Option<String>,
}

/// Which credentials the relay holds for the webhook (never their values), read when the form opens.
#[component]
fn HeldOnRelay(props: &HeldOnRelayProps) -> Html {
    let held = use_state(|| None::<Result<crate::relay::HeldCredentials, String>>);
    {
        let held = held.clone();
        use_effect_with(
            (props.relay.clone(), props.webhook_id.clone()),
            move |(relay, webhook_id)| {
                if let (Some(relay), Some(id)) = (relay.clone(), webhook_id.clone()) {
                    wasm_bindgen_futures::spawn_local(async move {
                        held.set(Some(
                            relay
                                .held_credentials(&id)
                                .await
                                .map_err(|error| error.to_string()),
                        ));
                    });
                }
            },
        );
    }
    let text = match (&props.webhook_id, &*held) {
        (None, _) => "The relay holds no credentials for this webhook yet: any you enter below go to the relay when you save, and this browser keeps none.".to_owned(),
        (Some(_), None) => "Asking the relay which credentials it holds…".to_owned(),
        (Some(_), Some(Err(error))) => format!("The relay could not say which credentials it holds: {error}."),
        (Some(_), Some(Ok(held))) if held.set.is_empty() => "The relay holds no credentials for this webhook: any you enter below go to it when you save.".to_owned(),
        (Some(_), Some(Ok(held))) => format!(
            "The relay holds: {}{}. Leave the fields empty to keep them; typing any replaces them all.",
            held.set.join(", "),
            if held.applies { "" } else { " — entered for another host, so they are not sent: enter them again" }
        ),
    };
    html! { <p class="wa-callout" id="wh-relay-credentials" role="status">{ text }</p> }
}
