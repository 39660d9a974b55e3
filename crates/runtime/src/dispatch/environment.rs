//! The engine runner's environment in a browser: the page's clock, `Math.random`, Web Crypto ids and
//! `setTimeout` waits.

use webhook_engine::runner::Environment;

use crate::http::sleep_ms;
use crate::random::new_id;

#[derive(Debug, Default, Clone, Copy)]
pub struct BrowserEnvironment;

impl Environment for BrowserEnvironment {
    fn now_ms(&self) -> i64 {
        js_sys::Date::now() as i64
    }

    fn random_unit(&mut self) -> f64 {
        js_sys::Math::random()
    }

    fn new_id(&mut self) -> String {
        new_id("msg")
    }

    async fn sleep_ms(&self, ms: u64) {
        sleep_ms(ms).await;
    }
}
