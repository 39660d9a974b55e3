//! What can go wrong with the browser's storage, in words for a CRM admin, and how the browser's
//! `DOMException` names map onto it.

use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::DomException;

use super::schema::SCHEMA_VERSION;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StorageError {
    /// The site's storage quota is used up (`QuotaExceededError`); the write was rolled back.
    #[error("The browser's storage for this site is full. Free space (Settings → history retention, or the browser's site data) and save again — nothing already saved was lost.")]
    QuotaExceeded,
    /// Opening needs an upgrade that another tab, still running an older build, holds back.
    #[error(
        "Close other tabs of Webhook Automations so the storage can be upgraded, then reload."
    )]
    Blocked,
    /// IndexedDB cannot be used at all here (some private browsing modes, sandboxed frames).
    #[error("This browser does not let Webhook Automations keep data for this site ({0}); some private browsing modes do this. You can keep working, but your changes will not be kept after this tab is closed.")]
    Unavailable(String),
    /// The database was created by a newer version of the app than this one.
    #[error("{}", too_new(*.found))]
    TooNew { found: u32 },
    /// A stored record no longer deserializes; the text names its store and id.
    #[error("A saved item can no longer be read: {0}. It was left as it is; save it again from the editor or import your configuration again.")]
    Corrupt(String),
    /// Another tab upgraded or deleted the storage, so this tab's connection was closed.
    #[error("Webhook Automations was updated or its data was deleted in another tab, so this tab stopped using the browser's storage. Reload this tab to continue; nothing already saved was lost.")]
    Closed,
    /// A long read (a history search, an export) was stopped on request before it finished.
    #[error("The search was stopped before it finished; nothing was changed.")]
    Cancelled,
    /// Anything else, already phrased as a sentence.
    #[error("{0}")]
    Other(String),
}

fn too_new(found: u32) -> String {
    let which = if found > 0 {
        format!(" (storage version {found}; this version reads up to {SCHEMA_VERSION})")
    } else {
        String::new()
    };
    format!("The data in this browser was saved by a newer version of Webhook Automations{which}. Reload the page to get the newest version; nothing was changed.")
}

impl StorageError {
    /// Maps a `DOMException` raised by IndexedDB, by its name.
    pub fn from_dom(exception: &DomException) -> StorageError {
        from_name(&exception.name(), &exception.message())
    }

    /// Maps whatever an IndexedDB call threw or rejected with: usually a `DOMException`, sometimes a
    /// `TypeError` or nothing at all (`null` when a transaction was aborted on purpose).
    pub fn from_js(value: &JsValue) -> StorageError {
        if let Some(exception) = value.dyn_ref::<DomException>() {
            return StorageError::from_dom(exception);
        }
        if let Some(error) = value.dyn_ref::<js_sys::Error>() {
            return from_name(&String::from(error.name()), &String::from(error.message()));
        }
        if value.is_null() || value.is_undefined() {
            return StorageError::Other(
                "The change was cancelled before it was saved; nothing was changed.".into(),
            );
        }
        StorageError::Other(format!(
            "The browser's storage reported an unexpected error: {value:?}."
        ))
    }

    /// The mapping while opening the database, where most failures mean IndexedDB is not usable
    /// here at all (Firefox's private mode answers `InvalidStateError`, sandboxed frames
    /// `SecurityError`, a damaged profile `UnknownError`).
    pub(crate) fn from_open(value: &JsValue) -> StorageError {
        let (name, message) = match value.dyn_ref::<DomException>() {
            Some(exception) => (exception.name(), exception.message()),
            None => match value.dyn_ref::<js_sys::Error>() {
                Some(error) => (error.name().into(), error.message().into()),
                None => return StorageError::from_js(value),
            },
        };
        match name.as_str() {
            "QuotaExceededError" | "VersionError" | "AbortError" => from_name(&name, &message),
            _ => StorageError::Unavailable(describe(&name, &message)),
        }
    }

