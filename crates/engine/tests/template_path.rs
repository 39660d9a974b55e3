//! Paths: joined to the webhook's base URL, values percent-encoded, the target never changed.

use serde_json::{json, Value};
use webhook_engine::{compile_path, AcceptAll, PathTemplate, RenderError};

fn compile(template: &str) -> PathTemplate {
    let compilation = compile_path(template, &AcceptAll);
    match compilation.template {
        Some(path) => path,
        None => panic!(
            "{template:?} did not compile: {:#?}",
            compilation.diagnostics
        ),
    }
}

fn url(base: &str, template: &str, context: &Value) -> Result<String, RenderError> {
    compile(template).render_url(base, context)
}

fn errors(template: &str) -> Vec<String> {
    let compilation = compile_path(template, &AcceptAll);
    assert!(compilation.template.is_none(), "{template:?} compiled");
    compilation
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect()
}

fn context() -> Value {
    json!({"deal": {"id": 42, "title": "a/b?c#d e&f=g+h%", "dots": "..", "dot": ".",
        "empty": "", "name": "Müller 😀", "code": "x\r\ny\u{0}", "won": true}})
}

#[test]
fn joins_the_base_url_with_exactly_one_slash() {
    let ctx = context();
    for base in ["https://erp.example/api", "https://erp.example/api/"] {
        for template in ["/orders/{{deal.id}}", "orders/{{deal.id}}"] {
            assert_eq!(
                url(base, template, &ctx).unwrap(),
                "https://erp.example/api/orders/42",
                "{base} + {template}"
            );
        }
    }
    assert_eq!(
        url("https://erp.example", "/orders", &ctx).unwrap(),
        "https://erp.example/orders"
    );
    assert_eq!(
        url("https://erp.example/", "orders", &ctx).unwrap(),
        "https://erp.example/orders"
    );
}

#[test]
fn empty_paths_and_bare_queries() {
    let ctx = context();
    assert_eq!(
        url("https://erp.example/api", "", &ctx).unwrap(),
        "https://erp.example/api"
    );
    assert_eq!(
        url("https://erp.example/api", "/", &ctx).unwrap(),
        "https://erp.example/api/"
    );
    assert_eq!(
        url("https://erp.example/api", "?id={{deal.id}}", &ctx).unwrap(),
        "https://erp.example/api?id=42"
    );
    assert_eq!(
        url(
            "https://erp.example/api",
            "/orders/?id={{deal.id}}&x=1",
            &ctx
        )
        .unwrap(),
        "https://erp.example/api/orders/?id=42&x=1"
    );
}

#[test]
fn values_are_percent_encoded_in_segments_and_query_components() {
    let ctx = context();
    assert_eq!(
        url(
            "https://erp.example",
            "/d/{{deal.title}}?q={{deal.title}}",
            &ctx
        )
        .unwrap(),
        "https://erp.example/d/a%2Fb%3Fc%23d%20e%26f%3Dg%2Bh%25?q=a%2Fb%3Fc%23d%20e%26f%3Dg%2Bh%25"
    );
    assert_eq!(
        url("https://erp.example", "/p/{{deal.name}}/{{deal.won}}", &ctx).unwrap(),
        "https://erp.example/p/M%C3%BCller%20%F0%9F%98%80/true"
    );
    assert_eq!(
        url("https://erp.example", "/c/{{deal.code}}", &ctx).unwrap(),
        "https://erp.example/c/x%0D%0Ay%00"
    );
}

#[test]
fn literal_text_a_url_cannot_hold_is_encoded_as_a_browser_would() {
    let ctx = context();
    assert_eq!(
        url("https://erp.example", "/a b/ü/{x}?q=a b&r=%20", &ctx).unwrap(),
        "https://erp.example/a%20b/%C3%BC/%7Bx%7D?q=a%20b&r=%20"
    );
    assert_eq!(
        url("https://erp.example", "/lit/\\{{deal.id}}", &ctx).unwrap(),
        "https://erp.example/lit/%7B%7Bdeal.id%7D%7D"
    );
}

#[test]
fn empty_or_missing_values_fail_the_render_naming_the_field() {
    let ctx = context();
    for (template, field) in [
        ("/orders/{{deal.empty}}", "deal.empty"),
        ("/orders/{{deal.nothing}}", "deal.nothing"),
        ("/orders?id={{deal.person.id}}", "deal.person.id"),
    ] {
        let error = url("https://erp.example", template, &ctx).unwrap_err();
        assert_eq!(
            error,
            RenderError::EmptyPathValue {
                field: field.into()
            }
        );
        assert_eq!(
            error.to_string(),
            format!("the path needs a value for {field}, but it is empty for this record")
        );
    }
}

