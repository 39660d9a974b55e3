//! The distinct field paths of a raw body. A body may use one field many times (a list of items each
//! showing `{{deal.title}}`); each distinct path is built, and its value path asked of the resolver, once,
//! and every placeholder using it shares the stored path.

use std::collections::HashMap;

use crate::template::body::{FieldId, Parts};
use crate::template::field::{FieldPath, FieldResolver};
use crate::template::placeholder;

pub(super) struct Fields<'a> {
    entries: Vec<Entry<'a>>,
    /// Index in `entries` by the path as written.
    by_text: HashMap<&'a [u8], usize>,
    /// The entry found last: placeholders in a row often name the same field, and comparing a few bytes
    /// is cheaper than hashing them.
    last: usize,
}

struct Entry<'a> {
    /// The path as written between the braces (without spaces): `deal.title`.
    text: &'a [u8],
    path: FieldPath,
    /// The resolver's value path, once stored in the body's parts.
    slot: Option<FieldId>,
}

impl<'a> Fields<'a> {
    pub(super) fn new() -> Self {
        Fields {
            entries: Vec::new(),
            by_text: HashMap::new(),
            last: 0,
        }
    }

    /// The path written as `text` (syntax already checked by `placeholder::scan`).
    pub(super) fn path(&mut self, text: &'a [u8]) -> &FieldPath {
        let index = self.index(text);
        &self.entries[index].path
    }

    /// The path written as `text`, and the slot of its value path in `parts` (stored at first use).
    pub(super) fn slot(
        &mut self,
        text: &'a [u8],
        resolver: &dyn FieldResolver,
        parts: &mut Parts,
    ) -> (&FieldPath, FieldId) {
        let index = self.index(text);
        let entry = &mut self.entries[index];
        let slot = *entry
            .slot
            .get_or_insert_with(|| parts.add_path(resolver.value_path(entry.path.clone())));
        (&entry.path, slot)
    }

    #[inline]
    fn index(&mut self, text: &'a [u8]) -> usize {
        match self.entries.get(self.last) {
            Some(entry) if same_bytes(entry.text, text) => self.last,
            _ => self.find_or_add(text),
        }
    }

    #[inline(never)]
    fn find_or_add(&mut self, text: &'a [u8]) -> usize {
        let next = self.entries.len();
        let index = *self.by_text.entry(text).or_insert(next);
        if index == next {
            self.entries.push(Entry {
                text,
                path: placeholder::field_path(text),
                slot: None,
            });
        }
        self.last = index;
        index
    }
}

/// `a == b`, inline and eight bytes at a time: a field path is a few words long, shorter than a call
/// to `memcmp` takes.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word = |bytes: &[u8], at: usize| bytes[at..].first_chunk::<8>().copied();
    // The last word overlaps the one before it when the length is not a multiple of eight.
    let last = a.len() - 8;
    (0..last).step_by(8).all(|at| word(a, at) == word(b, at)) && word(a, last) == word(b, last)
}
