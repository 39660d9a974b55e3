//! Promise and event plumbing shared by [`open`](super::open) and [`transaction`](super::transaction).
//!
//! Every event handler is a one-shot closure handed to the JS garbage collector
//! (`Closure::into_js_value`), so a handler that never fires (`blocked` on most opens, `abort` on
//! most transactions) is freed with its request instead of leaking, and a request we stopped
//! waiting for (an open that was blocked) can still finish safely later.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, IdbVersionChangeEvent};

/// A promise and the functions that settle it.
pub(crate) fn deferred() -> (Promise, Function, Function) {
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let (resolve, reject) = settle.expect("the Promise executor runs at once");
    (promise, resolve, reject)
}

pub(crate) fn once(handler: impl FnOnce(Event) + 'static) -> JsValue {
    Closure::<dyn FnMut(Event)>::once(handler).into_js_value()
}

pub(crate) fn once_version_change(
    handler: impl FnOnce(IdbVersionChangeEvent) + 'static,
) -> JsValue {
    Closure::<dyn FnMut(IdbVersionChangeEvent)>::once(handler).into_js_value()
}

/// The global `setTimeout`, in a window or a worker.
pub(crate) fn set_timeout(callback: &JsValue, ms: i32) -> Result<JsValue, JsValue> {
    let global = js_sys::global();
    let set_timeout: Function =
        Reflect::get(&global, &JsValue::from_str("setTimeout"))?.dyn_into()?;
    set_timeout.call2(&global, callback, &JsValue::from(ms))
}
