//! "Copy as cURL": the stored request (credentials already masked) as a shell command, put on the
//! clipboard; where the browser refuses the clipboard, the command shows selected, ready to copy.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use webhook_engine::request::{to_curl, RedactedRequest};
use webhook_engine::runner::{StoredRequest, REQUEST_BODY_LIMIT};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CopyAsCurlProps {
    pub request: StoredRequest,
}

#[derive(Clone, PartialEq)]
enum Copied {
    No,
    Yes,
    /// The clipboard was refused: the command to copy by hand.
    Refused(String),
}

#[component]
pub fn CopyAsCurl(props: &CopyAsCurlProps) -> Html {
    let copied = use_state(|| Copied::No);
    let fallback = use_node_ref();
    {
        let fallback = fallback.clone();
        use_effect_with((*copied).clone(), move |copied| {
            if let (Copied::Refused(_), Some(area)) =
                (copied, fallback.cast::<web_sys::HtmlTextAreaElement>())
            {
                area.select();
            }
        });
    }
    let on_copy = {
        let (request, copied) = (props.request.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            let command = to_curl(&RedactedRequest {
                method: request.method,
                url: request.url.clone(),
                headers: request.headers.clone(),
                body: request.body.clone(),
                secrets_masked: request.secrets_masked.unwrap_or(false),
            });
            let copied = copied.clone();
            wasm_bindgen_futures::spawn_local(async move {
                copied.set(match write_to_clipboard(&command).await {
                    Ok(()) => Copied::Yes,
                    Err(()) => Copied::Refused(command),
                });
            });
        })
    };
    html! {
        <div class="wa-history-curl">
            <button type="button" class="wa-button" onclick={on_copy}>{ "Copy as cURL" }</button>
            if *copied == Copied::Yes {
                <span class="wa-history-copied" role="status">{ "Copied — credentials are masked (••••••); put them back before running it." }</span>
            }
            if props.request.body_truncated {
                <p class="wa-muted">{ format!("The body was stored cut at {} KB, so the command sends the cut body.", REQUEST_BODY_LIMIT / 1024) }</p>
            }
            if let Copied::Refused(command) = &*copied {
                <div class="wa-history-curl-fallback">
                    <label for="history-curl-text">{ "The browser did not allow copying. Select the command below and copy it (Ctrl+C or ⌘C):" }</label>
                    <textarea id="history-curl-text" class="wa-input wa-mono" rows="8" readonly=true ref={fallback} value={command.clone()} />
                </div>
            }
        </div>
    }
}

/// `navigator.clipboard.writeText`; `Err` when there is no clipboard (an insecure page) or the
/// browser refused it (no permission, the page not focused).
async fn write_to_clipboard(text: &str) -> Result<(), ()> {
    let navigator = web_sys::window().ok_or(())?.navigator();
    let clipboard = Reflect::get(&navigator, &JsValue::from_str("clipboard")).map_err(|_| ())?;
    if clipboard.is_undefined() || clipboard.is_null() {
        return Err(());
    }
    let clipboard: web_sys::Clipboard = clipboard.unchecked_into();
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| ())
}
