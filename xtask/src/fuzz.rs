//! `cargo xtask fuzz --minutes N`: every fuzz target for N minutes each, on a corpus
//! kept outside the repository (`$XDG_CACHE_HOME` or `~/.cache`, under
//! `vsphere-console/fuzz-corpus/<target>`), so long runs build on each other. Prints
//! the executions per target and any find; a find's input stays in `fuzz/artifacts/`
//! and belongs in `tests/fuzz-regressions/`.

use std::path::{Path, PathBuf};
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
        let (line, found) = target_for(target, minutes * 60, Some(&corpus))?;
        finds += usize::from(found);
        report.push(line);
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

/// One target for `seconds`, its chatter kept out of the log (it would bury every other
/// suite's failure): a one-line report, whether it found a crash, and on a find the tail
/// of libFuzzer's output.
pub fn target_for(target: &str, seconds: u64, corpus: Option<&Path>) -> Result<(String, bool)> {
    let mut cmd = Command::new("cargo");
    cmd.args(["+nightly", "fuzz", "run", target]);
    if let Some(corpus) = corpus {
        cmd.arg(corpus);
    }
    let out = cmd
        .args(["--", &format!("-max_total_time={seconds}"), "-rss_limit_mb=1024", "-malloc_limit_mb=512", "-print_final_stats=1"])
        .current_dir(root().join("fuzz"))
        .output()
        .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
    let log = String::from_utf8_lossy(&out.stderr);
    let stat = |name: &str| log.lines().find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned())).unwrap_or_else(|| "?".into());
    let found = !out.status.success();
    if found {
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
    }
    let corpus_size = corpus.and_then(|c| std::fs::read_dir(c).ok()).map(|d| format!(", corpus {} inputs", d.count())).unwrap_or_default();
    let line = format!(
        "{target}: {} executions ({} per second){corpus_size}, {}",
        stat("stat::number_of_executed_units:"),
        stat("stat::average_exec_per_sec:"),
        if found { "FOUND A CRASH (see fuzz/artifacts/)" } else { "no crash" }
    );
    Ok((line, found))
}
