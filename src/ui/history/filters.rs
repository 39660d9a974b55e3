//! The history's filters: automation, status, time range and a text search in the request's URL and
//! body. Choices apply at once; the text search, which may read the whole history, runs when asked
//! (Enter or Search) and can be cancelled while it runs.

use std::rc::Rc;

use webhook_engine::history::describe::{status_label, STATUSES};
use webhook_engine::history::ExecutionQuery;
use webhook_engine::model::Automation;
use yew::prelude::*;

use crate::ui::history::time::{input_value as time_input_value, parse_input};
use crate::ui::widgets::input_value;

/// A minute, in milliseconds: the "to" input names a minute, which the search includes whole.
const MINUTE_MS: i64 = 60_000;

#[derive(Properties, PartialEq)]
pub struct HistoryFiltersProps {
    pub automations: Rc<Vec<Automation>>,
    pub query: Rc<ExecutionQuery>,
    pub on_change: Callback<ExecutionQuery>,
    /// A text search is running: its Cancel button shows.
    pub searching: bool,
    pub on_cancel: Callback<()>,
}

#[component]
pub fn HistoryFilters(props: &HistoryFiltersProps) -> Html {
    let text = use_state(|| props.query.text.clone());
    {
        // Clearing the filters clears the box too.
        let text = text.clone();
        use_effect_with(props.query.text.clone(), move |applied| {
            text.set(applied.clone())
        });
    }
    let change = |edit: fn(&mut ExecutionQuery, String)| {
        let (query, on_change) = (props.query.clone(), props.on_change.clone());
        Callback::from(move |event: Event| {
            let mut next = (*query).clone();
            edit(&mut next, input_value(&event));
            on_change.emit(next);
        })
    };
    let on_automation =
        change(|query, value| query.automation_id = (!value.is_empty()).then_some(value));
    let on_status = change(|query, value| {
        query.status = value
            .parse::<usize>()
            .ok()
            .and_then(|index| STATUSES.get(index).copied())
    });
    let on_from = change(|query, value| query.from_ms = parse_input(&value));
    let on_to =
        change(|query, value| query.until_ms = parse_input(&value).map(|to| to + MINUTE_MS));
    let on_search = {
        let (query, on_change, text) = (props.query.clone(), props.on_change.clone(), text.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            on_change.emit(ExecutionQuery {
                text: (*text).clone(),
                ..(*query).clone()
            });
        })
    };
    let on_clear = props
        .on_change
        .reform(|_: MouseEvent| ExecutionQuery::default());

    let query = &props.query;
    let deleted_automation = query.automation_id.as_ref().filter(|id| {
        !props
            .automations
            .iter()
            .any(|automation| &automation.id == *id)
    });
    html! {
        <div class="wa-history-filters" role="group" aria-label="Filters">
            <div class="wa-field">
                <label for="history-automation">{ "Automation" }</label>
                <select id="history-automation" class="wa-input" onchange={on_automation}>
                    <option value="" selected={query.automation_id.is_none()}>{ "All automations" }</option>
                    { for props.automations.iter().map(|automation| html! {
                        <option value={automation.id.clone()} selected={query.automation_id.as_ref() == Some(&automation.id)}>{ &automation.name }</option>
                    }) }
                    if let Some(id) = deleted_automation {
                        <option value={id.clone()} selected=true>{ "A deleted automation" }</option>
                    }
                </select>
            </div>
            <div class="wa-field">
                <label for="history-status">{ "Status" }</label>
                <select id="history-status" class="wa-input" onchange={on_status}>
                    <option value="" selected={query.status.is_none()}>{ "All statuses" }</option>
                    { for STATUSES.iter().enumerate().map(|(index, status)| html! {
                        <option value={index.to_string()} selected={query.status == Some(*status)}>{ status_label(*status) }</option>
                    }) }
                </select>
            </div>
            <div class="wa-field">
                <label for="history-from">{ "From" }</label>
                <input id="history-from" class="wa-input" type="datetime-local"
                    value={query.from_ms.map(time_input_value).unwrap_or_default()} onchange={on_from} />
            </div>
            <div class="wa-field">
                <label for="history-to">{ "To" }</label>
                <input id="history-to" class="wa-input" type="datetime-local"
                    value={query.until_ms.map(|until| time_input_value(until - MINUTE_MS)).unwrap_or_default()} onchange={on_to} />
            </div>
            <form class="wa-field wa-history-search" role="search" onsubmit={on_search}>
                <label for="history-text">{ "Text in the URL or body" }</label>
                <div class="wa-history-search-row">
                    <input id="history-text" class="wa-input" type="search" placeholder="e.g. orders/42 or an e-mail address"
                        value={(*text).clone()}
                        oninput={{ let text = text.clone(); Callback::from(move |event: InputEvent| text.set(input_value(&event))) }} />
                    if props.searching {
                        <button type="button" class="wa-button" onclick={props.on_cancel.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                    } else {
                        <button type="submit" class="wa-button">{ "Search" }</button>
                    }
                </div>
            </form>
            if !query.time_range_is_possible() {
                <p class="wa-field-error wa-history-filter-problem" role="alert">{ "“From” is after “To”, so nothing can match. Change one of them." }</p>
            }
            if !query.is_everything() {
                <button type="button" class="wa-button is-quiet wa-history-clear" onclick={on_clear}>{ "Clear filters" }</button>
            }
        </div>
    }
}
