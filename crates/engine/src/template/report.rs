//! Collecting the diagnostics of one compilation, and its result.

use super::field::{FieldPath, FieldResolver, Resolution};
use super::placeholder::{Placeholder, PlaceholderError};
use crate::diagnostic::{Cell, Diagnostic, LineIndex, Position, Severity, Span};
use crate::order;

/// The result of compiling a template: every diagnostic found, and the compiled template when none of
/// them is an error (warnings do not stop a template from being used).
#[derive(Debug)]
pub struct Compilation<T> {
    pub template: Option<T>,
    /// In source order (for key-value bodies: row by row, key before value).
    pub diagnostics: Vec<Diagnostic>,
}

impl<T> Compilation<T> {
    /// Builds the template only when the diagnostics hold no error.
    pub(crate) fn new(diagnostics: Vec<Diagnostic>, build: impl FnOnce() -> T) -> Self {
        let template = (!diagnostics.iter().any(Diagnostic::is_error)).then(build);
        Compilation {
            template,
            diagnostics,
        }
    }

    pub fn has_errors(&self) -> bool {
        self.template.is_none()
    }
}

/// The diagnostics of one source (a raw body, a path, or one cell of a key-value body).
pub(crate) struct Report<'s> {
    source: &'s [u8],
    /// Built at the first diagnostic: templates without any never pay for it.
    lines: Option<LineIndex<'s>>,
    cell: Option<Cell>,
    diagnostics: Vec<Diagnostic>,
}

impl<'s> Report<'s> {
    pub fn new(source: &'s [u8]) -> Self {
        Report {
            source,
            lines: None,
            cell: None,
            diagnostics: Vec::new(),
        }
    }

    pub fn for_cell(source: &'s [u8], cell: Cell) -> Self {
        Report {
            cell: Some(cell),
            ..Report::new(source)
        }
    }

    pub fn error(&mut self, span: Span, message: impl Into<String>, help: Option<String>) {
        self.push(Severity::Error, span, message.into(), help);
    }

    pub fn warning(&mut self, span: Span, message: impl Into<String>, help: Option<String>) {
        self.push(Severity::Warning, span, message.into(), help);
    }

    pub fn placeholder_error(&mut self, error: PlaceholderError) {
        self.error(error.span, error.message, error.help);
    }

    /// Asks the resolver about the placeholder's field and reports what it says.
    pub fn check_field(&mut self, resolver: &dyn FieldResolver, placeholder: &Placeholder) {
        self.check_path(resolver, &placeholder.path, placeholder.span);
    }

    /// Asks the resolver about `path`, written by the placeholder at `span`, and reports what it says.
    pub fn check_path(&mut self, resolver: &dyn FieldResolver, path: &FieldPath, span: Span) {
        match resolver.resolve(path) {
            Resolution::Known => {}
            Resolution::Warning(message) => self.push(Severity::Warning, span, message, None),
            Resolution::Unknown {
                message,
                suggestion,
            } => {
                let help = suggestion.map(|path| format!("did you mean {path}?"));
                self.push(Severity::Error, span, message, help);
            }
        }
    }

    /// Where `offset` is, for messages that mention another place ("the '{' at 1:1 is never closed").
    pub fn position(&mut self, offset: usize) -> Position {
        self.line_index().position(offset)
    }

    /// Whether an error already starts at `offset` (to avoid reporting one problem twice).
    pub fn has_error_at(&self, offset: usize) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.is_error() && d.span.start == offset)
    }

    /// The diagnostics, sorted by where they start (stable, so equal starts keep the order found).
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        order::sort_by_key(&mut self.diagnostics, |d| d.span.start);
        self.diagnostics
    }

    fn push(&mut self, severity: Severity, span: Span, message: String, help: Option<String>) {
        let (start, end) = self.line_index().span_positions(span);
        self.diagnostics.push(Diagnostic {
            severity,
            message,
            span,
            start,
            end,
            help,
            cell: self.cell,
        });
    }

    fn line_index(&mut self) -> &LineIndex<'s> {
        let source = self.source;
        self.lines.get_or_insert_with(|| LineIndex::new(source))
    }
}
