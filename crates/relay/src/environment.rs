//! The engine's [`Environment`] on a server: the system clock, the operating system's randomness,
//! random ids for replays and test sends. The relay never sleeps through it: retries wait in NATS.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use webhook_engine::runner::Environment;

#[derive(Debug, Default, Clone, Copy)]
pub struct RelayEnvironment;

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64)
}

impl Environment for RelayEnvironment {
    fn now_ms(&self) -> i64 {
        now_ms()
    }

    fn random_unit(&mut self) -> f64 {
        rand::random::<f64>()
    }

    /// `msg_` and 96 random bits, like the browser's ids.
    fn new_id(&mut self) -> String {
        let bytes: [u8; 12] = rand::random();
        let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        format!("msg_{hex}")
    }

    async fn sleep_ms(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}
