//! Small DOM helpers shared by the browser tests.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

pub fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A new, empty element attached to the page, so each test mounts into a root of its own.
pub fn fresh_root() -> Element {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    root
}

pub fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

pub fn texts(root: &Element, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .map(|index| {
            nodes
                .item(index)
                .unwrap()
                .text_content()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .collect()
}

pub fn click(element: &Element) {
    element.dyn_ref::<HtmlElement>().unwrap().click();
}
