//! A relay process from start to stop: tokens, NATS (version check), buckets and streams, the
//! configuration, then the HTTP API, the planner and the sender side by side until SIGTERM.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use thiserror::Error;
use tokio::net::TcpListener;
use webhook_engine::runner::FrequencyGuard;

use crate::cli::Settings;
use crate::credentials::sweep;
use crate::metrics::Metrics;
use crate::sender::Slots;
use crate::shutdown::{self, Shutdown, Trigger};
use crate::ssrf::Guard;
use crate::state::{State, REFRESH_EVERY};
use crate::store::{
    connect, setup, ConnectError, Names, SetupError, Store, StoreError, StoreSettings,
};
use crate::tokens::{Role, TokenError, TokenSource, Tokens};
use crate::transport::HttpTransport;
use crate::{api, planner, sender};

/// Everything a process's tasks share.
pub struct Relay {
    pub settings: Settings,
    pub store: Store,
    pub state: State,
    pub transport: HttpTransport,
    pub metrics: Metrics,
    pub tokens: Tokens,
    /// The loop guard, per process (see docs/relay.md).
    pub loop_guard: Mutex<FrequencyGuard>,
    pub slots: Slots,
    pub shutdown: Shutdown,
}

#[derive(Debug, Error)]
pub enum StartError {
    #[error(transparent)]
    Tokens(#[from] TokenError),
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error("cannot read the configuration from NATS: {0}")]
    Configuration(StoreError),
    #[error("cannot set up the HTTP client: {0}")]
    HttpClient(String),
    #[error("cannot listen on {address}: {reason}")]
    Listen { address: String, reason: String },
}

pub async fn run(settings: Settings) -> Result<(), StartError> {
    init_logging();
    let tokens = Tokens::load(
        TokenSource::new(
            Role::Admin,
            settings.admin_token_file.clone(),
            std::env::var("WEBHOOK_RELAY_ADMIN_TOKEN").ok(),
        ),
        TokenSource::new(
            Role::Events,
            settings.events_token_file.clone(),
            std::env::var("WEBHOOK_RELAY_EVENTS_TOKEN").ok(),
        ),
    )?;
    let client = connect(&settings).await?;
    let store = setup(
        client.clone(),
        Names::new(settings.namespace.as_deref()),
        &StoreSettings {
            replicas: settings.replicas,
            retention: settings.retention,
            ack_wait: settings.ack_wait,
        },
    )
    .await?;
    let state = State::load(store.clone())
        .await
        .map_err(StartError::Configuration)?;
    let transport = HttpTransport::new(
        Guard {
            allow_private: settings.allow_private,
        },
        &settings.resolve,
    )
    .map_err(|error| StartError::HttpClient(error.to_string()))?;
    let listener =
        TcpListener::bind(settings.listen)
            .await
            .map_err(|error| StartError::Listen {
                address: settings.listen.to_string(),
                reason: error.to_string(),
            })?;
    let address = listener.local_addr().map_err(|error| StartError::Listen {
        address: settings.listen.to_string(),
        reason: error.to_string(),
    })?;

    let (trigger, shutdown) = shutdown::channel();
    let relay = Arc::new(Relay {
        loop_guard: Mutex::new(FrequencyGuard::new(settings.max_runs_per_minute)),
        settings,
        store,
        state,
        transport,
        metrics: Metrics::default(),
        tokens,
        slots: Slots::default(),
        shutdown: shutdown.clone(),
    });
    tracing::info!(
        %address,
        allow_private = relay.settings.allow_private,
        replicas = relay.settings.replicas,
        "webhook-relay started"
    );
    // The one line on stdout, for scripts (`--listen 127.0.0.1:0`).
    println!("webhook-relay listening on http://{address}");
    let _ = std::io::stdout().flush();

    tokio::spawn(signals(relay.clone(), trigger));
    tokio::spawn(refresh(relay.clone()));
    let planner = tokio::spawn(planner::run(relay.clone()));
    let sender = tokio::spawn(sender::run(relay.clone()));
    let stopping = shutdown.clone();
    let served = axum::serve(listener, api::router(relay.clone()))
        .with_graceful_shutdown(async move { stopping.requested().await })
        .await;
    if let Err(error) = served {
        tracing::error!("the HTTP server stopped: {error}");
    }
    let _ = planner.await;
    let _ = sender.await;
    let _ = relay.store.client.flush().await;
    tracing::info!("webhook-relay stopped");
    Ok(())
}

