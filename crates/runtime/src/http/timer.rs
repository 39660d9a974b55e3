//! Timers as futures: waits between retries, and a timeout that can be cancelled.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Resolves after `ms` milliseconds (`setTimeout`).
pub async fn sleep_ms(ms: u64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().expect("a window");
        let delay = i32::try_from(ms).unwrap_or(i32::MAX);
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, delay);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Runs `on_fire` after `ms` milliseconds unless dropped first: the guard clears the timer.
pub struct Timeout {
    handle: i32,
    // Kept alive until the timer is cleared: the browser calls it by reference.
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    pub fn start(ms: u32, on_fire: impl FnOnce() + 'static) -> Timeout {
        let mut on_fire = Some(on_fire);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(fire) = on_fire.take() {
                fire();
            }
        });
        let window = web_sys::window().expect("a window");
        let delay = i32::try_from(ms).unwrap_or(i32::MAX);
        let handle = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                delay,
            )
            .expect("setTimeout accepts a function");
        Timeout {
            handle,
            _callback: callback,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.handle);
        }
    }
}
