//! Templates: JSON bodies (raw or key-value rows) and URL paths with `{{field.path}}` placeholders.
//!
//! Each mode compiles its source once into a template, reporting every problem as a diagnostic, and
//! renders the template against an event context as often as needed. See `docs/templates.md`.

mod body;
mod describe;
mod field;
mod key_value;
mod path;
mod placeholder;
mod raw;
mod report;
mod text;
mod value;

pub use body::BodyTemplate;
pub use field::{AcceptAll, FieldPath, FieldResolver, PathSegment, Resolution};
pub use key_value::{compile_key_value, Row};
pub use path::{check_under_base, compile_path, PathTemplate, RenderError};
pub use raw::{compile_raw, compile_raw_str, MAX_DEPTH};
pub use report::Compilation;
