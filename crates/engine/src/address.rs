//! Which destination addresses a server-side sender refuses (SSRF): a webhook's URL is chosen by an
//! admin, and a server that sent wherever it was told could be turned against its own network — the
//! cloud's metadata service, an internal admin page, the loopback interface. The relay checks every
//! address it is about to connect to (IP literals in URLs and each address a name resolves to) with
//! [`refused_kind`], and records a refusal as [`crate::retry::Outcome::AddressRefused`].
//!
//! A browser needs none of this: it sends from the user's machine, where the user's own network
//! rules apply.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

/// Why an address is refused: the kind of network it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressKind {
    /// `0.0.0.0/8`, `::` — "this host" on most systems.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`.
    Private,
    /// `100.64.0.0/10`, the carrier-grade NAT range.
    Shared,
    /// `169.254.0.0/16`, `fe80::/10` (the cloud metadata address has its own kind).
    LinkLocal,
    /// `fc00::/7`.
    UniqueLocal,
    /// `224.0.0.0/4`, `ff00::/8`, and the broadcast address.
    Multicast,
    /// `64:ff9b::/96` and `64:ff9b:1::/48`: IPv4 addresses reached through NAT64, which may be any
    /// of the ones above.
    Nat64,
    /// The cloud providers' instance metadata services: `169.254.169.254`, `169.254.170.2`,
    /// `100.100.100.200`, `fd00:ec2::254`.
    CloudMetadata,
    /// Ranges that are not routed on the internet: `192.0.0.0/24`, the documentation and benchmarking
    /// ranges, `240.0.0.0/4`, `2001:db8::/32`, and the like.
    Reserved,
}

impl fmt::Display for AddressKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressKind::Unspecified => "unspecified (this host)",
            AddressKind::Loopback => "a loopback address (this machine)",
            AddressKind::Private => "private",
            AddressKind::Shared => "in the shared address space of carrier-grade NAT",
            AddressKind::LinkLocal => "link-local",
            AddressKind::UniqueLocal => "a unique local (private) IPv6 address",
            AddressKind::Multicast => "a multicast or broadcast address",
            AddressKind::Nat64 => "a NAT64 address, which may lead into a private network",
            AddressKind::CloudMetadata => "a cloud metadata service",
            AddressKind::Reserved => "reserved (not routed on the internet)",
        })
    }
}

/// The kind of network `address` belongs to when a server must not send to it, or `None` for an
/// ordinary public address. An IPv4 address written as IPv6 (`::ffff:10.0.0.5`, and the deprecated
/// `::10.0.0.5`) is judged as the IPv4 address it is.
pub fn refused_kind(address: IpAddr) -> Option<AddressKind> {
    match address {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => refused_v4(v4),
            None => refused_v6(v6),
        },
    }
}

fn refused_v4(address: Ipv4Addr) -> Option<AddressKind> {
    let [a, b, c, d] = address.octets();
    let kind = match (a, b, c, d) {
        (169, 254, 169, 254) | (169, 254, 170, 2) | (100, 100, 100, 200) => {
            AddressKind::CloudMetadata
        }
        (0, ..) => AddressKind::Unspecified,
        (127, ..) => AddressKind::Loopback,
        (10, ..) | (172, 16..=31, ..) | (192, 168, ..) => AddressKind::Private,
        (100, 64..=127, ..) => AddressKind::Shared,
        (169, 254, ..) => AddressKind::LinkLocal,
        (224..=239, ..) | (255, 255, 255, 255) => AddressKind::Multicast,
        // IETF protocol assignments, TEST-NET-1/2/3, benchmarking, 6to4 relay anycast, and the
        // former class E (240.0.0.0/4).
        (192, 0, 0, _)
        | (192, 0, 2, _)
        | (198, 51, 100, _)
        | (203, 0, 113, _)
        | (198, 18..=19, ..)
        | (192, 88, 99, _)
        | (240..=255, ..) => AddressKind::Reserved,
        _ => return None,
    };
    Some(kind)
}

fn refused_v6(address: Ipv6Addr) -> Option<AddressKind> {
    if address.is_unspecified() {
        return Some(AddressKind::Unspecified);
    }
    if address.is_loopback() {
        return Some(AddressKind::Loopback);
    }
    let segments = address.segments();
    let kind = match segments {
        [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254] => AddressKind::CloudMetadata,
        [0x0064, 0xff9b, 0, 0, 0, 0, ..] | [0x0064, 0xff9b, 0x0001, ..] => AddressKind::Nat64,
        [first, ..] if first & 0xfe00 == 0xfc00 => AddressKind::UniqueLocal,
        [first, ..] if first & 0xffc0 == 0xfe80 => AddressKind::LinkLocal,
        // Site-local (deprecated, fec0::/10) addresses are private in practice.
        [first, ..] if first & 0xffc0 == 0xfec0 => AddressKind::Private,
        [first, ..] if first & 0xff00 == 0xff00 => AddressKind::Multicast,
        // Documentation (2001:db8::/32), discard-only (100::/64), benchmarking (2001:2::/48), ORCHID
        // (2001:10::/28, 2001:20::/28) and the IETF assignments block's unrouted rest.
        [0x2001, 0x0db8, ..] | [0x0100, 0, 0, 0, ..] | [0x2001, 0x0002, 0, ..] => {
            AddressKind::Reserved
        }
        [0x2001, second, ..] if (0x0010..=0x002f).contains(&second) => AddressKind::Reserved,
        _ => return None,
    };
    Some(kind)
}

