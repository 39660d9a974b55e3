//! The raw body editor's highlighted overlay as HTML, one line at a time: each token in a span of
//! its kind's class (from the engine's line-by-line highlighting), each diagnostic's span with a wavy
//! underline and its message as a `title`. Only the lines in view are ever made (see `LinePainter`).

use std::fmt::Write;
use std::ops::Range;

use webhook_engine::editor::highlight::{Token, TokenKind};
use webhook_engine::editor::text_edit::TextEdit;
use webhook_engine::order;
use webhook_engine::{Diagnostic, Severity, Span};

/// A diagnostic as the overlay marks it: a byte range of the source and what to say on hover.
#[derive(Clone)]
pub struct Mark {
    start: usize,
    end: usize,
    class: &'static str,
    title: String,
}

/// The HTML of the line `line` of `source` (from a line's start to its end, the `\n` left out):
/// `tokens` are the line's tokens, `marks` every mark, in order (see [`marks`]). One pass over the
/// line's tokens and marks.
pub fn line_html(source: &str, line: Range<usize>, tokens: &[Token], marks: &[Mark]) -> String {
    // The marks over the line: those that start before it and reach into it (a mark may span
    // lines), then those that start on it.
    let first = marks.partition_point(|mark| mark.start < line.start);
    let reaching: Vec<&Mark> = marks[..first]
        .iter()
        .filter(|mark| mark.end > line.start)
        .chain(
            marks[first..]
                .iter()
                .take_while(|mark| mark.start < line.end),
        )
        .collect();
    let mut html = String::new();
    let (mut next_token, mut next_mark) = (0, 0);
    let mut at = line.start;
    while at < line.end {
        while tokens.get(next_token).is_some_and(|token| token.end <= at) {
            next_token += 1;
        }
        while reaching.get(next_mark).is_some_and(|mark| mark.end <= at) {
            next_mark += 1;
        }
        let token = tokens.get(next_token).filter(|token| token.start <= at);
        let upcoming = reaching.get(next_mark).copied();
        let mark = upcoming.filter(|mark| mark.start <= at);
        // The piece ends where its token (or the gap before the next one) or its mark ends, or
        // where the next mark starts.
        let token_edge = match (token, tokens.get(next_token)) {
            (Some(token), _) => token.end,
            (None, Some(next)) => next.start,
            (None, None) => line.end,
        };
        let mark_edge = upcoming.map_or(line.end, |upcoming| match mark {
            Some(mark) => mark.end,
            None => upcoming.start,
        });
        let end = token_edge.min(mark_edge).min(line.end);
        write_piece(&mut html, &source[at..end], token.map(|t| t.kind), mark);
        at = end;
    }
    // A diagnostic at the end of a line (an unexpected end, a missing comma) has no text to
    // underline: it gets a small marker of its own.
    for mark in marks[first..]
        .iter()
        .skip_while(|mark| mark.start < line.end)
        .take_while(|mark| mark.start == line.end)
    {
        let _ = write!(
            html,
            "<span class=\"wa-mark {} is-at-end\" title=\"{}\"></span>",
            mark.class,
            escape(&mark.title, true)
        );
    }
    html
}

/// Moves the marks of the text before `edit` onto the text after it, until the new text's own
/// diagnostics replace them: what a keystroke moved stays underlined where it went.
pub fn follow_edit(marks: &mut [Mark], edit: &TextEdit) {
    for mark in marks {
        let moved = edit.map_span(Span::new(mark.start, mark.end));
        (mark.start, mark.end) = (moved.start, moved.end);
    }
}

/// Marks for the diagnostics in source order (an error before a warning at the same place; where two
/// overlap, the first one shows); an empty span covers the character it stands before, unless it
/// stands at a line end.
pub fn marks(source: &str, diagnostics: &[Diagnostic]) -> Vec<Mark> {
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
    use webhook_engine::editor::highlighted_lines::HighlightedLines;
    use webhook_engine::model::{EventAction, Trigger};
    use webhook_engine::template::compile_raw_str;

    /// The HTML of every line of `source`, marked with `diagnostics`.
    fn overlay(source: &str, diagnostics: &[Diagnostic]) -> Vec<String> {
        overlay_marked(source, &marks(source, diagnostics))
    }

    fn overlay_marked(source: &str, marks: &[Mark]) -> Vec<String> {
        let lines = HighlightedLines::new(source.to_owned());
        (0..lines.line_count())
            .map(|line| {
                let tokens: Vec<Token> = lines.line_tokens(line).collect();
                line_html(source, lines.line_range(line), &tokens, marks)
            })
            .collect()
    }

    fn diagnostics(source: &str) -> Vec<Diagnostic> {
        let catalog = Catalog::builtin();
        let trigger = Trigger {
            entity: "deal".into(),
            action: EventAction::Updated,
        };
        compile_raw_str(source, &catalog.resolver(&trigger)).diagnostics
    }

    fn lines(source: &str) -> Vec<String> {
        overlay(source, &diagnostics(source))
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
        let lines = overlay(source, &[diagnostic]);
        assert_eq!(lines[0].matches("wa-mark").count(), 2, "{}", lines[0]);
        assert!(lines[1].starts_with("<span class=\"wa-tk-key wa-mark is-error\""));
        assert_eq!(text(&lines[0]), "{\"a\": 1,");
    }

    #[test]
    fn underlines_move_with_the_text_typed_before_them_until_checked_again() {
        let before = "{\n  \"t\": \"{{deal.titel}}\"\n}";
        let after = "{\n  \"t\": \"Deal {{deal.titel}}\"\n}";
        let mut marks = marks(before, &diagnostics(before));
        follow_edit(&mut marks, &TextEdit::between(before, after).unwrap());
        assert_eq!(
            overlay_marked(after, &marks),
            overlay(after, &diagnostics(after)),
            "the same as once the new text is checked"
        );
    }
}
