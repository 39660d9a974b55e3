//! Settings → Relay: where the relay is and this browser's tokens for it, and "Check connection".
//! Tokens are secrets: once saved they are never put back into the page, only kept or replaced.

use yew::prelude::*;

use crate::relay::{check_connection, Finding, RelayConnection};
use crate::ui::webhooks::{secret_input, SecretDraft};
use crate::ui::widgets::{field, input_value};

#[derive(Properties, PartialEq)]
pub struct RelaySettingsProps {
    /// The connection saved in this browser.
    pub saved: RelayConnection,
    /// The relay the host page names for this visit, if any.
    pub from_host: Option<String>,
    pub can_manage: bool,
    pub on_save: Callback<RelayConnection>,
}

#[component]
pub fn RelaySettings(props: &RelaySettingsProps) -> Html {
    let url = use_state(|| props.saved.url.clone());
    let admin = use_state(|| saved_or_empty(props.saved.admin_token.is_some()));
    let events = use_state(|| saved_or_empty(props.saved.events_token.is_some()));
    let findings = use_state(|| None::<Vec<Finding>>);
    let checking = use_state(|| false);
    {
        // Saved here or in another tab: the form shows what is in force.
        let (url, admin, events) = (url.clone(), admin.clone(), events.clone());
        use_effect_with(props.saved.clone(), move |saved| {
            url.set(saved.url.clone());
            admin.set(saved_or_empty(saved.admin_token.is_some()));
            events.set(saved_or_empty(saved.events_token.is_some()));
        });
    }
    let connection = {
        let saved = props.saved.clone();
        let (url, admin, events) = (url.clone(), admin.clone(), events.clone());
        move || RelayConnection {
            url: url.trim().to_owned(),
            admin_token: admin.resolve(saved.admin_token.as_ref()),
            events_token: events.resolve(saved.events_token.as_ref()),
        }
    };
    let on_submit = {
        let (connection, save) = (connection.clone(), props.on_save.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            save.emit(connection());
        })
    };
    let on_check = {
        let (findings, checking) = (findings.clone(), checking.clone());
        Callback::from(move |_: MouseEvent| {
            let (findings, checking, connection) =
                (findings.clone(), checking.clone(), connection());
            checking.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                findings.set(Some(check_connection(&connection).await));
                checking.set(false);
            });
        })
    };
    let edit = |state: &UseStateHandle<SecretDraft>| {
        let state = state.clone();
        Callback::from(move |text: String| {
            state.set(if text.is_empty() {
                SecretDraft::Empty
            } else {
                SecretDraft::Typed(text)
            })
        })
    };
    html! {
        <form class="wa-card" onsubmit={on_submit} novalidate=true aria-labelledby="settings-relay-title">
            <h2 id="settings-relay-title">{ "Relay" }</h2>
            <p class="wa-muted">{ "Webhooks delivered through the relay (webhook-relay) leave from a server: any endpoint works (no CORS needed), retries go on with every tab closed, and credentials stay on the relay, never in users' browsers." }</p>
            if let Some(host_url) = &props.from_host {
                <p class="wa-callout" role="status">{ format!("This page's CRM hands events over to the relay at {host_url}.") }</p>
            }
            <div class="wa-form-grid">
                { field("Relay URL", "relay-url", Some("Like https://relay.example — the relay must allow this page's origin (--allow-origin)."), None, html! {
                    <input id="relay-url" class="wa-input" type="url" placeholder="https://relay.example" value={(*url).clone()}
                        disabled={!props.can_manage}
                        oninput={{ let url = url.clone(); Callback::from(move |event: InputEvent| url.set(input_value(&event))) }} />
                }) }
                <div />
                { field("Admin token", "relay-admin-token", Some("Configures the relay and reads bodies of its runs. Kept in this browser only."), None,
                    secret_input("relay-admin-token", &admin, edit(&admin))) }
                { field("Events token", "relay-events-token", Some("Hands events over and reads what ran, without bodies."), None,
                    secret_input("relay-events-token", &events, edit(&events))) }
            </div>
            if let Some(findings) = &*findings {
                <ul class="wa-check-results" aria-live="polite">
                    { for findings.iter().map(|finding| html! {
                        <li class={classes!(if finding.ok { "is-ok" } else { "is-problem" })}>{ &finding.text }</li>
                    }) }
                </ul>
            }
            <div class="wa-actions">
                if props.can_manage {
                    <button type="submit" class="wa-button">{ "Save relay" }</button>
                }
                <button type="button" class="wa-button" onclick={on_check} disabled={*checking}>
                    { if *checking { "Checking…" } else { "Check connection" } }
                </button>
            </div>
        </form>
    }
}

fn saved_or_empty(saved: bool) -> SecretDraft {
    if saved {
        SecretDraft::Saved
    } else {
        SecretDraft::Empty
    }
}
