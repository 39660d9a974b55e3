//! The app mounts into any element, renders its navigation, and moves between sections.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use webhook_automations::mount;

use crate::dom::{click, find, fresh_root, texts};
use crate::runtime::with_runtime;

/// Embedded in a CRM page: no sandbox, whose user switch would let anyone act as an admin.
const SECTION_TITLES: [&str; 4] = ["Webhooks", "Automations", "Execution history", "Settings"];

/// The standalone app's page asks for the sandbox.
const STANDALONE_TITLES: [&str; 5] = [
    "Webhooks",
    "Automations",
    "Execution history",
    "Sandbox CRM",
    "Settings",
];

#[wasm_bindgen_test]
async fn mounts_into_a_fresh_element_and_renders_the_navigation() {
    let root = fresh_root();
    let mut app = mount(root.clone(), with_runtime("{}")).unwrap();
    yew::scheduler::flush().await;

    assert_eq!(texts(&root, ".wa-nav-link"), SECTION_TITLES);
    assert_eq!(find(&root, "h1").text_content().unwrap(), "Webhooks");
    assert_eq!(
        find(&root, "[aria-current=page]")
            .get_attribute("data-section")
            .as_deref(),
        Some("webhooks")
    );

    app.destroy();
    yew::scheduler::flush().await;
    assert_eq!(
        root.child_element_count(),
        0,
        "destroy leaves nothing behind"
    );
}

#[wasm_bindgen_test]
async fn every_section_opens_from_the_navigation_without_touching_the_url_when_embedded() {
    let root = fresh_root();
    let url_before = web_sys::window().unwrap().location().href().unwrap();
    let mut app = mount(root.clone(), with_runtime("{}")).unwrap();
    yew::scheduler::flush().await;

    for title in SECTION_TITLES.iter().rev() {
        let link = root.query_selector_all(".wa-nav-link").unwrap();
        let link = (0..link.length())
            .map(|index| link.item(index).unwrap())
            .find(|node| node.text_content().unwrap_or_default().trim() == *title)
            .unwrap();
        click(link.dyn_ref().unwrap());
        yew::scheduler::flush().await;
        assert_eq!(find(&root, "h1").text_content().unwrap(), *title);
        assert_eq!(texts(&root, "[aria-current=page]"), [*title]);
    }
    assert_eq!(
        web_sys::window().unwrap().location().href().unwrap(),
        url_before
    );
    app.destroy();
}

#[wasm_bindgen_test]
async fn standalone_mode_opens_the_section_named_in_the_url_and_follows_it() {
    let location = web_sys::window().unwrap().location();
    location.set_hash("#/history").unwrap();
    let root = fresh_root();
    let mut app = mount(
        root.clone(),
        with_runtime(r#"{"hashRouting": true, "sandbox": true}"#),
    )
    .unwrap();
    yew::scheduler::flush().await;
    assert_eq!(texts(&root, ".wa-nav-link"), STANDALONE_TITLES);
    assert_eq!(
        find(&root, "h1").text_content().unwrap(),
        "Execution history"
    );

    click(&find(&root, "[data-section=settings]"));
    yew::scheduler::flush().await;
    assert_eq!(location.hash().unwrap(), "#/settings");
    assert_eq!(find(&root, "h1").text_content().unwrap(), "Settings");

    // The back button and typed URLs arrive as `hashchange` events, after the hash is set.
    let changed = hash_change();
    location.set_hash("#/sandbox").unwrap();
    changed.await;
    yew::scheduler::flush().await;
    assert_eq!(find(&root, "h1").text_content().unwrap(), "Sandbox CRM");

    app.destroy();
    location.set_hash("").unwrap();
}

async fn hash_change() {
    let window = web_sys::window().unwrap();
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let options = web_sys::AddEventListenerOptions::new();
        options.set_once(true);
        window
            .add_event_listener_with_callback_and_add_event_listener_options(
                "hashchange",
                &resolve,
                &options,
            )
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// `mount`'s error message for `options`, or `None` when it mounted.
fn mount_error(root: &web_sys::Element, options: JsValue) -> Option<String> {
    match mount(root.clone(), options) {
        Ok(mut app) => {
            app.destroy();
            None
        }
        Err(error) => {
            let error = JsValue::from(error);
            js_sys::Reflect::get(&error, &JsValue::from_str("message"))
                .unwrap()
                .as_string()
        }
    }
}

#[wasm_bindgen_test]
fn bad_mount_options_are_refused_with_a_message_that_says_what_is_wrong() {
    let root = fresh_root();
    let json = with_runtime;

    // The app sends nothing itself: without the page's runtime module it cannot run, and says so.
    for options in [
        JsValue::UNDEFINED,
        js_sys::JSON::parse(r#"{"hashRouting": false}"#).unwrap(),
        js_sys::JSON::parse(r#"{"runtime": {"emit": 1}}"#).unwrap(),
    ] {
        let missing = mount_error(&root, options).unwrap();
        assert!(
            missing.starts_with(
                "mount options: `runtime` must be the module webhook-automations-runtime.js"
            ),
            "{missing}"
        );
    }

    let unknown = mount_error(&root, json(r#"{"hashrouting": true}"#)).unwrap();
    assert!(unknown.contains("unknown field `hashrouting`"), "{unknown}");
    assert!(
        unknown.contains("hashRouting"),
        "names the options it knows: {unknown}"
    );

    let user = mount_error(&root, json(r#"{"user": {"id": 7, "name": "Ana"}}"#)).unwrap();
    assert!(
        user.starts_with("mount options: the user is not valid: missing field `email`"),
        "{user}"
    );

    // A wrong-typed value may be a secret: the message names the problem, not the value.
    let secret =
        json(r#"{"user": {"id": 7, "name": "Ana", "email": "a@x.test", "is_admin": "hunter2"}}"#);
    let secret = mount_error(&root, secret).unwrap();
    assert!(secret.contains("invalid type"), "{secret}");
    assert!(!secret.contains("hunter2"), "{secret}");

    // Values JSON cannot carry: a cycle, a BigInt.
    let cyclic = js_sys::Object::new();
    js_sys::Reflect::set(&cyclic, &JsValue::from_str("self"), &cyclic).unwrap();
    let options = json("{}");
    js_sys::Reflect::set(&options, &JsValue::from_str("user"), &cyclic).unwrap();
    let cycle = mount_error(&root, options).unwrap();
    assert!(cycle.contains("not a JSON value"), "{cycle}");
    let options = json("{}");
    js_sys::Reflect::set(
        &options,
        &JsValue::from_str("config"),
        &js_sys::BigInt::from(1u64),
    )
    .unwrap();
    let big = mount_error(&root, options).unwrap();
    assert!(big.contains("not a JSON value"), "{big}");

    assert_eq!(
        root.child_element_count(),
        0,
        "a refused mount renders nothing"
    );
    assert_eq!(mount_error(&root, json(r#"{"hashRouting": false}"#)), None);
}
