//! Keeping the relay's copy of the configuration (and field catalog) the one this admin saved: every
//! change is put with `If-Match` on the relay's revision last seen, so two admins never silently
//! overwrite each other; a refused put (`412`) becomes a choice for the admin, an unreachable relay
//! a "behind" the page shows until it catches up.

use std::cell::RefCell;

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

/// The relay revision (`ETag`) this page last saw, so each put says what it replaces.
#[derive(Default)]
pub struct RelaySync {
    etag: RefCell<Option<String>>,
    catalog: RefCell<Option<String>>,
}

impl RelaySync {
    /// Puts `document` (and `catalog_json` when it changed) to the relay, unless it already holds
    /// this revision. A relay holding a newer revision, or one changed since this page read it, is a
    /// [`SyncStatus::Conflict`]; nothing is overwritten without the admin.
    pub async fn push(
        &self,
        client: &RelayClient,
        document: &ConfigDocument,
        catalog_json: &str,
    ) -> SyncStatus {
        match self.try_push(client, document, catalog_json).await {
            Ok(status) => status,
            Err(RelayError::ChangedElsewhere) => {
                self.etag.borrow_mut().take();
                match client.config().await {
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
    ) -> SyncStatus {
        *self.etag.borrow_mut() = Some(etag.to_owned());
        self.push(client, document, "").await
    }

    async fn try_push(
        &self,
        client: &RelayClient,
        document: &ConfigDocument,
        catalog_json: &str,
    ) -> Result<SyncStatus, RelayError> {
        let known = self.etag.borrow().clone();
        let etag = match known {
            Some(etag) => etag,
            None => {
                let (theirs, etag) = client.config().await?;
                if theirs.revision == document.revision && same_content(&theirs, document) {
                    *self.etag.borrow_mut() = Some(etag);
                    self.push_catalog(client, catalog_json).await?;
                    return Ok(SyncStatus::InStep {
                        revision: document.revision,
                    });
                }
                if theirs.revision > document.revision {
                    return Ok(conflict(document, theirs, etag));
                }
                etag
            }
        };
        let etag = client.put_config(document, &etag).await?;
        *self.etag.borrow_mut() = Some(etag);
        self.push_catalog(client, catalog_json).await?;
        Ok(SyncStatus::InStep {
            revision: document.revision,
        })
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
