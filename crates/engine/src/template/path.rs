//! Paths: the part of a request's URL after the webhook's base URL, e.g. `/orders/{{deal.id}}?notify=1`.
//!
//! Safety comes in layers. Compilation rejects what could change the request's target (full URLs,
//! `//host`, `.` and `..` segments, backslashes, `#`, control characters) and percent-encodes other
//! literal characters a URL can't hold. Rendering percent-encodes every field value, so a value can't add
//! a segment, a query or a fragment, and refuses values that are empty or make a dot segment. Finally the
//! joined URL is parsed the way a browser's fetch parses it, and must still be under the base URL.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;
use thiserror::Error;

use super::field::{FieldPath, FieldResolver};
use super::report::{Compilation, Report};
use super::text::{pieces, Piece};
use super::value::value_text;
use crate::diagnostic::Span;
use crate::web_url::WebUrl;

/// A compiled path, ready to be joined to a base URL.
#[derive(Debug, Clone)]
pub struct PathTemplate {
    /// The segments between `/`s; `None` when the template has no path part (empty, or only a query).
    segments: Option<Vec<Vec<UrlPiece>>>,
    /// What follows the `?`, if there is one.
    query: Option<Vec<UrlPiece>>,
}

#[derive(Debug, Clone)]
enum UrlPiece {
    /// URL text, already percent-encoded where needed.
    Literal(String),
    Field(FieldPath),
}

/// Why a URL could not be rendered, in words for a CRM admin.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RenderError {
    #[error("the webhook's base URL {base:?} is not a valid URL: {reason}")]
    InvalidBaseUrl { base: String, reason: String },
    #[error("the webhook's base URL must start with http:// or https://, not {scheme}://")]
    UnsupportedScheme { scheme: String },
    #[error(
        "the webhook's base URL must not contain '?' or '#': put query parameters in the path"
    )]
    BaseUrlHasQueryOrFragment,
    #[error("the path needs a value for {field}, but it is empty for this record")]
    EmptyPathValue { field: String },
    #[error("the value of {field} would make a '.' or '..' path segment, which could leave the webhook's base path")]
    DotSegment { field: String },
    #[error("the rendered URL {url} would leave the webhook's base URL")]
    EscapesBase { url: String },
}

/// Every character but `A-Z a-z 0-9 - . _ ~` (RFC 3986's unreserved set) is encoded in field values:
/// whether in a path segment or a query component, a value can then only ever be data.
const VALUE_ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn compile_path(template: &str, resolver: &dyn FieldResolver) -> Compilation<PathTemplate> {
    let mut report = Report::new(template.as_bytes());
    check_target_unchanged(template, &mut report);
    warn_of_credentials_in_query(template, &mut report);
    let mut builder = PathBuilder::new(template);
    for piece in pieces(template) {
        match piece {
            Piece::Literal(range) => {
                for (offset, c) in template[range.clone()].char_indices() {
                    builder.literal_char(range.start + offset, c, &mut report);
                }
            }
            Piece::Field(found) => {
                report.check_field(resolver, &found);
                builder.field(resolver.value_path(found.path));
            }
            Piece::Broken { error, .. } => report.placeholder_error(error),
        }
    }
    let path = builder.finish(&mut report);
    Compilation::new(report.into_sorted(), || path)
}

/// Full URLs and `//host` would name another server: the path is only ever appended to the base URL.
fn check_target_unchanged(template: &str, report: &mut Report) {
    let scheme_len = template
        .find("://")
        .filter(|&end| is_scheme(&template[..end]));
    if let Some(end) = scheme_len {
        let message = "the path must not be a full URL: it is appended to the webhook's base URL";
        let help = Some("put the scheme and host in the webhook's base URL".to_owned());
        report.error(Span::new(0, end + 3), message, help);
    } else if template.starts_with("//") {
        let message = "the path must not start with '//': that would name another host";
        let help = Some("start the path with a single '/'".to_owned());
        report.error(Span::new(0, 2), message, help);
    }
}

/// Query parameter names that carry a credential.
const CREDENTIAL_PARAMETERS: [&str; 8] = [
    "token",
    "api_key",
    "apikey",
    "key",
    "secret",
    "password",
    "signature",
    "sig",
];

/// A credential in the query string (`?api_key=…`) ends up in the history, in the endpoint's access
/// logs and in every proxy's: it belongs in the webhook's authentication or a secret header, which are
/// masked everywhere they are shown.
fn warn_of_credentials_in_query(template: &str, report: &mut Report) {
    let Some(query_start) = template.find('?').map(|at| at + 1) else {
        return;
    };
    let mut start = query_start;
    for parameter in template[query_start..].split('&') {
        let name = parameter.split('=').next().unwrap_or_default();
        let normalized = name.trim().to_ascii_lowercase().replace('-', "_");
        let is_credential = CREDENTIAL_PARAMETERS.contains(&normalized.as_str())
            || ["_token", "_key", "_secret", "_password"]
                .iter()
                .any(|ending| normalized.ends_with(ending));
        if is_credential {
            let message = format!(
                "the query parameter '{name}' looks like a credential: URLs are kept in the execution history and in the endpoint's logs"
            );
            let help = Some(
                "put credentials in the webhook's authentication or in a custom header like X-Api-Key, where they stay secret".to_owned(),
            );
            report.warning(Span::new(start, start + name.len()), message, help);
        }
        start += parameter.len() + 1;
    }
}

fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Gathers segments and the query while the template is read character by character.
struct PathBuilder<'t> {
    template: &'t str,
    segments: Vec<Vec<UrlPiece>>,
    /// The pieces of the segment (or of the query) being read.
    current: Vec<UrlPiece>,
    current_start: usize,
    in_query: bool,
}

impl<'t> PathBuilder<'t> {
    fn new(template: &'t str) -> Self {
        // One leading '/' is optional: the path always joins the base URL with exactly one.
        let start = usize::from(template.starts_with('/'));
        PathBuilder {
            template,
            segments: Vec::new(),
            current: Vec::new(),
            current_start: start,
            in_query: false,
        }
    }

    fn literal_char(&mut self, at: usize, c: char, report: &mut Report) {
        if at == 0 && c == '/' {
            return; // the optional leading slash
        }
        match c {
            '/' if !self.in_query => self.end_segment(at, report),
            '?' if !self.in_query => {
                self.end_segment(at, report);
                self.in_query = true;
            }
            '%' => {
                let escape = self.template.as_bytes().get(at + 1..at + 3);
                if !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                    let message = "'%' must start a percent-escape like %20";
                    let help = Some("write %25 for a literal '%'".to_owned());
                    report.error(Span::new(at, at + 1), message, help);
                }
                self.push_literal("%");
            }
            '\\' => {
                let help = Some("separate segments with '/'".to_owned());
                report.error(
                    Span::new(at, at + 1),
                    "a backslash is not allowed in a path",
                    help,
                );
            }
            '#' => {
                let message =
                    "'#' is not allowed in a path: it starts a fragment, which is never sent";
                let help = Some("write %23 for a literal '#'".to_owned());
                report.error(Span::new(at, at + 1), message, help);
            }
            c if c.is_control() => {
                let message = format!(
                    "control character U+{:04X} is not allowed in a path",
                    c as u32
                );
                report.error(Span::new(at, at + c.len_utf8()), message, None);
            }
            c if c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/?".contains(c) => {
                self.push_literal(c.encode_utf8(&mut [0; 4]));
            }
            // Spaces, non-ASCII letters and the like are written as a browser would send them.
            c => {
                let encoded: String =
                    utf8_percent_encode(c.encode_utf8(&mut [0; 4]), NON_ALPHANUMERIC).collect();
                self.push_literal(&encoded);
            }
        }
    }

    fn field(&mut self, path: FieldPath) {
        self.current.push(UrlPiece::Field(path));
    }

    fn push_literal(&mut self, text: &str) {
        match self.current.last_mut() {
            Some(UrlPiece::Literal(literal)) => literal.push_str(text),
            _ => self.current.push(UrlPiece::Literal(text.to_owned())),
        }
    }

    /// Ends the segment before `end` (a '/' or '?'), checking it when it is all literal text: dot
    /// segments with fields are checked at render time, when their values are known.
    fn end_segment(&mut self, end: usize, report: &mut Report) {
        let literal_text = match self.current.as_slice() {
            [] => Some(""),
            [UrlPiece::Literal(text)] => Some(text.as_str()),
            _ => None,
        };
        if let Some(text) = literal_text.filter(|text| is_dot_segment(text)) {
            let message = if text.len() > 1 && !text.eq_ignore_ascii_case("%2e") {
                "'..' segments are not allowed: the path can't climb above the webhook's base URL"
            } else {
                "'.' segments are not allowed in a path"
            };
            let help = Some("remove the segment".to_owned());
            report.error(Span::new(self.current_start, end), message, help);
        }
        self.segments.push(std::mem::take(&mut self.current));
        self.current_start = end + 1;
    }

    fn finish(mut self, report: &mut Report) -> PathTemplate {
        let query = if self.in_query {
            Some(std::mem::take(&mut self.current))
        } else {
            self.end_segment(self.template.len(), report);
            None
        };
        let path_len = self.template.find('?').unwrap_or(self.template.len());
        PathTemplate {
            segments: (path_len > 0).then_some(self.segments),
            query,
        }
    }
}

/// A segment that means "this directory" or "the parent": `.`, `..`, or the same with `%2e` for a dot,
/// which a browser treats alike.
fn is_dot_segment(segment: &str) -> bool {
    [".", "..", "%2e", ".%2e", "%2e.", "%2e%2e"]
        .iter()
        .any(|dots| segment.eq_ignore_ascii_case(dots))
}

