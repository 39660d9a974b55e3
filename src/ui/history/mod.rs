//! The Execution history page: every run, newest first, in a virtualized table with filters, a detail
//! panel, JSON Lines export and replays.
//!
//! Data flow: the filters produce an [`ExecutionQuery`]; [`loader`] reads pages of it from storage into
//! [`rows`] as the table scrolls; a fresh first page is read whenever executions change — this tab's
//! runs through [`HistoryPageProps::executions_version`], other tabs' through the storage's change
//! notices, retention's deletions through [`changes::use_retention`], which runs when the page
//! opens and every hour while it stays open.

mod actions;
mod changes;
mod detail;
mod filters;
mod interval;
mod loader;
mod rows;
mod summary;
mod table;
mod time;
mod window;

use std::rc::Rc;
use webhook_engine::history::SearchScope;
use webhook_engine::roles::Permissions;

use webhook_engine::history::ExecutionQuery;
use webhook_engine::model::Automation;
use webhook_engine::runner::Execution;
use webhook_engine::settings::Settings;
use yew::prelude::*;

use crate::storage::Store;
use actions::HistoryActions;
use changes::{use_other_tabs_changes, use_retention};
use detail::ExecutionDetail;
use filters::HistoryFilters;
use loader::use_execution_rows;
use summary::ResultSummary;
use table::HistoryTable;

#[derive(Properties, PartialEq)]
pub struct HistoryPageProps {
    /// The app's storage; `None` where the browser keeps no data for the site.
    pub store: Option<Rc<Store>>,
    /// For the automation filter.
    pub automations: Rc<Vec<Automation>>,
    /// Admins see bodies, headers and record values, and can replay; others see what ran and how it
    /// ended (`webhook_engine::history::visible_to`).
    pub permissions: Permissions,
    /// Retention: executions older than these settings keep are deleted.
    pub settings: Settings,
    /// Bumped by this tab's dispatcher each time it writes executions (new runs, attempts, results):
    /// every change reads the first page again, keeping the older rows already loaded. Other tabs'
    /// writes arrive through the storage's change notices and need nothing here.
    #[prop_or_default]
    pub executions_version: u64,
    /// Sends one run again (the detail panel's Replay). Without it there is no Replay button.
    #[prop_or_default]
    pub on_replay: Option<Callback<Execution>>,
    /// Sends every failed run the filters find again ("Replay failed…"). Without it there is no
    /// such button.
    #[prop_or_default]
    pub on_replay_failed: Option<Callback<Vec<Execution>>>,
    /// Why the relay's runs are not being merged right now, if they are not.
    #[prop_or_default]
    pub relay_problem: Option<String>,
    /// Opens a webhook's form (a CORS refusal's advice). Without it the advice has no link.
    #[prop_or_default]
    pub on_edit_webhook: Option<Callback<String>>,
}

#[component]
pub fn HistoryPage(props: &HistoryPageProps) -> Html {
    let filters = use_state(|| Rc::new(ExecutionQuery::default()));
    let selected = use_state(|| None::<String>);
    let other_tabs = use_other_tabs_changes(props.store.clone());
    let (pruned, retention_problem) = use_retention(props.store.clone(), props.settings.clone());
    let refresh = props
        .executions_version
        .wrapping_add(other_tabs)
        .wrapping_add(pruned);
    // Whatever the filters say, a search reads only what this user may see.
    let query = Rc::new(ExecutionQuery {
        scope: SearchScope::for_permissions(&props.permissions),
        ..(**filters).clone()
    });
    let loaded = use_execution_rows(props.store.clone(), query.clone(), refresh);

    let Some(store) = props.store.clone() else {
        return html! {
            <div class="wa-empty">
                <h2>{ "The history needs the browser's storage" }</h2>
                <p>{ "This browser does not let Webhook Automations keep data for this site, so runs cannot be recorded here." }</p>
            </div>
        };
    };
    let state = &loaded.state;
    let on_filter = {
        let (filters, selected) = (filters.clone(), selected.clone());
        Callback::from(move |next: ExecutionQuery| {
            selected.set(None);
            filters.set(Rc::new(next));
        })
    };
    let on_open = {
        let selected = selected.clone();
        Callback::from(move |id: String| selected.set(Some(id)))
    };
    let on_close = {
        let selected = selected.clone();
        Callback::from(move |()| {
            if let Some(id) = &*selected {
                focus_row(id);
            }
            selected.set(None);
        })
    };
    let text_search = query.text_search().is_some();

    html! {
        <div class="wa-history">
            <HistoryFilters automations={props.automations.clone()} query={query.clone()} on_change={on_filter}
                searching={state.loading && text_search} on_cancel={loaded.cancel.clone()} />
            <div class="wa-history-bar">
                <ResultSummary loaded={state.rows.len()} total={state.total} complete={state.complete}
                    loading={state.loading} problem={state.problem.clone()} filtered={!query.is_everything()}
                    {text_search} control={loaded.control.clone()} on_reload={loaded.reload.clone()} />
                <HistoryActions store={store.clone()} query={query.clone()} permissions={props.permissions}
                    on_replay_failed={props.on_replay_failed.clone()} />
            </div>
            if let Some(problem) = retention_problem {
                <p class="wa-field-error" role="alert">{ problem }</p>
            }
            if let Some(problem) = props.relay_problem.clone() {
                <p class="wa-field-error wa-history-relay-problem" role="status">{ problem }</p>
            }
            if state.found_nothing() && query.is_everything() {
                <div class="wa-empty">
                    <h2>{ "Nothing has run yet" }</h2>
                    <p>{ "Executions appear here as soon as an automation fires, for every user who triggers it: the final path and body, what the endpoint answered, and why a run failed." }</p>
                </div>
            } else if state.found_nothing() {
                <div class="wa-empty">
                    <h2>{ "No execution matches these filters" }</h2>
                    <p>{ "Change or clear the filters to see more." }</p>
                </div>
            } else {
                <HistoryTable key={state.generation.to_string()} rows={state.rows.clone()} row_count={state.rows_to_lay_out()}
                    on_need={loaded.load_up_to.clone()} {on_open} selected={(*selected).clone()} />
            }
            if let Some(id) = &*selected {
                <ExecutionDetail {store} id={id.clone()} permissions={props.permissions} {refresh} {on_close}
                    on_replay={props.on_replay.clone()} on_edit_webhook={props.on_edit_webhook.clone()} />
            }
        </div>
    }
}

/// Gives the keyboard focus back to the row a closed detail panel was opened from, if it is still
/// rendered, so keyboard users continue where they were.
fn focus_row(id: &str) {
    use wasm_bindgen::JsCast;
    let button = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| {
            document
                .query_selector(&format!("tr[data-execution=\"{id}\"] .wa-history-open"))
                .ok()
                .flatten()
        })
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(button) = button {
        let _ = button.focus();
    }
}
