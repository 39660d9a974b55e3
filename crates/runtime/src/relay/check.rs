//! "Check connection": whether the relay answers this page, its storage runs, and it accepts each
//! token — every finding in words, so a wrong token is never mistaken for a dead relay.

use webhook_engine::model::Secret;

use super::{RelayClient, RelayConnection, RelayError, TokenKind};

/// One finding of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub ok: bool,
    pub text: String,
}

/// Checks `connection`: the relay's health, then each token it holds.
pub async fn check_connection(connection: &RelayConnection) -> Vec<Finding> {
    let tokens = [
        (TokenKind::Admin, connection.admin_token.as_ref()),
        (TokenKind::Events, connection.events_token.as_ref()),
    ];
    let Some(any) = tokens
        .iter()
        .find_map(|(kind, token)| token.map(|token| (*kind, token.clone())))
    else {
        return vec![Finding {
            ok: false,
            text: "Enter at least one token: the admin token to configure the relay, the events token to hand events over.".into(),
        }];
    };
    let client = |kind: TokenKind, token: Secret| RelayClient::new(&connection.url, token, kind);
    let mut findings = vec![match client(any.0, any.1).health().await {
        Ok(()) => Finding {
            ok: true,
            text: format!(
                "The relay at {} answers and its storage runs.",
                connection.url.trim()
            ),
        },
        Err(error) => {
            let stop = matches!(
                error,
                RelayError::Unreachable { .. } | RelayError::CorsNotAllowed { .. }
            );
            let finding = Finding {
                ok: false,
                text: capitalized(&error.to_string()),
            };
            if stop {
                return vec![finding];
            }
            finding
        }
    }];
    for (kind, token) in tokens {
        let Some(token) = token.filter(|token| !token.is_empty()) else {
            continue;
        };
        let name = match kind {
            TokenKind::Admin => "admin",
            TokenKind::Events => "events",
        };
        findings.push(match client(kind, token.clone()).whoami().await {
            Ok(found) if found == kind => Finding {
                ok: true,
                text: format!("The {name} token is accepted."),
            },
            Ok(_) => Finding {
                ok: false,
                text: format!("The {name} token is the relay's other token: swap the two."),
            },
            Err(error) => Finding {
                ok: false,
                text: capitalized(&error.to_string()),
            },
        });
    }
    findings
}

/// A message as a sentence of its own.
fn capitalized(text: &str) -> String {
    format!("{}.", crate::text::capitalize(text))
}