impl PathTemplate {
    /// Joins the rendered path to `base_url` with exactly one `/`, and returns the URL as a browser
    /// would send it.
    pub fn render_url(&self, base_url: &str, context: &Value) -> Result<String, RenderError> {
        let base = parse_base(base_url)?;
        let mut url = base.as_str().to_owned();
        if let Some(segments) = &self.segments {
            if url.ends_with('/') {
                url.pop();
            }
            for segment in segments {
                url.push('/');
                let start = url.len();
                let mut first_field = None;
                for piece in segment {
                    if let UrlPiece::Field(path) = piece {
                        first_field.get_or_insert(path);
                    }
                    write_piece(piece, context, &mut url)?;
                }
                if let Some(field) = first_field.filter(|_| is_dot_segment(&url[start..])) {
                    return Err(RenderError::DotSegment {
                        field: field.to_string(),
                    });
                }
            }
        }
        if let Some(query) = &self.query {
            url.push('?');
            for piece in query {
                write_piece(piece, context, &mut url)?;
            }
        }
        stays_under(&base, url)
    }
}

fn write_piece(piece: &UrlPiece, context: &Value, url: &mut String) -> Result<(), RenderError> {
    match piece {
        UrlPiece::Literal(text) => url.push_str(text),
        UrlPiece::Field(path) => {
            let text = value_text(path.lookup(context)).filter(|text| !text.is_empty());
            let Some(text) = text else {
                return Err(RenderError::EmptyPathValue {
                    field: path.to_string(),
                });
            };
            url.extend(utf8_percent_encode(&text, VALUE_ENCODE_SET));
        }
    }
    Ok(())
}

fn parse_base(base_url: &str) -> Result<WebUrl, RenderError> {
    let base = WebUrl::parse(base_url).map_err(|error| RenderError::InvalidBaseUrl {
        base: base_url.to_owned(),
        reason: error.reason.to_owned(),
    })?;
    if !matches!(base.scheme(), "http" | "https") {
        return Err(RenderError::UnsupportedScheme {
            scheme: base.scheme().to_owned(),
        });
    }
    if base.query().is_some() || base.fragment().is_some() {
        return Err(RenderError::BaseUrlHasQueryOrFragment);
    }
    Ok(base)
}

/// Whether `url` (a recorded request's) is under `base_url`, as a rendered path must be: a replay sends
/// a recorded URL again with the webhook's current credentials, which must not go anywhere else.
pub fn check_under_base(base_url: &str, url: &str) -> Result<String, RenderError> {
    stays_under(&parse_base(base_url)?, url.to_owned())
}

/// The last guard: `candidate`, parsed as a browser parses it, has the base's scheme, credentials, host
/// and port, a path under the base's path, and no fragment. Returns the browser's form of the URL.
fn stays_under(base: &WebUrl, candidate: String) -> Result<String, RenderError> {
    let escapes = || RenderError::EscapesBase {
        url: candidate.clone(),
    };
    let url = WebUrl::parse(&candidate).map_err(|_| escapes())?;
    let same_origin = url.same_origin_and_credentials(base);
    let base_path = base.path().trim_end_matches('/');
    let under_base_path = url
        .path()
        .strip_prefix(base_path)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if same_origin && under_base_path && url.fragment().is_none() {
        Ok(url.into())
    } else {
        Err(escapes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(url: &str) -> WebUrl {
        WebUrl::parse(url).unwrap()
    }

    #[test]
    fn the_guard_accepts_urls_under_the_base() {
        let api = base("https://erp.example/api");
        for url in [
            "https://erp.example/api",
            "https://erp.example/api/",
            "https://erp.example/api/orders/42?x=1",
            "https://ERP.example:443/api/a",
        ] {
            assert!(stays_under(&api, url.to_owned()).is_ok(), "{url}");
        }
        assert!(stays_under(&base("https://erp.example"), "https://erp.example/x".into()).is_ok());
    }

    #[test]
    fn the_guard_rejects_urls_that_leave_the_base() {
        let api = base("https://erp.example/api");
        for url in [
            "https://erp.example/apis/x",
            "https://erp.example/",
            "https://erp.example/api/../admin",
            "https://erp.example/api/%2e%2e/admin",
            "http://erp.example/api/x",
            "https://erp.example:8443/api/x",
            "https://evil.example/api/x",
            "https://user@erp.example/api/x",
            "https://erp.example/api/x#frag",
            "not a url",
        ] {
            assert_eq!(
                stays_under(&api, url.to_owned()),
                Err(RenderError::EscapesBase {
                    url: url.to_owned()
                }),
                "{url}"
            );
        }
    }

    #[test]
    fn dot_segments_in_all_spellings() {
        for dots in [".", "..", "%2e", "%2E", ".%2e", "%2E.", "%2e%2E"] {
            assert!(is_dot_segment(dots), "{dots}");
        }
        for other in ["", "...", "a.", ".a", "%2e%2e%2e", "%2f"] {
            assert!(!is_dot_segment(other), "{other}");
        }
    }
}
