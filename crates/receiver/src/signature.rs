//! `--signing-secret`: verifying Standard Webhooks signatures.
//!
//! The signed content is `{webhook-id}.{webhook-timestamp}.{raw body}`, the key is the
//! base64-decoded part of the secret after `whsec_`, the MAC is HMAC-SHA256, and the
//! `webhook-signature` header holds space-separated `v1,<base64>` entries (several during
//! key rotation); any one matching verifies the request. Timestamps are not checked for
//! age (this is a test tool; old requests are worth seeing too), but the age is recorded.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use http::HeaderMap;
use serde::Serialize;
use sha2::Sha256;

use crate::config::ConfigError;

type HmacSha256 = Hmac<Sha256>;

pub const ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";

const SECRET_PREFIX: &str = "whsec_";

/// The result of checking a request's signature, as stored in a record's `signature` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureOutcome {
    /// One of the `v1,` signatures matches.
    Verified,
    /// The headers are there but no signature matches (or the body was too large to check).
    Invalid,
    /// One of `webhook-id`, `webhook-timestamp`, `webhook-signature` is absent.
    Missing,
}

impl SignatureOutcome {
    /// The word used in records and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureOutcome::Verified => "verified",
            SignatureOutcome::Invalid => "invalid",
            SignatureOutcome::Missing => "missing",
        }
    }
}

/// A Standard Webhooks secret (`whsec_<base64 key>`).
#[derive(Clone)]
pub struct SigningSecret {
    key: Vec<u8>,
    /// HMAC keyed once at start-up and cloned per request, so a key problem is a start-up
    /// error rather than something to handle on the request path.
    keyed_mac: HmacSha256,
}

impl PartialEq for SigningSecret {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for SigningSecret {}

impl SigningSecret {
    fn signed_mac(&self, id: &[u8], timestamp: &[u8], body: &[u8]) -> HmacSha256 {
        let mut mac = self.keyed_mac.clone();
        mac.update(id);
        mac.update(b".");
        mac.update(timestamp);
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The `webhook-signature` value a sender would produce (`v1,<base64>`).
    pub fn sign(&self, id: &str, timestamp: &str, body: &[u8]) -> String {
        let tag = self
            .signed_mac(id.as_bytes(), timestamp.as_bytes(), body)
            .finalize()
            .into_bytes();
        format!("v1,{}", STANDARD.encode(tag))
    }

    /// Checks the Standard Webhooks headers of a request against its raw body.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> SignatureOutcome {
        let (Some(id), Some(timestamp), Some(signatures)) = (
            headers.get(ID_HEADER),
            headers.get(TIMESTAMP_HEADER),
            headers.get(SIGNATURE_HEADER),
        ) else {
            return SignatureOutcome::Missing;
        };
        let Ok(signatures) = std::str::from_utf8(signatures.as_bytes()) else {
            return SignatureOutcome::Invalid;
        };
        let mac = self.signed_mac(id.as_bytes(), timestamp.as_bytes(), body);
        let any_match = signatures
            .split_whitespace()
            .filter_map(|entry| entry.strip_prefix("v1,"))
            .filter_map(|encoded| STANDARD.decode(encoded).ok())
            // `verify_slice` compares in constant time.
            .any(|candidate| mac.clone().verify_slice(&candidate).is_ok());
        if any_match {
            SignatureOutcome::Verified
        } else {
            SignatureOutcome::Invalid
        }
    }
}

/// Seconds between `webhook-timestamp` and now (positive = in the past), when the header is
/// a whole number. Recorded instead of rejecting old or future timestamps.
pub fn timestamp_age_secs(headers: &HeaderMap, now_unix: i64) -> Option<i64> {
    let value = headers.get(TIMESTAMP_HEADER)?.to_str().ok()?;
    let sent: i64 = value.trim().parse().ok()?;
    now_unix.checked_sub(sent)
}

impl FromStr for SigningSecret {
    type Err = ConfigError;

    /// `whsec_<base64>`; a bare base64 key (without the prefix) is accepted too, as the
    /// Standard Webhooks libraries do.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let encoded = value.strip_prefix(SECRET_PREFIX).unwrap_or(value);
        let key = STANDARD
            .decode(encoded)
            .map_err(|err| ConfigError::SigningSecretNotBase64(err.to_string()))?;
        if key.is_empty() {
            return Err(ConfigError::SigningSecretEmpty);
        }
        let keyed_mac =
            HmacSha256::new_from_slice(&key).map_err(|_| ConfigError::SigningSecretUnusableKey)?;
        Ok(SigningSecret { key, keyed_mac })
    }
}

/// Never print the key.
impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningSecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: &str = "1614265330";
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const EXPECTED: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn headers(signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            (ID_HEADER, ID),
            (TIMESTAMP_HEADER, TIMESTAMP),
            (SIGNATURE_HEADER, signature),
        ] {
            headers.insert(name, HeaderValue::from_str(value).expect("test header"));
        }
        headers
    }

    #[test]
    fn standard_webhooks_test_vector() {
        let secret: SigningSecret = SECRET.parse().expect("secret parses");
        assert_eq!(secret.sign(ID, TIMESTAMP, BODY), EXPECTED);
        assert_eq!(
            secret.verify(&headers(EXPECTED), BODY),
            SignatureOutcome::Verified
        );
    }

    #[test]
    fn any_of_several_signatures_verifies() {
        let secret: SigningSecret = SECRET.parse().expect("secret parses");
        let several = format!("v1,bm90IGl0 v2,whatever {EXPECTED}");
        assert_eq!(
            secret.verify(&headers(&several), BODY),
            SignatureOutcome::Verified
        );
    }

    #[test]
    fn tampered_body_or_missing_headers() {
        let secret: SigningSecret = SECRET.parse().expect("secret parses");
        assert_eq!(
            secret.verify(&headers(EXPECTED), br#"{"test": 2432232315}"#),
            SignatureOutcome::Invalid
        );
        assert_eq!(
            secret.verify(&HeaderMap::new(), BODY),
            SignatureOutcome::Missing
        );
    }

    #[test]
    fn bad_secrets() {
        assert!(matches!(
            "whsec_***".parse::<SigningSecret>(),
            Err(ConfigError::SigningSecretNotBase64(_))
        ));
        assert_eq!(
            "whsec_".parse::<SigningSecret>(),
            Err(ConfigError::SigningSecretEmpty)
        );
    }

    #[test]
    fn timestamp_age() {
        let h = headers(EXPECTED);
        assert_eq!(timestamp_age_secs(&h, 1614265340), Some(10));
        assert_eq!(timestamp_age_secs(&HeaderMap::new(), 0), None);
    }
}
