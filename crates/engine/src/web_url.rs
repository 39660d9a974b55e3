//! URLs as the WHATWG URL Standard parses them, which is how every browser's fetch reads a URL. The
//! engine's guards read URLs only through [`WebUrl`]: a base URL's checks, a rendered path that must
//! stay under its base, the origin a credential belongs to.
//!
//! Who parses depends on where the engine runs:
//! - natively (relay, CLI, tests), with the `url-crate` feature, the `url` crate parses;
//! - in the browser, the page's own URL parser does, installed with [`install_parser`] when a module
//!   starts. The guard then reads a URL exactly as the fetch that sends it will, and the WebAssembly
//!   modules carry no second URL parser.
//!
//! With no parser, every URL is refused: the guards fail closed.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

/// A parsed URL's parts, as the URL Standard serialises them: what a parser hands the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    /// The whole URL, serialised.
    pub href: String,
    /// Without the `:`.
    pub scheme: String,
    pub username: String,
    /// Empty when there is none.
    pub password: String,
    /// Empty for a URL without a host; an IPv6 address in brackets.
    pub hostname: String,
    /// Empty when the URL has no port or the scheme's default one.
    pub port: String,
    pub path: String,
}

/// A URL parser: `None` when the text is not a URL.
pub type Parser = fn(&str) -> Option<UrlParts>;

static INSTALLED: OnceLock<Parser> = OnceLock::new();

/// Makes `parser` the one every later parse uses. The first installation wins: a page's two modules
/// each install the same browser parser.
pub fn install_parser(parser: Parser) {
    let _ = INSTALLED.set(parser);
}

fn parser() -> Option<Parser> {
    INSTALLED.get().copied().or(DEFAULT_PARSER)
}

#[cfg(feature = "url-crate")]
const DEFAULT_PARSER: Option<Parser> = Some(url_crate::parse);
#[cfg(not(feature = "url-crate"))]
const DEFAULT_PARSER: Option<Parser> = None;

/// A URL's host, typed as the URL Standard types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host<'a> {
    Domain(&'a str),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
}

/// A parsed URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl {
    parts: UrlParts,
}

/// Why a text is not a URL, in words for a CRM admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAUrl {
    pub reason: &'static str,
}

impl WebUrl {
    pub fn parse(text: &str) -> Result<WebUrl, NotAUrl> {
        let Some(parse) = parser() else {
            return Err(NotAUrl {
                reason: "this page has not set up URL reading: reload it",
            });
        };
        match parse(text) {
            Some(parts) => Ok(WebUrl { parts }),
            None if !text.contains("://") => Err(NotAUrl {
                reason: "it does not start with https://",
            }),
            None => Err(NotAUrl {
                reason: "check the host name and the port",
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.parts.href
    }

    pub fn scheme(&self) -> &str {
        &self.parts.scheme
    }

    /// Whether the URL carries a user name or a password (`https://user:pass@host`).
    pub fn has_credentials(&self) -> bool {
        !self.parts.username.is_empty() || !self.parts.password.is_empty()
    }

    pub fn host(&self) -> Option<Host<'_>> {
        let hostname = self.parts.hostname.as_str();
        if hostname.is_empty() {
            None
        } else if let Some(inner) = hostname.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            inner.parse().ok().map(Host::Ipv6)
        } else if let Ok(address) = hostname.parse() {
            Some(Host::Ipv4(address))
        } else {
            Some(Host::Domain(hostname))
        }
    }

    /// The port, or the scheme's default one.
    pub fn port_or_known_default(&self) -> Option<u16> {
        if self.parts.port.is_empty() {
            default_port(self.scheme())
        } else {
            self.parts.port.parse().ok()
        }
    }

    pub fn path(&self) -> &str {
        &self.parts.path
    }

    /// What follows the first `#`: a serialised URL holds `#` nowhere else, so this is exact even for
    /// an empty fragment (`https://a.example/#`), which a browser's `hash` does not tell from none.
    pub fn fragment(&self) -> Option<&str> {
        let href = self.as_str();
        href.find('#').map(|at| &href[at + 1..])
    }

    /// What follows the first `?` before the fragment; exact for an empty query the same way.
    pub fn query(&self) -> Option<&str> {
        let href = self.as_str();
        let before_fragment = href.find('#').map_or(href, |at| &href[..at]);
        before_fragment
            .find('?')
            .map(|at| &before_fragment[at + 1..])
    }

    /// `scheme://host[:port]` for the schemes whose URLs have an origin a browser can write
    /// (`https://erp.example:8443`); `None` for the others (`mailto:`, `file:`, `data:`…).
    pub fn origin(&self) -> Option<String> {
        let default = default_port(self.scheme())?;
        let hostname = &self.parts.hostname;
        match self.port_or_known_default() {
            Some(port) if port != default => Some(format!("{}://{hostname}:{port}", self.scheme())),
            _ => Some(format!("{}://{hostname}", self.scheme())),
        }
    }

    /// Whether the two URLs have the same scheme, credentials, host and port.
    pub fn same_origin_and_credentials(&self, other: &WebUrl) -> bool {
        self.scheme() == other.scheme()
            && self.parts.username == other.parts.username
            && self.parts.password == other.parts.password
            && self.parts.hostname == other.parts.hostname
            && self.port_or_known_default() == other.port_or_known_default()
    }
}

impl From<WebUrl> for String {
    fn from(url: WebUrl) -> String {
        url.parts.href
    }
}

/// The URL Standard's special schemes that have a network origin, with their default ports.
fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

#[cfg(feature = "url-crate")]
pub mod url_crate {
    //! The `url` crate as the engine's URL parser, where no browser is at hand.
    use super::UrlParts;

