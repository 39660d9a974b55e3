//! The page's own URL parser, the WHATWG one its fetch uses, as the engine's (see
//! `webhook_engine::web_url`): the engine's guards then read every URL exactly as the browser will
//! send it, and the module carries no second URL parser.

use webhook_engine::web_url::{install_parser, UrlParts};

/// Makes the browser's parser the engine's; every entry point calls it before the engine reads a URL.
pub fn install() {
    install_parser(browser_parse);
}

/// A URL's parts as this browser parses them; `None` when it is not a URL.
pub fn browser_parse(text: &str) -> Option<UrlParts> {
    let url = web_sys::Url::new(text).ok()?;
    Some(UrlParts {
        href: url.href(),
        scheme: url.protocol().trim_end_matches(':').to_owned(),
        username: url.username(),
        password: url.password(),
        hostname: url.hostname(),
        port: url.port(),
        path: url.pathname(),
    })
}
