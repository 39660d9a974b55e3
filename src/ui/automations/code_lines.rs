//! The raw body editor's highlighted overlay as HTML, one string per line: each token in a span of
//! its kind's class (from the engine's `highlight_raw`), each diagnostic's span with a wavy underline
//! and its message as a `title`. Lines are separate so only the lines that changed are redrawn.

use std::fmt::Write;

use webhook_engine::editor::highlight::{line_starts, Token, TokenKind};
use webhook_engine::order;
use webhook_engine::{Diagnostic, Severity};

/// A diagnostic as the overlay marks it: a byte range of the source and what to say on hover.
struct Mark {
    start: usize,
    end: usize,
    class: &'static str,
    title: String,
}

/// The HTML of every line of `source` (lines end at `\n`, which is left out). One pass over the
/// tokens and the marks, so a long body with many diagnostics stays fast.
pub fn overlay_lines(source: &str, tokens: &[Token], diagnostics: &[Diagnostic]) -> Vec<String> {
    let marks = marks(source, diagnostics);
    let starts = line_starts(source);
    let mut lines = Vec::with_capacity(starts.len());
    let (mut next_token, mut next_mark, mut next_end_mark) = (0, 0, 0);
    for (index, &line_start) in starts.iter().enumerate() {
        let line_end = starts.get(index + 1).map_or(source.len(), |&next| next - 1);
        let mut html = String::new();
        let mut at = line_start;
        while at < line_end {
            while tokens.get(next_token).is_some_and(|token| token.end <= at) {
                next_token += 1;
            }
            while marks.get(next_mark).is_some_and(|mark| mark.end <= at) {
                next_mark += 1;
            }
            let token = tokens.get(next_token).filter(|token| token.start <= at);
            let upcoming = marks.get(next_mark);
            let mark = upcoming.filter(|mark| mark.start <= at);
            // The piece ends where its token (or the gap before the next one) or its mark ends, or
            // where the next mark starts.
            let token_edge = match (token, tokens.get(next_token)) {
                (Some(token), _) => token.end,
                (None, Some(next)) => next.start,
                (None, None) => line_end,
            };
            let mark_edge = upcoming.map_or(line_end, |upcoming| match mark {
                Some(mark) => mark.end,
                None => upcoming.start,
            });
            let end = token_edge.min(mark_edge).min(line_end);
            write_piece(&mut html, &source[at..end], token.map(|t| t.kind), mark);
            at = end;
        }
        // A diagnostic at the end of a line (an unexpected end, a missing comma) has no text to
        // underline: it gets a small marker of its own.
        while marks
            .get(next_end_mark)
            .is_some_and(|mark| mark.start < line_end)
        {
            next_end_mark += 1;
        }
        while let Some(mark) = marks
            .get(next_end_mark)
            .filter(|mark| mark.start == line_end)
        {
            let _ = write!(
                html,
                "<span class=\"wa-mark {} is-at-end\" title=\"{}\"></span>",
                mark.class,
                escape(&mark.title, true)
            );
            next_end_mark += 1;
        }
        lines.push(html);
    }
    lines
}

/// Marks for the diagnostics in source order (an error before a warning at the same place; where two
/// overlap, the first one shows); an empty span covers the character it stands before, unless it
/// stands at a line end.
fn marks(source: &str, diagnostics: &[Diagnostic]) -> Vec<Mark> {
    let mut marks: Vec<Mark> = diagnostics
        .iter()
        .map(|diagnostic| {
            let start = diagnostic.span.start.min(source.len());
            let mut end = diagnostic.span.end.clamp(start, source.len());
            if end == start {
                end += source[start..]
                    .chars()
                    .next()
                    .filter(|&c| c != '\n')
                    .map_or(0, char::len_utf8);
            }
            let mut title = diagnostic.message.clone();
            if let Some(help) = &diagnostic.help {
                title.push_str(" — ");
                title.push_str(help);
            }
            Mark {
                start,
                end,
                class: match diagnostic.severity {
                    Severity::Error => "is-error",
                    Severity::Warning => "is-warning",
                },
                title,
            }
        })
        .collect();
    order::sort_by_key(&mut marks, |mark| (mark.start, mark.class != "is-error"));
    marks
}

