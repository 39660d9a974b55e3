//! Settings: small named values (history retention, UI preferences), stored as `{ key, value }`.

use std::future::IntoFuture;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use super::codec::{from_js, to_js};
use super::errors::StorageError;
use super::schema::SETTINGS;
use super::transaction::{Durability, Tx};
use super::{ChangeNotice, Store};

#[derive(Serialize)]
struct SettingRecord<'a, T: ?Sized> {
    key: &'a str,
    value: &'a T,
}

impl Store {
    /// The setting `key`, or `None` when it was never saved.
    pub async fn get_setting<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StorageError> {
        let tx = Tx::read(self.db()?, &[SETTINGS])?;
        let request = tx
            .store(SETTINGS)?
            .get(JsValue::from_str(key))?
            .into_future();
        let Some(record) = request.await? else {
            return Ok(None);
        };
        let value = js_sys::Reflect::get(&record, &JsValue::from_str("value"))
            .map_err(|error| StorageError::from_js(&error))?;
        from_js(value, "setting", SETTINGS, key).map(Some)
    }

    pub async fn put_setting<T: Serialize>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<(), StorageError> {
        let record = to_js(&SettingRecord { key, value })?;
        let tx = Tx::write(self.db()?, &[SETTINGS], Durability::Strict)?;
        tx.store(SETTINGS)?.put(&record, None)?;
        tx.commit().await?;
        self.notify(ChangeNotice::Settings);
        Ok(())
    }
}
