//! The condition trace: each condition of the automation, the values it compared and its result.

use serde_json::Value;
use webhook_engine::conditions::ConditionTrace;
use webhook_engine::history::describe::condition_number;
use yew::prelude::*;

/// `values_hidden`: the record's values are not shown to this user.
pub fn trace_table(trace: &[ConditionTrace], values_hidden: bool) -> Html {
    if trace.is_empty() {
        return html! { <p class="wa-muted">{ "The automation has no conditions: it runs for every event of its trigger." }</p> };
    }
    let record_value = |value: Option<&Value>| {
        if values_hidden {
            html! { <span class="wa-muted">{ "hidden" }</span> }
        } else {
            json_cell(value)
        }
    };
    html! {
        <table class="wa-table wa-history-trace" aria-label="Conditions">
            <thead>
                <tr>
                    <th scope="col">{ "#" }</th>
                    <th scope="col">{ "Field" }</th>
                    <th scope="col">{ "Operator" }</th>
                    <th scope="col">{ "Expected" }</th>
                    <th scope="col">{ "Actual" }</th>
                    <th scope="col">{ "Previous" }</th>
                    <th scope="col">{ "Result" }</th>
                </tr>
            </thead>
            <tbody>
                { for trace.iter().map(|condition| html! {
                    <tr>
                        <td>{ condition_number(&condition.index_path) }</td>
                        <td><code>{ &condition.field }</code></td>
                        <td>{ condition.operator.label() }</td>
                        <td>{ json_cell(condition.expected.as_ref()) }</td>
                        <td>{ record_value(Some(&condition.actual)) }</td>
                        <td>{ if condition.operator.needs_previous() { record_value(condition.previous.as_ref()) } else { json_cell(None) } }</td>
                        <td>
                            if condition.result {
                                <span class="wa-badge is-success">{ "true" }</span>
                            } else {
                                <span class="wa-badge is-error">{ "false" }</span>
                            }
                        </td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// A value as compact JSON (so text shows its quotes and `null` reads as null); a dash when absent.
fn json_cell(value: Option<&Value>) -> Html {
    match value {
        None => html! { <span class="wa-muted">{ "—" }</span> },
        Some(value) => html! { <code>{ value.to_string() }</code> },
    }
}
