//! The Settings page: history retention, and the configuration's export, import and reset.

mod relay;
pub(crate) mod transfer;

pub use relay::{RelaySettings, RelaySettingsProps};

use std::rc::Rc;
use webhook_engine::roles::Permissions;

use webhook_engine::config::{ConfigDocument, ImportedConfig};
use webhook_engine::model::{Automation, Webhook};
use webhook_engine::settings::{Settings, DEFAULT_RETENTION_DAYS};
use yew::prelude::*;

use crate::ui::webhooks::plural;
use crate::ui::widgets::{capitalize, field, input_value, Dialog};

#[derive(Properties, PartialEq)]
pub struct SettingsPageProps {
    pub webhooks: Rc<Vec<Webhook>>,
    pub automations: Rc<Vec<Automation>>,
    /// The configuration's revision, which an export carries.
    pub revision: u64,
    pub settings: Settings,
    pub permissions: Permissions,
    pub on_save_settings: Callback<Settings>,
    /// Replaces the whole configuration with an imported document.
    pub on_import: Callback<ConfigDocument>,
    pub on_delete_everything: Callback<()>,
    /// The relay connection saved in this browser, and the relay the host names (if any).
    pub relay: crate::relay::RelayConnection,
    pub relay_from_host: Option<String>,
    pub on_save_relay: Callback<crate::relay::RelayConnection>,
}

/// What the page is asking the admin to confirm.
#[derive(Clone, PartialEq)]
enum Pending {
    /// The document, and what importing it would do here.
    Import(Rc<(ConfigDocument, ImportedConfig)>),
    Reset,
}

