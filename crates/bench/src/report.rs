//! Prints "ours vs peer" ratios from the estimates criterion saved, after a bench's groups have run.

use std::path::{Path, PathBuf};

/// Where every bench keeps its criterion output: the workspace's `target/criterion`.
pub fn output_directory(workspace_root: &Path) -> PathBuf {
    workspace_root.join("target").join("criterion")
}

/// The mean time in nanoseconds criterion measured for `group/function`, if it ran.
pub fn mean_ns(output: &Path, group: &str, function: &str) -> Option<f64> {
    let path = output
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json");
    let estimates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    estimates["mean"]["point_estimate"].as_f64()
}

/// One line per peer: how many times faster ours is (peer time / our time; above 1 = ours faster).
pub fn print_ratios(output: &Path, group: &str, ours: &str, peers: &[&str]) {
    let Some(our_time) = mean_ns(output, group, ours) else {
        println!("ratio {group}: no estimate for {ours} (filtered out?)");
        return;
    };
    for peer in peers {
        match mean_ns(output, group, peer) {
            Some(peer_time) => println!(
                "ratio {group}: {ours} {} vs {peer} {} → ours is {:.2}× the speed of {peer}",
                human(our_time),
                human(peer_time),
                peer_time / our_time
            ),
            None => println!("ratio {group}: no estimate for {peer} (filtered out?)"),
        }
    }
}

fn human(nanoseconds: f64) -> String {
    match nanoseconds {
        ns if ns >= 1e6 => format!("{:.3} ms", ns / 1e6),
        ns if ns >= 1e3 => format!("{:.3} µs", ns / 1e3),
        ns => format!("{ns:.1} ns"),
    }
}
