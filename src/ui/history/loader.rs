//! Reading the history's rows from storage: the first page of a search, the pages the table asks for
//! as it scrolls, a fresh first page when new runs arrive, and the count when it is cheap. One read
//! runs at a time; a new search cancels the one before.

use std::cell::RefCell;
use std::rc::Rc;

use webhook_engine::history::ExecutionQuery;
use yew::prelude::*;

use crate::storage::{ExecutionPage, PageCursor, PageRequest, ScanControl, StorageError, Store};
use crate::ui::history::rows::{HistoryRow, RowsAction, RowsState};

/// The first page: the rows the tallest view shows (19) and the margin under them, so the table is
/// full at once and the first answer stays small.
const FIRST_PAGE_ROWS: u32 = 40;
/// Later pages: sized to reach the rows the table needs, within these bounds.
const MIN_PAGE_ROWS: u32 = 100;
const MAX_PAGE_ROWS: u32 = 2_000;

pub struct ExecutionRows {
    pub state: UseReducerHandle<RowsState>,
    /// Loads pages until the row at this index is loaded (or the search ends).
    pub load_up_to: Callback<usize>,
    /// Stops the running read (a long search).
    pub cancel: Callback<()>,
    /// Starts the search again (after a problem).
    pub reload: Callback<()>,
    /// The running read's control, whose count of records looked at shows progress.
    pub control: ScanControl,
}

/// The rows `query` finds in `store`, newest first. Each change of `refresh` reads a fresh first page
/// and keeps the older rows already loaded.
#[hook]
pub fn use_execution_rows(
    store: Option<Rc<Store>>,
    query: Rc<ExecutionQuery>,
    refresh: u64,
) -> ExecutionRows {
    let state = use_reducer(RowsState::default);
    let flight = use_mut_ref(InFlight::default);
    let reloads = use_state(|| 0u32);

    {
        let (dispatcher, flight) = (state.dispatcher(), flight.clone());
        use_effect_with(
            (store.clone(), query.clone(), *reloads),
            move |(store, query, _)| {
                let generation = flight.borrow_mut().restart();
                dispatcher.dispatch(RowsAction::Start { generation });
                if let Some(store) = store {
                    Loader::new(store, query, &flight, &dispatcher).run(Read::First);
                }
            },
        );
    }
    {
        let (dispatcher, flight) = (state.dispatcher(), flight.clone());
        let (store, query) = (store.clone(), query.clone());
        let seen = use_mut_ref(|| refresh);
        use_effect_with(refresh, move |&refresh| {
            if std::mem::replace(&mut *seen.borrow_mut(), refresh) == refresh {
                return;
            }
            if let Some(store) = &store {
                Loader::new(store, &query, &flight, &dispatcher).run(Read::Fresh);
            }
        });
    }

    let load_up_to = {
        let (state, flight) = (state.clone(), flight.clone());
        let (store, query) = (store.clone(), query.clone());
        Callback::from(move |needed: usize| {
            let loaded = state.rows.len();
            if needed <= loaded || !state.can_load_more() || flight.borrow().busy {
                return;
            }
            if let Some(store) = &store {
                let wanted = u32::try_from(needed - loaded).unwrap_or(u32::MAX);
                let limit = wanted
                    .saturating_add(MIN_PAGE_ROWS)
                    .clamp(MIN_PAGE_ROWS, MAX_PAGE_ROWS);
                state.dispatch(RowsAction::Loading {
                    generation: state.generation,
                });
                Loader::new(store, &query, &flight, &state.dispatcher()).run(Read::After {
                    after: state.next.clone(),
                    limit,
                });
            }
        })
    };
    let cancel = {
        let flight = flight.clone();
        Callback::from(move |()| flight.borrow().control.cancel())
    };
    let reload = Callback::from(move |()| reloads.set(*reloads + 1));
    let control = flight.borrow().control.clone();
    ExecutionRows {
        state,
        load_up_to,
        cancel,
        reload,
        control,
    }
}

