//! The browser's URL parser, which the engine's guards read URLs with in both modules, against the
//! `url` crate the relay and the native tests use: the same parts for every URL the guards see, hostile
//! ones first, and the same guard decisions once it is installed.

use wasm_bindgen_test::wasm_bindgen_test;
use webhook_automations_runtime::web_url::{browser_parse, install};
use webhook_engine::template::check_under_base;
use webhook_engine::web_url::url_crate;

const URLS: &[&str] = &[
    "https://erp.example/api",
    "https://erp.example",
    "https://ERP.example:443/api/a",
    "https://erp.example:8443/api",
    "https://erp.example:0443/api",
    "https://erp.example/?",
    "https://erp.example/#",
    "https://erp.example/api?x=1#f?g",
    "https://erp.example/api/../admin",
    "https://erp.example/api/%2e%2e/admin",
    "https://erp.example/api/.%2E/admin",
    "https://erp.example\\evil.example/api",
    "https://erp.example@evil.example/api",
    "https://user:secret@erp.example/api",
    "https://evil.example#@erp.example/api",
    "https://evil.example?@erp.example/api",
    "https:erp.example/api",
    "https:///erp.example/api",
    "  https://erp.example/api\t",
    "https://erp.exa\tmple/api",
    "http://127.1/",
    "http://0x7f.1/",
    "http://2130706433/",
    "http://[::1]:80/",
    "https://[::ffff:127.0.0.1]/",
    "https://xn--bcher-kva.example/",
    "https://erp.example/a b/é",
    "https://erp.example:99999/",
    "https://erp.example:/api",
    "https://",
    "erp.example/api",
    "not a url",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "mailto:ada@erp.example",
    "data:text/plain,hi",
    "wss://erp.example/socket",
];

#[wasm_bindgen_test]
fn the_browser_parses_every_url_the_guards_see_as_the_url_crate_does() {
    for url in URLS {
        assert_eq!(browser_parse(url), url_crate::parse(url), "{url:?}");
    }
}

#[wasm_bindgen_test]
fn with_the_browser_parser_installed_the_guard_keeps_urls_under_their_base() {
    install();
    let base = "https://erp.example/api";
    for url in [
        "https://erp.example/api/orders/42?x=1",
        "https://ERP.example:443/api/a",
    ] {
        assert!(check_under_base(base, url).is_ok(), "{url}");
    }
    for url in [
        "https://erp.example/apis/x",
        "https://erp.example/api/../admin",
        "https://erp.example/api/%2e%2e/admin",
        "https://erp.example\\evil.example/api/x",
        "https://erp.example@evil.example/api/x",
        "https://erp.example:8443/api/x",
        "https://erp.example/api/x#",
        "http://erp.example/api/x",
        "not a url",
    ] {
        assert!(check_under_base(base, url).is_err(), "{url}");
    }
}
