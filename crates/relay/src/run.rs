//! A relay process from start to stop: tokens, NATS (version check), buckets and streams, the
//! configuration, then the HTTP API, the planner and the sender side by side until SIGTERM.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use thiserror::Error;
use tokio::net::TcpListener;
use webhook_engine::runner::FrequencyGuard;

use crate::cli::Settings;
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

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .try_init();
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

async fn refresh(relay: Arc<Relay>) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(REFRESH_EVERY) => {}
            () = relay.shutdown.requested() => return,
        }
        if let Err(error) = relay.state.refresh().await {
            tracing::debug!("configuration not refreshed: {error}");
        }
    }
}