/// The read in progress, shared by the hook's effects and callbacks.
#[derive(Default)]
struct InFlight {
    generation: u64,
    control: ScanControl,
    busy: bool,
    /// New runs arrived during a read: a fresh first page follows it.
    fresh_page_waiting: bool,
}

impl InFlight {
    /// A new search: the running read is cancelled and its results will be ignored.
    fn restart(&mut self) -> u64 {
        self.control.cancel();
        self.control = ScanControl::default();
        self.generation += 1;
        self.busy = false;
        self.fresh_page_waiting = false;
        self.generation
    }
}

enum Read {
    First,
    After {
        after: Option<PageCursor>,
        limit: u32,
    },
    Fresh,
}

#[derive(Clone)]
struct Loader {
    store: Rc<Store>,
    query: Rc<ExecutionQuery>,
    flight: Rc<RefCell<InFlight>>,
    dispatcher: UseReducerDispatcher<RowsState>,
}

impl Loader {
    fn new(
        store: &Rc<Store>,
        query: &Rc<ExecutionQuery>,
        flight: &Rc<RefCell<InFlight>>,
        dispatcher: &UseReducerDispatcher<RowsState>,
    ) -> Loader {
        Loader {
            store: store.clone(),
            query: query.clone(),
            flight: flight.clone(),
            dispatcher: dispatcher.clone(),
        }
    }

    fn run(self, read: Read) {
        let (generation, control) = {
            let mut flight = self.flight.borrow_mut();
            if flight.busy {
                // Only a fresh first page can be asked for while a read runs (new runs arrived);
                // it follows that read.
                flight.fresh_page_waiting |= matches!(read, Read::Fresh);
                return;
            }
            flight.busy = true;
            (flight.generation, flight.control.clone())
        };
        wasm_bindgen_futures::spawn_local(async move {
            let request = match &read {
                Read::First | Read::Fresh => PageRequest::first(FIRST_PAGE_ROWS),
                Read::After { after, limit } => PageRequest {
                    after: after.clone(),
                    limit: *limit,
                },
            };
            let result = self
                .store
                .query_executions(&self.query, request, &control)
                .await;
            let counts_again = result.is_ok() && !matches!(read, Read::After { .. });
            self.dispatcher
                .dispatch(answer(generation, read, result, &control));
            if counts_again {
                let total = self
                    .store
                    .count_executions(&self.query)
                    .await
                    .ok()
                    .flatten();
                self.dispatcher
                    .dispatch(RowsAction::Counted { generation, total });
            }
            self.finished(generation);
        });
    }

    /// Frees the loader for the next read, and starts the fresh page asked for meanwhile.
    fn finished(self, generation: u64) {
        let fresh_page_waiting = {
            let mut flight = self.flight.borrow_mut();
            if flight.generation != generation {
                // A new search took over; its own reads run.
                return;
            }
            flight.busy = false;
            std::mem::take(&mut flight.fresh_page_waiting)
        };
        if fresh_page_waiting {
            self.run(Read::Fresh);
        }
    }
}

fn answer(
    generation: u64,
    read: Read,
    result: Result<ExecutionPage, StorageError>,
    control: &ScanControl,
) -> RowsAction {
    let page = match result {
        Ok(page) => page,
        Err(StorageError::Cancelled) => {
            return RowsAction::Stopped {
                generation,
                checked: control.checked(),
            }
        }
        Err(error) => {
            return RowsAction::Failed {
                generation,
                message: error.to_string(),
            }
        }
    };
    let rows = page.executions.iter().map(HistoryRow::of).collect();
    match read {
        Read::First => RowsAction::Loaded {
            generation,
            after: None,
            rows,
            next: page.next,
        },
        Read::After { after, .. } => RowsAction::Loaded {
            generation,
            after,
            rows,
            next: page.next,
        },
        Read::Fresh => RowsAction::Refreshed {
            generation,
            rows,
            next: page.next,
        },
    }
}
