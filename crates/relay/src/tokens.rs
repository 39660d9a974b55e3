//! Who may call the API: an admin token and an events token, each possibly several (one a line in
//! its file, so a new token can be added before the old one is removed: rotation without downtime).
//! Files are read again on SIGHUP.
//!
//! Tokens are compared in constant time: each presented token is hashed and the digest compared with
//! every known digest, without stopping at the first match, so neither the timing nor the token
//! length tells an attacker how close a guess was.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};
use thiserror::Error;

/// Shorter tokens are refused at start-up: they could be guessed.
pub const MIN_TOKEN_LENGTH: usize = 16;

/// Which token a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything: configuration, credentials, replays, test sends, bodies in the history.
    Admin,
    /// Posting events and reading executions as a CRM user who is not an admin sees them.
    Events,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Events => "events",
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("no {role} token: give --{role}-token-file FILE (one token a line) or set {variable}")]
    Missing {
        role: &'static str,
        variable: &'static str,
    },
    #[error("cannot read the {role} token file {path}: {reason}")]
    Unreadable {
        role: &'static str,
        path: String,
        reason: String,
    },
    #[error("the {role} token file {path} holds no token (one a line; lines starting with # are comments)")]
    Empty { role: &'static str, path: String },
    #[error("a {role} token is too short ({length} characters): use at least {MIN_TOKEN_LENGTH}, e.g. `openssl rand -hex 32`")]
    TooShort { role: &'static str, length: usize },
    #[error(
        "the same token is both an admin and an events token: give the events token its own value"
    )]
    Shared,
}

/// Where one role's tokens come from.
#[derive(Debug, Clone)]
pub struct TokenSource {
    role: Role,
    file: Option<PathBuf>,
    /// Tokens given in the environment, when there is no file.
    inline: Option<String>,
}

impl TokenSource {
    pub fn new(role: Role, file: Option<PathBuf>, inline: Option<String>) -> Self {
        TokenSource { role, file, inline }
    }

