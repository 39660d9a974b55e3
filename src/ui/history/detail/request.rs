//! The request as it was sent: method, URL, headers (credentials masked when stored) and body.

use webhook_engine::history::describe::display_body;
use webhook_engine::runner::{StoredRequest, REQUEST_BODY_LIMIT};
use yew::prelude::*;

use crate::ui::history::detail::headers::HeaderTable;

#[derive(Properties, PartialEq)]
pub struct RequestViewProps {
    pub request: Option<StoredRequest>,
    /// Headers and body are not shown to this user.
    pub details_hidden: bool,
}

#[component]
pub fn RequestView(props: &RequestViewProps) -> Html {
    let Some(request) = &props.request else {
        return html! { <p class="wa-muted">{ "No request was built, for the reason above, so nothing was sent." }</p> };
    };
    html! {
        <>
            <p class="wa-preview-request">
                <span class="wa-method">{ request.method.as_str() }</span>
                <code class="wa-preview-url">{ &request.url }</code>
            </p>
            if !props.details_hidden {
                <h4>{ "Headers" }</h4>
                <HeaderTable headers={request.headers.clone()} label="Request headers" />
                <h4>{ "Body" }</h4>
                <pre class="wa-history-body wa-mono">{ display_body(&request.body) }</pre>
                if request.body_truncated {
                    <p class="wa-muted">{ format!("(truncated at {} KB)", REQUEST_BODY_LIMIT / 1024) }</p>
                }
            }
        </>
    }
}
