//! The history's export: JSON Lines, one execution per line, newest first, in the same JSON form the
//! app stores. Records hold no secret (requests are stored redacted), and the export shows only what
//! the user exporting may see.

use crate::history::visibility::visible_to;
use crate::roles::Permissions;
use crate::runner::Execution;

/// One line of the export, with its line feed. Compact JSON escapes every line break inside strings,
/// so a body spanning lines stays on its record's line.
pub fn jsonl_line(execution: &Execution, permissions: &Permissions) -> String {
    let view = visible_to(execution.clone(), permissions);
    let mut line = serde_json::to_string(&view.execution).expect("an execution always serializes");
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::visibility::tests::{execution, permissions};

    #[test]
    fn one_record_per_line_that_reads_back() {
        let mut run = execution();
        if let Some(request) = &mut run.request {
            request.body = "{\n  \"note\": \"two\\nlines\"\n}".into();
        }
        let line = jsonl_line(&run, &permissions(true));
        assert!(line.ends_with('\n'));
        assert_eq!(line.matches('\n').count(), 1, "{line}");
        let back: Execution = serde_json::from_str(&line).unwrap();
        assert_eq!(back, run);
    }

    #[test]
    fn a_user_who_is_not_an_admin_exports_what_they_may_see() {
        let line = jsonl_line(&execution(), &permissions(false));
        let back: Execution = serde_json::from_str(&line).unwrap();
        assert_eq!(back, visible_to(execution(), &permissions(false)).execution);
        assert!(!line.contains("Bearer"));
    }
}
