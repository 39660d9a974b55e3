//! Splitting plain text (a key-value cell, a URL path) into literal runs and placeholders. Unlike a raw
//! JSON body, such text has no syntax of its own: only `{{…}}` and the escape `\{{` mean anything.

use std::ops::Range;

use super::placeholder::{self, Placeholder, PlaceholderError};

#[derive(Debug)]
pub(crate) enum Piece {
    /// Literal text: a range of the source (an escaped `\{{` contributes the range of its `{{`).
    Literal(Range<usize>),
    Field(Placeholder),
    /// A broken placeholder starting at `start`.
    Broken {
        start: usize,
        error: PlaceholderError,
    },
}

pub(crate) fn pieces(text: &str) -> Vec<Piece> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut literal_start = 0;
    let mut pos = 0;
    let end_literal = |pieces: &mut Vec<Piece>, end: usize, literal_start: usize| {
        if end > literal_start {
            pieces.push(Piece::Literal(literal_start..end));
        }
    };
    while pos < bytes.len() {
        if bytes[pos..].starts_with(b"\\{{") {
            end_literal(&mut pieces, pos, literal_start);
            literal_start = pos + 1;
            pos += 3;
        } else if placeholder::starts_at(bytes, pos) {
            end_literal(&mut pieces, pos, literal_start);
            pos = match placeholder::parse(bytes, pos) {
                Ok(found) => {
                    let end = found.span.end;
                    pieces.push(Piece::Field(found));
                    end
                }
                Err(error) => {
                    let resume = error.resume.max(pos + 2);
                    pieces.push(Piece::Broken { start: pos, error });
                    resume
                }
            };
            literal_start = pos;
        } else {
            pos += 1;
        }
    }
    end_literal(&mut pieces, bytes.len(), literal_start);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces as readable strings: literals as their text, fields as `{path}`, broken ones as `!`.
    fn show(text: &str) -> Vec<String> {
        pieces(text)
            .iter()
            .map(|piece| match piece {
                Piece::Literal(range) => text[range.clone()].to_owned(),
                Piece::Field(found) => format!("{{{}}}", found.path),
                Piece::Broken { .. } => "!".to_owned(),
            })
            .collect()
    }

    #[test]
    fn literals_and_fields() {
        assert_eq!(
            show("Deal {{deal.title}} won"),
            ["Deal ", "{deal.title}", " won"]
        );
        assert_eq!(show("{{a}}{{b}}"), ["{a}", "{b}"]);
        assert_eq!(show(""), Vec::<String>::new());
        assert_eq!(show("}} and { stay"), ["}} and { stay"]);
    }

    #[test]
    fn the_escape_keeps_the_braces_and_drops_the_backslash() {
        assert_eq!(show("a \\{{b}} c"), ["a ", "{{b}} c"]);
        assert_eq!(show("C:\\path"), ["C:\\path"]);
    }

    #[test]
    fn broken_placeholders_and_what_follows() {
        assert_eq!(show("x {{deal.}} y"), ["x ", "!", " y"]);
        assert_eq!(show("x {{deal"), ["x ", "!"]);
        assert_eq!(show("{{a {{b}}"), ["!", "{b}"]);
    }
}
