//! Connecting to NATS, with the checks that turn a wrong set-up into one clear line at start-up.

use std::time::Duration;

use async_nats::{ConnectOptions, ServerAddr};
use thiserror::Error;

use crate::cli::{without_userinfo, Settings};

/// The oldest nats-server the relay works with. Older servers (Debian's 2.9.10) cannot create the
/// KV buckets that `async-nats` 0.52 asks for.
pub const MIN_SERVER_VERSION: (u64, u64, u64) = (2, 10, 0);
/// The version the relay's tests and bench run against (bootstrap installs it).
pub const TESTED_SERVER_VERSION: &str = "2.15.1";

#[derive(Debug, Error)]
pub enum ConnectError {
    #[error("cannot read the NATS credentials file {path}: {reason}")]
    Credentials { path: String, reason: String },
    #[error("cannot reach NATS at {urls}: {reason}")]
    Unreachable { urls: String, reason: String },
    #[error("nats-server {found} at {urls} is too old: the relay needs nats-server {}.{}.{} or newer (tested with {TESTED_SERVER_VERSION}); `make bootstrap` installs {TESTED_SERVER_VERSION} into .tools/bin", MIN_SERVER_VERSION.0, MIN_SERVER_VERSION.1, MIN_SERVER_VERSION.2)]
    TooOld { found: String, urls: String },
}

/// A connection to the NATS server(s) of `settings`: reconnecting for ever once made, since the relay
/// can do nothing without NATS but must not lose the work it holds over a restart of it.
pub async fn connect(settings: &Settings) -> Result<async_nats::Client, ConnectError> {
    let urls = settings
        .nats_urls
        .iter()
        .map(|url| without_userinfo(url))
        .collect::<Vec<_>>()
        .join(",");
    let mut options = ConnectOptions::new()
        .name("webhook-relay")
        .connection_timeout(Duration::from_secs(5))
        .max_reconnects(None)
        .event_callback(|event| async move {
            match event {
                async_nats::Event::Connected => tracing::info!("NATS connection (re)established"),
                async_nats::Event::Disconnected => {
                    tracing::warn!("NATS connection lost; reconnecting")
                }
                other => tracing::warn!("NATS: {other}"),
            }
        });
    if let Some(path) = &settings.nats_creds {
        options =
            options
                .credentials_file(path)
                .await
                .map_err(|error| ConnectError::Credentials {
                    path: path.display().to_string(),
                    reason: error.to_string(),
                })?;
    }
    if let Some(ca) = &settings.nats_tls_ca {
        options = options.add_root_certificates(ca.clone()).require_tls(true);
    }
    let addresses: Vec<ServerAddr> = settings
        .nats_urls
        .iter()
        .map(|url| url.parse().expect("checked when the flags were read"))
        .collect();
    let client = options
        .connect(addresses)
        .await
        .map_err(|error| ConnectError::Unreachable {
            urls: urls.clone(),
            reason: error.to_string(),
        })?;
    let found = client.server_info().version;
    if !new_enough(&found) {
        return Err(ConnectError::TooOld { found, urls });
    }
    Ok(client)
}

/// Whether a server version (`2.15.1`, `2.11.0-RC.3`) is at least [`MIN_SERVER_VERSION`]; an unreadable
/// version is let through rather than guessed at.
fn new_enough(version: &str) -> bool {
    let numbers: Vec<u64> = version
        .trim_start_matches('v')
        .split(['.', '-', '+'])
        .take(3)
        .map_while(|part| part.parse().ok())
        .collect();
    match numbers.as_slice() {
        [major, minor, patch] => (*major, *minor, *patch) >= MIN_SERVER_VERSION,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_compared_as_numbers() {
        assert!(new_enough("2.15.1"));
        assert!(new_enough("2.10.0"));
        assert!(new_enough("2.11.0-RC.3"));
        assert!(new_enough("3.0.0"));
        assert!(!new_enough("2.9.10"));
        assert!(!new_enough("2.2.0"));
        assert!(new_enough("weird"));
    }
}
