//! Work that may trail a keystroke by a moment runs in a task of its own instead of lengthening the
//! keystroke's, so typing in a long body stays smooth while the rest of the editor keeps up: a value
//! that follows another one a task later (the live preview renders the whole body, twice), and work
//! run once the keystroke's frame is painted (the body checked again, the form redrawn).

use std::cell::{Cell, RefCell};
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

/// Work that may trail a keystroke by a frame (the body checked again, the form redrawn) runs after
/// the browser has painted the keystroke's frame, in a task of its own: what was typed shows first.
/// Requests made before it runs are coalesced into one run of the latest request.
#[derive(Default)]
pub struct AfterNextPaint {
    pending: Rc<Pending>,
}

/// The work waiting for the next paint, if any.
type Pending = RefCell<Option<Box<dyn FnOnce()>>>;

impl AfterNextPaint {
    pub fn request(&self, work: impl FnOnce() + 'static) {
        let already_scheduled = self.pending.replace(Some(Box::new(work))).is_some();
        let Some(window) = web_sys::window().filter(|_| !already_scheduled) else {
            return;
        };
        let pending = Rc::clone(&self.pending);
        let after_paint = Closure::once_into_js(move || run(&pending));
        // An animation-frame callback runs just before its frame is rendered; a task it posts runs
        // once the frame is.
        let before_paint = Closure::once_into_js(move || {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                    after_paint.unchecked_ref(),
                    0,
                );
            }
        });
        let _ = window.request_animation_frame(before_paint.unchecked_ref());
    }

    /// Runs the pending work now, if any: when the text leaves the editor (its focus goes elsewhere)
    /// the rest of the form must have it before anything else happens.
    pub fn flush(&self) {
        run(&self.pending);
    }
}

fn run(pending: &Pending) {
    // Taken first: the work may request more.
    let work = pending.take();
    if let Some(work) = work {
        work();
    }
}
