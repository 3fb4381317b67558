//! `cargo xtask fuzz --minutes N`: every fuzz target for N minutes each, on a corpus
//! kept outside the repository (`$XDG_CACHE_HOME` or `~/.cache`, under
//! `vsphere-console/fuzz-corpus/<target>`), so long runs build on each other. Prints
//! the executions per target and any find; a find's input stays in `fuzz/artifacts/`
//! and belongs in `tests/fuzz-regressions/`.

use std::path::PathBuf;
use std::process::Command;

use crate::util::{root, Result};

pub const TARGETS: &[&str] = &["rfb_stream", "api_response", "ticket_policy"];

fn corpus_root() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("vsphere-console/fuzz-corpus")
}

pub fn run(minutes: u64) -> Result {
    let mut report = Vec::new();
    let mut finds = 0;
    for target in TARGETS {
        let corpus = corpus_root().join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        eprintln!("xtask: fuzzing {target} for {minutes} min on {}", corpus.display());
        let out = Command::new("cargo")
            .args(["+nightly", "fuzz", "run", target])
            .arg(&corpus)
            .args([
                "--",
                &format!("-max_total_time={}", minutes * 60),
                "-rss_limit_mb=1024",
                "-malloc_limit_mb=512",
                "-print_final_stats=1",
            ])
            .current_dir(root().join("fuzz"))
            .output()
            .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
        let log = String::from_utf8_lossy(&out.stderr);
        let stat = |name: &str| log.lines().find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned())).unwrap_or_else(|| "?".into());
        let found = !out.status.success();
        if found {
            finds += 1;
            eprintln!("{}", log.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n"));
        }
        report.push(format!(
            "{target}: {} executions ({} per second), corpus {} inputs, {}",
            stat("stat::number_of_executed_units:"),
            stat("stat::average_exec_per_sec:"),
            std::fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0),
            if found { "FOUND A CRASH (see fuzz/artifacts/)" } else { "no crash" }
        ));
    }
    for line in &report {
        println!("{line}");
    }
    if finds == 0 {
        Ok(())
    } else {
        Err(format!("{finds} target(s) found a crash: add each input to tests/fuzz-regressions/"))
    }
}
