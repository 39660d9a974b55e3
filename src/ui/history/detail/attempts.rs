//! Every attempt at sending: when, how long, how it ended, what the endpoint answered, and the wait
//! before the next one and why.

use webhook_engine::history::describe::{
    display_body, format_duration, headers_hidden_by_cors, outcome_in_words,
};
use webhook_engine::runner::{Attempt, ResponseSummary, Status, RESPONSE_BODY_LIMIT};
use yew::prelude::*;

use crate::ui::history::detail::headers::header_table;
use crate::ui::history::time::local_time;
use crate::ui::widgets::capitalize;

/// `shown`: whether an answer's headers and body are shown (not to users who are not admins, and not
/// where the page does not hold them).
pub fn attempt_list(
    attempts: &[Attempt],
    status: Status,
    shown: impl Fn(&ResponseSummary) -> bool,
) -> Html {
    if attempts.is_empty() {
        let text = if status == Status::Pending {
            "Not sent yet."
        } else {
            "Never sent."
        };
        return html! { <p class="wa-muted">{ text }</p> };
    }
    html! {
        <ol class="wa-history-attempts">
            { for attempts.iter().map(|attempt| html! {
                <li class="wa-history-attempt">
                    <h4>{ format!("Attempt {}", attempt.number) }</h4>
                    <p class="wa-history-attempt-line">
                        { format!("Started {} · took {} · {}",
                            local_time(attempt.started_at_ms),
                            format_duration(attempt.duration_ms),
                            capitalize(&outcome_in_words(attempt.outcome))) }
                    </p>
                    if let Some(response) = &attempt.response {
                        { response_view(attempt.number, response, !shown(response)) }
                    }
                    if let Some(delay) = attempt.retry_in {
                        <p class="wa-history-retry">{ format!("Then {delay}.") }</p>
                    }
                </li>
            }) }
        </ol>
    }
}

fn response_view(number: u32, response: &ResponseSummary, details_hidden: bool) -> Html {
    if details_hidden {
        return Html::default();
    }
    html! {
        <>
            <h5>{ "Response headers" }</h5>
            { header_table(&response.headers, &format!("Response headers of attempt {number}")) }
            if headers_hidden_by_cors(&response.headers) {
                <p class="wa-muted wa-history-cors-note">{ "The browser showed only its standard headers: the endpoint exposes no others to this page (Access-Control-Expose-Headers), so any other headers it sent are hidden here." }</p>
            }
            <h5>{ "Response body" }</h5>
            if response.body_excerpt.is_empty() {
                <p class="wa-muted">{ "Empty." }</p>
            } else {
                <pre class="wa-history-body wa-mono">{ display_body(&response.body_excerpt) }</pre>
            }
            if response.body_truncated {
                <p class="wa-muted">{ format!("(the first {} KB)", RESPONSE_BODY_LIMIT / 1024) }</p>
            }
        </>
    }
}