    pub fn parse(text: &str) -> Option<UrlParts> {
        let url = url::Url::parse(text).ok()?;
        Some(UrlParts {
            scheme: url.scheme().to_owned(),
            username: url.username().to_owned(),
            password: url.password().unwrap_or_default().to_owned(),
            hostname: url.host_str().unwrap_or_default().to_owned(),
            port: url.port().map(|port| port.to_string()).unwrap_or_default(),
            path: url.path().to_owned(),
            href: url.into(),
        })
    }
}

#[cfg(all(test, feature = "url-crate"))]
mod tests {
    use super::*;

    fn url(text: &str) -> WebUrl {
        WebUrl::parse(text).unwrap()
    }

    #[test]
    fn query_and_fragment_tell_empty_from_absent() {
        assert_eq!(url("https://a.example/x").query(), None);
        assert_eq!(url("https://a.example/x?").query(), Some(""));
        assert_eq!(url("https://a.example/x?a=1#f?g").query(), Some("a=1"));
        assert_eq!(url("https://a.example/x").fragment(), None);
        assert_eq!(url("https://a.example/x#").fragment(), Some(""));
        assert_eq!(url("https://a.example/x#f?g").fragment(), Some("f?g"));
    }

    #[test]
    fn hosts_are_typed() {
        assert_eq!(
            url("http://localhost:8080/").host(),
            Some(Host::Domain("localhost"))
        );
        assert_eq!(
            url("http://0x7f.1/").host(),
            Some(Host::Ipv4(Ipv4Addr::LOCALHOST))
        );
        assert_eq!(
            url("http://[::1]/").host(),
            Some(Host::Ipv6(Ipv6Addr::LOCALHOST))
        );
        assert_eq!(url("mailto:a@b.example").host(), None);
    }

    #[test]
    fn origins_as_a_browser_writes_them() {
        assert_eq!(
            url("https://ERP.example:443/api").origin().as_deref(),
            Some("https://erp.example")
        );
        assert_eq!(
            url("https://erp.example:8443/api").origin().as_deref(),
            Some("https://erp.example:8443")
        );
        assert_eq!(
            url("http://[::1]:80/").origin().as_deref(),
            Some("http://[::1]")
        );
        assert_eq!(url("mailto:a@b.example").origin(), None);
        assert_eq!(url("file:///etc/passwd").origin(), None);
    }

    #[test]
    fn a_text_that_is_not_a_url_says_why() {
        assert_eq!(
            WebUrl::parse("erp.example/api").unwrap_err().reason,
            "it does not start with https://"
        );
        assert_eq!(
            WebUrl::parse("https://erp.example:99999/")
                .unwrap_err()
                .reason,
            "check the host name and the port"
        );
    }
}
