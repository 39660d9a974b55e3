//! The JSON structure that highlighting tokens spell: punctuation, and atoms (a whole string with its
//! placeholders and escapes, a number, a literal, a whole-value placeholder). The formatter and the
//! body converter walk these; they only do so for bodies the compiler accepted, where every atom is
//! exactly one JSON value or key.

use super::highlight::{Token, TokenKind};
use crate::diagnostic::Span;

pub(super) enum Lexeme<'a> {
    /// `{ } [ ] , :` and where it stands.
    Punctuation(u8, usize),
    Atom(Atom<'a>),
}

/// Tokens that follow each other without a gap: the pieces of one string, or one value.
pub(super) struct Atom<'a> {
    pub source: &'a str,
    pub tokens: &'a [Token],
}

impl<'a> Atom<'a> {
    pub fn span(&self) -> Span {
        // An atom has at least one token (see `Lexemes::next`).
        Span::new(self.tokens[0].start, self.tokens[self.tokens.len() - 1].end)
    }

    /// The atom as written.
    pub fn text(&self) -> &'a str {
        let span = self.span();
        &self.source[span.start..span.end]
    }

    /// The kind of the atom's first token: `String`/`Key` for a string (whatever it holds).
    pub fn kind(&self) -> TokenKind {
        self.tokens[0].kind
    }
}

/// The lexemes of `source`, whose tokens are `tokens`.
pub(super) fn lexemes<'a>(source: &'a str, tokens: &'a [Token]) -> Lexemes<'a> {
    Lexemes { source, tokens }
}

pub(super) struct Lexemes<'a> {
    source: &'a str,
    tokens: &'a [Token],
}

impl<'a> Iterator for Lexemes<'a> {
    type Item = Lexeme<'a>;

    fn next(&mut self) -> Option<Lexeme<'a>> {
        let first = self.tokens.first()?;
        if first.kind == TokenKind::Punctuation {
            self.tokens = &self.tokens[1..];
            return Some(Lexeme::Punctuation(
                self.source.as_bytes()[first.start],
                first.start,
            ));
        }
        let mut len = 1;
        while let Some(next) = self.tokens.get(len) {
            if next.kind == TokenKind::Punctuation || next.start != self.tokens[len - 1].end {
                break;
            }
            len += 1;
        }
        let (atom, rest) = self.tokens.split_at(len);
        self.tokens = rest;
        Some(Lexeme::Atom(Atom {
            source: self.source,
            tokens: atom,
        }))
    }
}
