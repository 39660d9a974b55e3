//! Effects: the bridge between the state and the browser's storage. Each function performs one
//! write or read and reports its result as an action, so the reducer stays pure and the state
//! only ever shows what was really saved.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use webhook_engine::catalog::Catalog;
use webhook_engine::changes::disable_users_of;
use webhook_engine::config::{ConfigDocument, ImportedConfig};
use webhook_engine::event::{Event, User};
use webhook_engine::model::{Automation, Webhook};
use webhook_engine::roles::{Permissions, ADMINS_ONLY};
use webhook_engine::runner::Execution;
use webhook_engine::settings::Settings;
use yew::{Callback, UseReducerDispatcher};

use crate::dispatch::{Dispatcher, ListenerGuard};
use crate::state::{AppAction, AppState};
use crate::storage::{ChangeNotice, StorageError, Store, Subscription, DATABASE_NAME};

/// Why a configuration document is adopted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adoption {
    /// An admin imported it here.
    Import,
    /// The embedding CRM handed it over (`setConfig`, the `config` option).
    Shared,
}

/// How many recent executions are read at start for the lists' "last run" columns.
const RECENT_FOR_LISTS: u32 = 500;

/// Where the settings live in the settings store.
const SETTINGS_KEY: &str = "settings";

/// The app's connection to storage, once open. Without one (storage unavailable), changes stay in
/// memory and the problem banner says they will not be kept.
#[derive(Clone, Default)]
pub struct Services {
    store: Rc<RefCell<Option<Rc<Store>>>>,
    subscription: Rc<RefCell<Option<Subscription>>>,
    dispatcher: Rc<RefCell<Option<Rc<Dispatcher>>>>,
    /// This app's listeners (executions, storage problems) on the (page-wide) dispatcher, removed
    /// when the app goes.
    listeners: Rc<RefCell<Vec<ListenerGuard>>>,
}

impl PartialEq for Services {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.store, &other.store)
    }
}

