//! The raw-body validator against JSONTestSuite (github.com/nst/JSONTestSuite): every `y_` file is
//! accepted, every `n_` file rejected, each `i_` file decided as docs/templates.md says, and no file,
//! nor any file with a placeholder spliced into it, makes the compiler panic.

use std::fs;
use std::path::PathBuf;

use serde_json::{json, Value};
use webhook_engine::{compile_raw, AcceptAll, BodyTemplate, Compilation};

fn suite() -> Option<Vec<(String, Vec<u8>)>> {
    let dir = shared_data::dir("jsontestsuite")?.join("test_parsing");
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()))
        .map(|entry| {
            let path: PathBuf = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    Some(files)
}

fn files_starting_with(prefix: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let files = suite()?;
    Some(
        files
            .into_iter()
            .filter(|(name, _)| name.starts_with(prefix))
            .collect(),
    )
}

fn compile(source: &[u8]) -> Compilation<BodyTemplate> {
    compile_raw(source, &AcceptAll)
}

fn first_error(source: &[u8]) -> String {
    let compilation = compile(source);
    match compilation.diagnostics.iter().find(|d| d.is_error()) {
        Some(error) => error.message.clone(),
        None => "(accepted)".to_owned(),
    }
}

#[test]
fn every_y_file_is_accepted_and_renders_as_itself() {
    let Some(files) = files_starting_with("y_") else {
        return;
    };
    let mut rejected = Vec::new();
    for (name, bytes) in &files {
        match compile(bytes).template {
            // Without placeholders, rendering gives back the source byte for byte.
            Some(template) => {
                assert_eq!(template.render(&json!({})).as_bytes(), &bytes[..], "{name}")
            }
            None => rejected.push(format!("{name}: {}", first_error(bytes))),
        }
    }
    assert!(
        rejected.is_empty(),
        "rejected y_ files:\n{}",
        rejected.join("\n")
    );
    assert_eq!(files.len(), 95, "the suite has 95 y_ files");
}

#[test]
fn every_n_file_is_rejected_with_an_error() {
    let Some(files) = files_starting_with("n_") else {
        return;
    };
    let accepted: Vec<&str> = files
        .iter()
        .filter(|(_, bytes)| !compile(bytes).has_errors())
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(accepted.is_empty(), "accepted n_ files: {accepted:?}");
    assert_eq!(files.len(), 188, "the suite has 188 n_ files");
}

/// The implementation-defined cases, each with the decision documented in docs/templates.md.
#[test]
fn i_files_are_decided_as_documented() {
    let Some(files) = files_starting_with("i_") else {
        return;
    };
    let mut seen = 0;
    for (name, bytes) in &files {
        let expected = i_decision(name);
        let outcome = first_error(bytes);
        match expected {
            Decision::Accept => assert_eq!(outcome, "(accepted)", "{name}"),
            Decision::Reject(message) => assert!(
                outcome.contains(message),
                "{name}: expected an error containing {message:?}, got {outcome:?}"
            ),
        }
        seen += 1;
    }
    assert_eq!(seen, 35, "the suite has 35 i_ files");
}

enum Decision {
    Accept,
    /// Rejected, with a first error that contains this text.
    Reject(&'static str),
}

fn i_decision(name: &str) -> Decision {
    let stem = name
        .strip_prefix("i_")
        .unwrap()
        .strip_suffix(".json")
        .unwrap();
    match stem {
        // Numbers of any size and precision: the body is sent as text; the receiver reads it.
        s if s.starts_with("number_") => Decision::Accept,
        // A UTF-8 byte order mark is tolerated, and left out of the rendered body.
        "structure_UTF-8_BOM_empty_object" => Decision::Accept,
        "structure_500_nested_arrays" => Decision::Reject("JSON nested deeper than 128 levels"),
        // Escaped surrogates must come in pairs.
        "object_key_lone_2nd_surrogate"
        | "string_lone_second_surrogate"
        | "string_inverted_surrogates_U+1D11E"
        | "string_incomplete_surrogate_pair" => {
            Decision::Reject("the second half of a UTF-16 surrogate pair")
        }
        "string_1st_surrogate_but_2nd_missing"
        | "string_1st_valid_surrogate_2nd_invalid"
        | "string_incomplete_surrogate_and_escape_valid"
        | "string_incomplete_surrogates_escape_valid"
        | "string_invalid_lonely_surrogate"
        | "string_invalid_surrogate" => {
            Decision::Reject("the first half of a UTF-16 surrogate pair")
        }
        // UTF-16 text is not UTF-8: its NUL bytes stand where JSON expects a value.
        "string_utf16BE_no_BOM" | "string_utf16LE_no_BOM" => {
            Decision::Reject("expected a value, found control character U+0000")
        }
        // Anything that is not UTF-8 is rejected where the first bad byte is.
        _ => Decision::Reject("invalid UTF-8"),
    }
}

#[test]
fn no_file_makes_the_compiler_panic_with_a_placeholder_spliced_in_anywhere() {
    let Some(files) = suite() else { return };
    let placeholder = b"{{deal.title}}";
    let context = json!({"deal": {"title": "say \"hi\"\\\n\u{0}</script>{{x}}"}});
    let mut splices = 0;
    for (name, bytes) in &files {
        // Every byte position of the small files; start, middle and end of the big ones.
        let positions: Vec<usize> = if bytes.len() <= 1024 {
            (0..=bytes.len()).collect()
        } else {
            vec![0, bytes.len() / 2, bytes.len()]
        };
        for at in positions {
            let spliced = [&bytes[..at], placeholder, &bytes[at..]].concat();
            if let Some(template) = compile(&spliced).template {
                let rendered = template.render(&context);
                // IgnoredAny: numbers of any size are valid JSON, though they don't fit a Value.
                assert!(
                    serde_json::from_str::<serde::de::IgnoredAny>(&rendered).is_ok(),
                    "{name} with a placeholder at {at} compiled but rendered invalid JSON: {rendered}"
                );
            }
            splices += 1;
        }
    }
    assert!(splices > 4_000, "only {splices} splices tried");
}

/// A valid document stays valid with a placeholder as the first string's first characters (keys take
/// placeholders too), or as an extra first array item around it; and the value reads back.
#[test]
fn y_files_stay_valid_with_a_placeholder_in_a_valid_place() {
    let Some(files) = files_starting_with("y_") else {
        return;
    };
    let title = "A \"quoted\" \\ title\u{1}";
    let context = json!({"deal": {"title": title, "value": 12000}});
    for (name, bytes) in &files {
        let original: Option<Value> = serde_json::from_slice(bytes).ok();

        let wrapped = [b"[{{deal.value}},".as_slice(), bytes, b"]"].concat();
        let template = compile(&wrapped)
            .template
            .unwrap_or_else(|| panic!("{name} wrapped: {}", first_error(&wrapped)));
        let rendered: Value = serde_json::from_str(&template.render(&context)).unwrap();
        assert_eq!(rendered[0], json!(12000), "{name}");
        if let Some(original) = &original {
            assert_eq!(&rendered[1], original, "{name}");
        }

        let Some(quote) = bytes.iter().position(|&b| b == b'"') else {
            continue;
        };
        let in_string = [&bytes[..=quote], b"{{deal.title}}", &bytes[quote + 1..]].concat();
        let template = compile(&in_string)
            .template
            .unwrap_or_else(|| panic!("{name} in a string: {}", first_error(&in_string)));
        let rendered = template.render(&context);
        let parsed: Value = serde_json::from_str(&rendered)
            .unwrap_or_else(|error| panic!("{name}: {error} in {rendered}"));
        // The escaped title reads back as the title, wherever in the document the string was.
        assert!(
            contains_text_starting_with(&parsed, title),
            "{name}: {rendered}"
        );
    }
}

fn contains_text_starting_with(value: &Value, prefix: &str) -> bool {
    match value {
        Value::String(text) => text.starts_with(prefix),
        Value::Array(items) => items
            .iter()
            .any(|item| contains_text_starting_with(item, prefix)),
        Value::Object(members) => members.iter().any(|(key, member)| {
            key.starts_with(prefix) || contains_text_starting_with(member, prefix)
        }),
        _ => false,
    }
}
