//! The configuration every relay process runs: the document, the catalog and the credentials, read
//! from their buckets and compiled once (templates, conditions) for many events.
//!
//! Processes do not tell each other about changes; they compare revisions instead. Every event and
//! delivery carries the [`Stamp`] of the state the accepting process had seen, and whoever handles it
//! first catches up to at least that stamp. So an event posted right after a configuration change
//! runs with the new configuration on every process. A background refresh picks up changes for
//! retries that are already queued.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use webhook_engine::catalog::Catalog;
use webhook_engine::config::ConfigDocument;
use webhook_engine::runner::CompiledConfig;

use crate::credentials::{merged, StoredCredentials};
use crate::store::kv::{last_revision, read};
use crate::store::names::{key_for, CATALOG_KEY, DOCUMENT_KEY};
use crate::store::{Store, StoreError};

/// Revisions of the configuration and credentials buckets: a state is at least as new as a stamp when
/// both of its revisions are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stamp {
    pub config: u64,
    pub credentials: u64,
}

impl Stamp {
    pub fn covers(self, other: Stamp) -> bool {
        self.config >= other.config && self.credentials >= other.credentials
    }

    pub fn parse(text: &str) -> Option<Stamp> {
        let (config, credentials) = text.split_once('.')?;
        Some(Stamp {
            config: config.parse().ok()?,
            credentials: credentials.parse().ok()?,
        })
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.config, self.credentials)
    }
}

/// One consistent view of the configuration.
pub struct Snapshot {
    pub stamp: Stamp,
    /// The stored document and its revision (the API's ETag); `None` until one is put.
    pub document: Option<(ConfigDocument, u64)>,
    pub catalog: Arc<Catalog>,
    /// The webhooks (credentials merged) and automations, compiled.
    pub compiled: Arc<CompiledConfig>,
    /// The stored credential records, by webhook id.
    pub credentials: HashMap<String, StoredCredentials>,
    /// Why the stored document does not read (stored by an older version that let through what
    /// this one refuses, say), while it does not: the relay then runs no automation, and says so.
    pub document_problem: Option<String>,
}

impl Snapshot {
    fn empty() -> Snapshot {
        let catalog = Catalog::builtin();
        Snapshot {
            stamp: Stamp::default(),
            document: None,
            compiled: Arc::new(CompiledConfig::compile(&catalog, &[], &[])),
            catalog: Arc::new(catalog),
            credentials: HashMap::new(),
            document_problem: None,
        }
    }
}

pub struct State {
    store: Store,
    current: RwLock<Arc<Snapshot>>,
    /// One reload at a time: many tasks asking for a newer state share it.
    reloading: tokio::sync::Mutex<()>,
}

/// How often a process looks for changes on its own.
pub const REFRESH_EVERY: Duration = Duration::from_secs(2);

impl State {
    pub async fn load(store: Store) -> Result<State, StoreError> {
        let state = State {
            store,
            current: RwLock::new(Arc::new(Snapshot::empty())),
            reloading: tokio::sync::Mutex::new(()),
        };
        state.reload().await?;
        Ok(state)
    }

    pub fn current(&self) -> Arc<Snapshot> {
        self.current.read().expect("state lock").clone()
    }

    /// The buckets' revisions now.
    pub async fn stamp(&self) -> Result<Stamp, StoreError> {
        let (config, credentials) = tokio::try_join!(
            last_revision(&self.store.config),
            last_revision(&self.store.credentials)
        )?;
        Ok(Stamp {
            config,
            credentials,
        })
    }

    /// A state at least as new as `stamp`.
    pub async fn at_least(&self, stamp: Stamp) -> Result<Arc<Snapshot>, StoreError> {
        let current = self.current();
        if current.stamp.covers(stamp) {
            return Ok(current);
        }
        let _one_at_a_time = self.reloading.lock().await;
        let current = self.current();
        if current.stamp.covers(stamp) {
            return Ok(current);
        }
        self.reload_locked().await
    }

    /// The newest state, read now (after this process changed it).
    pub async fn reload(&self) -> Result<Arc<Snapshot>, StoreError> {
        let _one_at_a_time = self.reloading.lock().await;
        self.reload_locked().await
    }

    /// Reloads when the buckets changed since the state in use was read.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let stamp = self.stamp().await?;
        self.at_least(stamp).await.map(drop)
    }

    async fn reload_locked(&self) -> Result<Arc<Snapshot>, StoreError> {
        // The stamp is read first: what follows is at least that new, so no change is missed.
        let stamp = self.stamp().await?;
        let catalog = match read(&self.store.config, CATALOG_KEY).await? {
            Some((json, _)) => match std::str::from_utf8(&json).ok().map(Catalog::from_json) {
                Some(Ok(catalog)) => catalog,
                _ => {
                    tracing::error!("the stored catalog does not read; using the built-in one");
                    Catalog::builtin()
                }
            },
            None => Catalog::builtin(),
        };
        let mut document_problem = None;
        let document = match read(&self.store.config, DOCUMENT_KEY).await? {
            Some((json, revision)) => match std::str::from_utf8(&json) {
                Ok(text) => match ConfigDocument::parse(text) {
                    Ok(document) => Some((document, revision)),
                    Err(error) => {
                        document_problem = Some(error.to_string());
                        None
                    }
                },
                Err(_) => {
                    document_problem = Some("it is not UTF-8 text".to_owned());
                    None
                }
            },
            None => None,
        };
        if let Some(problem) = &document_problem {
            tracing::error!(%problem, "the stored configuration does not read; running none");
        }
        let mut credentials = HashMap::new();
        if let Some((document, _)) = &document {
            for webhook in &document.webhooks {
                if let Some((json, _)) =
                    read(&self.store.credentials, &key_for(&webhook.id)).await?
                {
                    match serde_json::from_slice::<StoredCredentials>(&json) {
                        Ok(stored) => {
                            credentials.insert(webhook.id.clone(), stored);
                        }
                        Err(_) => {
                            tracing::error!(webhook = %webhook.id, "stored credentials do not read; ignored")
                        }
                    }
                }
            }
        }
        let compiled = match &document {
            Some((document, _)) => {
                let webhooks: Vec<_> = document
                    .clone()
                    .into_local(&[])
                    .webhooks
                    .into_iter()
                    .map(|webhook| {
                        let stored = credentials.get(&webhook.id);
                        merged(webhook, stored)
                    })
                    .collect();
                CompiledConfig::compile(&catalog, &webhooks, &document.automations)
            }
            None => CompiledConfig::compile(&catalog, &[], &[]),
        };
        let snapshot = Arc::new(Snapshot {
            stamp,
            document,
            catalog: Arc::new(catalog),
            compiled: Arc::new(compiled),
            credentials,
            document_problem,
        });
        *self.current.write().expect("state lock") = snapshot.clone();
        tracing::debug!(%stamp, "configuration loaded");
        Ok(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_cover_older_ones_and_read_back() {
        let stamp = Stamp {
            config: 7,
            credentials: 3,
        };
        assert!(stamp.covers(Stamp {
            config: 7,
            credentials: 2
        }));
        assert!(!stamp.covers(Stamp {
            config: 8,
            credentials: 0
        }));
        assert_eq!(Stamp::parse(&stamp.to_string()), Some(stamp));
        assert_eq!(Stamp::parse("x.1"), None);
    }
}
