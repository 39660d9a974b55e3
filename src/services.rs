//! Effects: the bridge between the state and the browser's storage. Each function performs one
//! write or read and reports its result as an action, so the reducer stays pure and the state
//! only ever shows what was really saved.

use std::cell::RefCell;
use std::collections::HashSet;
use std::future::Future;
use std::rc::Rc;

use webhook_engine::catalog::Catalog;
use webhook_engine::changes::disable_users_of;
use webhook_engine::config::{next_revision, ConfigDocument, ImportedConfig};
use webhook_engine::credentials::Credentials;
use webhook_engine::event::{Event, User};
use webhook_engine::model::{Automation, Route, Webhook};
use webhook_engine::roles::{Permissions, ADMINS_ONLY};
use webhook_engine::runner::Execution;
use webhook_engine::settings::Settings;
use yew::{Callback, UseReducerDispatcher};

use crate::deliveries::{Deliveries, Listening, Testing};
use crate::dispatch::failed_test;
use crate::page_runtime::RuntimeModule;
use crate::relay::history::{self as relay_history, HistoryNews, HistoryProblem, RelayHistory};
use crate::relay::{RelayClient, RelayConnection, RelaySync, SyncStatus};
use crate::state::{AppAction, AppState};
use crate::storage::{ChangeNotice, StorageError, Store, Subscription};
pub use webhook_automations_runtime::host::start::Adoption;
use webhook_automations_runtime::host::start::{adopt_document, open_storage, SETTINGS_KEY};

/// Why nothing is delivered from this page, when the runtime could not be reached.
const NOT_DELIVERING: &str = "This page's delivery runtime did not start, so automations do not run here and nothing is sent until the page is loaded again";

/// How many recent executions are read at start for the lists' "last run" columns.
const RECENT_FOR_LISTS: u32 = 500;

/// The app's connection to storage, once open. Without one (storage unavailable), changes stay in
/// memory and the problem banner says they will not be kept.
#[derive(Clone, Default)]
pub struct Services {
    store: Rc<RefCell<Option<Rc<Store>>>>,
    subscription: Rc<RefCell<Option<Subscription>>>,
    /// The page's deliveries: the runtime module's dispatcher, driven through its port.
    deliveries: Rc<RefCell<Option<Rc<dyn Deliveries>>>>,
    /// This app's listeners (executions, storage problems) on the page's deliveries, removed when
    /// the app goes.
    listeners: Rc<RefCell<Vec<Listening>>>,
    /// The relay's copy of the configuration, kept in step with this admin's.
    relay_sync: Rc<RelaySync>,
    /// The page's reader of the relay's executions, and this app's listener on it.
    relay_history: Rc<RefCell<Option<HistoryReader>>>,
}

/// The page's reader of the relay's executions, and this app's subscription to it.
type HistoryReader = (Rc<RelayHistory>, relay_history::Subscription);

impl PartialEq for Services {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.store, &other.store)
    }
}

