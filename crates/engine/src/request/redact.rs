//! The form of a request that may be kept and shown: execution records, exports and "copy as cURL"
//! only ever see this, with every credential masked.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

use super::headers::{is_token, names_a_credential, AUTHORIZATION, WEBHOOK_SIGNATURE};
use super::OutgoingRequest;
use crate::model::{Auth, Method, Webhook};
use crate::order;
use crate::signing::SECRET_PREFIX;

/// What a masked credential shows as.
pub const MASK: &str = "••••••";

/// How path templates encode field values; a secret that ended up in a URL is spelled this way there.
const URL_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactedRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Whether one of the webhook's secrets was masked in the URL or the body: what is kept then
    /// differs from what was sent, so it can't be sent again as it is.
    #[serde(default)]
    pub secrets_masked: bool,
}

/// `request` with its credentials masked: the `Authorization` value (keeping its scheme, as in
/// `Bearer ••••••`), the API key header, the signature, and headers whose name says they hold a credential
/// (`X-Auth-Token`); then every spelling of each of the webhook's secrets wherever else it appears
/// (URL, body, other headers), should a field value happen to hold one.
pub fn redact(request: &OutgoingRequest, webhook: &Webhook) -> RedactedRequest {
    let secrets = secret_spellings(webhook);
    let scrub = |text: &str| scrub_spellings(text, &secrets);
    let marked_secret = |name: &str| {
        webhook
            .headers
            .iter()
            .any(|header| header.secret && header.name.trim().eq_ignore_ascii_case(name))
    };
    let api_key_header = match &webhook.auth {
        Auth::ApiKey { header, .. } => Some(header.trim()),
        _ => None,
    };
    let headers = request
        .headers
        .iter()
        .map(|(name, value)| {
            let masked = if name.eq_ignore_ascii_case(AUTHORIZATION) {
                mask_keeping_scheme(value)
            } else if name.eq_ignore_ascii_case(WEBHOOK_SIGNATURE) {
                mask_signatures(value)
            } else if api_key_header.is_some_and(|header| header.eq_ignore_ascii_case(name))
                || names_a_credential(name)
                || marked_secret(name)
            {
                MASK.to_owned()
            } else {
                scrub(value)
            };
            (name.clone(), masked)
        })
        .collect();
    let (url, body) = (scrub(&request.url), scrub(&request.body));
    RedactedRequest {
        method: request.method,
        secrets_masked: url != request.url || body != request.body,
        url,
        headers,
        body,
    }
}

/// Masks every spelling of one webhook's secrets in text: for what an endpoint answers, which may
/// echo the request's credentials back (a debugging endpoint, an error page quoting the header).
pub struct SecretScrubber(Vec<String>);

impl SecretScrubber {
    pub fn for_webhook(webhook: &Webhook) -> SecretScrubber {
        SecretScrubber(secret_spellings(webhook))
    }

    pub fn scrub(&self, text: &str) -> String {
        scrub_spellings(text, &self.0)
    }

    /// [`scrub`](Self::scrub) for text that may have been cut short: an ending that begins a
    /// spelling of a secret (a credential cut in two by the cut) is masked too, since what is left
    /// of it no longer reads as the whole secret.
    pub fn scrub_cut(&self, text: &str) -> String {
        let mut scrubbed = self.scrub(text);
        // A cut inside a character reads as replacement characters; what precedes them is what counts.
        let kept = scrubbed.trim_end_matches('\u{FFFD}').len();
        let partial = self
            .0
            .iter()
            .filter_map(|secret| {
                (1..secret.len())
                    .rev()
                    .filter(|&end| secret.is_char_boundary(end))
                    .find(|&end| scrubbed[..kept].ends_with(&secret[..end]))
            })
            .max();
        if let Some(length) = partial {
            scrubbed.truncate(kept - length);
            scrubbed.push_str(MASK);
        }
        scrubbed
    }
}

fn scrub_spellings(text: &str, spellings: &[String]) -> String {
    spellings.iter().fold(text.to_owned(), |text, secret| {
        text.replace(secret.as_str(), MASK)
    })
}

/// `Bearer abc` → `Bearer ••••••`: the scheme tells a reader which authentication was sent.
fn mask_keeping_scheme(value: &str) -> String {
    match value.trim().split_once(' ') {
        Some((scheme, _)) if is_token(scheme) => format!("{scheme} {MASK}"),
        _ => MASK.to_owned(),
    }
}

