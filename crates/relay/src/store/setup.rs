//! Creating (or updating) the buckets, streams and consumers at start-up. Every relay process does
//! this; it is idempotent, so processes can start in any order. In a cluster that is still electing
//! its JetStream leader, start-up waits for it for a while instead of failing at once.

use std::time::{Duration, Instant};

use async_nats::jetstream::consumer::{pull, AckPolicy, DeliverPolicy, PullConsumer};
use async_nats::jetstream::stream::{self, DiscardPolicy, RetentionPolicy, StorageType, Stream};
use async_nats::jetstream::{self, kv};
use thiserror::Error;

use super::names::{Names, PLANNER, SENDER};
use super::Store;

/// What the stores are created with.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    pub replicas: usize,
    /// How long executions and event claims are kept.
    pub retention: Duration,
    pub ack_wait: Duration,
}

#[derive(Debug, Error)]
pub enum SetupError {
    #[error("NATS has no JetStream here: start nats-server with -js (and a -sd data folder)")]
    NoJetStream,
    #[error("cannot create the relay's {what} in JetStream: {reason}")]
    Create { what: String, reason: String },
}

/// How long start-up waits for a cluster to be ready.
const READY_WAIT: Duration = Duration::from_secs(60);

/// Window in which a second publication with the same `Nats-Msg-Id` is dropped by JetStream. It
/// only shortens the path for quick duplicates: what makes them harmless is the event claim and the
/// execution records (see `planner`).
const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

pub async fn setup(
    client: async_nats::Client,
    names: Names,
    settings: &StoreSettings,
) -> Result<Store, SetupError> {
    let js = jetstream::new(client.clone());
    let started = Instant::now();
    loop {
        match js.query_account().await {
            Ok(_) => break,
            Err(error) => {
                let text = error.to_string();
                // A server without -js answers at once with "JetStream not enabled"; a cluster that
                // is still forming answers "temporarily unavailable" or not at all.
                if text.contains("not enabled") {
                    return Err(SetupError::NoJetStream);
                }
                if started.elapsed() > READY_WAIT {
                    return Err(SetupError::Create {
                        what: "account information".into(),
                        reason: text,
                    });
                }
                tracing::info!("waiting for JetStream to be ready: {text}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }

    let replicas = settings.replicas;
    let config = retrying("configuration bucket", || {
        js.create_or_update_key_value(kv::Config {
            bucket: names.config_bucket(),
            description: "webhook-relay: the configuration document and the field catalog".into(),
            history: 1,
            storage: StorageType::File,
            num_replicas: replicas,
            ..Default::default()
        })
    })
    .await?;
    let credentials = retrying("credentials bucket", || {
        js.create_or_update_key_value(kv::Config {
            bucket: names.credentials_bucket(),
            description: "webhook-relay: webhook credentials (secrets), by webhook id".into(),
            history: 1,
            storage: StorageType::File,
            num_replicas: replicas,
            ..Default::default()
        })
    })
    .await?;
    let claims = retrying("event claims bucket", || {
        js.create_or_update_key_value(kv::Config {
            bucket: names.claims_bucket(),
            description: "webhook-relay: ids of accepted events, each kept for the retention"
                .into(),
            history: 1,
            max_age: settings.retention,
            storage: StorageType::File,
            num_replicas: replicas,
            ..Default::default()
        })
    })
    .await?;

    let events = stream_named(
        &js,
        "events stream",
        stream::Config {
            name: names.events_stream(),
            description: Some("webhook-relay: accepted events waiting to be planned".into()),
            subjects: vec![names.events_subject()],
            retention: RetentionPolicy::WorkQueue,
            max_age: settings.retention,
            duplicate_window: DUPLICATE_WINDOW,
            storage: StorageType::File,
            num_replicas: replicas,
            ..Default::default()
        },
    )
    .await?;
    let deliveries = stream_named(
        &js,
        "deliveries stream",
        stream::Config {
            name: names.deliveries_stream(),
            description: Some("webhook-relay: deliveries to make or retry (a work queue)".into()),
            subjects: vec![names.deliveries_subject()],
            retention: RetentionPolicy::WorkQueue,
            max_age: settings.retention,
            duplicate_window: DUPLICATE_WINDOW,
            storage: StorageType::File,
            num_replicas: replicas,
            ..Default::default()
        },
    )
    .await?;
    let executions = stream_named(
        &js,
        "executions stream",
        stream::Config {
            name: names.executions_stream(),
            description: Some(
                "webhook-relay: the execution history, the latest state of each execution".into(),
            ),
            subjects: vec![names.executions_subjects()],
            retention: RetentionPolicy::Limits,
            max_messages_per_subject: 1,
            max_age: settings.retention,
            discard: DiscardPolicy::Old,
            storage: StorageType::File,
            num_replicas: replicas,
            ..Default::default()
        },
    )
    .await?;

    let planner = consumer(&events, PLANNER, Duration::from_secs(30)).await?;
    let sender = consumer(&deliveries, SENDER, settings.ack_wait).await?;
    Ok(Store {
        client,
        js,
        names,
        config,
        credentials,
        claims,
        events,
        deliveries,
        executions,
        planner,
        sender,
    })
}

async fn stream_named(
    js: &jetstream::Context,
    what: &str,
    config: stream::Config,
) -> Result<Stream, SetupError> {
    let name = config.name.clone();
    retrying(what, || js.create_or_update_stream(config.clone())).await?;
    retrying(what, || js.get_stream(&name)).await
}

/// A durable pull consumer shared by every relay process. Redeliveries are unlimited: the engine's
/// retry policy decides when a delivery ends, and a delivery whose process died must be picked up
/// however often that happens.
async fn consumer(
    stream: &Stream,
    name: &str,
    ack_wait: Duration,
) -> Result<PullConsumer, SetupError> {
    let config = pull::Config {
        durable_name: Some(name.into()),
        description: Some(format!(
            "webhook-relay {name}, shared by every relay process"
        )),
        deliver_policy: DeliverPolicy::All,
        ack_policy: AckPolicy::Explicit,
        ack_wait,
        max_deliver: -1,
        // Deliveries waiting for a retry (negatively acknowledged with a delay) count as pending:
        // a long outage of one endpoint must not hold back every other webhook's deliveries.
        max_ack_pending: 1_000_000,
        max_waiting: 4096,
        ..Default::default()
    };
    retrying(&format!("{name} consumer"), || {
        stream.create_consumer(config.clone())
    })
    .await
}

/// Runs `create` until it succeeds or [`READY_WAIT`] has passed (a cluster electing leaders).
async fn retrying<T, E, F, Fut>(what: &str, mut create: F) -> Result<T, SetupError>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let started = Instant::now();
    loop {
        match create().await {
            Ok(value) => return Ok(value),
            Err(error) if started.elapsed() < READY_WAIT => {
                tracing::info!("creating the {what}: {error}; trying again");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(error) => {
                return Err(SetupError::Create {
                    what: what.into(),
                    reason: error.to_string(),
                })
            }
        }
    }
}
