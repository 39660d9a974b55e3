//! Reading the files a command is given, with errors that name the file.

use std::path::Path;

use serde::de::DeserializeOwned;
use webhook_engine::catalog::Catalog;

use crate::UsageError;

pub fn read_bytes(path: &Path) -> Result<Vec<u8>, UsageError> {
    std::fs::read(path).map_err(|error| UsageError::Read {
        path: path.display().to_string(),
        reason: error.to_string(),
    })
}

pub fn read_text(path: &Path) -> Result<String, UsageError> {
    String::from_utf8(read_bytes(path)?).map_err(|_| bad_input(path, "it is not UTF-8 text"))
}

pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, UsageError> {
    serde_json::from_str(&read_text(path)?).map_err(|error| bad_input(path, &error.to_string()))
}

/// The catalog in `path`, or the built-in one.
pub fn catalog(path: Option<&Path>) -> Result<Catalog, UsageError> {
    match path {
        None => Ok(Catalog::builtin()),
        Some(path) => Catalog::from_json(&read_text(path)?)
            .map_err(|error| bad_input(path, &error.to_string())),
    }
}

pub fn bad_input(path: &Path, reason: &str) -> UsageError {
    UsageError::BadInput {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}
