//! The line above the table: how many executions match, a search's progress, or why loading stopped.

use webhook_engine::history::describe::thousands;
use yew::prelude::*;

use crate::storage::ScanControl;
use crate::ui::history::interval::use_redraw_every;
use crate::ui::history::rows::RowsProblem;

/// How often a running search redraws its progress.
const PROGRESS_EVERY_MS: u32 = 250;

#[derive(Properties, PartialEq)]
pub struct ResultSummaryProps {
    pub loaded: usize,
    pub total: Option<u32>,
    pub complete: bool,
    pub loading: bool,
    pub problem: Option<RowsProblem>,
    /// Whether the query narrows anything (the wording says "match").
    pub filtered: bool,
    /// Whether the query searches text, the read that can take long and shows its progress.
    pub text_search: bool,
    /// The running read: its count of records looked at is the progress.
    pub control: ScanControl,
    pub on_reload: Callback<()>,
}

#[component]
pub fn ResultSummary(props: &ResultSummaryProps) -> Html {
    let searching = props.loading && props.text_search;
    use_redraw_every(PROGRESS_EVERY_MS, searching);
    let executions = |count: u64| match count {
        1 => "1 execution".to_owned(),
        count => format!("{} executions", thousands(count)),
    };
    let found = props.loaded as u64;
    let text = match &props.problem {
        Some(RowsProblem::Failed(message)) => {
            return html! {
                <p class="wa-history-summary is-problem" role="alert">
                    { format!("The history could not be read: {message} ") }
                    <button type="button" class="wa-button is-small" onclick={props.on_reload.reform(|_: MouseEvent| ())}>{ "Try again" }</button>
                </p>
            };
        }
        Some(RowsProblem::Stopped { checked }) => format!(
            "Search cancelled after looking at {} — showing the {} found so far.",
            executions(*checked),
            thousands(found)
        ),
        None if searching => format!(
            "Searching… {} looked at, {} found.",
            executions(props.control.checked()),
            thousands(found)
        ),
        None if props.loading && found == 0 => "Loading…".to_owned(),
        None => {
            let count = match (props.complete, props.total) {
                (true, _) => executions(found),
                (false, Some(total)) => executions(u64::from(total)),
                (false, None) => format!("{} so far — scroll for more", executions(found)),
            };
            if props.filtered {
                format!("{count} match these filters.")
            } else {
                format!("{count}, newest first.")
            }
        }
    };
    html! { <p class="wa-history-summary" role="status" aria-live="polite">{ text }</p> }
}
