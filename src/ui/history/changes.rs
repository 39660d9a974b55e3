//! What makes the history read its first page again: runs written by other tabs (the storage's
//! change notices) and runs removed by retention. This tab's own runs arrive through the page's
//! `executions_version` property.

use std::rc::Rc;

use webhook_engine::settings::Settings;
use yew::prelude::*;

use crate::storage::{ChangeNotice, Store};
use crate::ui::history::interval::Interval;
use crate::ui::history::time::now_ms;

/// How often retention runs while the history stays open.
const RETENTION_EVERY_MS: u32 = 60 * 60 * 1000;

/// A counter that only goes up; each step means "read again".
#[derive(Default, PartialEq)]
struct Changes(u64);

impl Reducible for Changes {
    type Action = ();

    fn reduce(self: Rc<Self>, (): ()) -> Rc<Self> {
        Rc::new(Changes(self.0.wrapping_add(1)))
    }
}

/// Counts the executions changes other tabs announce.
#[hook]
pub fn use_other_tabs_changes(store: Option<Rc<Store>>) -> u64 {
    let changes = use_reducer(Changes::default);
    {
        let dispatcher = changes.dispatcher();
        use_effect_with(store, move |store| {
            let subscription = store.as_ref().map(|store| {
                store.on_change(move |notice| {
                    if notice == ChangeNotice::Executions {
                        dispatcher.dispatch(());
                    }
                })
            });
            move || drop(subscription)
        });
    }
    changes.0
}

/// Retention: deletes the executions older than the settings keep, when the history opens and every
/// hour while it stays open. Returns a counter that goes up when something was deleted, and the
/// last problem, if deleting failed.
#[hook]
pub fn use_retention(store: Option<Rc<Store>>, settings: Settings) -> (u64, Option<String>) {
    let pruned = use_reducer(Changes::default);
    let problem = use_state(|| None::<String>);
    {
        let (dispatcher, problem) = (pruned.dispatcher(), problem.clone());
        use_effect_with((store, settings), move |(store, settings)| {
            let prune = {
                let (store, settings) = (store.clone(), settings.clone());
                move || {
                    let Some(store) = store.clone() else { return };
                    let (settings, dispatcher, problem) =
                        (settings.clone(), dispatcher.clone(), problem.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        match store.prune_expired_executions(&settings, now_ms()).await {
                            Ok(0) => {}
                            Ok(_) => dispatcher.dispatch(()),
                            Err(error) => problem.set(Some(format!(
                                "Old executions could not be deleted: {error}"
                            ))),
                        }
                    });
                }
            };
            prune();
            let interval = Interval::start(RETENTION_EVERY_MS, prune);
            move || drop(interval)
        });
    }
    (pruned.0, (*problem).clone())
}
