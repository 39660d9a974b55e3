//! Webhooks and automations: the local copy of the configuration (secrets included: they are only
//! ever kept in this browser), and its revision (engine `ConfigDocument::revision`), kept in the
//! settings store and changed in the same transaction as every change of the configuration.

use std::future::IntoFuture;

use serde::Serialize;
use wasm_bindgen::JsValue;
use webhook_engine::config::{next_revision, ConfigDocument, ImportedConfig};
use webhook_engine::model::{Automation, Webhook};
use webhook_engine::order;

use super::codec::{from_record, to_js};
use super::errors::StorageError;
use super::schema::{AUTOMATIONS, SETTINGS, WEBHOOKS};
use super::transaction::{Durability, Tx};
use super::{ChangeNotice, Store};

/// Everything configured in this browser, each list sorted by name (case-insensitively).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocalConfig {
    pub webhooks: Vec<Webhook>,
    pub automations: Vec<Automation>,
    pub revision: u64,
}

/// Where the configuration's revision is kept in the settings store.
const REVISION_KEY: &str = "config_revision";

#[derive(Serialize)]
struct RevisionRecord {
    key: &'static str,
    value: u64,
}

/// The revision a write gives the configuration.
enum NewRevision {
    /// A change made here: later than the one before (and than `at_least`).
    After { at_least: u64 },
    /// A configuration handed over as it is, at its own revision.
    Exactly(u64),
}

impl Store {
    pub async fn load_config(&self) -> Result<LocalConfig, StorageError> {
        let tx = Tx::read(self.db()?, &[WEBHOOKS, AUTOMATIONS, SETTINGS])?;
        // Every request goes out before any is awaited.
        let webhooks = tx.store(WEBHOOKS)?.get_all(None, None)?.into_future();
        let automations = tx.store(AUTOMATIONS)?.get_all(None, None)?.into_future();
        let revision = read_revision(&tx);
        let webhooks = webhooks.await?;
        let automations = automations.await?;
        let revision = revision.await?;

        let mut webhooks = webhooks
            .into_iter()
            .map(|value| from_record::<Webhook>(value, "webhook", WEBHOOKS, "id"))
            .collect::<Result<Vec<_>, _>>()?;
        let mut automations = automations
            .into_iter()
            .map(|value| from_record::<Automation>(value, "automation", AUTOMATIONS, "id"))
            .collect::<Result<Vec<_>, _>>()?;
        sort_by_name(&mut webhooks, &mut automations);
        Ok(LocalConfig {
            webhooks,
            automations,
            revision,
        })
    }

    /// Adds or replaces the webhook with `webhook.id`; the configuration's new revision.
    pub async fn put_webhook(&self, webhook: &Webhook) -> Result<u64, StorageError> {
        self.put_config(WEBHOOKS, to_js(webhook)?).await
    }

    pub async fn delete_webhook(&self, id: &str) -> Result<u64, StorageError> {
        self.delete_config(WEBHOOKS, id).await
    }

    /// Adds or replaces the automation with `automation.id`; the configuration's new revision.
    pub async fn put_automation(&self, automation: &Automation) -> Result<u64, StorageError> {
        self.put_config(AUTOMATIONS, to_js(automation)?).await
    }

    pub async fn delete_automation(&self, id: &str) -> Result<u64, StorageError> {
        self.delete_config(AUTOMATIONS, id).await
    }

    /// Adopts a configuration document (an import, or the configuration the embedding CRM shares)
    /// in one transaction: the webhooks stored at that moment give the credentials that still apply
    /// (the engine's [`ConfigDocument::into_local`] rule), and the result replaces every webhook and
    /// automation. Reading and writing in one transaction means no in-memory copy — however early or
    /// stale — can ever decide which credentials are kept.
    ///
    /// `as_handed_over`: the document keeps its own revision (a configuration the host shares, the
    /// same in every browser); otherwise (an import) the configuration gets a new, later revision.
    pub async fn adopt_document(
        &self,
        document: ConfigDocument,
        as_handed_over: bool,
    ) -> Result<ImportedConfig, StorageError> {
        let rule = if as_handed_over {
            NewRevision::Exactly(document.revision)
        } else {
            NewRevision::After {
                at_least: document.revision,
            }
        };
        let tx = Tx::write(
            self.db()?,
            &[WEBHOOKS, AUTOMATIONS, SETTINGS],
            Durability::Strict,
        )?;
        let stored = tx.store(WEBHOOKS)?.get_all(None, None)?.await?;
        let stored = stored
            .into_iter()
            .map(|value| from_record::<Webhook>(value, "webhook", WEBHOOKS, "id"))
            .collect::<Result<Vec<_>, _>>()?;
        let mut imported = document.into_local(&stored);
        let webhooks = imported
            .webhooks
            .iter()
            .map(to_js)
            .collect::<Result<Vec<_>, _>>()?;
        let automations = imported
            .automations
            .iter()
            .map(to_js)
            .collect::<Result<Vec<_>, _>>()?;
        imported.revision = new_revision(&tx, rule).await?;
        fill(&tx, &webhooks, &automations)?;
        put_revision(&tx, imported.revision)?;
        tx.commit().await?;
        self.notify(ChangeNotice::Config);
        sort_by_name(&mut imported.webhooks, &mut imported.automations);
        Ok(imported)
    }