/// Logs on stderr at `RUST_LOG` (default `info`). Below `info` only the relay's own lines are kept,
/// whatever `RUST_LOG` says: at `debug` and `trace` the libraries log what passes through them —
/// async-nats every JetStream answer (the credentials bucket's records among them, base64 in JSON)
/// and every server address it tries (a NATS password in the URL), hyper, h2 and reqwest the requests
/// they carry.
fn init_logging() {
    use tracing_subscriber::filter::{filter_fn, EnvFilter};
    use tracing_subscriber::prelude::*;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_filter(filter)
        .with_filter(filter_fn(|metadata| {
            may_log(metadata.target(), *metadata.level())
        }));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Whether a line of `level` from `target` may reach the log at all: every line of the relay's own,
/// only `info` and above of any other crate.
fn may_log(target: &str, level: tracing::Level) -> bool {
    let own = target == "webhook_relay" || target.starts_with("webhook_relay::");
    own || level <= tracing::Level::INFO
}

/// SIGTERM and Ctrl-C stop the process; SIGHUP reads the token files again.
async fn signals(relay: Arc<Relay>, trigger: Trigger) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut terminate), Ok(mut hangup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        tracing::error!("cannot listen for signals");
        return;
    };
    loop {
        tokio::select! {
            _ = terminate.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
            _ = hangup.recv() => match relay.tokens.reload() {
                Ok(()) => tracing::info!("token files read again"),
                Err(error) => tracing::error!("token files not reloaded, the tokens in force stay: {error}"),
            },
        }
    }
    tracing::info!("stopping: finishing the attempts in flight");
    trigger.stop();
}

/// Looks for configuration changes every [`REFRESH_EVERY`], and sweeps the credentials under each
/// configuration once it is seen (at start too): the sweep of the request that stored it may have been
/// cut short by a crash or NATS.
async fn refresh(relay: Arc<Relay>) {
    let mut swept_under = None;
    loop {
        let snapshot = relay.state.current();
        if let Some((document, revision)) = &snapshot.document {
            if swept_under != Some(*revision) {
                match sweep(&relay.store, document, *revision).await {
                    Ok(removed) => {
                        swept_under = Some(*revision);
                        if !removed.is_empty() {
                            if let Err(error) = relay.state.reload().await {
                                tracing::debug!("configuration not reloaded: {error}");
                            }
                        }
                    }
                    Err(error) => tracing::debug!("credentials not swept: {error}"),
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(REFRESH_EVERY) => {}
            () = relay.shutdown.requested() => return,
        }
        if let Err(error) = relay.state.refresh().await {
            tracing::debug!("configuration not refreshed: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use tracing::Level;

    use super::may_log;

    #[test]
    fn libraries_never_log_below_info() {
        for target in [
            "async_nats",
            "async_nats::connector",
            "hyper::proto",
            "h2",
            "reqwest::connect",
            "rustls",
            "webhook_relayx",
        ] {
            assert!(may_log(target, Level::INFO), "{target}");
            assert!(may_log(target, Level::WARN), "{target}");
            assert!(!may_log(target, Level::DEBUG), "{target}");
            assert!(!may_log(target, Level::TRACE), "{target}");
        }
        assert!(may_log("webhook_relay", Level::TRACE));
        assert!(may_log("webhook_relay::state", Level::DEBUG));
    }
}
