//! The names of everything the relay keeps in JetStream. One relay deployment serves one CRM account;
//! `--namespace` puts a name into each of them so several accounts can share one NATS (NATS accounts
//! separate them more strongly: see docs/relay.md).

/// Stream, bucket, subject and consumer names for one namespace.
#[derive(Debug, Clone)]
pub struct Names {
    /// `relay` or `relay_<namespace>` (bucket names), `RELAY`/`RELAY_<NAMESPACE>` (streams),
    /// `relay`/`relay.<namespace>` (subjects).
    bucket_prefix: String,
    stream_prefix: String,
    subject_prefix: String,
}

impl Names {
    /// `namespace` is lowercase (the flag takes no other): stream names upper-case it, so `acme` and
    /// `ACME` would otherwise share every stream and consumer.
    pub fn new(namespace: Option<&str>) -> Names {
        match namespace {
            None => Names {
                bucket_prefix: "relay".into(),
                stream_prefix: "RELAY".into(),
                subject_prefix: "relay".into(),
            },
            Some(namespace) => Names {
                bucket_prefix: format!("relay_{namespace}"),
                stream_prefix: format!("RELAY_{}", namespace.to_ascii_uppercase()),
                subject_prefix: format!("relay.{namespace}"),
            },
        }
    }

    /// KV: the configuration document (key [`DOCUMENT_KEY`]) and the field catalog ([`CATALOG_KEY`]).
    pub fn config_bucket(&self) -> String {
        format!("{}_config", self.bucket_prefix)
    }

    /// KV: each webhook's credentials, by webhook id.
    pub fn credentials_bucket(&self) -> String {
        format!("{}_credentials", self.bucket_prefix)
    }

    /// KV: one key per event id that was accepted, kept for the retention.
    pub fn claims_bucket(&self) -> String {
        format!("{}_event_claims", self.bucket_prefix)
    }

    pub fn events_stream(&self) -> String {
        format!("{}_EVENTS", self.stream_prefix)
    }

    pub fn events_subject(&self) -> String {
        format!("{}.events", self.subject_prefix)
    }

    pub fn deliveries_stream(&self) -> String {
        format!("{}_DELIVERIES", self.stream_prefix)
    }

    pub fn deliveries_subject(&self) -> String {
        format!("{}.deliveries", self.subject_prefix)
    }

    pub fn executions_stream(&self) -> String {
        format!("{}_EXECUTIONS", self.stream_prefix)
    }

    /// Every execution's subject: one per execution, its latest state the only message kept.
    pub fn executions_subjects(&self) -> String {
        format!("{}.executions.*", self.subject_prefix)
    }

    pub fn execution_subject(&self, execution_id: &str) -> String {
        format!("{}.executions.{execution_id}", self.subject_prefix)
    }
}

pub const DOCUMENT_KEY: &str = "document";
pub const CATALOG_KEY: &str = "catalog";
/// The durable consumers every relay process shares.
pub const PLANNER: &str = "planner";
pub const SENDER: &str = "sender";

/// A KV key for an id chosen outside the relay (a webhook id, an event id). Ids made of letters,
/// digits, `-` and `_` are used as they are (readable in `nats kv ls`); any other id is hex-encoded
/// behind `=`, a character such ids never start with, so two ids never share a key.
pub fn key_for(id: &str) -> String {
    let plain = !id.is_empty()
        && id.len() <= 200
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    if plain {
        return id.to_owned();
    }
    let mut key = String::with_capacity(1 + id.len() * 2);
    key.push('=');
    for byte in id.bytes() {
        key.push_str(&format!("{byte:02x}"));
    }
    key
}

/// The id a key of [`key_for`] was made from.
pub fn id_for(key: &str) -> String {
    let Some(hex) = key.strip_prefix('=') else {
        return key.to_owned();
    };
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok())
        .collect();
    bytes
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_else(|| key.to_owned())
}

/// Whether `id` can be an execution id of ours, and so a subject token (ids come from URLs).
pub fn is_execution_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_readable_when_they_can_be_and_never_collide() {
        assert_eq!(key_for("wh_erp-1"), "wh_erp-1");
        assert_eq!(key_for("evt.1"), "=6576742e31");
        assert_ne!(key_for("=6576742e31"), key_for("evt.1"));
        assert_eq!(key_for(""), "=");
        assert!(key_for("ä/*>").starts_with('='));
        for id in ["wh_erp-1", "evt.1", "", "ä/*>", "=6576742e31"] {
            assert_eq!(id_for(&key_for(id)), id);
        }
    }

    #[test]
    fn namespaces_go_into_every_name() {
        let names = Names::new(Some("acme"));
        assert_eq!(names.config_bucket(), "relay_acme_config");
        assert_eq!(names.events_stream(), "RELAY_ACME_EVENTS");
        assert_eq!(
            names.execution_subject("msg_1"),
            "relay.acme.executions.msg_1"
        );
        assert_eq!(Names::new(None).deliveries_subject(), "relay.deliveries");
    }

    #[test]
    fn only_plain_ids_are_execution_ids() {
        assert!(is_execution_id("msg_0123abcd"));
        for bad in ["", "a.b", "*", ">", "a b", "msg_\u{e9}"] {
            assert!(!is_execution_id(bad), "{bad}");
        }
    }
}