/// `v1,abc v1,def` → `v1,•••••• v1,••••••`.
fn mask_signatures(value: &str) -> String {
    let masked: Vec<String> = value
        .split_whitespace()
        .map(|signature| match signature.split_once(',') {
            Some((version, _)) => format!("{version},{MASK}"),
            None => MASK.to_owned(),
        })
        .collect();
    masked.join(" ")
}

/// Every way the webhook's secrets (credentials, signing key, values of secret headers) can be written in a request: as typed, trimmed, escaped inside a JSON
/// string, percent-encoded in a URL; the signing key without its prefix; the Basic credential in base64.
/// Longest first, so a secret that contains another is masked whole.
fn secret_spellings(webhook: &Webhook) -> Vec<String> {
    let mut secrets: Vec<String> = webhook
        .auth
        .secrets()
        .into_iter()
        .chain(&webhook.signing_secret)
        .map(|secret| secret.expose().to_owned())
        .chain(
            webhook
                .headers
                .iter()
                .filter(|header| header.is_secret())
                .map(|header| header.value.clone()),
        )
        .collect();
    if let Some(key) = webhook
        .signing_secret
        .as_ref()
        .and_then(|secret| secret.expose().trim().strip_prefix(SECRET_PREFIX))
    {
        secrets.push(key.to_owned());
    }
    if let Auth::Basic { username, password } = &webhook.auth {
        secrets.push(STANDARD.encode(format!("{username}:{}", password.expose())));
    }
    let mut spellings: Vec<String> = secrets
        .iter()
        .flat_map(|secret| {
            let in_json = serde_json::to_string(secret).expect("a string serializes");
            let in_json = &in_json[1..in_json.len() - 1];
            [
                secret.clone(),
                secret.trim().to_owned(),
                in_json.to_owned(),
                // How other JSON writers echo it back: PHP escapes '/' (and by default non-ASCII),
                // Python non-ASCII, Go the HTML-sensitive characters, each as \uXXXX.
                in_json.replace('/', "\\/"),
                escape_unicode(in_json, |c| !c.is_ascii(), Hex::Lower).replace('/', "\\/"),
                escape_unicode(in_json, |c| !c.is_ascii(), Hex::Lower),
                escape_unicode(in_json, |c| "<>&".contains(c), Hex::Lower),
                // .NET's System.Text.Json: non-ASCII, HTML-sensitive characters and '+', in
                // upper-case hex.
                escape_unicode(
                    in_json,
                    |c| !c.is_ascii() || "<>&'+`".contains(c),
                    Hex::Upper,
                ),
                utf8_percent_encode(secret, URL_VALUE).to_string(),
                utf8_percent_encode(secret.trim(), URL_VALUE).to_string(),
                lower_case_percent(&utf8_percent_encode(secret, URL_VALUE).to_string()),
                // A header value goes out as Latin-1 bytes; echoed back, a reader that expects
                // UTF-8 turns each non-ASCII one into U+FFFD.
                secret
                    .chars()
                    .map(|c| {
                        if c.is_ascii() {
                            c
                        } else {
                            char::REPLACEMENT_CHARACTER
                        }
                    })
                    .collect(),
            ]
        })
        .filter(|spelling| !spelling.is_empty())
        .collect();
    order::sort_by_key(&mut spellings, |spelling| std::cmp::Reverse(spelling.len()));
    spellings.dedup();
    spellings
}

#[derive(Clone, Copy)]
enum Hex {
    Lower,
    Upper,
}

