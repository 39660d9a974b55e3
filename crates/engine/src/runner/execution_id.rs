//! Execution ids of planned deliveries, derived from what they deliver: the event, the automation and
//! the action. A host that plans the same event twice (a crash between planning and recording, an
//! event handed over again by a second process) gets the same ids, so the same delivery never goes
//! out under two `webhook-id`s and a receiver's duplicate check holds. Replays and test sends are new
//! deliveries and keep fresh random ids ([`super::Environment::new_id`]).

use sha2::{Digest, Sha256};

/// What derived ids start with: the same `msg_` prefix as random ones, so they look alike in a history.
const PREFIX: &str = "msg_";
/// Hex digits kept of the digest: 128 bits, far beyond any chance of two deliveries colliding.
const HEX_DIGITS: usize = 32;

/// The execution id of action `action_index` of automation `automation_id` run for event `event_id`:
/// `msg_` and 32 hex digits of a SHA-256 over the three, each length-prefixed so that no two different
/// triples hash the same input (`("a.b", "c")` and `("a", "b.c")` stay apart).
pub fn execution_id(event_id: &str, automation_id: &str, action_index: usize) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"webhook-automations/execution/v1");
    for part in [event_id.as_bytes(), automation_id.as_bytes()] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher.update((action_index as u64).to_be_bytes());
    let digest = hasher.finalize();
    let mut id = String::with_capacity(PREFIX.len() + HEX_DIGITS);
    id.push_str(PREFIX);
    for byte in &digest[..HEX_DIGITS / 2] {
        id.push(char::from(HEX[usize::from(byte >> 4)]));
        id.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    id
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_delivery_always_gets_the_same_id() {
        let id = execution_id("evt_1", "auto_won", 0);
        assert_eq!(id, execution_id("evt_1", "auto_won", 0));
        assert!(id.starts_with("msg_") && id.len() == 4 + 32, "{id}");
        assert!(id[4..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }

    #[test]
    fn any_difference_gives_another_id() {
        let ids = [
            execution_id("evt_1", "auto_won", 0),
            execution_id("evt_2", "auto_won", 0),
            execution_id("evt_1", "auto_lost", 0),
            execution_id("evt_1", "auto_won", 1),
            // Moving a character from one part to the other must not give the same input.
            execution_id("evt_1a", "uto_won", 0),
            execution_id("", "evt_1auto_won", 0),
        ];
        for (index, id) in ids.iter().enumerate() {
            assert!(!ids[..index].contains(id), "{id} repeats");
        }
    }

    #[test]
    fn ids_are_stable_across_builds() {
        // Hosts keep these ids (outboxes, streams, receivers' duplicate checks): the derivation
        // must never change silently.
        // Checked independently: Python's hashlib over the same length-prefixed input.
        assert_eq!(
            execution_id("evt_1", "auto_won", 0),
            "msg_04249070d42cde29b267a28b24e6e1d6"
        );
    }
}
