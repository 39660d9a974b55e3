//! Change notices between tabs: after a write commits, its [`Store`](super::Store) posts what kind of
//! data changed on the `BroadcastChannel` `webhook-automations:<database name>`; every other tab (and
//! every other `Store` object in this page) receives it and reloads what it shows.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent};

use crate::js_json::{json_from_js, json_to_js};

/// What another tab changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeNotice {
    /// Webhooks or automations (a save, a delete, an import).
    Config,
    Settings,
    /// Execution history (new or updated runs, pruning).
    Executions,
    /// The runner's outbox of requests not yet answered.
    Outbox,
    /// Events waiting to be handed over to the relay.
    Handovers,
    /// The sandbox CRM's records (a change, a reset).
    Sandbox,
}

/// The channel's name for the database `db_name`.
pub fn channel_name(db_name: &str) -> String {
    format!("webhook-automations:{db_name}")
}

/// One `BroadcastChannel` object, or none where the browser has no `BroadcastChannel` (then other
/// tabs simply are not told; every write still lands).
pub(crate) struct Channel {
    inner: Option<BroadcastChannel>,
}

impl Channel {
    pub(crate) fn open(db_name: &str) -> Channel {
        Channel {
            inner: BroadcastChannel::new(&channel_name(db_name)).ok(),
        }
    }

    /// Tells the other tabs; a closed or missing channel is not an error worth failing a write for.
    pub(crate) fn post(&self, notice: ChangeNotice) {
        if let (Some(channel), Ok(message)) = (&self.inner, json_to_js(&notice)) {
            let _ = channel.post_message(&message);
        }
    }

    pub(crate) fn subscribe(&self, callback: impl Fn(ChangeNotice) + 'static) -> Subscription {
        let Some(channel) = &self.inner else {
            return Subscription { inner: None };
        };
        let listener = Listener::new(move |event: MessageEvent| {
            // A notice this build does not know (sent by a newer tab) is ignored.
            if let Ok(notice) = json_from_js::<ChangeNotice>(&event.data()) {
                callback(notice);
            }
        });
        match channel.add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
        {
            Ok(()) => Subscription {
                inner: Some((channel.clone(), listener)),
            },
            Err(_) => Subscription { inner: None },
        }
    }

    pub(crate) fn close(&self) {
        if let Some(channel) = &self.inner {
            channel.close();
        }
    }
}

type Listener = Closure<dyn FnMut(MessageEvent)>;

/// Keeps an [`on_change`](super::Store::on_change) callback subscribed; dropping it unsubscribes.
#[must_use = "dropping the subscription unsubscribes the callback at once"]
pub struct Subscription {
    inner: Option<(BroadcastChannel, Listener)>,
}

impl Subscription {
    /// Whether notices can arrive at all (false where the browser has no `BroadcastChannel`).
    pub fn is_active(&self) -> bool {
        self.inner.is_some()
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("active", &self.is_active())
            .finish()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some((channel, listener)) = self.inner.take() {
            let _ = channel
                .remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
        }
    }
}
