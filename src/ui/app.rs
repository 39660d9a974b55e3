//! The app's frame: navigation on the side, the open section beside it.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use std::rc::Rc;

use webhook_engine::config::ConfigDocument;
use webhook_engine::event::User;
use webhook_engine::sample::SampleData;

use crate::host::{HostBridge, MountedApp};

use crate::page_runtime::RuntimeModule;
use crate::relay::SyncStatus;
use crate::services::Services;
use crate::state::{AppAction, AppState, Section};
use crate::ui::automations::AutomationsPage;
use crate::ui::history::HistoryPage;
use crate::ui::nav::nav;
use crate::ui::routing::{hash_for, section_from_hash};
use crate::ui::sections::section_view;
use crate::ui::settings::SettingsPage;
use crate::ui::webhooks::WebhooksPage;
use crate::ui::widgets::{banner, BannerKind};

#[derive(Properties, Clone)]
pub struct AppProps {
    /// Mirror the open section in the URL fragment; off when embedded in a host page.
    #[prop_or(true)]
    pub hash_routing: bool,
    /// The standalone app: the sandbox CRM is offered, and its user switch. Embedded in a CRM page,
    /// the user is only ever the one the host names.
    #[prop_or(true)]
    pub sandbox: bool,
    /// The CRM user the host says is using the app; the sample admin otherwise.
    #[prop_or_default]
    pub user: Option<User>,
    /// The embedding page's handle, when there is one.
    #[prop_or_default]
    pub host: Option<Rc<HostBridge>>,
    /// The page's delivery runtime, which sends what the app runs.
    pub runtime: RuntimeModule,
}

impl PartialEq for AppProps {
    fn eq(&self, other: &Self) -> bool {
        self.hash_routing == other.hash_routing
            && self.sandbox == other.sandbox
            && self.user == other.user
            && self.runtime == other.runtime
            && match (&self.host, &other.host) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let hash_routing = props.hash_routing;
    let hosted = !props.sandbox;
    let state = use_reducer(move || {
        let section = hash_routing
            .then(current_hash)
            .and_then(|hash| section_from_hash(&hash))
            .unwrap_or(Section::Webhooks);
        let user = props.user.clone().unwrap_or_else(|| {
            if hosted {
                nobody()
            } else {
                SampleData::builtin().admin().user.clone()
            }
        });
        AppState::new(section, user, hosted)
    });

    let services = use_state(Services::default);
    {
        let services = services.clone();
        let dispatch = state.dispatcher();
        let catalog = (*state.catalog).clone();
        let runtime = props.runtime.clone();
        use_effect_with((), move |()| {
            services.start(dispatch, catalog, hosted, runtime)
        });
    }
    {
        // Once loaded, the host's queued commands apply; every later configuration change is announced.
        let (host, services, dispatch) =
            (props.host.clone(), (*services).clone(), state.dispatcher());
        use_effect_with(state.loaded, move |&loaded| {
            if let (true, Some(host)) = (loaded, host) {
                host.attach(Rc::new(MountedApp { services, dispatch }));
            }
        });
    }
    {
        let host = props.host.clone();
        let inputs = (
            state.webhooks.clone(),
            state.automations.clone(),
            state.revision,
            state.loaded,
        );
        use_effect_with(inputs, move |(webhooks, automations, revision, loaded)| {
            if let (true, Some(host)) = (*loaded, host) {
                host.configuration_changed(webhooks, automations, *revision);
            }
        });
    }
    {
        // The page's deliveries run what is saved: they follow every change of the configuration.
        let services = (*services).clone();
        let inputs = (
            state.webhooks.clone(),
            state.automations.clone(),
            state.revision,
            state.settings.clone(),
            state.loaded,
        );
        let host = props.host.clone();
        use_effect_with(
            inputs,
            move |(webhooks, automations, revision, settings, loaded)| {
                if let Some(deliveries) = services.deliveries() {
                    // Before the stored configuration is loaded there is nothing to run yet.
                    if *loaded {
                        deliveries.set_config(webhooks, automations, *revision);
                        // With a host page, the bridge releases the outbox once the configuration the
                        // host hands over (if any) is in force.
                        if host.is_none() {
                            deliveries.release_outbox();
                        }
                    }
                    deliveries.set_max_runs_per_minute(settings.max_runs_per_minute);
                }
            },
        );
    }
    {
        // An admin's page keeps the relay's copy of the configuration and catalog its own.
        let (services, dispatch) = ((*services).clone(), state.dispatcher());
        let inputs = (
            state.webhooks.clone(),
            state.automations.clone(),
            state.revision,
            state.catalog.clone(),
            state
                .relay()
                .admin()
                .filter(|_| state.permissions().manage)
                .map(|client| client.url().to_owned()),
            state.loaded,
            state.relay_sync_round,
        );
        let (relay, base) = (state.relay(), state.base_revision);
        use_effect_with(
            inputs,
            move |(webhooks, automations, revision, catalog, admin_relay, loaded, _)| {
                if let (true, Some(_), Some(client)) = (*loaded, admin_relay, relay.admin()) {
                    let document =
                        ConfigDocument::export(webhooks, automations).at_revision(*revision);
                    let catalog_json = serde_json::to_string(&**catalog).unwrap_or_default();
                    services.sync_relay(dispatch, client, document, base, catalog_json);
                }
            },
        );
    }
    {
        // The relay takes this page's relay deliveries with the events token (or the admin's).
        let services = (*services).clone();
        let inputs = (state.relay(), state.loaded);
        use_effect_with(inputs, move |(relay, loaded)| {
            if let (true, Some(deliveries)) = (*loaded, services.deliveries()) {
                deliveries.set_relay(relay);
            }
            // The history merges the relay's runs from the same relay (the page's, when it names one).
            if let (true, Some(history)) = (*loaded, services.relay_history()) {
                history.set_connection(Some(relay.clone()));
            }
        });
    }
    {
        let state = state.clone();
        use_effect_with(hash_routing, move |&hash_routing| {
            let listener = hash_routing.then(|| follow_hash_changes(state));
            move || drop(listener)
        });
    }

    let open = {
        let state = state.clone();
        Callback::from(move |section: Section| {
            if hash_routing {
                set_hash(&hash_for(section));
            }
            state.dispatch(AppAction::Open(section));
        })
    };

    let dismiss = |action: fn() -> AppAction| {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(action()))
    };
    html! {
        <div class="wa-app">
            { nav(state.sections(), state.section, &open) }
            <main class="wa-main">
                if let Some(problem) = &state.problem {
                    { banner(BannerKind::Problem, problem, dismiss(|| AppAction::DismissProblem)) }
                }
                if let Some(notice) = &state.notice {
                    { banner(BannerKind::Notice, notice, dismiss(|| AppAction::DismissNotice)) }
                }
                { relay_conflict(&state, &services) }
                { section_view(state.section, section_body(&state, &services, hash_routing)) }
            </main>
        </div>
    }
}