impl Services {
    /// Opens the database, connects to the page's deliveries (the `runtime` module's), loads the
    /// configuration and settings, and follows other tabs' changes. Without storage everything
    /// still works, in memory. `hosted`: the app is embedded in a CRM page, which then owns this
    /// browser's data (see the runtime's `claim_storage`).
    pub fn start(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        catalog: Catalog,
        hosted: bool,
        runtime: RuntimeModule,
    ) {
        let services = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let problem = |message: String| dispatch.dispatch(AppAction::Failed(message));
            let (store, settings) = open_storage(hosted, &problem).await;
            match runtime.connect(hosted, &catalog).await {
                Ok(deliveries) => {
                    let listener = {
                        let dispatch = dispatch.clone();
                        deliveries.on_execution(Box::new(move |execution| {
                            dispatch
                                .dispatch(AppAction::ExecutionChanged(Box::new(execution.clone())))
                        }))
                    };
                    // Storage problems while dispatching go to the same banner as every storage problem.
                    let problems = {
                        let dispatch = dispatch.clone();
                        deliveries.on_problem(Box::new(move |problem| {
                            dispatch.dispatch(AppAction::Failed(problem))
                        }))
                    };
                    *services.listeners.borrow_mut() = vec![listener, problems];
                    *services.deliveries.borrow_mut() = Some(deliveries);
                }
                Err(error) => problem(format!("{NOT_DELIVERING} ({error})")),
            }
            dispatch.dispatch(AppAction::SettingsLoaded(settings));
            let Some(store) = store else {
                dispatch.dispatch(AppAction::Loaded {
                    webhooks: Vec::new(),
                    automations: Vec::new(),
                });
                return;
            };
            let follow = {
                let store = store.clone();
                let dispatch = dispatch.clone();
                move |notice: ChangeNotice| match notice {
                    ChangeNotice::Config => reload(store.clone(), dispatch.clone()),
                    ChangeNotice::Settings => {
                        reload_settings(store.clone(), dispatch.clone());
                        // The relay connection may have changed.
                        relay_history::poll_now();
                    }
                    ChangeNotice::Executions => {
                        dispatch.dispatch(AppAction::HistoryChangedElsewhere)
                    }
                    ChangeNotice::Outbox | ChangeNotice::Handovers | ChangeNotice::Sandbox => {}
                }
            };
            *services.subscription.borrow_mut() = Some(store.on_change(follow));
            load_relay(&store, &dispatch).await;
            *services.store.borrow_mut() = Some(store.clone());
            services.merge_relay_history(store.clone(), dispatch.clone());
            match store.recent_executions(RECENT_FOR_LISTS).await {
                Ok(recent) => dispatch.dispatch(AppAction::RecentExecutions(recent)),
                Err(error) => dispatch.dispatch(AppAction::Failed(error.to_string())),
            }
            match store.load_config().await {
                Ok(config) => {
                    // Before the app shows it (and the host's queued events run): events are planned
                    // under the stored configuration from the first one on.
                    if let Some(deliveries) = services.deliveries() {
                        deliveries.set_config(
                            &config.webhooks,
                            &config.automations,
                            config.revision,
                        );
                    }
                    dispatch.dispatch(AppAction::Together(vec![
                        AppAction::RevisionRead(config.revision),
                        AppAction::Loaded {
                            webhooks: config.webhooks,
                            automations: config.automations,
                        },
                    ]))
                }
                Err(error) => {
                    dispatch.dispatch(AppAction::Loaded {
                        webhooks: Vec::new(),
                        automations: Vec::new(),
                    });
                    dispatch.dispatch(AppAction::Failed(error.to_string()));
                }
            }
        });
    }

    /// Merges the relay's executions into the history while the app lives (see [`RelayHistory`]).
    fn merge_relay_history(&self, store: Rc<Store>, dispatch: UseReducerDispatcher<AppState>) {
        let history = RelayHistory::shared(store);
        let subscription = history.subscribe(move |news| match news {
            HistoryNews::Merged(executions) => {
                dispatch.dispatch(AppAction::ExecutionsMerged(executions.clone()))
            }
            HistoryNews::Problem(problem) => dispatch.dispatch(AppAction::RelayHistoryProblem(
                problem.as_ref().map(ToString::to_string),
            )),
        });
        *self.relay_history.borrow_mut() = Some((history, subscription));
    }

    /// The page's reader of the relay's executions, once storage is open.
    pub fn relay_history(&self) -> Option<Rc<RelayHistory>> {
        self.relay_history
            .borrow()
            .as_ref()
            .map(|(history, _)| history.clone())
    }

    pub fn store(&self) -> Option<Rc<Store>> {
        self.store.borrow().clone()
    }

    /// Keeps a listener this app registered on the page's deliveries for as long as the app lives.
    pub fn keep_listener(&self, listener: Listening) {
        self.listeners.borrow_mut().push(listener);
    }

    /// The page's deliveries, once connected.
    pub fn deliveries(&self) -> Option<Rc<dyn Deliveries>> {
        self.deliveries.borrow().clone()
    }

    /// Sends a record event to the page's deliveries, which run the automations it triggers.
    pub fn emit_event(&self) -> Callback<Event> {
        let services = self.clone();
        Callback::from(move |event: Event| {
            if let Some(deliveries) = services.deliveries() {
                deliveries.emit(event);
            }
        })
    }

    /// Sends one sample request to a webhook for a user ("Test webhook"), from this browser.
    pub fn send_test(&self) -> Callback<(Webhook, User), Testing> {
        let services = self.clone();
        Callback::from(
            move |(webhook, by): (Webhook, User)| match services.deliveries() {
                Some(deliveries) => deliveries.test(&webhook, &by),
                None => {
                    let failed = failed_test(&webhook, &by, NOT_DELIVERING);
                    Box::pin(async move { failed }) as Testing
                }
            },
        )
    }

    /// Sends recorded requests again as new executions, asked for by `by` (refused unless they may):
    /// runs this browser sent, from this browser; runs the relay sent, by the relay (whose new runs
    /// then arrive in the history like its others) — unless their webhook has moved to the browser
    /// since (`webhooks`, the configuration in force), which the relay refuses: from here then.
    pub fn replay(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        by: User,
        webhooks: &[Webhook],
    ) -> Callback<Vec<Execution>> {
        let moved_to_browser: HashSet<String> = webhooks
            .iter()
            .filter(|webhook| webhook.route == Route::Browser)
            .map(|webhook| webhook.id.clone())
            .collect();
        let services = self.clone();
        let permitted = Permissions::of(&by).replay;
        Callback::from(move |executions: Vec<Execution>| {
            if !allowed(permitted, &dispatch) {
                return;
            }
            let (by_relay, here): (Vec<Execution>, Vec<Execution>) =
                executions.into_iter().partition(|execution| {
                    execution.route == Route::Relay
                        && !moved_to_browser.contains(&execution.webhook_id)
                });
            if let Some(deliveries) = services.deliveries() {
                for execution in &here {
                    deliveries.replay(execution, &by);
                }
            }
            if by_relay.is_empty() {
                return;
            }
            let Some(history) = services.relay_history() else {
                dispatch.dispatch(AppAction::Failed(
                    HistoryProblem::ReplayNeedsAdminToken.to_string(),
                ));
                return;
            };
            let (dispatch, by) = (dispatch.clone(), by.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(problem) = history.replay(&by_relay, &by).await {
                    dispatch.dispatch(AppAction::Failed(problem.to_string()));
                }
            });
        })
    }

    /// Saves a webhook. A relay webhook is kept here without its credentials: those entered go to
    /// the relay (`PUT /v1/webhooks/{id}/credentials`) once the relay holds the configuration that
    /// makes it a relay webhook.
    pub fn save_webhook(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        permissions: Permissions,
        relay: Option<RelayClient>,
    ) -> Callback<Webhook> {
        let services = self.clone();
        Callback::from(move |webhook: Webhook| {
            if !allowed(permissions.manage, &dispatch) {
                return;
            }
            if webhook.route == Route::Browser {
                let saved = webhook.clone();
                services.write_config(
                    dispatch.clone(),
                    move |store| async move { store.put_webhook(&webhook).await },
                    move || AppAction::WebhookSaved(saved),
                );
                return;
            }
            let credentials = Credentials::of(&webhook);
            let local = webhook.as_kept_in_browser();
            let (services, dispatch, relay) = (services.clone(), dispatch.clone(), relay.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let Some(revision) = services.store_config_change(&dispatch, &local).await else {
                    return;
                };
                if credentials.is_empty() {
                    return;
                }
                let sent = match relay {
                    Some(relay) => {
                        services
                            .send_credentials(&relay, &local.id, &credentials, revision)
                            .await
                    }
                    None => Err("no relay is connected (Settings → Relay)".to_owned()),
                };
                if let Err(reason) = sent {
                    dispatch.dispatch(AppAction::Failed(format!(
                        "The relay did not take the credentials of “{}”: {reason}. This browser kept none: enter them again once the relay answers.",
                        local.name
                    )));
                }
            });
        })
    }

    /// Stores a saved webhook; its new revision, or `None` when storage refused (the banner says so).
    async fn store_config_change(
        &self,
        dispatch: &UseReducerDispatcher<AppState>,
        webhook: &Webhook,
    ) -> Option<u64> {
        let store = self.store.borrow().clone();
        let stored = match store {
            Some(store) => store.put_webhook(webhook).await,
            None => Ok(next_revision(0, js_sys::Date::now() as i64)),
        };
        match stored {
            Ok(revision) => {
                dispatch.dispatch(AppAction::Together(vec![
                    AppAction::WebhookSaved(webhook.clone()),
                    AppAction::RevisionChanged(revision),
                ]));
                Some(revision)
            }
            Err(error) => {
                dispatch.dispatch(AppAction::Failed(error.to_string()));
                None
            }
        }
    }

    /// Puts a relay webhook's credentials once the relay holds configuration `revision` (the page's
    /// relay sync puts it right after the save; a relay that never gets it fails after a while).
    async fn send_credentials(
        &self,
        relay: &RelayClient,
        webhook_id: &str,
        credentials: &Credentials,
        revision: u64,
    ) -> Result<(), String> {
        let deadline = js_sys::Date::now() + CREDENTIALS_WAIT_MS;
        while self.relay_sync.held_revision() < revision {
            if js_sys::Date::now() > deadline {
                return Err("the relay did not get the configuration in time".into());
            }
            crate::http::sleep_ms(100).await;
        }
        relay
            .put_credentials(webhook_id, credentials)
            .await
            .map_err(|error| error.to_string())
    }

    /// Deletes a webhook and switches off the automations that used it, each write saved before the
    /// state shows it.
    pub fn delete_webhook(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        permissions: Permissions,
        automations: Vec<Automation>,
    ) -> Callback<String> {
        let services = self.clone();
        Callback::from(move |id: String| {
            if !allowed(permissions.manage, &dispatch) {
                return;
            }
            let disabled = disable_users_of(&automations, &id);
            let (to_save, deleted) = (disabled.clone(), id.clone());
            services.write_config(
                dispatch.clone(),
                move |store| async move {
                    for automation in &to_save {
                        store.put_automation(automation).await?;
                    }
                    store.delete_webhook(&deleted).await
                },
                move || AppAction::WebhookDeleted { id, disabled },
            );
        })
    }

    pub fn save_automation(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        permissions: Permissions,
    ) -> Callback<Automation> {
        let services = self.clone();
        Callback::from(move |automation: Automation| {
            if !allowed(permissions.manage, &dispatch) {
                return;
            }
            let saved = automation.clone();
            services.write_config(
                dispatch.clone(),
                move |store| async move { store.put_automation(&automation).await },
                move || AppAction::AutomationSaved(saved),
            );
        })
    }

    pub fn delete_automation(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        permissions: Permissions,
    ) -> Callback<String> {
        let services = self.clone();
        Callback::from(move |id: String| {
            if !allowed(permissions.manage, &dispatch) {
                return;
            }
            let deleted = id.clone();
            services.write_config(
                dispatch.clone(),
                move |store| async move { store.delete_automation(&deleted).await },
                move || AppAction::AutomationDeleted(id),
            );
        })
    }

    /// Deletes every webhook and automation in one transaction.
    pub fn delete_everything(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        permissions: Permissions,
    ) {
        if !allowed(permissions.manage, &dispatch) {
            return;
        }
        self.write_config(
            dispatch,
            |store| async move { store.replace_config(&[], &[]).await },
            || AppAction::ConfigReplaced {
                webhooks: Vec::new(),
                automations: Vec::new(),
            },
        );
    }

    /// Puts the configuration (and catalog) to the relay, unless it holds it already; the outcome
    /// goes to the state, and an unreachable relay is tried again a little later.
    pub fn sync_relay(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        client: RelayClient,
        document: ConfigDocument,
        base: u64,
        catalog_json: String,
    ) {
        let sync = self.relay_sync.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(status) = sync.push(&client, &document, base, &catalog_json).await {
                report_sync(dispatch, status).await;
            }
        });
    }

    /// "Keep mine": puts this page's configuration over the relay's copy the admin reviewed.
    pub fn keep_mine_on_relay(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        permissions: Permissions,
        client: RelayClient,
        document: ConfigDocument,
        etag: String,
    ) {
        if !allowed(permissions.manage, &dispatch) {
            return;
        }
        let services = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(status) = services
                .relay_sync
                .overwrite(&client, &document, &etag)
                .await
            else {
                return;
            };
            if matches!(status, SyncStatus::InStep { .. }) {
                // Kept here at the revision the relay now holds, so this page's next change is
                // newer than it: left at the old one, the relay would refuse it as going back.
                services
                    .adopt_document(dispatch.clone(), document, Adoption::Shared)
                    .await;
            }
            report_sync(dispatch, status).await;
        });
    }

    /// Saves where the relay is and this browser's tokens for it (an admin's).
    pub fn save_relay(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        permissions: Permissions,
    ) -> Callback<RelayConnection> {
        let services = self.clone();
        Callback::from(move |connection: RelayConnection| {
            if !allowed(permissions.manage, &dispatch) {
                return;
            }
            let saved = connection.clone();
            services.write(
                dispatch.clone(),
                move |store| async move {
                    store
                        .put_setting(relay_history::CONNECTION_KEY, &connection)
                        .await
                },
                move || AppAction::RelayLoaded(saved),
            );
        })
    }

    pub fn save_settings(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        permissions: Permissions,
    ) -> Callback<Settings> {
        let services = self.clone();
        Callback::from(move |settings: Settings| {
            if !allowed(permissions.manage, &dispatch) {
                return;
            }
            let saved = settings.clone();
            services.write(
                dispatch.clone(),
                move |store| async move { store.put_setting(SETTINGS_KEY, &settings).await },
                move || AppAction::SettingsSaved(saved),
            );
        })
    }

    /// Imports a configuration document the admin confirmed.
    pub fn import_document(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        permissions: Permissions,
    ) -> Callback<ConfigDocument> {
        let services = self.clone();
        Callback::from(move |document: ConfigDocument| {
            if !allowed(permissions.manage, &dispatch) {
                return;
            }
            let (services, dispatch) = (services.clone(), dispatch.clone());
            wasm_bindgen_futures::spawn_local(async move {
                services
                    .adopt_document(dispatch, document, Adoption::Import)
                    .await;
            });
        })
    }

    /// Adopts a configuration document ([`adopt_document`]) and shows what was adopted: an import as
    /// the admin's change, a shared configuration as read (the admin did not ask for it here).
    pub async fn adopt_document(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        document: ConfigDocument,
        adoption: Adoption,
    ) -> Option<ImportedConfig> {
        let store = self.store.borrow().clone();
        let problem = |message: String| dispatch.dispatch(AppAction::Failed(message));
        let imported = adopt_document(store, document, adoption, &problem).await?;
        let (webhooks, automations) = (imported.webhooks.clone(), imported.automations.clone());
        let adopted = match adoption {
            Adoption::Import => AppAction::ConfigReplaced {
                webhooks,
                automations,
            },
            Adoption::Shared => AppAction::Reloaded {
                webhooks,
                automations,
            },
        };
        let revision = match adoption {
            Adoption::Import => AppAction::RevisionChanged(imported.revision),
            Adoption::Shared => AppAction::RevisionRead(imported.revision),
        };
        dispatch.dispatch(AppAction::Together(vec![adopted, revision]));
        Some(imported)
    }

    /// [`Services::write`] for a change of the configuration, which then has a new revision.
    fn write_config<W, F>(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        write: W,
        done: impl FnOnce() -> AppAction + 'static,
    ) where
        W: FnOnce(Rc<Store>) -> F + 'static,
        F: Future<Output = Result<u64, StorageError>> + 'static,
    {
        let store = self.store.borrow().clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = match store {
                Some(store) => write(store).await,
                // Kept in memory only: a revision from the clock, as storage would give it.
                None => Ok(next_revision(0, js_sys::Date::now() as i64)),
            };
            match result {
                Ok(revision) => dispatch.dispatch(AppAction::Together(vec![
                    done(),
                    AppAction::RevisionChanged(revision),
                ])),
                Err(error) => dispatch.dispatch(AppAction::Failed(error.to_string())),
            }
        });
    }

    /// Runs `write` against the store and then dispatches `done()`; on failure dispatches the
    /// problem instead, so the state never shows what was not saved. Without a store (unavailable),
    /// the change is applied in memory only — the banner already says it will not be kept.
    fn write<W, F>(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        write: W,
        done: impl FnOnce() -> AppAction + 'static,
    ) where
        W: FnOnce(Rc<Store>) -> F + 'static,
        F: Future<Output = Result<(), StorageError>> + 'static,
    {
        let store = self.store.borrow().clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = match store {
                Some(store) => write(store).await,
                None => Ok(()),
            };
            match result {
                Ok(()) => dispatch.dispatch(done()),
                Err(error) => dispatch.dispatch(AppAction::Failed(error.to_string())),
            }
        });
    }
}

