//! Filtering stored executions without reading them whole: a search looks at a few fields of each
//! stored JS object (compared on the JS side where it can) and converts only the rows it keeps.

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use webhook_engine::history::{ExecutionQuery, SearchedText, TextSearch};
use webhook_engine::runner::{Execution, Status};

use super::page::PageCursor;
use crate::storage::codec::{from_record, to_js};
use crate::storage::schema::{BY_AUTOMATION, BY_STATUS, EXECUTIONS};
use crate::storage::StorageError;

/// One execution as IndexedDB returned it.
pub(super) struct StoredExecution(pub(super) JsValue);

impl StoredExecution {
    fn field(&self, name: &str) -> JsValue {
        Reflect::get(&self.0, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    }

    fn request_text(&self, name: &str) -> String {
        let request = self.field("request");
        if request.is_object() {
            Reflect::get(&request, &JsValue::from_str(name))
                .ok()
                .and_then(|value| value.as_string())
                .unwrap_or_default()
        } else {
            String::new()
        }
    }

    fn created_at_ms(&self) -> i64 {
        self.field("created_at_ms").as_f64().unwrap_or(0.0) as i64
    }

    /// Its place in newest-first order.
    pub(super) fn position(&self) -> PageCursor {
        PageCursor {
            created_at_ms: self.created_at_ms(),
            id: self.field("id").as_string().unwrap_or_default(),
        }
    }

    pub(super) fn into_execution(self) -> Result<Execution, StorageError> {
        from_record(self.0, "execution", EXECUTIONS, "id")
    }
}

/// A query prepared for checking stored records: the wanted automation and status as the JS values
/// stored, and the text search compiled once.
pub(super) struct Filter<'q> {
    pub(super) query: &'q ExecutionQuery,
    automation: Option<JsValue>,
    status: Option<JsValue>,
    search: Option<TextSearch>,
}

impl<'q> Filter<'q> {
    pub(super) fn new(query: &'q ExecutionQuery) -> Result<Filter<'q>, StorageError> {
        Ok(Filter {
            query,
            automation: query.automation_id.as_deref().map(JsValue::from_str),
            status: query.status.as_ref().map(to_js).transpose()?,
            search: query.text_search(),
        })
    }

    /// The indexes that can answer this query's exact-match parts, each with the key it looks up.
    pub(super) fn exact_lookups(&self) -> Vec<(&'static str, JsValue)> {
        let automation = self.automation.clone().map(|key| (BY_AUTOMATION, key));
        let status = self.status.clone().map(|key| (BY_STATUS, key));
        automation.into_iter().chain(status).collect()
    }

    /// Whether the stored record matches: the same rule as [`ExecutionQuery::matches`], cheapest
    /// checks first, with strings compared in JS (`===`) so most rows never cross into Rust.
    pub(super) fn accepts(&self, record: &StoredExecution) -> bool {
        let wanted = |expected: &Option<JsValue>, field: &str| {
            expected
                .as_ref()
                .is_none_or(|expected| record.field(field) == *expected)
        };
        wanted(&self.automation, "automation_id")
            && wanted(&self.status, "status")
            && self.query.accepts_time(record.created_at_ms())
            && self.search.as_ref().is_none_or(|search| {
                let status = record.field("status").as_string().unwrap_or_default();
                let body = if search.reads_bodies() {
                    record.request_text("body")
                } else {
                    String::new()
                };
                search.matches(SearchedText {
                    status: Status::from_stored(&status).unwrap_or(Status::Pending),
                    automation_name: &record
                        .field("automation_name")
                        .as_string()
                        .unwrap_or_default(),
                    url: &record.request_text("url"),
                    body: &body,
                })
            })
    }
}
