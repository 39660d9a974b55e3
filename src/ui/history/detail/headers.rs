//! A list of HTTP headers, as a two-column table.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HeaderTableProps {
    pub headers: Vec<(String, String)>,
    pub label: AttrValue,
}

#[component]
pub fn HeaderTable(props: &HeaderTableProps) -> Html {
    if props.headers.is_empty() {
        return html! { <p class="wa-muted">{ "None." }</p> };
    }
    html! {
        <table class="wa-history-headers" aria-label={props.label.clone()}>
            <tbody>
                { for props.headers.iter().map(|(name, value)| html! {
                    <tr><th scope="row"><code>{ name }</code></th><td><code>{ value }</code></td></tr>
                }) }
            </tbody>
        </table>
    }
}
