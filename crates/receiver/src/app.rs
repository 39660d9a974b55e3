//! The shared state every connection works with: configuration, store, CORS policy, and
//! the one-line-per-request log on stderr.

use crate::config::Config;
use crate::cors::CorsPolicy;
use crate::store::Store;

pub struct App {
    pub config: Config,
    pub store: Store,
    pub cors: CorsPolicy,
}

impl App {
    pub fn new(config: Config, store: Store) -> App {
        App {
            cors: CorsPolicy::new(config.cors),
            config,
            store,
        }
    }

    /// One short line on stderr, unless `--quiet`.
    pub fn log(&self, line: &str) {
        if !self.config.quiet {
            eprintln!("{line}");
        }
    }
}
