//! The automation editor in a real browser: the field picker inserts at the caret, diagnostics show
//! as the body is typed, and a diagnostic puts the caret where it points (in UTF-16 units).

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{
    Element, Event, EventInit, HtmlInputElement, HtmlTextAreaElement, MouseEvent, MouseEventInit,
};
use webhook_automations::ui::automations::{AutomationEditor, AutomationEditorProps};
use webhook_engine::catalog::Catalog;
use webhook_engine::model::{
    Auth, Automation, Body, ConditionGroup, EventAction, Method, RetryPolicy, Trigger, Webhook,
    WebhookAction,
};
use webhook_engine::template::Row;
use yew::{AppHandle, Callback, Renderer};

use crate::dom::{click, document, find, fresh_root, texts};

const RAW_BODY: &str = "#auto-action-1-raw";

fn webhook() -> Webhook {
    Webhook {
        id: "wh_erp".into(),
        name: "ERP".into(),
        base_url: "https://erp.example/api".into(),
        route: Default::default(),
        auth: Auth::None,
        headers: vec![],
        signing_secret: None,
        timeout_ms: 10_000,
        retry: RetryPolicy::default(),
    }
}

fn automation(body: Body) -> Automation {
    Automation {
        id: "auto_test".into(),
        name: "Won deals".into(),
        enabled: true,
        trigger: Trigger {
            entity: "deal".into(),
            action: EventAction::Updated,
        },
        conditions: ConditionGroup::default(),
        actions: vec![WebhookAction {
            webhook_id: "wh_erp".into(),
            method: Method::Post,
            path: "/orders".into(),
            body,
        }],
    }
}

fn raw(template: &str) -> Body {
    Body::Raw {
        template: template.into(),
    }
}

/// The editor mounted on its own into a fresh element, editing `automation`.
async fn editor(automation: Automation) -> (Element, AppHandle<AutomationEditor>) {
    let root = fresh_root();
    let props = AutomationEditorProps {
        editing: Some(automation),
        catalog: Rc::new(Catalog::builtin()),
        webhooks: Rc::new(vec![webhook()]),
        on_save: Callback::noop(),
        on_cancel: Callback::noop(),
    };
    let handle = Renderer::<AutomationEditor>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    (root, handle)
}

async fn next_task() {
    let next_task = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(next_task)
        .await
        .unwrap();
}

async fn next_frame() {
    let next_frame = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .request_animation_frame(&resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(next_frame)
        .await
        .unwrap();
}

/// Lets the raw editor hand what was typed to the form (in a task once the keystroke's frame is
/// painted), then the preview follow (a task after the form's render), rendering after each.
async fn settle() {
    next_frame().await;
    next_task().await;
    yew::scheduler::flush().await;
    next_task().await;
    yew::scheduler::flush().await;
}

fn textarea(root: &Element) -> HtmlTextAreaElement {
    find(root, RAW_BODY).dyn_into().unwrap()
}

/// Types `text` as the whole value: sets it and fires `input`, as the browser does on typing.
fn type_into(element: &Element, text: &str) {
    if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
        area.set_value(text);
    } else {
        element
            .dyn_ref::<HtmlInputElement>()
            .unwrap()
            .set_value(text);
    }
    fire_input(element);
}

