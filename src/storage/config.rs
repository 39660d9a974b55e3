//! Webhooks and automations: the local copy of the configuration (secrets included: they are only
//! ever kept in this browser).

use std::future::IntoFuture;

use wasm_bindgen::JsValue;
use webhook_engine::config::{ConfigDocument, ImportedConfig};
use webhook_engine::model::{Automation, Webhook};
use webhook_engine::order;

use super::codec::{from_record, to_js};
use super::errors::StorageError;
use super::schema::{AUTOMATIONS, WEBHOOKS};
use super::transaction::{Durability, Tx};
use super::{ChangeNotice, Store};

/// Everything configured in this browser, each list sorted by name (case-insensitively).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocalConfig {
    pub webhooks: Vec<Webhook>,
    pub automations: Vec<Automation>,
}

impl Store {
    pub async fn load_config(&self) -> Result<LocalConfig, StorageError> {
        let tx = Tx::read(self.db()?, &[WEBHOOKS, AUTOMATIONS])?;
        // Both requests go out before either is awaited.
        let webhooks = tx.store(WEBHOOKS)?.get_all(None, None)?.into_future();
        let automations = tx.store(AUTOMATIONS)?.get_all(None, None)?.into_future();
        let webhooks = webhooks.await?;
        let automations = automations.await?;

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
        })
    }

    /// Adds or replaces the webhook with `webhook.id`.
    pub async fn put_webhook(&self, webhook: &Webhook) -> Result<(), StorageError> {
        self.put_config(WEBHOOKS, to_js(webhook)?).await
    }

    pub async fn delete_webhook(&self, id: &str) -> Result<(), StorageError> {
        self.delete_config(WEBHOOKS, id).await
    }

    /// Adds or replaces the automation with `automation.id`.
    pub async fn put_automation(&self, automation: &Automation) -> Result<(), StorageError> {
        self.put_config(AUTOMATIONS, to_js(automation)?).await
    }

    pub async fn delete_automation(&self, id: &str) -> Result<(), StorageError> {
        self.delete_config(AUTOMATIONS, id).await
    }

    /// Adopts a configuration document (an import, or the configuration the embedding CRM shares)
    /// in one transaction: the webhooks stored at that moment give the credentials that still apply
    /// (the engine's [`ConfigDocument::into_local`] rule), and the result replaces every webhook and
    /// automation. Reading and writing in one transaction means no in-memory copy — however early or
    /// stale — can ever decide which credentials are kept.
    pub async fn adopt_document(
        &self,
        document: ConfigDocument,
    ) -> Result<ImportedConfig, StorageError> {
        let tx = Tx::write(self.db()?, &[WEBHOOKS, AUTOMATIONS], Durability::Strict)?;
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
        fill(&tx, &webhooks, &automations)?;
        tx.commit().await?;
        self.notify(ChangeNotice::Config);
        sort_by_name(&mut imported.webhooks, &mut imported.automations);
        Ok(imported)
    }

    /// Replaces every webhook and automation in one transaction, so either all of the new
    /// configuration is saved or the old one stays exactly as it was.
    pub async fn replace_config(
        &self,
        webhooks: &[Webhook],
        automations: &[Automation],
    ) -> Result<(), StorageError> {
        // Everything is converted before the transaction starts.
        let webhooks = webhooks.iter().map(to_js).collect::<Result<Vec<_>, _>>()?;
        let automations = automations
            .iter()
            .map(to_js)
            .collect::<Result<Vec<_>, _>>()?;

        let tx = Tx::write(self.db()?, &[WEBHOOKS, AUTOMATIONS], Durability::Strict)?;
        fill(&tx, &webhooks, &automations)?;
        tx.commit().await?;
        self.notify(ChangeNotice::Config);
        Ok(())
    }

    async fn put_config(&self, store: &str, value: JsValue) -> Result<(), StorageError> {
        let tx = Tx::write(self.db()?, &[store], Durability::Strict)?;
        tx.store(store)?.put(&value, None)?;
        tx.commit().await?;
        self.notify(ChangeNotice::Config);
        Ok(())
    }

    async fn delete_config(&self, store: &str, id: &str) -> Result<(), StorageError> {
        let tx = Tx::write(self.db()?, &[store], Durability::Strict)?;
        tx.store(store)?.delete(JsValue::from_str(id))?;
        tx.commit().await?;
        self.notify(ChangeNotice::Config);
        Ok(())
    }
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
