//! Keeping the relay's copy of the configuration (and field catalog) the one this admin saved: every
//! change is put with `If-Match` on the relay's revision last seen, so two admins never silently
//! overwrite each other; a refused put (`412`) becomes a choice for the admin, an unreachable relay
//! a "behind" the page shows until it catches up.

use std::cell::{Cell, RefCell};

use webhook_engine::config::ConfigDocument;

use super::{RelayClient, RelayError};

/// Where the relay's copy stands, as the pages show it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum SyncStatus {
    /// No relay with an admin token: nothing to keep in step.
    #[default]
    Unknown,
    /// The relay holds this revision.
    InStep { revision: u64 },
    /// The relay's copy is older and could not be updated; tried again soon.
    Behind { reason: String },
    /// The relay's copy was changed elsewhere: the admin chooses which to keep.
    Conflict(Box<Conflict>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The relay's document, and its `ETag` (for "keep mine").
    pub theirs: ConfigDocument,
    pub etag: String,
    /// What differs, in words: "ERP (webhook): only here", …
    pub differences: Vec<String>,
}

/// The relay revision (`ETag`) this page last saw, so each put says what it replaces; one put at a
/// time (two at once would carry the same `If-Match`, and the second would look like a conflict).
#[derive(Default)]
pub struct RelaySync {
    etag: RefCell<Option<String>>,
    catalog: RefCell<Option<String>>,
    /// The newest configuration asked for while a put is under way.
    queued: RefCell<Option<(RelayClient, ConfigDocument, u64, String)>>,
    in_flight: Cell<bool>,
    /// The configuration revision the relay is known to hold.
    held: Cell<u64>,
}

impl RelaySync {
    /// Puts `document` (and `catalog_json` when it changed) to the relay, unless it already holds
    /// it. `base` is the revision this page's configuration was read at (before its own changes):
    /// a relay whose copy changed since — a newer revision than `base` with other content, or a
    /// change since this page's last put — is a [`SyncStatus::Conflict`]; nothing is overwritten
    /// without the admin. While a put is under way the newest document waits for it and `None` is
    /// returned: the put under way reports.
    pub async fn push(
        &self,
        client: &RelayClient,
        document: &ConfigDocument,
        base: u64,
        catalog_json: &str,
    ) -> Option<SyncStatus> {
        *self.queued.borrow_mut() = Some((
            client.clone(),
            document.clone(),
            base,
            catalog_json.to_owned(),
        ));
        if self.in_flight.replace(true) {
            return None;
        }
        let mut status = SyncStatus::Unknown;
        loop {
            let next = self.queued.borrow_mut().take();
            let Some((client, document, base, catalog_json)) = next else {
                break;
            };
            status = self.push_one(&client, &document, base, &catalog_json).await;
        }
        self.in_flight.set(false);
        Some(status)
    }

    /// The configuration revision the relay is known to hold (0: none known).
    pub fn held_revision(&self) -> u64 {
        self.held.get()
    }

    async fn push_one(
        &self,
        client: &RelayClient,
        document: &ConfigDocument,
        base: u64,
        catalog_json: &str,
    ) -> SyncStatus {
        match self.try_push(client, document, base, catalog_json).await {
            Ok(status) => status,
            Err(RelayError::ChangedElsewhere) => {
                self.etag.borrow_mut().take();
                match client.config().await {
                    Ok((theirs, etag)) if same_content(&theirs, document) => self
                        .in_step_with(client, theirs.revision, etag, catalog_json)
                        .await
                        .unwrap_or_else(behind),
                    Ok((theirs, etag)) => conflict(document, theirs, etag),
                    Err(error) => behind(error),
                }
            }
            Err(error) => behind(error),
        }
    }

    /// "Keep mine": puts `document` over the relay's copy the admin has seen (`etag`).
    pub async fn overwrite(
        &self,
        client: &RelayClient,
        document: &ConfigDocument,
        etag: &str,
    ) -> Option<SyncStatus> {
        *self.etag.borrow_mut() = Some(etag.to_owned());
        self.push(client, document, document.revision, "").await
    }

    async fn try_push(
        &self,
        client: &RelayClient,
        document: &ConfigDocument,
        base: u64,
        catalog_json: &str,
    ) -> Result<SyncStatus, RelayError> {
        let known = self.etag.borrow().clone();
        let etag = match known {
            Some(etag) => etag,
            None => {
                let (theirs, etag) = client.config().await?;
                // The same content at a revision as new or newer (a "Keep mine" put it above the
                // relay's): nothing to put, and the relay refuses to go back anyway.
                if theirs.revision >= document.revision && same_content(&theirs, document) {
                    return self
                        .in_step_with(client, theirs.revision, etag, catalog_json)
                        .await;
                }
                if theirs.revision > base && !same_content(&theirs, document) {
                    return Ok(conflict(document, theirs, etag));
                }
                etag
            }
        };
        let etag = client.put_config(document, &etag).await?;
        *self.etag.borrow_mut() = Some(etag);
        self.held.set(document.revision);
        self.push_catalog(client, catalog_json).await?;
        Ok(SyncStatus::InStep {
            revision: document.revision,
        })
    }

    /// The relay already holds this content (at `revision`, as new as this page's or newer):
    /// nothing to put but the catalog.
    async fn in_step_with(
        &self,
        client: &RelayClient,
        revision: u64,
        etag: String,
        catalog_json: &str,
    ) -> Result<SyncStatus, RelayError> {
        *self.etag.borrow_mut() = Some(etag);
        self.held.set(revision);
        self.push_catalog(client, catalog_json).await?;
        Ok(SyncStatus::InStep { revision })
    }

    async fn push_catalog(
        &self,
        client: &RelayClient,
        catalog_json: &str,
    ) -> Result<(), RelayError> {
        if catalog_json.is_empty() || self.catalog.borrow().as_deref() == Some(catalog_json) {
            return Ok(());
        }
        client.put_catalog(catalog_json.to_owned()).await?;
        *self.catalog.borrow_mut() = Some(catalog_json.to_owned());
        Ok(())
    }
}

fn behind(error: RelayError) -> SyncStatus {
    SyncStatus::Behind {
        reason: error.to_string(),
    }
}

fn conflict(mine: &ConfigDocument, theirs: ConfigDocument, etag: String) -> SyncStatus {
    SyncStatus::Conflict(Box::new(Conflict {
        differences: mine.differences_from(&theirs),
        theirs,
        etag,
    }))
}

fn same_content(a: &ConfigDocument, b: &ConfigDocument) -> bool {
    a.webhooks == b.webhooks && a.automations == b.automations
}