/// `json` (string contents as serde_json writes them) with the characters `escaped` picks written as
/// `\\u` escapes (UTF-16 surrogate pairs beyond the BMP), as other JSON writers do.
fn escape_unicode(json: &str, escaped: impl Fn(char) -> bool, hex: Hex) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if escaped(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                match hex {
                    Hex::Lower => out.push_str(&format!("\\u{unit:04x}")),
                    Hex::Upper => out.push_str(&format!("\\u{unit:04X}")),
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `%2F` → `%2f`: some URL writers use lower-case hex.
fn lower_case_percent(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut hex_left = 0;
    for c in encoded.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
        } else {
            hex_left = if c == '%' { 2 } else { 0 };
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Secret;

    #[test]
    fn secrets_are_recognised_as_other_json_writers_escape_them() {
        let webhook = Webhook {
            id: "wh".into(),
            name: "ERP".into(),
            base_url: "https://erp.example".into(),
            route: Default::default(),
            auth: Auth::Bearer {
                token: Secret::new("tök/<en>"),
            },
            headers: vec![],
            signing_secret: None,
            timeout_ms: 10_000,
            retry: Default::default(),
        };
        let spellings = secret_spellings(&webhook);
        for written_by in [
            "tök\\/<en>",                 // PHP, JSON_UNESCAPED_UNICODE
            "t\\u00f6k\\/<en>",           // PHP's default
            "t\\u00f6k/<en>",             // Python's default
            "tök/\\u003cen\\u003e",       // Go
            "t\\u00F6k/\\u003Cen\\u003E", // .NET
        ] {
            assert!(
                spellings.iter().any(|spelling| spelling == written_by),
                "{written_by} in {spellings:?}"
            );
        }
    }

    fn bearer(token: &str) -> Webhook {
        Webhook {
            id: "wh".into(),
            name: "ERP".into(),
            base_url: "https://erp.example".into(),
            route: Default::default(),
            auth: Auth::Bearer {
                token: Secret::new(token),
            },
            headers: vec![],
            signing_secret: None,
            timeout_ms: 10_000,
            retry: Default::default(),
        }
    }

    /// A base64-like token echoed by a .NET endpoint (`+` as `\\u002B`), in a URL with lower-case
    /// percent-encoding, or as bytes read back as UTF-8 after going out as Latin-1: each was kept
    /// whole in the history before.
    #[test]
    fn secrets_echoed_in_upper_case_escapes_lower_case_percent_or_latin_1_are_masked() {
        let scrubber = SecretScrubber::for_webhook(&bearer("ab+cd/ef=gh-long-token"));
        for echoed in [
            "{\"got\": \"Bearer ab\\u002Bcd/ef=gh-long-token\"}",
            "https://x.example/?t=ab%2bcd%2fef%3dgh-long-token",
        ] {
            let scrubbed = scrubber.scrub(echoed);
            assert!(!scrubbed.contains("long-token"), "{echoed} → {scrubbed}");
        }
        let latin_1 = SecretScrubber::for_webhook(&bearer("café-long-token"));
        let read_back = String::from_utf8_lossy(b"token: caf\xe9-long-token").into_owned();
        assert_eq!(latin_1.scrub(&read_back), format!("token: {MASK}"));
    }

    #[test]
    fn a_secret_cut_in_two_at_the_end_is_masked_too() {
        let scrubber = SecretScrubber::for_webhook(&bearer("s3cr3t-t0ken-of-some-length"));
        let cut = "echo: s3cr3t-t0ken-of-some-length, s3cr3t-t0ken-of";
        assert_eq!(scrubber.scrub_cut(cut), format!("echo: {MASK}, {MASK}"));
        assert_eq!(
            scrubber.scrub(cut),
            format!("echo: {MASK}, s3cr3t-t0ken-of"),
            "whole text: only whole secrets"
        );
        // A cut inside a character leaves replacement characters after the part of the secret.
        assert_eq!(
            scrubber.scrub_cut("echo: s3cr3t\u{FFFD}"),
            format!("echo: {MASK}")
        );
        assert_eq!(scrubber.scrub_cut("nothing secret"), "nothing secret");
    }

    #[test]
    fn schemes_stay_and_credentials_go() {
        assert_eq!(
            mask_keeping_scheme("Bearer abc.def"),
            format!("Bearer {MASK}")
        );
        assert_eq!(mask_keeping_scheme("Basic dTpw"), format!("Basic {MASK}"));
        assert_eq!(mask_keeping_scheme("justatoken"), MASK);
        assert_eq!(
            mask_signatures("v1,abc= v1a,def"),
            format!("v1,{MASK} v1a,{MASK}")
        );
    }

    #[test]
    fn secrets_are_recognised_in_every_spelling() {
        let webhook = Webhook {
            id: "wh".into(),
            name: "ERP".into(),
            base_url: "https://erp.example".into(),
            route: Default::default(),
            auth: Auth::Basic {
                username: "ada".into(),
                password: Secret::new("p@ss \"word\""),
            },
            headers: vec![],
            signing_secret: Some(Secret::new("whsec_c2VjcmV0")),
            timeout_ms: 10_000,
            retry: Default::default(),
        };
        let spellings = secret_spellings(&webhook);
        for expected in [
            "p@ss \"word\"",
            "p@ss \\\"word\\\"",
            "p%40ss%20%22word%22",
            "whsec_c2VjcmV0",
            "c2VjcmV0",
            &STANDARD.encode("ada:p@ss \"word\""),
        ] {
            assert!(
                spellings.iter().any(|spelling| spelling == expected),
                "{expected} in {spellings:?}"
            );
        }
        assert!(
            spellings
                .windows(2)
                .all(|pair| pair[0].len() >= pair[1].len()),
            "longest first"
        );
    }
}
