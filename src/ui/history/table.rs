//! The executions table, virtualized: one scroll container, rows of a fixed height, and only the rows
//! in view (plus a margin) in the DOM, between two spacer rows that stand for the rest. Scrolling
//! near rows not loaded yet asks for them.

use webhook_engine::history::describe::status_label;
use webhook_engine::runner::Status;
use yew::prelude::*;

use crate::ui::history::rows::{HistoryRow, LoadedRows};
use crate::ui::history::time::local_time;
use crate::ui::history::window::{height_of, visible_rows};

const COLUMNS: usize = 8;

#[derive(Properties, PartialEq)]
pub struct HistoryTableProps {
    pub rows: LoadedRows,
    /// Rows to lay out: loaded ones, and room for those still to load.
    pub row_count: usize,
    /// The table needs the rows up to this index.
    pub on_need: Callback<usize>,
    /// A row was chosen: its execution id.
    pub on_open: Callback<String>,
    #[prop_or_default]
    pub selected: Option<String>,
}

#[component]
pub fn HistoryTable(props: &HistoryTableProps) -> Html {
    let container = use_node_ref();
    // Scroll position and view height, updated on scroll; a first guess until measured.
    let view = use_state(|| (0.0_f64, 600.0_f64));
    let window = visible_rows(view.0, view.1, props.row_count);

    {
        let (container, view) = (container.clone(), view.clone());
        use_effect_with((), move |()| measure(&container, &view));
    }
    {
        let on_need = props.on_need.clone();
        use_effect_with((window.end, props.rows.len()), move |&(end, loaded)| {
            if end > loaded {
                on_need.emit(end);
            }
        });
    }
    let on_scroll = {
        let (container, view) = (container.clone(), view.clone());
        Callback::from(move |_: Event| measure(&container, &view))
    };

    let before = height_of(window.start);
    let after = height_of(props.row_count - window.end);
    html! {
        <div class="wa-history-scroll" ref={container} onscroll={on_scroll} tabindex="0"
            role="region" aria-label="Executions, newest first">
            <table class="wa-table wa-history-table" aria-rowcount={(props.row_count + 1).to_string()}>
                <colgroup>
                    <col class="wa-col-time" /><col class="wa-col-automation" /><col class="wa-col-record" />
                    <col class="wa-col-user" /><col class="wa-col-status" /><col class="wa-col-http" />
                    <col class="wa-col-duration" /><col class="wa-col-attempts" />
                </colgroup>
                <thead>
                    <tr aria-rowindex="1">
                        <th scope="col">{ "Time" }</th>
                        <th scope="col">{ "Automation" }</th>
                        <th scope="col">{ "Record" }</th>
                        <th scope="col">{ "User" }</th>
                        <th scope="col">{ "Status" }</th>
                        <th scope="col" class="is-number">{ "HTTP" }</th>
                        <th scope="col" class="is-number">{ "Duration" }</th>
                        <th scope="col" class="is-number">{ "Attempts" }</th>
                    </tr>
                </thead>
                <tbody>
                    { spacer(before) }
                    { for window.map(|index| match props.rows.get(index) {
                        Some(row) => row_view(index, row, props),
                        None => placeholder(index),
                    }) }
                    { spacer(after) }
                </tbody>
            </table>
        </div>
    }
}

/// Reads the container's scroll position and height into `view`, rounded to whole rows so the table
/// renders again only when another row comes into view, not on every scrolled pixel.
fn measure(container: &NodeRef, view: &UseStateHandle<(f64, f64)>) {
    if let Some(element) = container.cast::<web_sys::Element>() {
        let whole_rows = |px: i32, round: fn(f64) -> f64| {
            height_of(round(f64::from(px) / height_of(1)) as usize)
        };
        // No more of the table can show than the window holds, even if a missing stylesheet lets
        // the container grow to the table's full height.
        let window_height = web_sys::window()
            .and_then(|window| window.inner_height().ok())
            .and_then(|height| height.as_f64())
            .map_or(i32::MAX, |height| height as i32);
        let measured = (
            whole_rows(element.scroll_top(), f64::floor),
            whole_rows(element.client_height().min(window_height), f64::ceil),
        );
        if measured != **view {
            view.set(measured);
        }
    }
}

fn spacer(height: f64) -> Html {
    if height <= 0.0 {
        return Html::default();
    }
    html! {
        <tr class="wa-history-spacer" aria-hidden="true" style={format!("height: {height}px")}>
            <td colspan={COLUMNS.to_string()}></td>
        </tr>
    }
}

fn row_view(index: usize, row: &HistoryRow, props: &HistoryTableProps) -> Html {
    let time = local_time(row.created_at_ms);
    let open = {
        let id = row.id.clone();
        props.on_open.reform(move |_: MouseEvent| id.clone())
    };
    let selected = props.selected.as_deref() == Some(row.id.as_str());
    html! {
        <tr key={row.id.clone()} class={classes!("wa-history-row", selected.then_some("is-selected"))}
            data-index={index.to_string()} data-execution={row.id.clone()}
            aria-rowindex={(index + 2).to_string()} onclick={open.clone()}>
            <td>
                <button type="button" class="wa-history-open" aria-label={format!("Open the execution of {} at {time}", row.automation)}
                    onclick={Callback::from(move |event: MouseEvent| {
                        // The row's own click handler opens it once.
                        event.stop_propagation();
                        open.emit(event);
                    })}>
                    { time.clone() }
                </button>
            </td>
            <td title={row.automation.clone()}>{ &row.automation }</td>
            <td title={row.record.clone()}>{ &row.record }</td>
            <td title={row.user.clone()}>{ &row.user }</td>
            <td>{ execution_status_badge(row.status) }{ row.relay.then(relay_badge) }</td>
            <td class="is-number">{ &row.answer }</td>
            <td class="is-number">{ &row.duration }</td>
            <td class="is-number">{ row.attempts }</td>
        </tr>
    }
}

/// A row whose page is still loading: it keeps the layout and says so.
fn placeholder(index: usize) -> Html {
    html! {
        <tr key={format!("pending-{index}")} class="wa-history-row is-pending" data-index={index.to_string()}
            aria-rowindex={(index + 2).to_string()}>
            <td colspan={COLUMNS.to_string()} class="wa-muted">{ "Loading…" }</td>
        </tr>
    }
}

/// Marks a run the relay sent (merged from its history) rather than this browser.
pub fn relay_badge() -> Html {
    html! {
        <span class="wa-badge wa-route-relay" title="Sent by the relay, from a server">{ "relay" }</span>
    }
}

fn execution_status_badge(status: Status) -> Html {
    let kind = match status {
        Status::Succeeded => "is-success",
        Status::Failed => "is-error",
        Status::Stopped => "is-warning",
        Status::Pending => "is-pending",
    };
    html! { <span class={classes!("wa-badge", "wa-status", kind)}>{ status_label(status) }</span> }
}
