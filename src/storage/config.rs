//! Webhooks and automations: the local copy of the configuration (secrets included: they are only
//! ever kept in this browser).

use std::future::IntoFuture;

use wasm_bindgen::JsValue;
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
        order::sort_by_key(&mut webhooks, |webhook| {
            (webhook.name.to_lowercase(), webhook.id.clone())
        });
        order::sort_by_key(&mut automations, |automation| {
            (automation.name.to_lowercase(), automation.id.clone())
        });
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

    /// An import: replaces every webhook and automation in one transaction, so either all of the
    /// new configuration is saved or the old one stays exactly as it was. Records are added (not
    /// put), so two items with the same id abort the import instead of one silently replacing the
    /// other.
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
        for (name, values) in [(WEBHOOKS, &webhooks), (AUTOMATIONS, &automations)] {
            let store = tx.store(name)?;
            store.clear()?;
            for value in values {
                // A value the browser refuses synchronously returns early here: dropping `tx`
                // aborts it, which also undoes the clears.
                store.add(value, None)?;
            }
        }
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
