//! One dispatching tab at a time: the Web Locks API (`navigator.locks.request`) grants the
//! dispatcher lock to one tab; others wait in line and take over when it closes.
//!
//! Called through `Reflect` because web-sys exposes Web Locks only with `--cfg=web_sys_unstable_apis`.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::storage::DATABASE_NAME;

const LOCK_NAME: &str = "webhook-automations:dispatcher";

/// One lock per outbox, that is per database. The app's own database keeps the lock's original
/// name, so a tab still running the previous build and a new one never both dispatch.
fn lock_name(database: &str) -> String {
    if database == DATABASE_NAME {
        LOCK_NAME.to_string()
    } else {
        format!("{LOCK_NAME}:{database}")
    }
}

/// Asks for the dispatcher lock of `database`'s outbox; `on_granted` runs when this tab holds it,
/// which it then keeps for the page's lifetime. Returns false where the browser has no Web Locks
/// (the caller then dispatches on its own: at worst two tabs both send, each with the delivery's
/// stable id).
pub fn request_dispatcher_lock(database: &str, on_granted: impl FnOnce() + 'static) -> bool {
    let Some(locks) = web_sys::window()
        .and_then(|window| js_sys::Reflect::get(&window.navigator(), &"locks".into()).ok())
        .filter(|locks| !locks.is_undefined())
    else {
        return false;
    };
    let Ok(request) = js_sys::Reflect::get(&locks, &"request".into())
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    else {
        return false;
    };
    let mut on_granted = Some(on_granted);
    let holder = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |_lock| {
        if let Some(granted) = on_granted.take() {
            granted();
        }
        // Never resolves: the lock is released only when the page goes away.
        js_sys::Promise::new(&mut |_, _| {})
    });
    let requested = request
        .call2(
            &locks,
            &lock_name(database).into(),
            holder.as_ref().unchecked_ref(),
        )
        .is_ok();
    // The browser keeps the callback for as long as the page lives.
    holder.forget();
    requested
}