/// What a section shows below its header.
fn section_body(
    state: &UseReducerHandle<AppState>,
    services: &Services,
    hash_routing: bool,
) -> Html {
    if !state.loaded {
        return html! { <p class="wa-muted" aria-busy="true">{ "Loading your configuration…" }</p> };
    }
    let dispatch = state.dispatcher();
    let permissions = state.permissions();
    match state.section {
        Section::Webhooks => html! {
            <WebhooksPage webhooks={Rc::new(state.webhooks.clone())} automations={Rc::new(state.automations.clone())}
                {permissions} on_save={services.save_webhook(dispatch.clone(), permissions, state.relay().admin())}
                on_delete={services.delete_webhook(dispatch, permissions, state.automations.clone())}
                last_delivery={Rc::new(state.last_delivery.clone())} user={state.user.clone()}
                relay={state.relay().admin().filter(|_| permissions.manage)}
                send_test={services.send_test()}
                open_form={state.webhook_to_edit.clone()} />
        },
        Section::Automations => html! {
            <AutomationsPage catalog={state.catalog.clone()} automations={Rc::new(state.automations.clone())} webhooks={Rc::new(state.webhooks.clone())}
                {permissions} on_save={services.save_automation(dispatch.clone(), permissions)}
                on_delete={services.delete_automation(dispatch, permissions)} last_run={Rc::new(state.last_run.clone())} />
        },
        Section::History => {
            let on_edit_webhook = {
                let dispatch = dispatch.clone();
                Callback::from(move |id: String| {
                    if hash_routing {
                        set_hash(&hash_for(Section::Webhooks));
                    }
                    dispatch.dispatch(AppAction::EditWebhook(id));
                })
            };
            html! {
                <HistoryPage store={services.store()} automations={Rc::new(state.automations.clone())}
                    {permissions} settings={state.settings.clone()} executions_version={state.executions_version}
                    on_replay={services.replay(dispatch.clone(), state.user.clone(), &state.webhooks).reform(|execution| vec![execution])}
                    on_replay_failed={services.replay(dispatch, state.user.clone(), &state.webhooks)}
                    relay_problem={state.relay_history_problem.clone()} {on_edit_webhook} />
            }
        }
        Section::Settings => {
            let on_delete_everything = {
                let (services, dispatch) = (services.clone(), dispatch.clone());
                Callback::from(move |()| services.delete_everything(dispatch.clone(), permissions))
            };
            html! {
                <SettingsPage webhooks={Rc::new(state.webhooks.clone())} automations={Rc::new(state.automations.clone())} revision={state.revision}
                    settings={state.settings.clone()} {permissions}
                    on_import={services.import_document(dispatch.clone(), permissions)}
                    relay={state.stored_relay.clone()} relay_from_host={state.host_relay.as_ref().map(|relay| relay.url.clone())}
                    on_save_relay={services.save_relay(dispatch.clone(), permissions)} relay_sync={state.relay_sync.clone()}
                    on_save_settings={services.save_settings(dispatch, permissions)} {on_delete_everything} />
            }
        }
        Section::Sandbox => {
            let on_user =
                Callback::from(move |user| dispatch.dispatch(AppAction::SwitchSampleUser(user)));
            html! {
                <crate::ui::sandbox::SandboxPage user={state.user.clone()} catalog={state.catalog.clone()}
                    store={services.store()} on_event={services.emit_event()} {on_user} />
            }
        }
    }
}