impl Services {
    /// Opens the database, starts the dispatcher, loads the configuration and settings, and follows
    /// other tabs' changes. Without storage everything still works, in memory.
    pub fn start(&self, dispatch: UseReducerDispatcher<AppState>, catalog: Catalog) {
        let services = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let store = match Store::open(DATABASE_NAME).await {
                Ok(store) => Some(Rc::new(store)),
                Err(error) => {
                    dispatch.dispatch(AppAction::Failed(error.to_string()));
                    None
                }
            };
            let settings = match &store {
                Some(store) => store
                    .get_setting::<Settings>(SETTINGS_KEY)
                    .await
                    .unwrap_or_else(|error| {
                        dispatch.dispatch(AppAction::Failed(error.to_string()));
                        None
                    }),
                None => None,
            }
            .unwrap_or_default();
            let dispatcher = Dispatcher::shared(|| {
                Dispatcher::new(store.clone(), catalog, settings.max_runs_per_minute)
            });
            let listener = {
                let dispatch = dispatch.clone();
                dispatcher.on_execution(move |execution| {
                    dispatch.dispatch(AppAction::ExecutionChanged(Box::new(execution.clone())))
                })
            };
            // Storage problems while dispatching go to the same banner as every storage problem.
            let problems = {
                let dispatch = dispatch.clone();
                dispatcher.on_problem(move |problem| {
                    dispatch.dispatch(AppAction::Failed(problem.to_string()))
                })
            };
            *services.listeners.borrow_mut() = vec![listener, problems];
            *services.dispatcher.borrow_mut() = Some(dispatcher);
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
                    ChangeNotice::Settings => reload_settings(store.clone(), dispatch.clone()),
                    ChangeNotice::Executions => {
                        dispatch.dispatch(AppAction::HistoryChangedElsewhere)
                    }
                    ChangeNotice::Outbox | ChangeNotice::Sandbox => {}
                }
            };
            *services.subscription.borrow_mut() = Some(store.on_change(follow));
            *services.store.borrow_mut() = Some(store.clone());
            match store.recent_executions(RECENT_FOR_LISTS).await {
                Ok(recent) => dispatch.dispatch(AppAction::RecentExecutions(recent)),
                Err(error) => dispatch.dispatch(AppAction::Failed(error.to_string())),
            }
            match store.load_config().await {
                Ok(config) => dispatch.dispatch(AppAction::Loaded {
                    webhooks: config.webhooks,
                    automations: config.automations,
                }),
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

    pub fn store(&self) -> Option<Rc<Store>> {
        self.store.borrow().clone()
    }

    /// Keeps a listener this app registered on the dispatcher for as long as the app lives.
    pub fn keep_listener(&self, listener: ListenerGuard) {
        self.listeners.borrow_mut().push(listener);
    }

    /// The dispatcher, once started.
    pub fn dispatcher(&self) -> Option<Rc<Dispatcher>> {
        self.dispatcher.borrow().clone()
    }

    /// Sends a record event to the dispatcher, which runs the automations it triggers.
    pub fn emit_event(&self) -> Callback<Event> {
        let services = self.clone();
        Callback::from(move |event: Event| {
            if let Some(dispatcher) = services.dispatcher() {
                dispatcher.emit(event);
            }
        })
    }

    /// Sends recorded requests again as new executions, asked for by `by` (refused unless they may).
    pub fn replay(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        by: User,
    ) -> Callback<Vec<Execution>> {
        let services = self.clone();
        let permitted = Permissions::of(&by).replay;
        Callback::from(move |executions: Vec<Execution>| {
            if !allowed(permitted, &dispatch) {
                return;
            }
            if let Some(dispatcher) = services.dispatcher() {
                for execution in &executions {
                    dispatcher.replay(execution, &by);
                }
            }
        })
    }

    pub fn save_webhook(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        permissions: Permissions,
    ) -> Callback<Webhook> {
        let services = self.clone();
        Callback::from(move |webhook: Webhook| {
            if !allowed(permissions.manage, &dispatch) {
                return;
            }
            let saved = webhook.clone();
            services.write(
                dispatch.clone(),
                move |store| async move { store.put_webhook(&webhook).await },
                move || AppAction::WebhookSaved(saved),
            );
        })
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
            services.write(
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
            services.write(
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
            services.write(
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
        self.write(
            dispatch,
            |store| async move { store.replace_config(&[], &[]).await },
            || AppAction::ConfigReplaced {
                webhooks: Vec::new(),
                automations: Vec::new(),
            },
        );
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

    /// Adopts a configuration document: an import the admin confirmed, or the configuration the
    /// embedding CRM shares with every user's widget (stored alike, without the import's notice: the
    /// admin did not ask for it in this widget). The credentials that still apply come from what is
    /// stored at that moment, read in the same transaction ([`Store::adopt_document`]). Resolves to
    /// what was adopted, or `None` when storage refused it (the problem banner says why).
    pub async fn adopt_document(
        &self,
        dispatch: UseReducerDispatcher<AppState>,
        document: ConfigDocument,
        adoption: Adoption,
    ) -> Option<ImportedConfig> {
        let store = self.store.borrow().clone();
        let adopted = match store {
            Some(store) => store.adopt_document(document).await,
            // Nothing is stored, so no credential can be kept.
            None => Ok(document.into_local(&[])),
        };
        match adopted {
            Ok(imported) => {
                let (webhooks, automations) =
                    (imported.webhooks.clone(), imported.automations.clone());
                dispatch.dispatch(match adoption {
                    Adoption::Import => AppAction::ConfigReplaced {
                        webhooks,
                        automations,
                    },
                    Adoption::Shared => AppAction::Reloaded {
                        webhooks,
                        automations,
                    },
                });
                Some(imported)
            }
            Err(error) => {
                dispatch.dispatch(AppAction::Failed(error.to_string()));
                None
            }
        }
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
            Ok(config) => dispatch.dispatch(AppAction::Reloaded {
                webhooks: config.webhooks,
                automations: config.automations,
            }),
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
    });
}

/// Whether an action the user asked for is permitted; when it is not, the problem banner says so and
/// nothing is changed. Views hide what a user may not do; this is the guard behind them.
fn allowed(permitted: bool, dispatch: &UseReducerDispatcher<AppState>) -> bool {
    if !permitted {
        dispatch.dispatch(AppAction::Failed(ADMINS_ONLY.to_owned()));
    }
    permitted
}