/// The IPv4 address an IPv6 address carries, for the two forms that mean "this IPv4 address":
/// IPv4-mapped (`::ffff:a.b.c.d`) and the deprecated IPv4-compatible (`::a.b.c.d`, not `::` or `::1`).
/// 6to4 and Teredo addresses are routed as IPv6 and are left to [`refused_v6`].
fn embedded_v4(address: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = address.to_ipv4_mapped() {
        return Some(v4);
    }
    match address.segments() {
        [0, 0, 0, 0, 0, 0, high, low] if high != 0 => {
            Some(Ipv4Addr::from((u32::from(high) << 16) | u32::from(low)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(address: &str) -> Option<AddressKind> {
        refused_kind(address.parse().unwrap())
    }

    #[test]
    fn every_range_the_relay_refuses_is_recognised() {
        for (address, expected) in [
            ("0.0.0.0", AddressKind::Unspecified),
            ("0.1.2.3", AddressKind::Unspecified),
            ("::", AddressKind::Unspecified),
            ("127.0.0.1", AddressKind::Loopback),
            ("127.255.255.254", AddressKind::Loopback),
            ("::1", AddressKind::Loopback),
            ("10.0.0.5", AddressKind::Private),
            ("172.16.0.1", AddressKind::Private),
            ("172.31.255.255", AddressKind::Private),
            ("192.168.1.1", AddressKind::Private),
            ("100.64.0.1", AddressKind::Shared),
            ("100.127.255.255", AddressKind::Shared),
            ("169.254.1.1", AddressKind::LinkLocal),
            ("fe80::1", AddressKind::LinkLocal),
            ("fc00::1", AddressKind::UniqueLocal),
            ("fd12:3456::1", AddressKind::UniqueLocal),
            ("224.0.0.1", AddressKind::Multicast),
            ("239.255.255.250", AddressKind::Multicast),
            ("255.255.255.255", AddressKind::Multicast),
            ("ff02::1", AddressKind::Multicast),
            ("64:ff9b::a00:5", AddressKind::Nat64),
            ("64:ff9b::8.8.8.8", AddressKind::Nat64),
            ("64:ff9b:1::1", AddressKind::Nat64),
            ("169.254.169.254", AddressKind::CloudMetadata),
            ("169.254.170.2", AddressKind::CloudMetadata),
            ("100.100.100.200", AddressKind::CloudMetadata),
            ("fd00:ec2::254", AddressKind::CloudMetadata),
            ("192.0.2.1", AddressKind::Reserved),
            ("198.51.100.7", AddressKind::Reserved),
            ("203.0.113.9", AddressKind::Reserved),
            ("198.18.0.1", AddressKind::Reserved),
            ("240.0.0.1", AddressKind::Reserved),
            ("2001:db8::1", AddressKind::Reserved),
        ] {
            assert_eq!(kind(address), Some(expected), "{address}");
        }
    }

    #[test]
    fn ipv4_written_as_ipv6_is_judged_as_ipv4() {
        assert_eq!(kind("::ffff:127.0.0.1"), Some(AddressKind::Loopback));
        assert_eq!(kind("::ffff:10.0.0.5"), Some(AddressKind::Private));
        assert_eq!(
            kind("::ffff:169.254.169.254"),
            Some(AddressKind::CloudMetadata)
        );
        assert_eq!(kind("::ffff:a9fe:a9fe"), Some(AddressKind::CloudMetadata));
        assert_eq!(kind("::10.0.0.5"), Some(AddressKind::Private));
        assert_eq!(kind("::ffff:8.8.8.8"), None);
    }

    #[test]
    fn public_addresses_pass() {
        for address in [
            "8.8.8.8",
            "1.1.1.1",
            "93.184.216.34",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.253.1.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "64:ff9a::1",
        ] {
            assert_eq!(kind(address), None, "{address}");
        }
    }

    #[test]
    fn the_reason_reads_as_words() {
        assert_eq!(AddressKind::Private.to_string(), "private");
        assert!(AddressKind::CloudMetadata.to_string().contains("metadata"));
    }
}