fn reload(store: Rc<Store>, dispatch: UseReducerDispatcher<AppState>) {
    wasm_bindgen_futures::spawn_local(async move {
        match store.load_config().await {
            Ok(config) => dispatch.dispatch(AppAction::Together(vec![
                AppAction::RevisionRead(config.revision),
                AppAction::Reloaded {
                    webhooks: config.webhooks,
                    automations: config.automations,
                },
            ])),
            Err(error) => dispatch.dispatch(AppAction::Failed(error.to_string())),
        }
    });
}

/// Another tab saved the settings: this tab (and the dispatcher it may run) follows them.
fn reload_settings(store: Rc<Store>, dispatch: UseReducerDispatcher<AppState>) {
    wasm_bindgen_futures::spawn_local(async move {
        match store.get_setting::<Settings>(SETTINGS_KEY).await {
            Ok(Some(settings)) => dispatch.dispatch(AppAction::SettingsLoaded(settings)),
            Ok(None) => {}
            Err(error) => dispatch.dispatch(AppAction::Failed(error.to_string())),
        }
        load_relay(&store, &dispatch).await;
    });
}

/// Shows where the relay's copy stands; a relay that could not be reached is tried again soon.
async fn report_sync(dispatch: UseReducerDispatcher<AppState>, status: SyncStatus) {
    let again = matches!(status, SyncStatus::Behind { .. });
    dispatch.dispatch(AppAction::RelaySynced(status));
    if again {
        crate::http::sleep_ms(RELAY_SYNC_RETRY_MS).await;
        dispatch.dispatch(AppAction::SyncRelayAgain);
    }
}

/// How long a relay webhook's credentials wait for the relay to hold its configuration.
const CREDENTIALS_WAIT_MS: f64 = 30_000.0;

/// How long an unreachable relay is left before the configuration is put to it again.
const RELAY_SYNC_RETRY_MS: u64 = 10_000;

/// The relay connection saved in this browser.
async fn load_relay(store: &Store, dispatch: &UseReducerDispatcher<AppState>) {
    match store
        .get_setting::<RelayConnection>(relay_history::CONNECTION_KEY)
        .await
    {
        Ok(connection) => dispatch.dispatch(AppAction::RelayLoaded(connection.unwrap_or_default())),
        Err(error) => dispatch.dispatch(AppAction::Failed(error.to_string())),
    }
}

/// Whether an action the user asked for is permitted; when it is not, the problem banner says so and
/// nothing is changed. Views hide what a user may not do; this is the guard behind them.
fn allowed(permitted: bool, dispatch: &UseReducerDispatcher<AppState>) -> bool {
    if !permitted {
        dispatch.dispatch(AppAction::Failed(ADMINS_ONLY.to_owned()));
    }
    permitted
}