fn fire_input(element: &Element) {
    let init = EventInit::new();
    init.set_bubbles(true);
    element
        .dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

/// Types `text` at the UTF-16 offset `at` of the textarea, as the browser does: the value changes,
/// the caret follows the text, and `input` fires.
fn type_at(area: &HtmlTextAreaElement, at: usize, text: &str) {
    let value = area.value();
    area.set_value(&format!("{}{text}{}", &value[..at], &value[at..]));
    let caret = (at + text.len()) as u32;
    area.set_selection_range(caret, caret).unwrap();
    fire_input(area);
}

/// A valid raw body of about 350 KB, one member per line, the first an empty string to type into;
/// and where that string's text goes.
fn large_body() -> (String, usize) {
    let items: Vec<String> = (0..3000)
        .map(|line| {
            format!(
                "    {{\"line\": {line}, \"deal\": {{{{deal.id}}}}, \"title\": \"Item {line} of {{{{deal.title}}}}\", \"note\": \"Quarterly maintenance for line {line}\"}}"
            )
        })
        .collect();
    let spot = "    {\"typed here\": \"";
    let body = format!("[\n{spot}\"}},\n{}\n]", items.join(",\n"));
    (body, 2 + spot.len())
}

fn is_focused(element: &Element) -> bool {
    document()
        .active_element()
        .is_some_and(|active| active == *element)
}

#[wasm_bindgen_test]
async fn the_field_picker_inserts_the_placeholder_at_the_caret_of_the_raw_body() {
    let (root, handle) = editor(automation(raw("{\"title\": \"Deal  won\"}"))).await;
    let area = textarea(&root);
    // The caret between the two spaces of "Deal  won".
    area.set_selection_range(16, 16).unwrap();

    click(&find(&root, "[aria-label='Insert a field into the body']"));
    yew::scheduler::flush().await;
    let search = find(&root, ".wa-picker-popover input[type=search]");
    assert!(is_focused(&search), "the search box takes the focus");
    type_into(&search, "deal title");
    yew::scheduler::flush().await;
    click(&find(&root, ".wa-picker-option[data-path='deal.title']"));
    yew::scheduler::flush().await;

    assert_eq!(area.value(), "{\"title\": \"Deal {{deal.title}} won\"}");
    assert_eq!(
        area.selection_start().unwrap(),
        Some(16 + 14),
        "the caret follows the field"
    );
    assert!(is_focused(&area), "the focus is back in the body");
    assert!(root.query_selector(".wa-picker-popover").unwrap().is_none());
    settle().await;
    // The draft has it too: the preview renders the sample deal's title into the body.
    let preview = find(&root, ".wa-preview-body").text_content().unwrap();
    assert!(preview.contains("\"title\": \"Deal "), "{preview}");
    assert!(!preview.contains("{{"), "{preview}");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn the_field_picker_inserts_at_the_caret_of_a_key_value_value() {
    let rows = vec![Row::new("title", "Deal !")];
    let (root, handle) = editor(automation(Body::KeyValue { rows })).await;
    let value: HtmlInputElement = find(&root, "#auto-action-1-row-0-value")
        .dyn_into()
        .unwrap();
    value.set_selection_range(5, 5).unwrap();
    click(&find(
        &root,
        "[aria-label='Insert a field into the value of row 1']",
    ));
    yew::scheduler::flush().await;
    click(&find(&root, ".wa-picker-option[data-path='deal.id']"));
    yew::scheduler::flush().await;
    assert_eq!(value.value(), "Deal {{deal.id}}!");
    assert_eq!(value.selection_start().unwrap(), Some(16));
    assert!(is_focused(&value));
    handle.destroy();
}

#[wasm_bindgen_test]
async fn diagnostics_appear_as_the_body_is_typed_underlined_and_listed() {
    let (root, handle) = editor(automation(raw("{\"title\": \"{{deal.title}}\"}"))).await;
    assert!(texts(&root, ".wa-diagnostic").is_empty());

    type_into(&textarea(&root).into(), "{\"title\": \"{{deal.titel}}\"}");
    settle().await;

    let listed = texts(&root, ".wa-diagnostic");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(
        listed[0].contains("Unknown field deal.titel")
            && listed[0].contains("did you mean deal.title?"),
        "{}",
        listed[0]
    );
    assert!(listed[0].contains("Line 1, column 12"), "{}", listed[0]);
    let mark = find(&root, ".wa-code-overlay .wa-mark.is-error");
    assert_eq!(mark.text_content().unwrap(), "{{deal.titel}}");
    assert_eq!(
        mark.get_attribute("title").unwrap(),
        "unknown field deal.titel — did you mean deal.title?"
    );
    // The save area lists it with its place, and saving says why it can't.
    let problems = texts(&root, ".wa-problems.is-error li");
    assert!(
        problems
            .iter()
            .any(|problem| problem.starts_with("Action 1 body 1:12")),
        "{problems:?}"
    );
    assert_eq!(
        find(&root, "button[type=submit]")
            .get_attribute("aria-disabled")
            .as_deref(),
        Some("true")
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn clicking_a_diagnostic_puts_the_caret_at_its_utf16_offset_after_an_emoji() {
    let body = "{\n  \"note\": \"😀 {{deal.titel}}\"\n}";
    let (root, handle) = editor(automation(raw(body))).await;
    let area = textarea(&root);
    area.set_selection_range(0, 0).unwrap();

    click(&find(&root, ".wa-diagnostic"));
    yew::scheduler::flush().await;

    // "{\n" is 2 units, `  "note": "` 11, the emoji 2 and the space 1: the field starts at 16.
    assert_eq!(area.selection_start().unwrap(), Some(16));
    assert_eq!(area.selection_end().unwrap(), Some(16));
    assert!(is_focused(&area));
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_refused_switch_to_key_value_explains_and_keeps_the_raw_text() {
    let body = "{\"deal\": {\"id\": {{deal.id}}}}";
    let (root, handle) = editor(automation(raw(body))).await;
    click(&find(&root, "#auto-action-1-tab-key-value"));
    yew::scheduler::flush().await;
    let refusal = find(&root, ".wa-switch-refusal").text_content().unwrap();
    assert!(
        refusal.starts_with("Can't switch to Key-value:"),
        "{refusal}"
    );
    assert_eq!(textarea(&root).value(), body);
    assert_eq!(
        find(&root, "#auto-action-1-tab-raw")
            .get_attribute("aria-selected")
            .as_deref(),
        Some("true")
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn hovering_an_underlined_field_shows_its_message_on_the_textarea() {
    let (root, handle) = editor(automation(raw("{\"title\": \"{{deal.titel}}\"}"))).await;
    let area = textarea(&root);
    let mark = find(&root, ".wa-code-overlay .wa-mark.is-error");
    // The pointer finds only what is in the viewport, wherever the page is scrolled.
    mark.scroll_into_view();
    let bounds = mark.get_bounding_client_rect();
    let hover = |x: f64, y: f64| {
        let init = MouseEventInit::new();
        init.set_client_x(x as i32);
        init.set_client_y(y as i32);
        init.set_bubbles(true);
        let event = MouseEvent::new_with_mouse_event_init_dict("mousemove", &init).unwrap();
        area.dispatch_event(&event).unwrap();
    };
    hover(
        bounds.x() + bounds.width() / 2.0,
        bounds.y() + bounds.height() / 2.0,
    );
    assert_eq!(
        area.get_attribute("title").as_deref(),
        Some("unknown field deal.titel — did you mean deal.title?")
    );
    hover(bounds.x() - 40.0, bounds.y() + bounds.height() / 2.0);
    assert_eq!(
        area.get_attribute("title"),
        None,
        "no title away from the mark"
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn format_lays_out_the_body_and_a_refusal_changes_nothing() {
    let (root, handle) = editor(automation(raw("{\"a\":1,\"b\":[{{deal.id}}]}"))).await;
    let format = || {
        let buttons = root.query_selector_all(".wa-code-toolbar button").unwrap();
        let button = (0..buttons.length())
            .map(|index| buttons.item(index).unwrap())
            .find(|node| node.text_content().unwrap_or_default() == "Format")
            .unwrap();
        click(button.dyn_ref().unwrap());
    };
    format();
    yew::scheduler::flush().await;
    assert_eq!(
        textarea(&root).value(),
        "{\n  \"a\": 1,\n  \"b\": [\n    {{deal.id}}\n  ]\n}"
    );
    assert_eq!(texts(&root, ".wa-code-gutter"), ["1\n2\n3\n4\n5\n6"]);

    type_into(&textarea(&root).into(), "{\"a\": 1,}");
    yew::scheduler::flush().await;
    format();
    yew::scheduler::flush().await;
    assert_eq!(textarea(&root).value(), "{\"a\": 1,}");
    let refusal = find(&root, ".wa-format-refusal").text_content().unwrap();
    assert!(
        refusal.starts_with("Fix this first, then format: 1:")
            && refusal.contains("trailing comma"),
        "{refusal}"
    );
    handle.destroy();
}

/// The textarea holds `body` with `typed` at `at`, and the caret right after it.
fn assert_typed(area: &HtmlTextAreaElement, body: &str, at: usize, typed: &str) {
    let expected = format!("{}{typed}{}", &body[..at], &body[at..]);
    assert!(area.value() == expected, "the textarea lost what was typed");
    assert_eq!(
        area.selection_start().unwrap(),
        Some((at + typed.len()) as u32),
        "the caret stays after what was typed"
    );
}

#[wasm_bindgen_test]
async fn keystrokes_that_come_before_the_form_has_caught_up_are_kept_with_the_caret() {
    let (body, at) = large_body();
    let (root, handle) = editor(automation(raw(&body))).await;
    let area = textarea(&root);
    area.focus().unwrap();
    // Checking and rendering the form for 350 KB takes longer than Yew's 16 ms slice (in this debug
    // build), so Yew lets the browser run between the render and its effects: a keystroke can come in
    // between, and the effects then bring props older than the textarea.
    // A keystroke right after another, while the form renders for the first...
    type_at(&area, at, "a");
    next_task().await;
    type_at(&area, at + 1, "b");
    settle().await;
    settle().await;
    assert_typed(&area, &body, at, "ab");
    // ... and one after the editor handed the text over, once its frame was painted.
    type_at(&area, at + 2, "c");
    next_frame().await;
    next_task().await;
    type_at(&area, at + 3, "d");
    settle().await;
    settle().await;
    assert_typed(&area, &body, at, "abcd");

    // Setting the whole value (as this test types) scrolls the textarea: back to the top.
    area.set_scroll_top(0);
    area.dispatch_event(&Event::new("scroll").unwrap()).unwrap();
    let overlay = find(&root, ".wa-code-lines").text_content().unwrap();
    assert!(
        overlay.contains("\"typed here\": \"abcd\""),
        "the overlay shows it: {}",
        &overlay[..200]
    );
    // The form has it too: the preview renders it.
    let preview = find(&root, ".wa-preview-body").text_content().unwrap();
    assert!(preview.contains("\"typed here\": \"abcd\""), "{preview}");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_long_body_draws_the_lines_in_view_with_their_numbers_wherever_it_is_scrolled() {
    let (body, _) = large_body();
    let (root, handle) = editor(automation(raw(&body))).await;
    let area = textarea(&root);
    let drawn = || {
        let numbers = find(&root, ".wa-code-numbers").text_content().unwrap();
        let numbers: Vec<usize> = numbers.split('\n').map(|n| n.parse().unwrap()).collect();
        (numbers, texts(&root, ".wa-code-lines > div"))
    };
    let lines: Vec<&str> = body.lines().collect();
    let (numbers, shown) = drawn();
    assert_eq!(numbers.first(), Some(&1));
    assert_eq!(shown.first().map(String::as_str), Some("["));
    assert!(
        numbers.len() < 100,
        "{} lines drawn of {}",
        numbers.len(),
        lines.len()
    );

    area.set_scroll_top(2_000 * 20);
    area.dispatch_event(&Event::new("scroll").unwrap()).unwrap();
    let (numbers, shown) = drawn();
    assert!(numbers.contains(&2_001), "{numbers:?}");
    assert_eq!(numbers.len(), shown.len());
    for (number, text) in numbers.iter().zip(&shown) {
        assert_eq!(text, lines[number - 1].trim(), "line {number}");
    }
    assert_eq!(
        find(&root, ".wa-code-gutter")
            .get_attribute("style")
            .as_deref(),
        Some("min-width: 4ch"),
        "as wide as the last line's number"
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_keystroke_is_drawn_in_its_own_task_and_the_form_checks_it_once_the_frame_is_painted() {
    let (body, at) = large_body();
    let (root, handle) = editor(automation(raw(&body))).await;
    let area = textarea(&root);
    area.focus().unwrap();
    // A backslash before the closing quote leaves the string open: an error once checked.
    type_at(&area, at, "\\");
    let overlay = find(&root, ".wa-code-lines").text_content().unwrap();
    assert!(
        overlay.contains("\"typed here\": \"\\\"},"),
        "drawn before anything else runs: {}",
        &overlay[..200]
    );
    settle().await;
    let listed = texts(&root, ".wa-diagnostic.is-error");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0].starts_with("Line 2, column"), "{}", listed[0]);
    handle.destroy();
}
