//! A value that follows another one a task later. Work that may trail a keystroke by a moment (the
//! live preview renders the whole body, twice) then runs in a task of its own instead of lengthening
//! the keystroke's, so typing in a long body stays smooth while the preview keeps up.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// `value` as it was when the browser last had a moment: the first render's at once, later ones in
/// a task after the render that brought them. Values that come faster than that are coalesced; the
/// latest always shows.
#[hook]
pub fn use_deferred<T: Clone + PartialEq + 'static>(value: T) -> T {
    let shown = use_state(|| value.clone());
    let latest = use_mut_ref(|| value.clone());
    let scheduled = use_memo((), |()| Cell::new(false));
    {
        let shown = shown.clone();
        use_effect_with(value, move |value| {
            *latest.borrow_mut() = value.clone();
            if !scheduled.get() && *shown != *value {
                scheduled.set(true);
                let scheduled = Rc::clone(&scheduled);
                // A one-shot callback, freed once called; after an unmount, setting the state of the
                // gone component does nothing.
                let next_task = Closure::once_into_js(move || {
                    scheduled.set(false);
                    shown.set(latest.borrow().clone());
                });
                if let Some(window) = web_sys::window() {
                    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                        next_task.unchecked_ref(),
                        0,
                    );
                }
            }
        });
    }
    (*shown).clone()
}
