//! The host API's shared parts: reading what the host page passes in (`options`).

pub mod options;
