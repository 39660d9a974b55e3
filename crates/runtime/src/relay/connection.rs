//! Where the relay is and the tokens this browser holds for it. Tokens are secrets: kept in this
//! browser's storage (an admin's) or handed over by the host page for the visit (the events token),
//! never exported, never announced to the host, never shown again once saved.

use serde::{Deserialize, Serialize};
use webhook_engine::model::Secret;

use super::{RelayClient, TokenKind};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayConnection {
    /// The relay's base URL, e.g. `https://relay.example` (empty: no relay).
    pub url: String,
    #[serde(default)]
    pub admin_token: Option<Secret>,
    #[serde(default)]
    pub events_token: Option<Secret>,
}

impl RelayConnection {
    /// The relay a page talks to: the one the host page names (with this browser's admin token when
    /// it was saved for the same relay), or else the one saved in this browser.
    pub fn for_page(host: Option<&RelayConnection>, stored: &RelayConnection) -> RelayConnection {
        match host {
            Some(host) => RelayConnection {
                admin_token: (stored.url.trim() == host.url.trim())
                    .then(|| stored.admin_token.clone())
                    .flatten(),
                ..host.clone()
            },
            None => stored.clone(),
        }
    }

    pub fn is_set(&self) -> bool {
        !self.url.trim().is_empty()
    }

    /// A client with the admin token, when this browser holds one.
    pub fn admin(&self) -> Option<RelayClient> {
        self.client(self.admin_token.as_ref(), TokenKind::Admin)
    }

    /// A client that may hand events over and read what ran: the events token, or else the admin
    /// token (which may do everything the events token may).
    pub fn events(&self) -> Option<RelayClient> {
        self.client(self.events_token.as_ref(), TokenKind::Events)
            .or_else(|| self.admin())
    }

    fn client(&self, token: Option<&Secret>, kind: TokenKind) -> Option<RelayClient> {
        let token = token.filter(|token| !token.is_empty())?;
        self.is_set()
            .then(|| RelayClient::new(&self.url, token.clone(), kind))
    }
}
