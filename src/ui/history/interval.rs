//! Repeating timers for the history page: retention runs hourly, and a running search redraws its
//! progress a few times a second.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Calls `tick` every `ms` milliseconds until dropped: the guard clears the timer.
pub struct Interval {
    handle: i32,
    // Kept alive while the timer runs: the browser calls it by reference.
    _callback: Closure<dyn FnMut()>,
}

impl Interval {
    pub fn start(ms: u32, tick: impl FnMut() + 'static) -> Interval {
        let callback = Closure::<dyn FnMut()>::new(tick);
        let window = web_sys::window().expect("a window");
        let handle = window
            .set_interval_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                i32::try_from(ms).unwrap_or(i32::MAX),
            )
            .expect("setInterval accepts a function");
        Interval {
            handle,
            _callback: callback,
        }
    }
}

impl Drop for Interval {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_interval_with_handle(self.handle);
        }
    }
}

/// Renders the component again every `ms` milliseconds while `active`.
#[hook]
pub fn use_redraw_every(ms: u32, active: bool) {
    let redraw = use_force_update();
    use_effect_with(active, move |&active| {
        let interval = active.then(|| Interval::start(ms, move || redraw.force_update()));
        move || drop(interval)
    });
}
