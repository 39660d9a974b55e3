//! The open arrays and objects of the document being parsed.

use crate::diagnostic::Span;

use super::MAX_DEPTH;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Container {
    Object,
    Array,
}

impl Container {
    pub(super) fn closer(self) -> u8 {
        match self {
            Container::Object => b'}',
            Container::Array => b']',
        }
    }
}

/// The open arrays and objects, in fixed arrays (no allocation): their kinds, and what error messages
/// need (where each opened, and the key being parsed in each object).
pub(super) struct Containers {
    pub(super) depth: usize,
    /// The kind of the innermost open container (meaningless at depth 0), asked after every value.
    pub(super) innermost: Container,
    kinds: [Container; MAX_DEPTH],
    openers: [usize; MAX_DEPTH],
    keys: [Span; MAX_DEPTH],
}

impl Containers {
    pub(super) fn new() -> Self {
        Containers {
            depth: 0,
            innermost: Container::Array,
            kinds: [Container::Array; MAX_DEPTH],
            openers: [0; MAX_DEPTH],
            keys: [Span::new(0, 0); MAX_DEPTH],
        }
    }

    /// Opens a container at `opener`; `false` when that would exceed [`MAX_DEPTH`].
    pub(super) fn push(&mut self, kind: Container, opener: usize) -> bool {
        if self.depth == MAX_DEPTH {
            return false;
        }
        self.kinds[self.depth] = kind;
        self.openers[self.depth] = opener;
        self.depth += 1;
        self.innermost = kind;
        true
    }

    pub(super) fn pop(&mut self) {
        self.depth -= 1;
        if self.depth > 0 {
            self.innermost = self.kinds[self.depth - 1];
        }
    }

    pub(super) fn set_key(&mut self, key: Span) {
        self.keys[self.depth - 1] = key;
    }

    pub(super) fn key(&self) -> Span {
        self.keys[self.depth - 1]
    }

    pub(super) fn opener(&self) -> usize {
        self.openers[self.depth - 1]
    }
}
