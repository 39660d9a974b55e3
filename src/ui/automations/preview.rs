//! The live preview of an action: the request it would send for the sample record of the trigger,
//! built by the engine as a real run builds it (credentials masked), updated as the draft changes.

use std::rc::Rc;

use webhook_engine::editor::preview::preview_action;
use webhook_engine::model::{Automation, Webhook};
use yew::prelude::*;

use crate::ui::automations::deferred::use_deferred;
use crate::ui::automations::reference::{sample, use_catalog};

/// A long body's preview shows this many lines until asked for all: laying out a 100 KB preview
/// again on every keystroke would slow typing down, and the start of a body is what shows whether
/// the fields land as meant.
const SHOWN_LINES: usize = 200;

#[derive(Properties, PartialEq)]
pub struct ActionPreviewPanelProps {
    pub automation: Rc<Automation>,
    /// Which action of the automation, from 0.
    pub action: usize,
    pub webhooks: Rc<Vec<Webhook>>,
}

#[component]
pub fn ActionPreviewPanel(props: &ActionPreviewPanelProps) -> Html {
    let show_all = use_state(|| false);
    let catalog = use_catalog();
    let (automation, webhooks) = use_deferred((props.automation.clone(), props.webhooks.clone()));
    let preview = use_memo(
        (catalog, automation, webhooks, props.action),
        |(catalog, automation, webhooks, action)| {
            preview_action(catalog, &sample(), automation, *action, webhooks)
        },
    );
    html! {
        <section class="wa-preview" aria-label={format!("Preview of action {}", props.action + 1)}>
            <h4>{ "Preview" }</h4>
            <p class="wa-preview-event">{ "With the sample event: " }<span>{ &preview.event_summary }</span></p>
            <div class="wa-preview-request">
                <span class="wa-method">{ preview.method.as_str() }</span>
                { match &preview.url {
                    Ok(url) => html! { <code class="wa-preview-url">{ url }</code> },
                    Err(why) => html! { <span class="wa-preview-error">{ format!("No URL yet: {}", why) }</span> },
                } }
            </div>
            if !preview.headers.is_empty() {
                <ul class="wa-preview-headers" aria-label="Headers">
                    { for preview.headers.iter().map(|(name, value)| html! {
                        <li><code>{ format!("{name}: {value}") }</code></li>
                    }) }
                </ul>
            }
            { match &preview.body {
                Ok(body) => {
                    let cut = body.match_indices('\n').nth(SHOWN_LINES - 1).map(|(at, _)| at).filter(|_| !*show_all);
                    let show = { let show_all = show_all.clone(); Callback::from(move |_: MouseEvent| show_all.set(true)) };
                    html! {
                        <>
                            <pre class="wa-preview-body" aria-label="Body">{ &body[..cut.unwrap_or(body.len())] }</pre>
                            if let Some(at) = cut {
                                <p class="wa-preview-more">
                                    { format!("… {} more lines. ", body[at..].matches('\n').count()) }
                                    <button type="button" class="wa-button is-small" onclick={show}>{ "Show the whole body" }</button>
                                </p>
                            }
                        </>
                    }
                }
                Err(why) => html! {
                    <p class="wa-preview-error">{ "No body yet, because of this problem:" }<code class="wa-preview-detail">{ why }</code></p>
                },
            } }
        </section>
    }
}