fn write_piece(html: &mut String, text: &str, kind: Option<TokenKind>, mark: Option<&Mark>) {
    let class = kind.and_then(token_class);
    match (class, mark) {
        (None, None) => html.push_str(&escape(text, false)),
        (Some(class), None) => {
            let _ = write!(
                html,
                "<span class=\"{class}\">{}</span>",
                escape(text, false)
            );
        }
        (class, Some(mark)) => {
            let prefix = class.map_or(String::new(), |class| format!("{class} "));
            let _ = write!(
                html,
                "<span class=\"{prefix}wa-mark {}\" title=\"{}\">{}</span>",
                mark.class,
                escape(&mark.title, true),
                escape(text, false)
            );
        }
    }
}

/// The class of a token kind; punctuation stays plain text, which keeps the overlay small.
fn token_class(kind: TokenKind) -> Option<&'static str> {
    Some(match kind {
        TokenKind::Key => "wa-tk-key",
        TokenKind::String => "wa-tk-string",
        TokenKind::Number => "wa-tk-number",
        TokenKind::Literal => "wa-tk-literal",
        TokenKind::Placeholder => "wa-tk-field",
        TokenKind::Escape => "wa-tk-escape",
        TokenKind::Invalid => "wa-tk-invalid",
        TokenKind::Punctuation => return None,
    })
}

/// Text as HTML content (`quotes` false: they need no escape there, which keeps a JSON body's
/// overlay small) or as a double-quoted attribute (`quotes` true).
fn escape(text: &str, quotes: bool) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' if quotes => escaped.push_str("&quot;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use webhook_engine::catalog::Catalog;
    use webhook_engine::editor::highlight::highlight_raw;
    use webhook_engine::model::{EventAction, Trigger};
    use webhook_engine::template::compile_raw_str;

    fn lines(source: &str) -> Vec<String> {
        let catalog = Catalog::builtin();
        let trigger = Trigger {
            entity: "deal".into(),
            action: EventAction::Updated,
        };
        let diagnostics = compile_raw_str(source, &catalog.resolver(&trigger)).diagnostics;
        overlay_lines(source, &highlight_raw(source), &diagnostics)
    }

    /// The overlay's text without its markup, as the browser shows it.
    fn text(html: &str) -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => text.push(c),
                _ => {}
            }
        }
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
    }

    #[test]
    fn every_line_shows_exactly_the_source_text() {
        let source = "{\n  \"title\": \"Deal <b>{{deal.title}}</b> & co\",\n\n  \"amount\": {{deal.value}},\n  \"ok\": true\n}\n";
        let lines = lines(source);
        let shown: Vec<String> = lines.iter().map(|line| text(line)).collect();
        assert_eq!(shown.join("\n"), source);
    }

    #[test]
    fn tokens_get_their_class_and_punctuation_stays_plain() {
        let lines = lines("{\"id\": {{deal.id}}, \"n\": 1.5, \"ok\": null}");
        assert_eq!(
            lines,
            ["{<span class=\"wa-tk-key\">\"id\"</span>: <span class=\"wa-tk-field\">{{deal.id}}</span>, \
              <span class=\"wa-tk-key\">\"n\"</span>: <span class=\"wa-tk-number\">1.5</span>, \
              <span class=\"wa-tk-key\">\"ok\"</span>: <span class=\"wa-tk-literal\">null</span>}"]
        );
    }

    #[test]
    fn an_unknown_field_is_underlined_with_its_message_and_fix_as_the_title() {
        let lines = lines("{\"t\": \"{{deal.titel}}\"}");
        assert!(
            lines[0].contains(
                "<span class=\"wa-tk-field wa-mark is-error\" title=\"unknown field deal.titel — did you mean deal.title?\">{{deal.titel}}</span>"
            ),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn a_diagnostic_at_the_end_gets_a_marker_of_its_own() {
        let lines = lines("{\n  \"a\": 1\n");
        assert_eq!(lines.len(), 3);
        assert!(lines[2].contains("wa-mark is-error is-at-end"), "{lines:?}");
    }

    #[test]
    fn a_mark_over_several_tokens_and_lines_marks_each_piece() {
        let source = "{\"a\": 1,\n\"b\": 2}";
        let diagnostic = Diagnostic {
            span: webhook_engine::Span::new(6, 12),
            ..compile_raw_str("{", &webhook_engine::AcceptAll).diagnostics[0].clone()
        };
        let lines = overlay_lines(source, &highlight_raw(source), &[diagnostic]);
        assert_eq!(lines[0].matches("wa-mark").count(), 2, "{}", lines[0]);
        assert!(lines[1].starts_with("<span class=\"wa-tk-key wa-mark is-error\""));
        assert_eq!(text(&lines[0]), "{\"a\": 1,");
    }
}
