//! "Copy as cURL": a redacted request as a command an admin can paste into a POSIX shell.

use super::RedactedRequest;

/// One argument per line; every argument single-quoted, so the shell expands nothing (`$`, `` ` ``, `!`,
/// newlines in the body all stay literal). `--data-raw` keeps a body starting with `@` from being read as
/// a file name.
pub fn to_curl(request: &RedactedRequest) -> String {
    let mut lines = vec![format!(
        "curl -X {} {}",
        request.method.as_str(),
        quote(&request.url)
    )];
    lines.extend(
        request
            .headers
            .iter()
            .map(|(name, value)| format!("-H {}", quote(&format!("{name}: {value}")))),
    );
    lines.push(format!("--data-raw {}", quote(&request.body)));
    lines.join(" \\\n  ")
}

/// A single-quoted shell word: inside single quotes nothing is special but the quote itself, which is
/// written as close-quote, escaped quote, open-quote (`'\''`).
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Method;

    #[test]
    fn quotes_close_escape_and_reopen() {
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("$HOME `id` \\n"), "'$HOME `id` \\n'");
    }

    #[test]
    fn one_argument_per_line() {
        let request = RedactedRequest {
            method: Method::Put,
            url: "https://erp.example/orders/7".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: r#"{"a":1}"#.into(),
            secrets_masked: false,
        };
        assert_eq!(
            to_curl(&request),
            "curl -X PUT 'https://erp.example/orders/7' \\\n  -H 'Content-Type: application/json' \\\n  --data-raw '{\"a\":1}'"
        );
    }
}
