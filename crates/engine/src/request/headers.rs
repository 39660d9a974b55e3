//! Header names and values: which an admin may set, which we set ourselves, and which carry credentials.

pub const CONTENT_TYPE: &str = "Content-Type";
pub const AUTHORIZATION: &str = "Authorization";
/// The execution's id: the same on every attempt, so the receiver can drop duplicates.
pub const WEBHOOK_ID: &str = "webhook-id";
pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";

/// Headers every request gets from us; an admin's header of the same name would clash with them.
const OURS: [&str; 4] = [
    CONTENT_TYPE,
    WEBHOOK_ID,
    WEBHOOK_TIMESTAMP,
    WEBHOOK_SIGNATURE,
];

/// Headers a page's `fetch` may not set (the Fetch standard's forbidden request-header names, plus the
/// CORS request headers): the browser would drop or refuse them, so the admin hears it from us first.
const FORBIDDEN: [&str; 24] = [
    "Accept-Charset",
    "Accept-Encoding",
    "Access-Control-Request-Headers",
    "Access-Control-Request-Method",
    "Connection",
    "Content-Length",
    "Cookie",
    "Cookie2",
    "Date",
    "DNT",
    "Expect",
    "Host",
    "Keep-Alive",
    "Origin",
    "Referer",
    "Set-Cookie",
    "TE",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
    "Via",
    // These change which method the server applies, which the action's method decides.
    "X-HTTP-Method",
    "X-HTTP-Method-Override",
    "X-Method-Override",
];
const FORBIDDEN_PREFIXES: [&str; 3] = ["Proxy-", "Sec-", "Access-Control-"];

/// Words in a header's name that suggest its value is a credential, masked in every record of it.
const CREDENTIAL_WORDS: [&str; 8] = [
    "auth",
    "token",
    "secret",
    "key",
    "cookie",
    "session",
    "signature",
    "credential",
];

/// Words that name a credential only as a whole part of the name (`X-Jwt`, `X-User-Pwd`), since
/// inside other words they mean something else (`X-Spot-Price`).
const CREDENTIAL_PARTS: [&str; 5] = ["jwt", "pwd", "otp", "totp", "hotp"];

/// Compounds that name a credential when their parts stand side by side (`X-Access-Code`,
/// `X_Access_Code`, `X-AccessCode`, `X-Pass-Word`).
const CREDENTIAL_COMPOUNDS: [&str; 5] =
    ["accesscode", "password", "passwd", "passcode", "passwort"];

/// Words that name a credential as the last part of the name (`X-Pass`, `X-User-Pin`); before
/// another part they mean something else (`X-Pass-Through`, `X-Pin-Code`, a postal code).
const CREDENTIAL_LAST_PARTS: [&str; 2] = ["pass", "pin"];

/// An RFC 7230 token: the characters a header name may have.
pub(super) fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

pub(super) fn is_forbidden(name: &str) -> bool {
    FORBIDDEN
        .iter()
        .any(|forbidden| forbidden.eq_ignore_ascii_case(name))
        || FORBIDDEN_PREFIXES
            .iter()
            .any(|prefix| starts_with_ignore_case(name, prefix))
}

pub(super) fn is_ours(name: &str) -> bool {
    OURS.iter().any(|ours| ours.eq_ignore_ascii_case(name))
}

/// Whether a header's name says it carries a credential (`X-Api-Key`, `X-Auth-Token`, `X-Passwd`,
/// `X-Access-Code`, `X-Pass`, …). It errs on the side of ordinary names staying ordinary: a name
/// it misses can still be marked secret by the admin, while one it catches wrongly could not be
/// unmarked, and its value would be masked wherever it appears.
pub(crate) fn names_a_credential(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let parts: Vec<&str> = name.split(['-', '_']).collect();
    let joined = parts.concat();
    CREDENTIAL_WORDS.iter().any(|word| name.contains(word))
        || CREDENTIAL_COMPOUNDS
            .iter()
            .any(|word| joined.contains(word))
        || parts.iter().any(|part| CREDENTIAL_PARTS.contains(part))
        || parts
            .last()
            .is_some_and(|last| CREDENTIAL_LAST_PARTS.contains(last))
}