#[test]
fn values_cannot_make_dot_segments() {
    let ctx = context();
    for template in [
        "/orders/{{deal.dots}}",
        "/{{deal.dot}}",
        "/{{deal.dot}}{{deal.dot}}/x",
        "/.{{deal.dot}}",
    ] {
        assert!(
            matches!(
                url("https://erp.example/api", template, &ctx),
                Err(RenderError::DotSegment { .. })
            ),
            "{template}"
        );
    }
    // Dots inside a segment or in the query are data.
    assert_eq!(
        url(
            "https://erp.example/api",
            "/f/{{deal.dots}}x?up={{deal.dots}}",
            &ctx
        )
        .unwrap(),
        "https://erp.example/api/f/..x?up=.."
    );
}

#[test]
fn base_urls_are_checked() {
    let ctx = context();
    let path = compile("/x");
    assert!(matches!(
        path.render_url("not a url", &ctx),
        Err(RenderError::InvalidBaseUrl { .. })
    ));
    assert_eq!(
        path.render_url("ftp://erp.example", &ctx),
        Err(RenderError::UnsupportedScheme {
            scheme: "ftp".into()
        })
    );
    assert_eq!(
        path.render_url("https://erp.example/api?key=1", &ctx),
        Err(RenderError::BaseUrlHasQueryOrFragment)
    );
    assert_eq!(
        path.render_url("https://erp.example:8443/api", &ctx)
            .unwrap(),
        "https://erp.example:8443/api/x"
    );
}

#[test]
fn templates_that_could_change_the_target_are_compile_errors() {
    let cases: [(&str, &[&str]); 10] = [
        (
            "https://evil.example/x",
            &["the path must not be a full URL: it is appended to the webhook's base URL"],
        ),
        (
            "//evil.example/x",
            &["the path must not start with '//': that would name another host"],
        ),
        (
            "/orders/../admin",
            &["'..' segments are not allowed: the path can't climb above the webhook's base URL"],
        ),
        (
            "/a/%2E%2e/b",
            &["'..' segments are not allowed: the path can't climb above the webhook's base URL"],
        ),
        ("/./a", &["'.' segments are not allowed in a path"]),
        (
            "/a\r\nHost: evil",
            &[
                "control character U+000D is not allowed in a path",
                "control character U+000A is not allowed in a path",
            ],
        ),
        (
            "/a\u{0}",
            &["control character U+0000 is not allowed in a path"],
        ),
        ("\\\\evil\\x", &["a backslash is not allowed in a path"; 3]),
        (
            "/a#frag",
            &["'#' is not allowed in a path: it starts a fragment, which is never sent"],
        ),
        ("/a%zz", &["'%' must start a percent-escape like %20"]),
    ];
    for (template, expected) in cases {
        assert_eq!(errors(template), expected, "{template:?}");
    }
}

#[test]
fn broken_placeholders_in_paths_are_reported() {
    assert_eq!(
        errors("/orders/{{deal.}}/{{}}"),
        ["field path ends with '.'", "empty placeholder"]
    );
}

#[test]
fn a_credential_in_the_query_is_a_warning_that_says_where_credentials_belong() {
    let template =
        "/orders/{{deal.id}}?notify=1&api_key={{deal.title}}&Access-Token=abc&keyboard=1";
    let compilation = compile_path(template, &AcceptAll);
    assert!(
        compilation.template.is_some(),
        "a warning does not stop the path"
    );
    let warnings: Vec<(&str, String)> = compilation
        .diagnostics
        .iter()
        .map(|d| (&template[d.span.start..d.span.end], d.message.clone()))
        .collect();
    let names: Vec<&str> = warnings.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, ["api_key", "Access-Token"]);
    assert!(compilation
        .diagnostics
        .iter()
        .all(|d| !d.is_error() && d.help.as_deref().unwrap().contains("authentication")));
    assert!(compile_path("/orders?token=1", &AcceptAll).diagnostics[0]
        .message
        .contains("'token' looks like a credential"));
    assert!(
        compile_path("/token/key/secret", &AcceptAll)
            .diagnostics
            .is_empty(),
        "only query parameters are looked at"
    );
}
