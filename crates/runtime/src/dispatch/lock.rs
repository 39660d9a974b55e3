//! One dispatching tab at a time: the Web Locks API (`navigator.locks.request`) grants the
//! dispatcher lock to one tab; others wait in line and take over when it closes.
//!
//! Called through `Reflect` because web-sys exposes Web Locks only with `--cfg=web_sys_unstable_apis`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

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

/// This tab's place for the dispatcher lock: held (or waited for) until [`DispatcherLock::release`].
#[derive(Clone, Default)]
pub struct DispatcherLock {
    released: Rc<Cell<bool>>,
    /// Resolves the promise the browser holds the lock by, once it is held.
    resolve: Rc<RefCell<Option<js_sys::Function>>>,
}

impl DispatcherLock {
    /// Gives the lock up (or the place in line for it): another tab takes over the outbox.
    pub fn release(&self) {
        self.released.set(true);
        if let Some(resolve) = self.resolve.borrow_mut().take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

/// Runs once, from whichever of two callbacks comes first.
type Once = Rc<RefCell<Option<Box<dyn FnOnce()>>>>;

/// Asks for the dispatcher lock of `database`'s outbox; `on_granted` runs when this tab holds it,
/// which it then keeps until the page goes away or it is released. `None` where the browser has no
/// Web Locks (the caller then dispatches on its own: at worst two tabs both send, each with the
/// delivery's stable id); a request the browser refuses grants at once, for the same reason.
pub fn request_dispatcher_lock(
    database: &str,
    on_granted: impl FnOnce() + 'static,
) -> Option<DispatcherLock> {
    let locks = web_sys::window()
        .and_then(|window| js_sys::Reflect::get(&window.navigator(), &"locks".into()).ok())
        .filter(|locks| !locks.is_undefined())?;
    let request = js_sys::Reflect::get(&locks, &"request".into())
        .and_then(|f| f.dyn_into::<js_sys::Function>())
        .ok()?;
    let lock = DispatcherLock::default();
    let on_granted: Once = Rc::new(RefCell::new(Some(Box::new(on_granted))));
    let grant = {
        let on_granted = on_granted.clone();
        move || {
            if let Some(granted) = on_granted.borrow_mut().take() {
                granted();
            }
        }
    };
    let holder = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new({
        let (lock, grant) = (lock.clone(), grant.clone());
        move |_held| {
            if lock.released.get() {
                // Released while waiting in line: passed on at once.
                return js_sys::Promise::resolve(&JsValue::UNDEFINED);
            }
            grant();
            let resolve = lock.resolve.clone();
            js_sys::Promise::new(&mut |resolved, _| *resolve.borrow_mut() = Some(resolved))
        }
    });
    let requested = request.call2(
        &locks,
        &lock_name(database).into(),
        holder.as_ref().unchecked_ref(),
    );
    // The browser keeps the callback for as long as the page lives.
    holder.forget();
    let Ok(requested) = requested else {
        return None;
    };
    // Refused (a sandboxed frame, say): this page dispatches on its own, as without Web Locks.
    let refused = Closure::<dyn FnMut(JsValue)>::new(move |_| grant());
    // The promise `catch` returns is not needed: the handler is what matters.
    let _ = js_sys::Promise::from(requested).catch(&refused);
    refused.forget();
    Some(lock)
}
