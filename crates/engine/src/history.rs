//! The execution history's rules: which runs a search finds ([`ExecutionQuery`]), what someone who is
//! not an admin may see of a run ([`visible_to`]), how a run reads in words ([`describe`]), and the
//! JSON Lines export ([`jsonl_line`]), and how the relay's executions merge into a browser's history
//! ([`relay`]). The browser app's storage and pages apply them; nothing here touches storage or the
//! DOM.

pub mod describe;
mod export;
mod query;
pub mod relay;
mod visibility;

pub use export::jsonl_line;
pub use query::{ExecutionQuery, SearchScope, SearchedText, TextSearch};
pub use visibility::{visible_to, ExecutionView};
