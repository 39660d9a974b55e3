//! The Sandbox CRM page: the sample records by entity, as the acting user sees them, with add, edit
//! and delete. Every saved change sends its event through `on_event`, exactly as the real CRM's
//! changes would, so a new user can try automations without a CRM.

mod acting_user;
mod cells;
mod confirmation;
mod entities;
mod field_input;
mod record_form;
mod record_table;
mod state;

use std::rc::Rc;

use webhook_engine::catalog::Catalog;
use webhook_engine::event::{Event, User};
use webhook_engine::records::record_name;
use yew::prelude::*;

use crate::clock::now_rfc3339;
use crate::random::new_id;
use crate::sandbox::{
    open_sandbox, reset_sandbox, save_change, EventMeta, RecordChange, SandboxCrm,
};
use crate::storage::{ChangeNotice, Store};
use crate::ui::widgets::{banner, BannerKind, Dialog};
use acting_user::acting_user;
use confirmation::confirmation;
use entities::ENTITY_VIEWS;
use record_form::RecordForm;
use record_table::{record_table, RecordTableProps};
use state::{Mode, PageAction, PageState};

#[derive(Properties)]
pub struct SandboxPageProps {
    /// Who acts in the sandbox: the app's current user.
    pub user: User,
    pub catalog: Rc<Catalog>,
    /// The app's storage; `None` when the browser offers none (the sandbox then lasts until reload).
    pub store: Option<Rc<Store>>,
    /// Every saved change's event, for the dispatcher that runs automations.
    pub on_event: Callback<Event>,
    /// Switches the acting user.
    pub on_user: Callback<User>,
}

impl PartialEq for SandboxPageProps {
    fn eq(&self, other: &Self) -> bool {
        let same_store = match (&self.store, &other.store) {
            (Some(mine), Some(theirs)) => Rc::ptr_eq(mine, theirs),
            (mine, theirs) => mine.is_none() && theirs.is_none(),
        };
        same_store
            && self.user == other.user
            && self.catalog == other.catalog
            && self.on_event == other.on_event
            && self.on_user == other.on_user
    }
}

