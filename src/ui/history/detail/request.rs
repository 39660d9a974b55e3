//! The request as it was sent: method, URL, headers (credentials masked when stored) and body.

use webhook_engine::history::describe::display_body;
use webhook_engine::runner::{StoredRequest, REQUEST_BODY_LIMIT};
use yew::prelude::*;

use crate::ui::history::detail::headers::header_table;

/// `details_hidden`: headers and body are not shown to this user.
pub fn request_view(request: Option<&StoredRequest>, details_hidden: bool) -> Html {
    let Some(request) = request else {
        return html! { <p class="wa-muted">{ "No request was built, for the reason above, so nothing was sent." }</p> };
    };
    html! {
        <>
            <p class="wa-preview-request">
                <span class="wa-method">{ request.method.as_str() }</span>
                <code class="wa-preview-url">{ &request.url }</code>
            </p>
            if !details_hidden {
                <h4>{ "Headers" }</h4>
                { header_table(&request.headers, "Request headers") }
                <h4>{ "Body" }</h4>
                <pre class="wa-history-body wa-mono">{ display_body(&request.body) }</pre>
                if request.body_truncated {
                    <p class="wa-muted">{ format!("(truncated at {} KB)", REQUEST_BODY_LIMIT / 1024) }</p>
                }
            }
        </>
    }
}
