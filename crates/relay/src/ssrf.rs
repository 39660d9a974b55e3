//! The SSRF guard: outgoing requests never reach an address the engine's [`refused_kind`] refuses,
//! unless `--allow-private`. Checked where it cannot be bypassed:
//!
//! - on every address a host name resolves to, inside the HTTP client's resolver, so the address
//!   checked is the address connected to (a name that answers differently the second time — DNS
//!   rebinding — gains nothing);
//! - on IP literals in the URL, which never reach a resolver. The URL is parsed the way the client
//!   parses it (WHATWG), so `127.1`, `0x7f.0.0.1`, `2130706433` and `0` are the addresses they mean.
//!
//! Redirects are never followed and proxies never used (see [`crate::transport`]), so nothing else
//! chooses where a request goes.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};
use webhook_engine::address::{refused_kind, AddressKind};

/// A refusal, carried out of the HTTP client as the resolver's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub address: IpAddr,
    pub kind: AddressKind,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refused: the address {} is {}", self.address, self.kind)
    }
}

impl std::error::Error for Refused {}

/// Which destinations are allowed.
#[derive(Debug, Clone)]
pub struct Guard {
    pub allow_private: bool,
}

impl Guard {
    pub fn check(&self, address: IpAddr) -> Result<(), Refused> {
        if self.allow_private {
            return Ok(());
        }
        match refused_kind(address) {
            Some(kind) => Err(Refused { address, kind }),
            None => Ok(()),
        }
    }

    /// The refusal for a URL whose host is an IP literal, if it is refused.
    pub fn check_url(&self, url: &Url) -> Result<(), Refused> {
        match url.host() {
            Some(Host::Ipv4(address)) => self.check(IpAddr::V4(address)),
            Some(Host::Ipv6(address)) => self.check(IpAddr::V6(address)),
            _ => Ok(()),
        }
    }
}

/// The HTTP client's resolver: the system's (or the `--resolve` overrides), then the guard on every
/// address. A name with one refused address is refused whole: which address the client would try
/// first is not ours to guess.
pub struct GuardedResolver {
    guard: Guard,
    overrides: Arc<HashMap<String, IpAddr>>,
}

impl GuardedResolver {
    pub fn new(guard: Guard, overrides: &[(String, IpAddr)]) -> GuardedResolver {
        GuardedResolver {
            guard,
            overrides: Arc::new(overrides.iter().cloned().collect()),
        }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.guard.clone();
        let overrides = self.overrides.clone();
        Box::pin(async move {
            let host = name.as_str().to_ascii_lowercase();
            let addresses: Vec<SocketAddr> = match overrides.get(&host) {
                Some(address) => vec![SocketAddr::new(*address, 0)],
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            for address in &addresses {
                guard.check(address.ip())?;
            }
            let addresses: Addrs = Box::new(addresses.into_iter());
            Ok(addresses)
        })
    }
}

/// The refusal somewhere in an error's chain of causes (the HTTP client wraps the resolver's).
pub fn refusal_in(error: &(dyn std::error::Error + 'static)) -> Option<Refused> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if let Some(refused) = error.downcast_ref::<Refused>() {
            return Some(*refused);
        }
        cause = error.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> Option<String> {
        let guard = Guard {
            allow_private: false,
        };
        guard
            .check_url(&Url::parse(url).unwrap())
            .err()
            .map(|refused| refused.to_string())
    }

    #[test]
    fn ip_literals_are_refused_in_every_spelling() {
        for (url, address) in [
            ("https://127.0.0.1/x", "127.0.0.1"),
            ("http://127.1:8090/", "127.0.0.1"),
            ("https://0x7f.0.0.1/", "127.0.0.1"),
            ("https://2130706433/", "127.0.0.1"),
            ("https://017700000001/", "127.0.0.1"),
            ("http://0/", "0.0.0.0"),
            ("https://10.0.0.5/", "10.0.0.5"),
            (
                "https://169.254.169.254/latest/meta-data",
                "169.254.169.254",
            ),
            ("https://[::1]/", "::1"),
            ("https://[::ffff:10.0.0.5]/", "::ffff:10.0.0.5"),
            ("https://[64:ff9b::a00:5]/", "64:ff9b::a00:5"),
        ] {
            let message = refused(url).unwrap_or_else(|| panic!("{url} passed"));
            assert!(
                message.starts_with(&format!("refused: the address {address} is")),
                "{url}: {message}"
            );
        }
        assert_eq!(
            refused("https://10.0.0.5/").unwrap(),
            "refused: the address 10.0.0.5 is private"
        );
        assert_eq!(refused("https://93.184.216.34/"), None);
        assert_eq!(
            refused("https://erp.example/"),
            None,
            "names are checked when resolved"
        );
    }

    #[test]
    fn allow_private_lifts_the_guard() {
        let guard = Guard {
            allow_private: true,
        };
        assert!(guard
            .check_url(&Url::parse("https://127.0.0.1/").unwrap())
            .is_ok());
    }

    #[tokio::test]
    async fn resolved_names_are_checked_and_overrides_answer_first() {
        let resolver = GuardedResolver::new(
            Guard {
                allow_private: false,
            },
            &[
                ("internal.example".into(), IpAddr::from([127, 0, 0, 1])),
                ("public.example".into(), IpAddr::from([93, 184, 216, 34])),
            ],
        );
        let error = resolver
            .resolve("internal.example".parse().unwrap())
            .await
            .err()
            .unwrap();
        assert_eq!(
            refusal_in(error.as_ref()).map(|refused| refused.address),
            Some(IpAddr::from([127, 0, 0, 1]))
        );
        let addresses: Vec<SocketAddr> = resolver
            .resolve("public.example".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert_eq!(addresses, [SocketAddr::from(([93, 184, 216, 34], 0))]);
        let localhost = resolver.resolve("localhost".parse().unwrap()).await;
        assert!(
            localhost.is_err(),
            "localhost resolves to loopback, which is refused"
        );
    }
}
