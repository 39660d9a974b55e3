//! `GET /_receiver`: a self-contained HTML view of the recorded requests, newest first.
//!
//! No JavaScript; every piece of request data goes through [`escape`], since bodies and
//! headers come from whoever sent them.

use std::fmt::Write as _;

use crate::basic_auth::AuthOutcome;
use crate::record::RequestRecord;
use crate::signature::SignatureOutcome;

/// Bodies longer than this are cut in the page (the JSON API has them whole).
const MAX_BODY_CHARS_SHOWN: usize = 64 * 1024;

const STYLE: &str = "
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2330; background: #f6f7f9; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
.summary { color: #5b6475; margin-bottom: 1rem; }
.request { background: #fff; border: 1px solid #d8dce3; border-radius: 6px; padding: .7rem 1rem; margin-bottom: .8rem; }
.line { display: flex; flex-wrap: wrap; gap: .6rem; align-items: baseline; }
.seq { font-weight: 600; }
.method { font-weight: 700; font-family: ui-monospace, monospace; }
.target { font-family: ui-monospace, monospace; word-break: break-all; }
.time { color: #5b6475; }
.mark { border-radius: 4px; padding: 0 .35rem; font-size: .85em; }
.good { background: #dff3e4; color: #18602c; }
.bad { background: #fbe2e2; color: #8a1c1c; }
.info { background: #e5ecfa; color: #213f7d; }
table { border-collapse: collapse; margin: .5rem 0; font-family: ui-monospace, monospace; font-size: .9em; }
td { padding: .05rem .8rem .05rem 0; vertical-align: top; word-break: break-all; }
td:first-child { color: #5b6475; white-space: nowrap; }
pre { background: #f0f2f5; padding: .5rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; margin: .3rem 0 0; }
";

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The whole page. `records` are oldest first (as stored); the page lists them newest first.
pub fn render_page(records: &[RequestRecord], preflights: usize, queued_actions: usize) -> String {
    let mut page = String::new();
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str("<title>webhook-receiver</title>\n<style>");
    page.push_str(STYLE);
    page.push_str("</style>\n</head>\n<body>\n<h1>webhook-receiver</h1>\n");
    let _ = writeln!(
        page,
        "<p class=\"summary\">{} recorded request(s), newest first &middot; {preflights} \
         CORS preflight(s) (<a href=\"/_receiver/preflights\">JSON</a>) &middot; \
         {queued_actions} scripted action(s) queued (<a href=\"/_receiver/script\">JSON</a>) \
         &middot; <a href=\"/_receiver/requests\">all requests as JSON</a> &middot; \
         <a href=\"/_receiver\">refresh</a></p>",
        records.len()
    );
    if records.is_empty() {
        page.push_str("<p>No requests yet. Send one to any path on this server.</p>\n");
    }
    for record in records.iter().rev() {
        render_record(&mut page, record);
    }
    page.push_str("</body>\n</html>\n");
    page
}

fn render_record(page: &mut String, record: &RequestRecord) {
    let target = match &record.query {
        Some(query) => format!("{}?{}", record.path, query),
        None => record.path.clone(),
    };
    let _ = write!(
        page,
        "<section class=\"request\" id=\"seq-{seq}\">\n<div class=\"line\">\
         <span class=\"seq\">#{seq}</span> <span class=\"method\">{method}</span> \
         <span class=\"target\">{target}</span> <span class=\"time\">{time}</span>",
        seq = record.seq,
        method = escape(&record.method),
        target = escape(&target),
        time = escape(&record.time),
    );
    for (class, text) in marks(record) {
        let _ = write!(
            page,
            " <span class=\"mark {class}\">{}</span>",
            escape(&text)
        );
    }
    page.push_str("</div>\n<table>\n");
    for (name, value) in &record.headers {
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{}</td></tr>",
            escape(name),
            escape(value)
        );
    }
    page.push_str("</table>\n");
    render_body(page, record);
    page.push_str("</section>\n");
}

fn render_body(page: &mut String, record: &RequestRecord) {
    let (label, content) = match (&record.body, &record.body_base64) {
        (Some(text), _) => ("", text.as_str()),
        (None, Some(encoded)) => ("not UTF-8, shown as base64", encoded.as_str()),
        (None, None) if record.truncated => {
            page.push_str("<p><em>body not stored: larger than --max-body-bytes</em></p>\n");
            return;
        }
        (None, None) => return,
    };
    if content.is_empty() {
        return;
    }
    if !label.is_empty() {
        let _ = writeln!(page, "<p><em>{label}</em></p>");
    }
    let shown = match content.char_indices().nth(MAX_BODY_CHARS_SHOWN) {
        Some((cut, _)) => &content[..cut],
        None => content,
    };
    let _ = writeln!(page, "<pre>{}</pre>", escape(shown));
    if shown.len() < content.len() {
        page.push_str("<p><em>body cut here; the JSON API has all of it</em></p>\n");
    }
}

/// The small coloured marks after the request line: response, auth, signature, script.
fn marks(record: &RequestRecord) -> Vec<(&'static str, String)> {
    let mut marks = Vec::new();
    match record.response_status {
        Some(status) if status < 400 => marks.push(("good", format!("answered {status}"))),
        Some(status) => marks.push(("bad", format!("answered {status}"))),
        None => marks.push(("bad", "connection dropped".to_owned())),
    }
    match record.auth {
        Some(AuthOutcome::Ok) => marks.push(("good", "auth ok".to_owned())),
        Some(AuthOutcome::Missing) => marks.push(("bad", "auth missing".to_owned())),
        Some(AuthOutcome::Rejected) => marks.push(("bad", "auth rejected".to_owned())),
        None => {}
    }
    match record.signature {
        Some(SignatureOutcome::Verified) => marks.push(("good", "signature verified".to_owned())),
        Some(SignatureOutcome::Invalid) => marks.push(("bad", "signature invalid".to_owned())),
        Some(SignatureOutcome::Missing) => marks.push(("bad", "signature missing".to_owned())),
        None => {}
    }
    if record.scripted.is_some() {
        marks.push(("info", "scripted".to_owned()));
    }
    if record.truncated {
        marks.push(("bad", "body too large".to_owned()));
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"</pre><script>alert("x")</script>&'"#),
            "&lt;/pre&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"
        );
    }
}
