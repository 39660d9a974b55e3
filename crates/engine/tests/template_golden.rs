//! Bad templates and their exact diagnostics, kept in `tests/golden/bad_templates.txt`.
//!
//! The file is a list of cases. Each starts with `=== MODE: description` (MODE is raw, key-value or
//! path), then the template, then a line `---`, then the expected diagnostics, one per line as the
//! compiler prints them, each followed by `@ utf16 COLUMN, bytes START..END`. Key-value templates are
//! written one row per line as `key => value`.
//!
//! The test regenerates the file's text from the templates and compares it with the file. After a
//! deliberate change, run with `UPDATE_GOLDEN=1` to rewrite the file, and review its diff.

use std::fs;
use std::path::PathBuf;

use webhook_engine::{
    compile_key_value, compile_path, compile_raw, Diagnostic, FieldPath, FieldResolver,
    PathSegment, Resolution, Row,
};

#[test]
fn bad_templates_give_exactly_the_golden_diagnostics() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/bad_templates.txt");
    let golden = fs::read_to_string(&path).unwrap();
    let regenerated = regenerate(&golden);
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|value| value == "1") {
        fs::write(&path, &regenerated).unwrap();
        return;
    }
    if regenerated != golden {
        panic!(
            "diagnostics differ from {} (- golden, + now):\n{}\nrun with UPDATE_GOLDEN=1 to accept them",
            path.display(),
            line_diff(&golden, &regenerated)
        );
    }
    let cases = golden
        .lines()
        .filter(|line| line.starts_with("=== "))
        .count();
    assert!(cases >= 20, "only {cases} golden cases");
}

/// The golden file with every case's diagnostics replaced by what the compiler says now.
fn regenerate(golden: &str) -> String {
    let mut out = String::new();
    let mut lines = golden.lines().peekable();
    while let Some(line) = lines.next_if(|line| !line.starts_with("=== ")) {
        out.push_str(line);
        out.push('\n');
    }
    while let Some(header) = lines.next() {
        let header = header
            .strip_prefix("=== ")
            .expect("a case starts with '=== '");
        let template_lines: Vec<&str> = lines.by_ref().take_while(|line| *line != "---").collect();
        let template = template_lines.join("\n");
        // The old diagnostics are replaced by the new ones.
        while lines.next_if(|line| !line.starts_with("=== ")).is_some() {}

        let mode = header.split_once(':').expect("MODE: description").0;
        let diagnostics = diagnose(mode, &template);
        assert!(
            diagnostics.iter().any(Diagnostic::is_error),
            "case {header:?} has no error: it belongs in a test of good templates"
        );
        out.push_str(&format!("=== {header}\n{template}\n---\n"));
        for diagnostic in &diagnostics {
            out.push_str(&describe(diagnostic));
            out.push('\n');
        }
    }
    out
}

fn diagnose(mode: &str, template: &str) -> Vec<Diagnostic> {
    let resolver = Catalog;
    match mode {
        "raw" => compile_raw(template.as_bytes(), &resolver).diagnostics,
        "key-value" => compile_key_value(&parse_rows(template), &resolver).diagnostics,
        "path" => compile_path(template, &resolver).diagnostics,
        other => panic!("unknown mode {other:?}"),
    }
}

/// `key => value` per line; an empty template is a body without rows.
fn parse_rows(template: &str) -> Vec<Row> {
    template
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (key, value) = line
                .split_once("=>")
                .expect("a row is written `key => value`");
            let key = key.strip_suffix(' ').unwrap_or(key);
            let value = value.strip_prefix(' ').unwrap_or(value);
            Row::new(key, value)
        })
        .collect()
}

/// The compiler's own text, with the UTF-16 column and byte span added to its first line.
fn describe(diagnostic: &Diagnostic) -> String {
    let text = diagnostic.to_string();
    let (first, help) = match text.split_once('\n') {
        Some((first, help)) => (first, format!("\n{help}")),
        None => (text.as_str(), String::new()),
    };
    format!(
        "{first}  @ utf16 {}, bytes {}..{}{help}",
        diagnostic.start.column_utf16, diagnostic.span.start, diagnostic.span.end
    )
}

/// A line diff (longest common subsequence), enough to read what changed.
fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || common[i][j + 1] >= common[i + 1][j]) {
            out.push_str(&format!("+ {}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("- {}\n", a[i]));
            i += 1;
        }
    }
    out
}

/// A small field catalog: these fields exist (`N` is any list index), `deal.legacy_code` is deprecated,
/// and an unknown field is answered with the closest known one.
struct Catalog;

const FIELDS: &[&str] = &[
    "deal.id",
    "deal.title",
    "deal.value",
    "deal.stage",
    "deal.person.email",
    "deal.person.name",
    "deal.products.N.name",
    "deal.legacy_code",
    "previous.deal.stage",
    "event.action",
    "event.time",
    "event.user.name",
];

impl FieldResolver for Catalog {
    fn resolve(&self, path: &FieldPath) -> Resolution {
        let shape: Vec<String> = path
            .segments()
            .iter()
            .map(|segment| match segment {
                PathSegment::Name(name) => name.clone(),
                PathSegment::Index(_) => "N".to_owned(),
            })
            .collect();
        let shape = shape.join(".");
        if shape == "deal.legacy_code" {
            return Resolution::Warning(
                "deal.legacy_code is deprecated and empty for new deals".into(),
            );
        }
        if FIELDS.contains(&shape.as_str()) {
            return Resolution::Known;
        }
        let closest = FIELDS
            .iter()
            .map(|field| (edit_distance(field, &shape), field))
            .min()
            .filter(|(distance, _)| *distance <= 2)
            .map(|(_, field)| field.to_string());
        Resolution::unknown_field(path, closest)
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}
