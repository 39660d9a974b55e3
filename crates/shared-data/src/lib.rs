//! Locates `../shared/data` (JSONTestSuite, json-benchmark corpora) from the workspace root, whatever
//! the working directory of the test or bench that asks.
//!
//! The data is not part of the repository. In a user's own clone it may be absent: callers then skip
//! and say why. Under CI (`CI=true`) it must be there, so absence is a failure instead of a skip.

use std::path::{Path, PathBuf};

/// The workspace root, found from this crate's own manifest directory (`crates/shared-data`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/shared-data sits two levels below the workspace root")
        .to_path_buf()
}

/// `../shared/data/<name>` as seen from the workspace root, when present.
///
/// When it is missing this prints why the caller skips and returns `None`; with `CI=true` it panics
/// instead, because CI always has the shared folder and a silent skip would hide lost coverage.
pub fn dir(name: &str) -> Option<PathBuf> {
    let path = workspace_root()
        .join("..")
        .join("shared")
        .join("data")
        .join(name);
    if path.is_dir() {
        return Some(path);
    }
    let why = format!("shared test data not found at {}", path.display());
    if running_in_ci() {
        panic!("{why}; CI must provide ../shared/data beside the workspace");
    }
    eprintln!("skipped: {why} (it lives beside the team's checkouts, not in the repository)");
    None
}

fn running_in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_root_holds_the_workspace_manifest() {
        let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"));
    }

    #[test]
    fn a_missing_folder_is_none_outside_ci() {
        if !running_in_ci() {
            assert_eq!(dir("no-such-folder-for-sure"), None);
        }
    }
}
