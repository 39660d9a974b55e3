//! `webhook-cli render`: a template rendered with a data file, exactly as it would be sent.

use std::path::PathBuf;

use serde_json::Value;
use webhook_engine::template::{compile_key_value, compile_path, compile_raw, AcceptAll, Row};
use webhook_engine::Diagnostic;

use crate::{emit, emitln, input, Mode, Outcome, UsageError};

/// Stands in for a base URL when none is given, so a path renders on its own.
const PLACEHOLDER_BASE: &str = "http://base.invalid";

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value = "raw")]
    mode: Mode,
    /// Path mode: the webhook's base URL; the final URL is printed. Without it, the path alone.
    #[arg(long)]
    base: Option<String>,
    /// The template context as JSON, e.g. {"deal": {"title": "Big \"one\"", "value": 12000}}; each
    /// value renders by its own JSON type.
    #[arg(long)]
    data: PathBuf,
    file: PathBuf,
}

pub fn run(args: Args) -> Result<Outcome, UsageError> {
    let context: Value = input::read_json(&args.data)?;
    if !context.is_object() {
        return Err(input::bad_input(
            &args.data,
            "the data must be a JSON object such as {\"deal\": {...}}",
        ));
    }
    // The data file is the whole truth here, so any field name is accepted.
    let compiled = match args.mode {
        Mode::Raw => body(
            compile_raw(&input::read_bytes(&args.file)?, &AcceptAll),
            &context,
        ),
        Mode::KeyValue => body(
            compile_key_value(&input::read_json::<Vec<Row>>(&args.file)?, &AcceptAll),
            &context,
        ),
        Mode::Path => {
            let source = input::read_text(&args.file)?;
            let compilation = compile_path(source.trim_end_matches(['\n', '\r']), &AcceptAll);
            match compilation.template {
                Some(path) => {
                    let base = args.base.as_deref().unwrap_or(PLACEHOLDER_BASE);
                    match path.render_url(base, &context) {
                        Ok(url) if args.base.is_some() => Ok(url),
                        Ok(url) => Ok(url[PLACEHOLDER_BASE.len()..].to_string()),
                        Err(error) => Err(vec![error.to_string()]),
                    }
                }
                None => Err(messages(&compilation.diagnostics)),
            }
        }
    };
    match compiled {
        // Bodies print byte for byte as they would be sent; a URL gets the newline a terminal expects.
        Ok(output) if args.mode == Mode::Path => {
            emitln(&output);
            Ok(Outcome::Clean)
        }
        Ok(output) => {
            emit(&output);
            Ok(Outcome::Clean)
        }
        Err(problems) => {
            for problem in problems {
                eprintln!("{problem}");
            }
            Ok(Outcome::InputHasErrors)
        }
    }
}

fn body(
    compilation: webhook_engine::template::Compilation<webhook_engine::template::BodyTemplate>,
    context: &Value,
) -> Result<String, Vec<String>> {
    match compilation.template {
        Some(template) => Ok(template.render(context)),
        None => Err(messages(&compilation.diagnostics)),
    }
}

fn messages(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(ToString::to_string).collect()
}