#[component]
pub fn SandboxPage(props: &SandboxPageProps) -> Html {
    let state = use_reducer(PageState::default);
    {
        let (dispatch, store) = (state.dispatcher(), props.store.clone());
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                let opened = match &store {
                    Some(store) => open_sandbox(store).await,
                    None => Ok(SandboxCrm::builtin()),
                };
                match opened {
                    Ok(crm) => dispatch.dispatch(PageAction::Opened(crm)),
                    Err(error) => {
                        dispatch.dispatch(PageAction::Opened(SandboxCrm::builtin()));
                        dispatch.dispatch(PageAction::Failed(format!(
                            "The sandbox's saved records could not be read, so it shows the sample data: {error}"
                        )));
                    }
                }
            });
        });
    }
    {
        // Another tab's change (or reset) shows here as soon as it is stored.
        let (dispatch, store) = (state.dispatcher(), props.store.clone());
        use_effect_with((), move |()| {
            let subscription = store.clone().map(|store| {
                store.clone().on_change(move |notice| {
                    if notice != ChangeNotice::Sandbox {
                        return;
                    }
                    let (dispatch, store) = (dispatch.clone(), store.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        match open_sandbox(&store).await {
                            Ok(crm) => dispatch.dispatch(PageAction::Opened(crm)),
                            Err(error) => dispatch.dispatch(PageAction::Failed(error.to_string())),
                        }
                    });
                })
            });
            move || drop(subscription)
        });
    }
    let Some(crm) = state.crm.clone() else {
        return html! { <p class="wa-muted" aria-busy="true">{ "Loading the sandbox CRM…" }</p> };
    };
    let Some(entity) = props.catalog.entity(&state.entity) else {
        return html! { <p class="wa-muted">{ "This CRM has no records to try automations with." }</p> };
    };
    let viewer = crm.viewer(&props.user);
    let commit = {
        let (state, crm, entity) = (state.clone(), crm.clone(), entity.clone());
        let (store, catalog) = (props.store.clone(), props.catalog.clone());
        let (user, on_event) = (props.user.clone(), props.on_event.clone());
        Callback::from(move |change: RecordChange| {
            state.dispatch(PageAction::Writing);
            let commit = Commit {
                dispatch: state.dispatcher(),
                store: store.clone(),
                catalog: catalog.clone(),
                crm: crm.clone(),
                user: user.clone(),
                on_event: on_event.clone(),
                notice: confirmation(&entity, &change),
            };
            wasm_bindgen_futures::spawn_local(commit.run(entity.key.clone(), change));
        })
    };
    let on_reset = {
        let (dispatch, store) = (state.dispatcher(), props.store.clone());
        Callback::from(move |_: MouseEvent| {
            dispatch.dispatch(PageAction::Show(Mode::Listing));
            dispatch.dispatch(PageAction::Writing);
            let (dispatch, store) = (dispatch.clone(), store.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let reset = match &store {
                    Some(store) => reset_sandbox(store).await,
                    None => Ok(SandboxCrm::builtin()),
                };
                match reset {
                    Ok(crm) => dispatch.dispatch(PageAction::Reset(crm)),
                    Err(error) => dispatch.dispatch(PageAction::Failed(error.to_string())),
                }
            });
        })
    };
    let singular = entity.label.to_lowercase();

    let body = match state.mode {
        Mode::Editing(id) if crm.record(&entity.key, id).is_none() => {
            html! { <p class="wa-muted">{ "This record no longer exists." }</p> }
        }
        Mode::Adding | Mode::Editing(_) => {
            let editing = match state.mode {
                Mode::Editing(id) => crm.record(&entity.key, id).cloned(),
                _ => None,
            };
            let key = format!("{}-{:?}", entity.key, state.mode);
            html! {
                <RecordForm {key} catalog={props.catalog.clone()} crm={crm.clone()} entity={entity.key.clone()}
                    viewer={viewer.clone()} {editing} busy={state.busy} on_save={commit.clone()}
                    on_unchanged={dispatching(&state, |()| PageAction::Unchanged)} on_cancel={show(&state, Mode::Listing)} />
            }
        }
        _ => html! {
            <>
                <div class="wa-toolbar">
                    <button type="button" class="wa-button is-primary" onclick={show(&state, Mode::Adding)}>{ format!("Add {singular}") }</button>
                </div>
                { record_table(&RecordTableProps {
                    catalog: &props.catalog,
                    crm: &crm,
                    entity,
                    viewer: &viewer,
                    on_edit: dispatching(&state, |id| PageAction::Show(Mode::Editing(id))),
                    on_delete: dispatching(&state, |id| PageAction::Show(Mode::ConfirmingDelete(id))),
                }) }
            </>
        },
    };
    let dialog = match state.mode {
        Mode::ConfirmingDelete(id) => crm.record(&entity.key, id).map(|record| {
            let on_confirm = {
                let (commit, record) = (commit.clone(), record.clone());
                let dispatch = state.dispatcher();
                Callback::from(move |_: MouseEvent| {
                    dispatch.dispatch(PageAction::Show(Mode::Listing));
                    commit.emit(RecordChange::Deleted(record.clone()));
                })
            };
            html! {
                <Dialog title={format!("Delete {singular} “{}”?", record_name(entity, record))} on_close={show(&state, Mode::Listing)}>
                    <p>{ format!("Automations on “{} · deleted” receive the record as it was.", entity.key) }</p>
                    <div class="wa-actions">
                        <button type="button" class="wa-button is-danger" onclick={on_confirm}>{ format!("Delete {singular}") }</button>
                        <button type="button" class="wa-button" data-initial-focus="" onclick={show(&state, Mode::Listing)}>{ "Cancel" }</button>
                    </div>
                </Dialog>
            }
        }),
        Mode::ConfirmingReset => Some(html! {
            <Dialog title="Reset the sandbox to the sample data?" on_close={show(&state, Mode::Listing)}>
                <p>{ "Every record added, changed or deleted in the sandbox is replaced by the built-in sample records. No events are sent." }</p>
                <div class="wa-actions">
                    <button type="button" class="wa-button is-danger" onclick={on_reset}>{ "Reset sample data" }</button>
                    <button type="button" class="wa-button" data-initial-focus="" onclick={show(&state, Mode::Listing)}>{ "Cancel" }</button>
                </div>
            </Dialog>
        }),
        _ => None,
    };

    html! {
        <div class="wa-sandbox">
            <div class="wa-sandbox-head">
                { acting_user(crm.users(), &viewer, &props.on_user) }
                <button type="button" class="wa-button" disabled={state.busy} onclick={show(&state, Mode::ConfirmingReset)}>{ "Reset sample data" }</button>
            </div>
            if let Some(problem) = &state.problem {
                { banner(BannerKind::Problem, problem, dispatching(&state, |()| PageAction::DismissProblem)) }
            }
            if let Some(notice) = &state.notice {
                { banner(BannerKind::Notice, notice, dispatching(&state, |()| PageAction::DismissNotice)) }
            }
            if props.store.is_none() {
                <p class="wa-callout">{ "This browser keeps no data for this site, so sandbox changes last until the page is reloaded." }</p>
            }
            <div class="wa-tabs wa-sandbox-tabs" role="tablist" aria-label="Record types">
                { for ENTITY_VIEWS.iter().filter(|view| props.catalog.entity(view.key).is_some()).map(|view| {
                    let selected = view.key == entity.key;
                    html! {
                        <button type="button" role="tab" id={format!("sandbox-tab-{}", view.key)}
                            class={classes!("wa-tab", selected.then_some("is-selected"))}
                            aria-selected={if selected { "true" } else { "false" }} aria-controls="sandbox-panel"
                            onclick={dispatching(&state, move |_: MouseEvent| PageAction::ShowEntity(view.key.to_string()))}>
                            { view.plural }
                        </button>
                    }
                }) }
            </div>
            <div role="tabpanel" id="sandbox-panel" class="wa-sandbox-panel" aria-labelledby={format!("sandbox-tab-{}", entity.key)}>
                { body }
            </div>
            { dialog.unwrap_or_default() }
        </div>
    }
}

