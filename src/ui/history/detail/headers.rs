//! A list of HTTP headers, as a two-column table.

use yew::prelude::*;

pub fn header_table(headers: &[(String, String)], label: &str) -> Html {
    if headers.is_empty() {
        return html! { <p class="wa-muted">{ "None." }</p> };
    }
    html! {
        <table class="wa-history-headers" aria-label={label.to_owned()}>
            <tbody>
                { for headers.iter().map(|(name, value)| html! {
                    <tr><th scope="row"><code>{ name }</code></th><td><code>{ value }</code></td></tr>
                }) }
            </tbody>
        </table>
    }
}