    /// Replaces every webhook and automation in one transaction, so either all of the new
    /// configuration is saved or the old one stays exactly as it was; the new revision.
    pub async fn replace_config(
        &self,
        webhooks: &[Webhook],
        automations: &[Automation],
    ) -> Result<u64, StorageError> {
        // Everything is converted before the transaction starts.
        let webhooks = webhooks.iter().map(to_js).collect::<Result<Vec<_>, _>>()?;
        let automations = automations
            .iter()
            .map(to_js)
            .collect::<Result<Vec<_>, _>>()?;

        let tx = Tx::write(
            self.db()?,
            &[WEBHOOKS, AUTOMATIONS, SETTINGS],
            Durability::Strict,
        )?;
        let revision = new_revision(&tx, NewRevision::After { at_least: 0 }).await?;
        fill(&tx, &webhooks, &automations)?;
        put_revision(&tx, revision)?;
        tx.commit().await?;
        self.notify(ChangeNotice::Config);
        Ok(revision)
    }

    async fn put_config(&self, store: &str, value: JsValue) -> Result<u64, StorageError> {
        let tx = Tx::write(self.db()?, &[store, SETTINGS], Durability::Strict)?;
        let revision = new_revision(&tx, NewRevision::After { at_least: 0 }).await?;
        tx.store(store)?.put(&value, None)?;
        put_revision(&tx, revision)?;
        tx.commit().await?;
        self.notify(ChangeNotice::Config);
        Ok(revision)
    }

    async fn delete_config(&self, store: &str, id: &str) -> Result<u64, StorageError> {
        let tx = Tx::write(self.db()?, &[store, SETTINGS], Durability::Strict)?;
        let revision = new_revision(&tx, NewRevision::After { at_least: 0 }).await?;
        tx.store(store)?.delete(JsValue::from_str(id))?;
        put_revision(&tx, revision)?;
        tx.commit().await?;
        self.notify(ChangeNotice::Config);
        Ok(revision)
    }
}

/// The configuration's revision as `tx` (which holds the settings store) sees it: 0 before any.
async fn read_revision(tx: &Tx) -> Result<u64, StorageError> {
    let record = tx
        .store(SETTINGS)?
        .get(JsValue::from_str(REVISION_KEY))?
        .await?;
    Ok(record
        .and_then(|record| js_sys::Reflect::get(&record, &JsValue::from_str("value")).ok())
        .and_then(|value| value.as_f64())
        .map_or(0, |value| value as u64))
}

/// The revision `rule` gives, read within `tx` — before the transaction's writes, so a write the
/// browser refuses (a repeated id) reports itself rather than cancelling this read.
async fn new_revision(tx: &Tx, rule: NewRevision) -> Result<u64, StorageError> {
    Ok(match rule {
        NewRevision::Exactly(revision) => revision,
        NewRevision::After { at_least } => {
            let previous = read_revision(tx).await?.max(at_least);
            next_revision(previous, js_sys::Date::now() as i64)
        }
    })
}

/// Writes `revision` within `tx`.
fn put_revision(tx: &Tx, revision: u64) -> Result<(), StorageError> {
    let record = to_js(&RevisionRecord {
        key: REVISION_KEY,
        value: revision,
    })?;
    tx.store(SETTINGS)?.put(&record, None)?;
    Ok(())
}

/// Clears both configuration stores of `tx` and adds the given records. Records are added (not
/// put), so two items with the same id abort the transaction instead of one silently replacing the
/// other; a value the browser refuses synchronously returns early here, and dropping `tx` aborts it,
/// which also undoes the clears.
fn fill(tx: &Tx, webhooks: &[JsValue], automations: &[JsValue]) -> Result<(), StorageError> {
    for (name, values) in [(WEBHOOKS, webhooks), (AUTOMATIONS, automations)] {
        let store = tx.store(name)?;
        store.clear()?;
        for value in values {
            store.add(value, None)?;
        }
    }
    Ok(())
}

/// As the lists show them: by name (case-insensitively), then id.
pub fn sort_by_name(webhooks: &mut Vec<Webhook>, automations: &mut Vec<Automation>) {
    order::sort_by_key(webhooks, |webhook| {
        (webhook.name.to_lowercase(), webhook.id.clone())
    });
    order::sort_by_key(automations, |automation| {
        (automation.name.to_lowercase(), automation.id.clone())
    });
}
