//! `webhook-cli validate`: every diagnostic of one template.

use std::path::{Path, PathBuf};

use serde_json::json;
use webhook_engine::catalog::Catalog;
use webhook_engine::model::{EventAction, Trigger};
use webhook_engine::template::{compile_key_value, compile_path, compile_raw, FieldResolver, Row};
use webhook_engine::Diagnostic;

use crate::{emitln, input, Mode, Outcome, UsageError};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value = "raw")]
    mode: Mode,
    /// A field catalog in the engine's JSON format; the built-in CRM catalog by default.
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// The automation's trigger as ENTITY.ACTION (deal.updated), for warnings that depend on it;
    /// without it each placeholder is checked against the entity it names, as on an update.
    #[arg(long, value_parser = parse_trigger)]
    trigger: Option<Trigger>,
    /// Print the diagnostics as JSON.
    #[arg(long)]
    json: bool,
    file: PathBuf,
}

pub fn run(args: Args) -> Result<Outcome, UsageError> {
    let catalog = input::catalog(args.catalog.as_deref())?;
    if let Some(trigger) = &args.trigger {
        check_trigger(&catalog, trigger)?;
    }
    let diagnostics = match &args.trigger {
        Some(trigger) => diagnose(args.mode, &args.file, &catalog.resolver(trigger))?,
        None => diagnose(
            args.mode,
            &args.file,
            &catalog.any_trigger_resolver(EventAction::Updated),
        )?,
    };
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if args.json {
        let report = json!({
            "file": args.file.display().to_string(),
            "errors": errors,
            "warnings": diagnostics.len() - errors,
            "diagnostics": diagnostics,
        });
        emitln(&serde_json::to_string_pretty(&report).expect("diagnostics serialize"));
    } else {
        for diagnostic in &diagnostics {
            emitln(&diagnostic.to_string());
        }
    }
    Ok(if errors > 0 {
        Outcome::InputHasErrors
    } else {
        Outcome::Clean
    })
}

pub fn diagnose(
    mode: Mode,
    file: &Path,
    resolver: &dyn FieldResolver,
) -> Result<Vec<Diagnostic>, UsageError> {
    Ok(match mode {
        Mode::Raw => compile_raw(&input::read_bytes(file)?, resolver).diagnostics,
        Mode::KeyValue => {
            compile_key_value(&input::read_json::<Vec<Row>>(file)?, resolver).diagnostics
        }
        Mode::Path => {
            compile_path(
                input::read_text(file)?.trim_end_matches(['\n', '\r']),
                resolver,
            )
            .diagnostics
        }
    })
}

fn check_trigger(catalog: &Catalog, trigger: &Trigger) -> Result<(), UsageError> {
    match catalog.entity(&trigger.entity) {
        Some(entity) if entity.trigger => Ok(()),
        _ => {
            let entities: Vec<_> = catalog
                .trigger_entities()
                .map(|entity| entity.key.as_str())
                .collect();
            Err(UsageError::Argument(format!(
                "--trigger: the catalog has no trigger entity {:?}; it has {}",
                trigger.entity,
                entities.join(", ")
            )))
        }
    }
}

fn parse_trigger(text: &str) -> Result<Trigger, String> {
    let (entity, action) = text
        .split_once('.')
        .ok_or_else(|| format!("expected ENTITY.ACTION such as deal.updated, got {text:?}"))?;
    let action = EventAction::ALL
        .into_iter()
        .find(|candidate| candidate.as_str() == action)
        .ok_or_else(|| format!("the action must be added, updated or deleted, not {action:?}"))?;
    Ok(Trigger {
        entity: entity.to_string(),
        action,
    })
}