/// Why `value` can't be sent as a header value, if it can't: a line break or NUL would end the header
/// and start another (header injection); `fetch` refuses characters beyond Latin-1.
pub(super) fn value_problem(value: &str) -> Option<&'static str> {
    if value.contains(['\r', '\n']) {
        Some("it contains a line break")
    } else if value.contains('\0') {
        Some("it contains a NUL character")
    } else if value.chars().any(|c| u32::from(c) > 0xFF) {
        Some("it contains characters a browser can't send in a header (beyond Latin-1, such as emoji)")
    } else {
        None
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_rfc_7230_header_names() {
        for good in ["X-Tenant-Id", "x_custom", "A1!#$%&'*+-.^_`|~"] {
            assert!(is_token(good), "{good}");
        }
        for bad in [
            "",
            "X Tenant",
            "X:Tenant",
            "X-Tenänt",
            "X\r\nHost",
            "(x)",
            "a/b",
            "\"q\"",
        ] {
            assert!(!is_token(bad), "{bad:?}");
        }
    }

    #[test]
    fn forbidden_names_match_whatever_their_case() {
        for name in [
            "host",
            "Content-Length",
            "COOKIE",
            "proxy-authorization",
            "Sec-Fetch-Mode",
            "access-control-allow-origin",
            "TE",
            "x-http-method-override",
        ] {
            assert!(is_forbidden(name), "{name}");
        }
        for name in [
            "X-Host",
            "Accept",
            "Secret",
            "Authorization",
            "Content-Type",
        ] {
            assert!(!is_forbidden(name), "{name}");
        }
        assert!(
            is_ours("content-type") && is_ours("Webhook-Signature") && !is_ours("webhook-other")
        );
    }

    #[test]
    fn values_that_could_inject_or_that_fetch_refuses_are_flagged() {
        assert_eq!(value_problem("plain value é"), None);
        assert!(value_problem("a\r\nX-Injected: 1").is_some());
        assert!(value_problem("a\nb").is_some());
        assert!(value_problem("a\0b").is_some());
        assert!(value_problem("party 🎉").is_some());
    }

    #[test]
    fn credential_names_are_recognised() {
        for name in [
            "X-API-Key",
            "X-Auth-Token",
            "Client-Secret",
            "X-Session",
            // Missed before: these went into history and exports in clear text.
            "X-Passwd",
            "X-Pass",
            "X-Pwd",
            "X-Credential",
            "X-Client-Credentials",
            "X-Jwt",
            "X-Access-Code",
            "X_Access_Code",
            "X-AccessCode",
            "X-Passcode",
            "X-Private-Token",
            "X-User-Pass",
            "X-User-Pwd",
            "X-OTP",
            "X-Otp-Code",
            // Split spellings a second review found missed.
            "X-Pass-Code",
            "X-Pass-Word",
            "X_Pass_Word",
            "X-Passwort",
            "X-TOTP",
            "X-Totp-Code",
            "X-User-PIN",
            "X-Pin",
        ] {
            assert!(names_a_credential(name), "{name}");
        }
        // Ordinary names a looser rule caught (a review of this rule): none may be refused in a
        // shared document or masked in history.
        for name in [
            "X-Tenant-Id",
            "X-Passenger-Count",
            "X-Pinned",
            "X-Country-Code",
            "Accept-Language",
            "X-Request-Id",
            "X-Spot-Price",
            "X-Pilot-Program",
            "X-Root-Path",
            "X-Bot-Protection",
            "X-Iot-Platform",
            "X-Slot-Position",
            "X-Snapshot-Policy",
            "X-Make-Year",
            "X-Pass-Through",
            "X-Pin-Code",
            "X-Private-Label",
        ] {
            assert!(!names_a_credential(name), "{name}");
        }
    }
}