#[component]
pub fn SettingsPage(props: &SettingsPageProps) -> Html {
    let retention = use_state(|| props.settings.retention_days.to_string());
    let retention_problem = use_state(|| None::<String>);
    let max_runs = use_state(|| props.settings.max_runs_per_minute.to_string());
    let max_runs_problem = use_state(|| None::<String>);
    let import_problem = use_state(|| None::<String>);
    let pending = use_state(|| None::<Pending>);
    let file_input = use_node_ref();
    {
        // Saved here or in another tab: the form shows what is in force.
        let (retention, max_runs) = (retention.clone(), max_runs.clone());
        use_effect_with(props.settings.clone(), move |settings| {
            retention.set(settings.retention_days.to_string());
            max_runs.set(settings.max_runs_per_minute.to_string());
        });
    }

    let on_settings_submit = {
        let (retention, retention_problem) = (retention.clone(), retention_problem.clone());
        let (max_runs, max_runs_problem) = (max_runs.clone(), max_runs_problem.clone());
        let save = props.on_save_settings.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let retention_days = Settings::parse_retention_days(&retention);
            let max_runs_per_minute = Settings::parse_max_runs_per_minute(&max_runs);
            retention_problem.set(
                retention_days
                    .as_ref()
                    .err()
                    .map(|message| capitalize(message)),
            );
            max_runs_problem.set(
                max_runs_per_minute
                    .as_ref()
                    .err()
                    .map(|message| capitalize(message)),
            );
            if let (Ok(retention_days), Ok(max_runs_per_minute)) =
                (retention_days, max_runs_per_minute)
            {
                save.emit(Settings {
                    retention_days,
                    max_runs_per_minute,
                });
            }
        })
    };
    let on_export = {
        let (webhooks, automations) = (props.webhooks.clone(), props.automations.clone());
        let revision = props.revision;
        let problem = import_problem.clone();
        Callback::from(move |_: MouseEvent| {
            let json = ConfigDocument::export(&webhooks, &automations)
                .at_revision(revision)
                .to_json();
            if let Err(reason) = transfer::download(
                &format!("webhook-automations-{}.json", transfer::today()),
                &json,
            ) {
                problem.set(Some(format!(
                    "The export could not be offered as a download: {reason}."
                )));
            }
        })
    };
    let on_file = {
        let (pending, problem, local) = (
            pending.clone(),
            import_problem.clone(),
            props.webhooks.clone(),
        );
        let file_input = file_input.clone();
        Callback::from(move |_: Event| {
            let Some(input) = file_input.cast::<web_sys::HtmlInputElement>() else {
                return;
            };
            let (pending, problem, local) = (pending.clone(), problem.clone(), local.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let text = match transfer::read_chosen_file(&input).await {
                    Some(text) => text,
                    None => return,
                };
                // Choosing the same file again must trigger a new import attempt.
                input.set_value("");
                match text.and_then(|text| {
                    ConfigDocument::parse(&text).map_err(|error| error.to_string())
                }) {
                    Ok(document) => {
                        problem.set(None);
                        let preview = document.clone().into_local(&local);
                        pending.set(Some(Pending::Import(Rc::new((document, preview)))));
                    }
                    Err(reason) => problem.set(Some(format!(
                        "This file cannot be imported — {reason}. Nothing was changed."
                    ))),
                }
            });
        })
    };
    let close = {
        let pending = pending.clone();
        Callback::from(move |()| pending.set(None))
    };
    let confirm_dialog = match &*pending {
        None => Html::default(),
        Some(Pending::Import(import)) => {
            let (document, imported) = &**import;
            let on_confirm = {
                let (document, import, pending) =
                    (document.clone(), props.on_import.clone(), pending.clone());
                Callback::from(move |_: MouseEvent| {
                    import.emit(document.clone());
                    pending.set(None);
                })
            };
            let name_of = |id: &str| {
                imported
                    .webhooks
                    .iter()
                    .find(|webhook| webhook.id == id)
                    .map_or_else(|| id.to_owned(), |webhook| webhook.name.clone())
            };
            let moved: Vec<String> = imported
                .origin_changed
                .iter()
                .map(|change| {
                    format!(
                        "{} — {} → {}",
                        name_of(&change.webhook_id),
                        change.from,
                        change.to
                    )
                })
                .collect();
            let needing: Vec<&str> = imported
                .webhooks
                .iter()
                .filter(|webhook| imported.credentials_needed.contains(&webhook.id))
                .filter(|webhook| {
                    !imported
                        .origin_changed
                        .iter()
                        .any(|change| change.webhook_id == webhook.id)
                })
                .map(|webhook| webhook.name.as_str())
                .collect();
            html! {
                <Dialog title="Import this configuration?" on_close={close.clone()}>
                    <p>{ format!("It replaces the current {} and {} with the file's {} and {}.",
                        plural(props.webhooks.len(), "webhook"), plural(props.automations.len(), "automation"),
                        plural(imported.webhooks.len(), "webhook"), plural(imported.automations.len(), "automation")) }</p>
                    if !moved.is_empty() {
                        <p>{ "These webhooks now send to another host. Credentials only ever go to the host they were entered for, so this browser's are not kept — enter them again:" }</p>
                        <ul class="wa-dialog-list" data-list="origin-changed">{ for moved.iter().map(|line| html! { <li>{ line }</li> }) }</ul>
                    }
                    if !needing.is_empty() {
                        <p>{ "Exports never contain credentials. These webhooks will be marked “credentials needed” until you enter them:" }</p>
                        <ul class="wa-dialog-list" data-list="credentials-needed">{ for needing.iter().map(|name| html! { <li>{ *name }</li> }) }</ul>
                    }
                    <div class="wa-actions">
                        <button type="button" class="wa-button is-primary" onclick={on_confirm}>{ "Import" }</button>
                        <button type="button" class="wa-button" data-initial-focus="" onclick={close.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                    </div>
                </Dialog>
            }
        }
        Some(Pending::Reset) => {
            let on_confirm = {
                let (delete, pending) = (props.on_delete_everything.clone(), pending.clone());
                Callback::from(move |_: MouseEvent| {
                    delete.emit(());
                    pending.set(None);
                })
            };
            html! {
                <Dialog title="Delete every webhook and automation?" on_close={close.clone()}>
                    <p>{ format!("This deletes {} and {} from this browser. Export first if you may want them back.",
                        plural(props.webhooks.len(), "webhook"), plural(props.automations.len(), "automation")) }</p>
                    <div class="wa-actions">
                        <button type="button" class="wa-button is-danger" onclick={on_confirm}>{ "Delete everything" }</button>
                        <button type="button" class="wa-button" data-initial-focus="" onclick={close.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                    </div>
                </Dialog>
            }
        }
    };
    let on_reset = {
        let pending = pending.clone();
        Callback::from(move |_: MouseEvent| pending.set(Some(Pending::Reset)))
    };

    html! {
        <div class="wa-settings">
            <form class="wa-card" onsubmit={on_settings_submit} novalidate=true>
                <h2>{ "Running and history" }</h2>
                <div class="wa-form-grid">
                    { field("Keep executions for (days)", "settings-retention",
                        Some(&format!("Older executions are deleted automatically. Default: {DEFAULT_RETENTION_DAYS} days.")),
                        retention_problem.as_deref(), html! {
                        <input id="settings-retention" class="wa-input is-narrow" inputmode="numeric" value={(*retention).clone()}
                            disabled={!props.permissions.manage}
                            oninput={{ let retention = retention.clone(); Callback::from(move |event: InputEvent| retention.set(input_value(&event))) }} />
                    }) }
                    { field("Runs per automation per minute", "settings-max-runs",
                        Some("Beyond this an automation is stopped, which catches loops (an endpoint that changes the record that triggers it)."),
                        max_runs_problem.as_deref(), html! {
                        <input id="settings-max-runs" class="wa-input is-narrow" inputmode="numeric" value={(*max_runs).clone()}
                            disabled={!props.permissions.manage}
                            oninput={{ let max_runs = max_runs.clone(); Callback::from(move |event: InputEvent| max_runs.set(input_value(&event))) }} />
                    }) }
                </div>
                if props.permissions.manage {
                    <button type="submit" class="wa-button">{ "Save settings" }</button>
                }
            </form>

            <RelaySettings saved={props.relay.clone()} from_host={props.relay_from_host.clone()}
                can_manage={props.permissions.manage} on_save={props.on_save_relay.clone()} />

            <section class="wa-card" aria-labelledby="settings-config-title">
                <h2 id="settings-config-title">{ "Configuration" }</h2>
                <p class="wa-muted">{ "Export every webhook and automation as one JSON document — without credentials — to keep it in version control, check it with webhook-cli, or move it to another browser." }</p>
                if let Some(problem) = &*import_problem {
                    <p class="wa-field-error" role="alert">{ problem }</p>
                }
                <div class="wa-actions">
                    <button type="button" class="wa-button" onclick={on_export}>{ "Export configuration" }</button>
                    if props.permissions.manage {
                        <label class="wa-button" for="settings-import">{ "Import configuration…" }</label>
                        <input id="settings-import" class="wa-visually-hidden" type="file" accept="application/json,.json"
                            ref={file_input} onchange={on_file} />
                        <button type="button" class="wa-button is-danger-quiet" onclick={on_reset}>{ "Delete everything…" }</button>
                    }
                </div>
            </section>
            { confirm_dialog }
        </div>
    }
}
