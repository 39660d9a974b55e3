//! The host API's shared parts, Yew-free: reading what the host page passes in (`options`), the
//! bridge that queues the host's commands until what runs behind it has started (`bridge`), and the
//! start-up and configuration adoption the app and the runtime alone do alike (`start`). With the
//! `entry` feature, `createRuntime` (`runtime`): the host API for pages that show no widget.

#[cfg(feature = "entry")]
pub mod app_port;
pub mod bridge;
pub mod options;
#[cfg(feature = "entry")]
mod runtime;
pub mod start;

pub use bridge::{HostApp, HostBridge, HostCommand, CONFIG_CHANGE_EVENT, EXECUTION_EVENT};