    fn variable(&self) -> &'static str {
        match self.role {
            Role::Admin => "WEBHOOK_RELAY_ADMIN_TOKEN",
            Role::Events => "WEBHOOK_RELAY_EVENTS_TOKEN",
        }
    }

    fn load(&self) -> Result<Vec<[u8; 32]>, TokenError> {
        let role = self.role.name();
        let tokens: Vec<String> = match (&self.file, &self.inline) {
            (Some(path), _) => {
                let text =
                    std::fs::read_to_string(path).map_err(|error| TokenError::Unreadable {
                        role,
                        path: path.display().to_string(),
                        reason: error.to_string(),
                    })?;
                let tokens = lines(&text);
                if tokens.is_empty() {
                    return Err(TokenError::Empty {
                        role,
                        path: path.display().to_string(),
                    });
                }
                tokens
            }
            (None, Some(inline)) if !inline.trim().is_empty() => {
                inline.split_whitespace().map(str::to_owned).collect()
            }
            _ => {
                return Err(TokenError::Missing {
                    role,
                    variable: self.variable(),
                })
            }
        };
        if let Some(short) = tokens
            .iter()
            .find(|token| token.chars().count() < MIN_TOKEN_LENGTH)
        {
            return Err(TokenError::TooShort {
                role,
                length: short.chars().count(),
            });
        }
        Ok(tokens.iter().map(|token| digest(token)).collect())
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The tokens in force.
pub struct Tokens {
    sources: [TokenSource; 2],
    digests: RwLock<Digests>,
}

struct Digests {
    admin: Vec<[u8; 32]>,
    events: Vec<[u8; 32]>,
}

impl Tokens {
    pub fn load(admin: TokenSource, events: TokenSource) -> Result<Tokens, TokenError> {
        let digests = read(&admin, &events)?;
        Ok(Tokens {
            sources: [admin, events],
            digests: RwLock::new(digests),
        })
    }

    /// Reads the token files again (SIGHUP). On a problem the tokens in force stay.
    pub fn reload(&self) -> Result<(), TokenError> {
        let digests = read(&self.sources[0], &self.sources[1])?;
        *self.digests.write().expect("token lock") = digests;
        Ok(())
    }

    /// The role of `presented`, if it is a known token.
    pub fn role_of(&self, presented: &str) -> Option<Role> {
        let presented = digest(presented);
        let digests = self.digests.read().expect("token lock");
        let matches = |known: &[[u8; 32]]| {
            known.iter().fold(Choice::from(0), |found, candidate| {
                found | candidate.ct_eq(&presented)
            })
        };
        let admin = matches(&digests.admin);
        let events = matches(&digests.events);
        if bool::from(admin) {
            Some(Role::Admin)
        } else if bool::from(events) {
            Some(Role::Events)
        } else {
            None
        }
    }

    pub fn files(&self) -> Vec<&Path> {
        self.sources
            .iter()
            .filter_map(|source| source.file.as_deref())
            .collect()
    }
}

fn read(admin: &TokenSource, events: &TokenSource) -> Result<Digests, TokenError> {
    let admin = admin.load()?;
    let events = events.load()?;
    if admin.iter().any(|digest| events.contains(digest)) {
        return Err(TokenError::Shared);
    }
    Ok(Digests { admin, events })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMIN: &str = "admin-token-0123456789";
    const NEXT_ADMIN: &str = "admin-token-next-456789";
    const EVENTS: &str = "events-token-0123456789";

    fn inline(role: Role, tokens: &str) -> TokenSource {
        TokenSource::new(role, None, Some(tokens.into()))
    }

    #[test]
    fn each_token_has_its_role_and_several_may_be_valid_at_once() {
        let tokens = Tokens::load(
            inline(Role::Admin, &format!("{ADMIN} {NEXT_ADMIN}")),
            inline(Role::Events, EVENTS),
        )
        .unwrap();
        assert_eq!(tokens.role_of(ADMIN), Some(Role::Admin));
        assert_eq!(tokens.role_of(NEXT_ADMIN), Some(Role::Admin));
        assert_eq!(tokens.role_of(EVENTS), Some(Role::Events));
        assert_eq!(tokens.role_of("admin-token-012345678"), None);
        assert_eq!(tokens.role_of(""), None);
    }

    #[test]
    fn files_hold_one_token_a_line_and_are_read_again_on_reload() {
        let dir = std::env::temp_dir().join(format!("relay-tokens-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("admin");
        std::fs::write(&file, format!("# rotated monthly\n{ADMIN}\n\n")).unwrap();
        let tokens = Tokens::load(
            TokenSource::new(Role::Admin, Some(file.clone()), None),
            inline(Role::Events, EVENTS),
        )
        .unwrap();
        assert_eq!(tokens.role_of(NEXT_ADMIN), None);
        std::fs::write(&file, format!("{ADMIN}\n{NEXT_ADMIN}\n")).unwrap();
        tokens.reload().unwrap();
        assert_eq!(tokens.role_of(NEXT_ADMIN), Some(Role::Admin));
        std::fs::write(&file, "short\n").unwrap();
        assert!(matches!(tokens.reload(), Err(TokenError::TooShort { .. })));
        assert_eq!(
            tokens.role_of(NEXT_ADMIN),
            Some(Role::Admin),
            "a bad reload keeps the tokens in force"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_short_and_shared_tokens_are_refused_with_words() {
        let missing = Tokens::load(
            TokenSource::new(Role::Admin, None, None),
            inline(Role::Events, EVENTS),
        );
        let message = missing.err().unwrap().to_string();
        assert!(
            message.contains("--admin-token-file") && message.contains("WEBHOOK_RELAY_ADMIN_TOKEN"),
            "{message}"
        );
        assert!(matches!(
            Tokens::load(inline(Role::Admin, "short"), inline(Role::Events, EVENTS)).err(),
            Some(TokenError::TooShort { length: 5, .. })
        ));
        assert_eq!(
            Tokens::load(inline(Role::Admin, ADMIN), inline(Role::Events, ADMIN)).err(),
            Some(TokenError::Shared)
        );
    }
}
