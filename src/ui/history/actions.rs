//! What an admin can do with everything a filter finds: export it as JSON Lines, and replay the
//! failed runs in it.

use std::rc::Rc;
use webhook_engine::roles::Permissions;

use webhook_engine::history::describe::thousands;
use webhook_engine::history::ExecutionQuery;
use webhook_engine::runner::{Execution, Status};
use yew::prelude::*;

use crate::storage::{ScanControl, Store};
use crate::ui::settings::transfer::{download, today};
use crate::ui::widgets::Dialog;

#[derive(Properties, PartialEq)]
pub struct HistoryActionsProps {
    pub store: Rc<Store>,
    pub query: Rc<ExecutionQuery>,
    pub permissions: Permissions,
    /// Sends failed runs again; without it (or for someone who is not an admin) there is no button.
    #[prop_or_default]
    pub on_replay_failed: Option<Callback<Vec<Execution>>>,
}

#[derive(Clone, PartialEq)]
enum Busy {
    Idle,
    Exporting,
    CollectingFailed,
}

#[component]
pub fn HistoryActions(props: &HistoryActionsProps) -> Html {
    let busy = use_state(|| Busy::Idle);
    let problem = use_state(|| None::<String>);
    let to_replay = use_state(|| None::<Rc<Vec<Execution>>>);

    let on_export = {
        let (store, query, permissions) =
            (props.store.clone(), props.query.clone(), props.permissions);
        let (busy, problem) = (busy.clone(), problem.clone());
        Callback::from(move |_: MouseEvent| {
            let (store, query, busy, problem) =
                (store.clone(), query.clone(), busy.clone(), problem.clone());
            busy.set(Busy::Exporting);
            wasm_bindgen_futures::spawn_local(async move {
                let exported = store
                    .export_executions_jsonl(&query, &permissions, &ScanControl::default())
                    .await;
                let outcome = match exported {
                    Ok(lines) => download(&format!("executions-{}.jsonl", today()), &lines)
                        .map_err(|reason| {
                            format!("The export could not be offered as a download: {reason}.")
                        }),
                    Err(error) => Err(format!("The export failed: {error}")),
                };
                problem.set(outcome.err());
                busy.set(Busy::Idle);
            });
        })
    };

    // Failed runs are a subset of the filter only when it does not ask for another status.
    let failed_in_filter = props
        .query
        .status
        .is_none_or(|status| status == Status::Failed);
    let replay_button = match &props.on_replay_failed {
        Some(_) if props.permissions.replay && failed_in_filter => {
            let on_collect = {
                let (store, query) = (props.store.clone(), props.query.clone());
                let (busy, problem, to_replay) = (busy.clone(), problem.clone(), to_replay.clone());
                Callback::from(move |_: MouseEvent| {
                    let failed = ExecutionQuery {
                        status: Some(Status::Failed),
                        ..(*query).clone()
                    };
                    let (store, busy, problem, to_replay) = (
                        store.clone(),
                        busy.clone(),
                        problem.clone(),
                        to_replay.clone(),
                    );
                    busy.set(Busy::CollectingFailed);
                    wasm_bindgen_futures::spawn_local(async move {
                        let mut runs = Vec::new();
                        match store
                            .for_each_execution(&failed, &ScanControl::default(), |run| {
                                runs.push(run)
                            })
                            .await
                        {
                            Ok(_) => {
                                problem.set(None);
                                to_replay.set(Some(Rc::new(runs)));
                            }
                            Err(error) => problem.set(Some(format!(
                                "The failed executions could not be read: {error}"
                            ))),
                        }
                        busy.set(Busy::Idle);
                    });
                })
            };
            html! {
                <button type="button" class="wa-button" disabled={*busy != Busy::Idle} onclick={on_collect}>
                    { if *busy == Busy::CollectingFailed { "Finding failed runs…" } else { "Replay failed…" } }
                </button>
            }
        }
        _ => Html::default(),
    };

    let close = {
        let to_replay = to_replay.clone();
        Callback::from(move |()| to_replay.set(None))
    };
    let confirm = match (&*to_replay, &props.on_replay_failed) {
        (Some(runs), _) if runs.is_empty() => html! {
            <Dialog title="No failed executions" on_close={close.clone()}>
                <p>{ "Nothing failed among the executions these filters find." }</p>
                <div class="wa-actions">
                    <button type="button" class="wa-button" onclick={close.reform(|_: MouseEvent| ())}>{ "Close" }</button>
                </div>
            </Dialog>
        },
        (Some(runs), Some(on_replay_failed)) => {
            let on_confirm = {
                let (runs, on_replay_failed, to_replay) =
                    (runs.clone(), on_replay_failed.clone(), to_replay.clone());
                Callback::from(move |_: MouseEvent| {
                    on_replay_failed.emit((*runs).clone());
                    to_replay.set(None);
                })
            };
            let count = match runs.len() {
                1 => "1 failed execution".to_owned(),
                count => format!("{} failed executions", thousands(count as u64)),
            };
            html! {
                <Dialog title={format!("Replay {count}?")} on_close={close.clone()}>
                    <p>{ "Each recorded request is sent again, as a new execution with a new webhook-id, with the webhook's current credentials. The failed executions stay in the history as they are." }</p>
                    <div class="wa-actions">
                        <button type="button" class="wa-button is-primary" onclick={on_confirm}>{ format!("Replay {count}") }</button>
                        <button type="button" class="wa-button" data-initial-focus="" onclick={close.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                    </div>
                </Dialog>
            }
        }
        _ => Html::default(),
    };

    html! {
        <div class="wa-history-actions">
            <button type="button" class="wa-button" disabled={*busy != Busy::Idle} onclick={on_export}>
                { if *busy == Busy::Exporting { "Exporting…" } else { "Export JSON Lines" } }
            </button>
            { replay_button }
            if let Some(problem) = &*problem {
                <p class="wa-field-error" role="alert">{ problem }</p>
            }
            { confirm }
        </div>
    }
}