    /// Whether retrying after a reload can help, as opposed to the user freeing space first.
    pub fn needs_reload(&self) -> bool {
        matches!(
            self,
            StorageError::Blocked | StorageError::TooNew { .. } | StorageError::Closed
        )
    }
}

/// Maps IndexedDB's `DOMException` names (see the spec's list of errors for each operation).
pub(crate) fn from_name(name: &str, message: &str) -> StorageError {
    match name {
        "QuotaExceededError" => StorageError::QuotaExceeded,
        "VersionError" => StorageError::TooNew { found: 0 },
        "InvalidStateError" => StorageError::Closed,
        "SecurityError" | "NotAllowedError" | "NotSupportedError" => {
            StorageError::Unavailable(describe(name, message))
        }
        "AbortError" => StorageError::Other(
            "The change was cancelled before it was saved; nothing was changed.".into(),
        ),
        "ConstraintError" => StorageError::Other(format!(
            "Two items would have the same id, so nothing was saved ({}).",
            describe(name, message)
        )),
        "DataCloneError" | "DataError" => StorageError::Other(format!(
            "A value could not be stored in the browser, so nothing was saved ({}).",
            describe(name, message)
        )),
        "UnknownError" => StorageError::Other(format!(
            "The browser could not read or write its storage ({}). Reload the page; if this keeps happening, the browser's data for this site may be damaged.",
            describe(name, message)
        )),
        _ => StorageError::Other(format!(
            "The browser's storage reported an error ({}).",
            describe(name, message)
        )),
    }
}

fn describe(name: &str, message: &str) -> String {
    let message = message.trim();
    if message.is_empty() {
        name.to_string()
    } else {
        format!("{name}: {message}")
    }
}

/// Maps an error of the `idb` crate: its variants wrap what the browser threw.
pub(crate) fn from_idb(error: idb::Error) -> StorageError {
    use idb::Error as E;
    match error {
        E::DomException(exception) => StorageError::from_dom(&exception),
        E::AddFailed(value)
        | E::ClearFailed(value)
        | E::CountFailed(value)
        | E::CursorAdvanceFailed(value)
        | E::CursorContinueFailed(value)
        | E::CursorValueNotFound(value)
        | E::DeleteFailed(value)
        | E::GetAllFailed(value)
        | E::GetAllKeysFailed(value)
        | E::GetFailed(value)
        | E::IndexCreateFailed(value)
        | E::IndexNotFound(value)
        | E::KeyRangeCreateFailed(value)
        | E::ObjectStoreCreateFailed(value)
        | E::ObjectStoreNotFound(value)
        | E::OpenCursorFailed(value)
        | E::RequestResultNotFound(value)
        | E::TransactionOpenFailed(value)
        | E::UpdateFailed(value) => StorageError::from_js(&value),
        other => StorageError::Other(format!(
            "The browser's storage reported an error ({other})."
        )),
    }
}

impl From<idb::Error> for StorageError {
    fn from(error: idb::Error) -> Self {
        from_idb(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_what_the_admin_can_do() {
        assert_eq!(
            from_name("QuotaExceededError", "full"),
            StorageError::QuotaExceeded
        );
        assert_eq!(from_name("InvalidStateError", ""), StorageError::Closed);
        assert_eq!(
            from_name("VersionError", ""),
            StorageError::TooNew { found: 0 }
        );
        assert!(matches!(
            from_name("SecurityError", "no"),
            StorageError::Unavailable(_)
        ));
        assert!(
            matches!(from_name("UnknownError", "disk"), StorageError::Other(text) if text.contains("UnknownError: disk"))
        );
    }

    #[test]
    fn messages_are_the_agreed_sentences() {
        assert!(StorageError::QuotaExceeded
            .to_string()
            .starts_with("The browser's storage for this site is full."));
        assert!(StorageError::TooNew { found: 3 }
            .to_string()
            .contains("storage version 3"));
        assert!(!StorageError::TooNew { found: 0 }
            .to_string()
            .contains("version 0"));
        assert!(StorageError::Unavailable("SecurityError".into())
            .to_string()
            .contains("will not be kept"));
    }
}
