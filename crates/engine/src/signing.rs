//! Standard Webhooks signing (<https://www.standardwebhooks.com>): a receiver checks that a request
//! came from us, unchanged, by recomputing `webhook-signature` from the `webhook-id` and
//! `webhook-timestamp` headers and the body with the secret both sides share.

use base64::alphabet::STANDARD as STANDARD_ALPHABET;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

use crate::model::Secret;

/// What every Standard Webhooks secret starts with; the base64 key follows it.
pub const SECRET_PREFIX: &str = "whsec_";

/// The signature scheme we produce: `v1` is HMAC-SHA256.
const SCHEME: &str = "v1";

/// Keys pasted from another tool sometimes lack their `=` padding; the key is the same either way.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &STANDARD_ALPHABET,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SigningError {
    #[error(
        "the signing secret must start with \"whsec_\": paste the whole secret, prefix included"
    )]
    MissingPrefix,
    #[error("the signing secret has nothing after \"whsec_\": paste the whole secret")]
    EmptyKey,
    #[error(
        "the signing secret is damaged: after \"whsec_\" it may only hold base64 (letters, digits, '+', '/' and '=' at the end)"
    )]
    InvalidBase64,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    #[error(transparent)]
    Secret(#[from] SigningError),
    #[error("the webhook-signature header holds no v1 signature")]
    NoSignature,
    #[error("no signature matches: the secret, the id, the timestamp or the body differs from what was signed")]
    Mismatch,
}

/// The `webhook-signature` header value for one message: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.
pub fn sign(
    secret: &Secret,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, SigningError> {
    let digest = message_mac(secret, msg_id, timestamp, body)?
        .finalize()
        .into_bytes();
    Ok(format!("{SCHEME},{}", STANDARD.encode(digest)))
}

/// Checks a `webhook-signature` header (one or more space-separated `v1,…` signatures, as sent during a
/// secret rotation) in constant time. It checks the signature only: how old a timestamp may be is the
/// receiver's policy, and the CLI verifies recorded requests long after they were sent.
pub fn verify(
    secret: &Secret,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
    signature_header: &str,
) -> Result<(), VerifyError> {
    let mac = message_mac(secret, msg_id, timestamp, body)?;
    let signatures: Vec<Vec<u8>> = signature_header
        .split_whitespace()
        .filter_map(|entry| entry.strip_prefix(SCHEME)?.strip_prefix(','))
        .filter_map(|encoded| STANDARD.decode(encoded).ok())
        .collect();
    if signatures.is_empty() {
        return Err(VerifyError::NoSignature);
    }
    if signatures
        .iter()
        .any(|signature| mac.clone().verify_slice(signature).is_ok())
    {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

/// A new secret from `random_bytes`, which the caller draws from a secure source (the browser's
/// `crypto.getRandomValues`): the engine stays pure. 32 bytes is a full-strength HMAC-SHA256 key.
pub fn generate_secret(random_bytes: [u8; 32]) -> Secret {
    Secret::new(format!("{SECRET_PREFIX}{}", STANDARD.encode(random_bytes)))
}

/// The HMAC key inside a `whsec_…` secret. Surrounding spaces, which pasting often adds, are ignored.
pub(crate) fn signing_key(secret: &Secret) -> Result<Vec<u8>, SigningError> {
    let encoded = secret
        .expose()
        .trim()
        .strip_prefix(SECRET_PREFIX)
        .ok_or(SigningError::MissingPrefix)?;
    if encoded.is_empty() {
        return Err(SigningError::EmptyKey);
    }
    LENIENT_BASE64
        .decode(encoded)
        .map_err(|_| SigningError::InvalidBase64)
}

fn message_mac(
    secret: &Secret,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<HmacSha256, SigningError> {
    let key = signing_key(secret)?;
    let mut mac = HmacSha256::new_from_slice(&key).expect("HMAC accepts keys of any length");
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: i64 = 1_614_265_330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;

    fn secret() -> Secret {
        Secret::new(SECRET)
    }

    #[test]
    fn matches_the_standard_webhooks_test_vector() {
        assert_eq!(
            sign(&secret(), ID, TIMESTAMP, BODY).unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn every_signed_part_changes_the_signature() {
        let original = sign(&secret(), ID, TIMESTAMP, BODY).unwrap();
        let other_secret = generate_secret([7; 32]);
        for changed in [
            sign(&other_secret, ID, TIMESTAMP, BODY),
            sign(&secret(), "msg_other", TIMESTAMP, BODY),
            sign(&secret(), ID, TIMESTAMP + 1, BODY),
            sign(&secret(), ID, TIMESTAMP, br#"{"test": 2432232315}"#),
        ] {
            assert_ne!(changed.unwrap(), original);
        }
    }

    #[test]
    fn verify_accepts_the_signature_among_others_and_rejects_any_change() {
        let signature = sign(&secret(), ID, TIMESTAMP, BODY).unwrap();
        assert_eq!(verify(&secret(), ID, TIMESTAMP, BODY, &signature), Ok(()));
        let rotated = format!("v1,bm90IGl0 {signature}");
        assert_eq!(verify(&secret(), ID, TIMESTAMP, BODY, &rotated), Ok(()));
        assert_eq!(
            verify(&secret(), ID, TIMESTAMP + 1, BODY, &signature),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(&secret(), ID, TIMESTAMP, b"{}", &signature),
            Err(VerifyError::Mismatch)
        );
        let other = generate_secret([1; 32]);
        assert_eq!(
            verify(&other, ID, TIMESTAMP, BODY, &signature),
            Err(VerifyError::Mismatch)
        );
        let unversioned = signature.trim_start_matches("v1,");
        assert_eq!(
            verify(&secret(), ID, TIMESTAMP, BODY, unversioned),
            Err(VerifyError::NoSignature)
        );
    }

    #[test]
    fn malformed_secrets_are_refused_with_a_reason() {
        let sign_with = |text: &str| sign(&Secret::new(text), ID, TIMESTAMP, BODY);
        assert_eq!(
            sign_with("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            Err(SigningError::MissingPrefix)
        );
        assert_eq!(sign_with("whsec_"), Err(SigningError::EmptyKey));
        assert_eq!(
            sign_with("whsec_not base64!"),
            Err(SigningError::InvalidBase64)
        );
        assert!(SigningError::MissingPrefix.to_string().contains("whsec_"));
    }

    #[test]
    fn pasted_secrets_with_spaces_or_without_padding_still_sign() {
        let expected = sign(&secret(), ID, TIMESTAMP, BODY).unwrap();
        let padded = generate_secret([9; 32]);
        assert!(
            padded.expose().ends_with('='),
            "32 bytes need padding in base64"
        );
        let unpadded = Secret::new(padded.expose().trim_end_matches('='));
        assert_eq!(
            sign(&unpadded, ID, TIMESTAMP, BODY),
            sign(&padded, ID, TIMESTAMP, BODY)
        );
        let spaced = Secret::new(format!("  {SECRET}\n"));
        assert_eq!(sign(&spaced, ID, TIMESTAMP, BODY).unwrap(), expected);
    }

    #[test]
    fn generated_secrets_carry_the_given_bytes_as_their_key() {
        let bytes: [u8; 32] = std::array::from_fn(|i| i as u8 * 7);
        let secret = generate_secret(bytes);
        assert!(secret.expose().starts_with(SECRET_PREFIX));
        assert_eq!(signing_key(&secret).unwrap(), bytes);
        let signature = sign(&secret, ID, TIMESTAMP, BODY).unwrap();
        assert_eq!(verify(&secret, ID, TIMESTAMP, BODY, &signature), Ok(()));
    }
}