/// The relay's copy changed elsewhere: what differs, and the admin's choice — keep this page's
/// configuration (put over the relay's) or take the relay's (adopted here, as a host's would be).
fn relay_conflict(state: &UseReducerHandle<AppState>, services: &Services) -> Html {
    let SyncStatus::Conflict(conflict) = &state.relay_sync else {
        return Html::default();
    };
    // The choice puts a whole configuration: an admin's, even when a regular user now uses the page.
    let permissions = state.permissions();
    let Some(client) = state.relay().admin().filter(|_| permissions.manage) else {
        return Html::default();
    };
    let keep_mine = {
        let (services, dispatch, client, etag) = (
            services.clone(),
            state.dispatcher(),
            client.clone(),
            conflict.etag.clone(),
        );
        let mine = ConfigDocument::export(&state.webhooks, &state.automations);
        // Kept, it is a change made now: the relay never goes back to a lower revision than its copy's.
        let newest = state.revision.max(conflict.theirs.revision);
        Callback::from(move |_: MouseEvent| {
            let now_ms =
                webhook_engine::runner::Environment::now_ms(&crate::dispatch::BrowserEnvironment);
            let mine = mine
                .clone()
                .at_revision(webhook_engine::config::next_revision(newest, now_ms));
            services.keep_mine_on_relay(
                dispatch.clone(),
                permissions,
                client.clone(),
                mine,
                etag.clone(),
            )
        })
    };
    let take_theirs = {
        let (services, dispatch, theirs) = (
            services.clone(),
            state.dispatcher(),
            conflict.theirs.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (services, dispatch, theirs) = (services.clone(), dispatch.clone(), theirs.clone());
            wasm_bindgen_futures::spawn_local(async move {
                services
                    .adopt_document(dispatch, theirs, crate::services::Adoption::Shared)
                    .await;
            });
        })
    };
    html! {
        <section class="wa-banner is-problem wa-relay-conflict" role="alert" aria-labelledby="relay-conflict-title">
            <h2 id="relay-conflict-title">{ "The relay's configuration was changed elsewhere" }</h2>
            <p>{ "Another admin (or another browser) saved a different configuration to the relay. Nothing was overwritten. What differs:" }</p>
            <ul class="wa-dialog-list">{ for conflict.differences.iter().map(|line| html! { <li>{ line }</li> }) }</ul>
            <div class="wa-actions">
                <button type="button" class="wa-button is-primary" onclick={keep_mine}>{ "Keep mine (replace the relay's)" }</button>
                <button type="button" class="wa-button" onclick={take_theirs}>{ "Use the relay's here" }</button>
            </div>
        </section>
    }
}

/// Who uses an embedded app before (or unless) the host names the user: no one with any rights.
fn nobody() -> User {
    User {
        id: 0,
        name: "Unknown user".into(),
        email: String::new(),
        is_admin: false,
    }
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|window| window.location().hash().ok())
        .unwrap_or_default()
}

fn set_hash(hash: &str) {
    if let Some(window) = web_sys::window() {
        // Failing to update the URL only loses the bookmark, never the navigation itself.
        let _ = window.location().set_hash(hash);
    }
}

/// Opens the section named by the URL whenever the back/forward buttons change it. The listener is
/// removed when the returned guard drops.
fn follow_hash_changes(state: UseReducerHandle<AppState>) -> HashChangeListener {
    let callback = Closure::<dyn Fn()>::new(move || {
        if let Some(section) = section_from_hash(&current_hash()) {
            state.dispatch(AppAction::Open(section));
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .add_event_listener_with_callback("hashchange", callback.as_ref().unchecked_ref());
    }
    HashChangeListener { callback }
}

struct HashChangeListener {
    callback: Closure<dyn Fn()>,
}

impl Drop for HashChangeListener {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.remove_event_listener_with_callback(
                "hashchange",
                self.callback.as_ref().unchecked_ref(),
            );
        }
    }
}
