//! A credential the admin typed: a password, a token, a signing secret.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Holds a credential so that it cannot be printed by accident: `Debug` masks it and there is no
/// `Display`. Reading it takes an explicit [`Secret::expose`], which only request building calls.
///
/// It serializes as its plain text because the browser's local store must keep it; documents meant to
/// leave the browser (exports, the shared configuration, execution records) are built from types that
/// have no `Secret` field at all.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(••••••)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_the_value() {
        let secret = Secret::new("hunter2-token");
        let printed = format!("{secret:?} {:#?}", Some(&secret));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert_eq!(secret.expose(), "hunter2-token");
    }
}
