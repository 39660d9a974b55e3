//! The rules of Webhook Automations, in pure Rust: it compiles and is tested natively, and runs in the
//! browser app as WebAssembly.

pub mod address;
pub mod catalog;
pub mod changes;
pub mod conditions;
pub mod config;
pub mod context;
pub mod credentials;
pub mod decimal;
pub mod diagnostic;
pub mod editor;
pub mod event;
pub mod history;
pub mod json_errors;
pub mod model;
pub mod order;
pub mod records;
pub mod request;
pub mod retry;
pub mod roles;
pub mod runner;
pub mod sample;
pub mod settings;
pub mod signing;
pub mod template;
pub mod time;
pub mod validate;
pub mod web_url;

pub use diagnostic::{Cell, CellPart, Diagnostic, LineIndex, Position, Severity, Span};
pub use template::{
    compile_key_value, compile_path, compile_raw, compile_raw_str, AcceptAll, BodyTemplate,
    Compilation, FieldPath, FieldResolver, PathSegment, PathTemplate, RenderError, Resolution, Row,
};