/// A callback that dispatches the action `make` builds from what it is called with.
fn dispatching<T: 'static>(
    state: &UseReducerHandle<PageState>,
    make: impl Fn(T) -> PageAction + 'static,
) -> Callback<T> {
    let dispatch = state.dispatcher();
    Callback::from(move |value| dispatch.dispatch(make(value)))
}

/// A callback (for a button or a dialog) that switches the page to `mode`.
fn show<T: 'static>(state: &UseReducerHandle<PageState>, mode: Mode) -> Callback<T> {
    dispatching(state, move |_| PageAction::Show(mode))
}

/// What saving one change needs once the page has let go of it.
struct Commit {
    dispatch: UseReducerDispatcher<PageState>,
    store: Option<Rc<Store>>,
    catalog: Rc<Catalog>,
    /// The CRM as it was when the change was made.
    crm: Rc<SandboxCrm>,
    user: User,
    on_event: Callback<Event>,
    /// The confirmation shown once the change is saved.
    notice: String,
}

impl Commit {
    /// Writes the change, then shows it and sends its event — in that order, so no event ever
    /// describes a change that was not kept. Without storage the change lives in memory only.
    async fn run(self, entity: String, change: RecordChange) {
        if let Some(store) = &self.store {
            if let Err(error) = save_change(store, &entity, &change).await {
                self.dispatch
                    .dispatch(PageAction::Failed(error.to_string()));
                return;
            }
        }
        // Related records are looked up in the CRM as it is after the change.
        let mut after = (*self.crm).clone();
        after.apply(&entity, &change);
        let event = after.event(
            &self.catalog,
            &entity,
            &change,
            EventMeta {
                id: &new_id("evt"),
                time: &now_rfc3339(),
                user: &self.user,
            },
        );
        self.dispatch.dispatch(PageAction::Saved {
            entity,
            change,
            notice: self.notice,
        });
        self.on_event.emit(event);
    }
}
