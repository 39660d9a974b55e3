//! The built-in sandbox CRM: the sample dataset as a small CRM a standalone user changes to trigger
//! automations. Its records live in IndexedDB (`persist`), its rules come from the engine
//! (`webhook_engine::records`), and every saved change becomes an [`Event`](webhook_engine::event::Event).

mod crm;
mod draft;
mod persist;

pub use crm::{EventMeta, RecordChange, SandboxCrm};
pub use draft::RecordDraft;
pub use persist::{open_sandbox, reset_sandbox, save_change};
