//! `--basic-auth`: checking `Authorization: Basic ...` on recorded requests.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::header::AUTHORIZATION;
use http::HeaderMap;
use serde::Serialize;

use crate::config::ConfigError;

/// The `WWW-Authenticate` challenge sent with a 401.
pub const CHALLENGE: &str = r#"Basic realm="webhook-receiver""#;

/// What the `Authorization` header of a request said, as stored in a record's `auth` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthOutcome {
    /// Basic credentials matching `--basic-auth`.
    Ok,
    /// No `Authorization` header at all.
    Missing,
    /// An `Authorization` header that is not Basic, not decodable, or has other credentials.
    Rejected,
}

impl AuthOutcome {
    /// The word used in records and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthOutcome::Ok => "ok",
            AuthOutcome::Missing => "missing",
            AuthOutcome::Rejected => "rejected",
        }
    }
}

/// The credentials given with `--basic-auth USER:PASS`.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    user: String,
    password: String,
}

impl BasicAuth {
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        BasicAuth {
            user: user.into(),
            password: password.into(),
        }
    }

    /// The value a client sends: `Basic base64(user:password)`.
    pub fn header_value(&self) -> String {
        format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", self.user, self.password))
        )
    }

    pub fn check(&self, headers: &HeaderMap) -> AuthOutcome {
        let Some(value) = headers.get(AUTHORIZATION) else {
            return AuthOutcome::Missing;
        };
        if self.matches(value.as_bytes()) {
            AuthOutcome::Ok
        } else {
            AuthOutcome::Rejected
        }
    }

    fn matches(&self, header: &[u8]) -> bool {
        let Ok(header) = std::str::from_utf8(header) else {
            return false;
        };
        let Some((scheme, encoded)) = header.trim().split_once(' ') else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return false;
        }
        let Ok(decoded) = STANDARD.decode(encoded.trim()) else {
            return false;
        };
        let expected = format!("{}:{}", self.user, self.password);
        decoded == expected.as_bytes()
    }
}

impl FromStr for BasicAuth {
    type Err = ConfigError;

    /// `USER:PASS`; the password may itself contain colons (split at the first one).
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let (user, password) = value
            .split_once(':')
            .ok_or(ConfigError::BasicAuthWithoutColon)?;
        if user.is_empty() {
            return Err(ConfigError::BasicAuthEmptyUser);
        }
        Ok(BasicAuth::new(user, password))
    }
}

/// Never print the password (configs end up in logs and panic messages).
impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers_with(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(authorization).expect("test header"),
        );
        headers
    }

    #[test]
    fn password_may_contain_colons() {
        let auth: BasicAuth = "alice:se:cret".parse().expect("parses");
        assert_eq!(auth, BasicAuth::new("alice", "se:cret"));
        assert!(!format!("{auth:?}").contains("se:cret"));
    }

    #[test]
    fn outcomes() {
        let auth = BasicAuth::new("alice", "secret");
        assert_eq!(auth.check(&HeaderMap::new()), AuthOutcome::Missing);
        assert_eq!(
            auth.check(&headers_with(&auth.header_value())),
            AuthOutcome::Ok
        );
        // The scheme is case-insensitive.
        let lower = auth.header_value().replacen("Basic", "basic", 1);
        assert_eq!(auth.check(&headers_with(&lower)), AuthOutcome::Ok);
        let wrong = BasicAuth::new("alice", "wrong").header_value();
        assert_eq!(auth.check(&headers_with(&wrong)), AuthOutcome::Rejected);
        assert_eq!(
            auth.check(&headers_with("Bearer abc")),
            AuthOutcome::Rejected
        );
        assert_eq!(
            auth.check(&headers_with("Basic !!!")),
            AuthOutcome::Rejected
        );
    }
}
