//! `cargo xtask test`: every test, after installing what they need.
//!
//! Suites: the house style (`cargo fmt --check`, `cargo clippy -D warnings` on every
//! build), native (`cargo test --workspace`, and the keyboard layouts regenerated from
//! xkb-data and compared), wasm-bindgen-test in headless Chromium,
//! then the release app and the npm package, driven end to end through real Chromium:
//! against the lab, behind the repository's nginx recipe with TLS and its CSP, and side
//! by side with VMware's own client (wmks.js, test-only) on the same page.

use std::process::Command;
use std::time::Instant;

use crate::build;
use crate::package;
use crate::setup;
use crate::util::{root, run, tool_path, Result};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A suite: its name and what runs it.
type Suite = (&'static str, fn() -> Result);

/// Every suite, or with `only` the one of that short name.
pub fn run_all(only: Option<&str>) -> Result {
    let started = Instant::now();
    let all: Vec<(&str, Suite)> = vec![
        ("tidy", ("house style (cargo fmt --check, cargo clippy -D warnings)", tidy)),
        ("native", ("native tests (cargo test --workspace)", native)),
        ("browser", ("browser tests (wasm-bindgen-test, headless Chromium)", browser)),
        ("e2e", ("end-to-end tests (release app and npm package + lab + nginx + Chromium)", e2e)),
        ("fuzz", ("fuzzing (cargo fuzz, 20 s per target)", fuzz)),
    ];
    if let Some(name) = only {
        if !all.iter().any(|(short, _)| *short == name) {
            let names: Vec<&str> = all.iter().map(|(short, _)| *short).collect();
            return Err(format!("no suite {name}; the suites are {}", names.join(", ")));
        }
    }
    setup::test_tools()?;
    let suites: Vec<Suite> = all.into_iter().filter(|(short, _)| only.is_none_or(|o| o == *short)).map(|(_, s)| s).collect();
    let mut passed = 0;
    let mut failed = Vec::new();
    for (name, suite) in suites {
        let t = Instant::now();
        eprintln!("\nxtask: ==== {name}");
        match suite() {
            Ok(()) => {
                passed += 1;
                eprintln!("xtask: ok: {name} ({:.0?})", t.elapsed());
            }
            Err(e) => {
                eprintln!("xtask: FAILED: {name}: {e}");
                failed.push((name, e));
            }
        }
    }
    eprintln!("\nxtask: all suites took {:.0?}", started.elapsed());
    for (name, e) in &failed {
        eprintln!("xtask: failed suite: {name}: {e}");
    }
    println!("suites: {passed} passed, {} failed", failed.len());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} suite(s) failed", failed.len()))
    }
}

/// Also checks that the generated keyboard layouts are what xkb-data gives today.
fn native() -> Result {
    let layouts = crate::layouts::run(true);
    run(Command::new("cargo").args(["test", "--workspace"]).current_dir(root())).and(layouts)
}

/// The house style: formatting as `rustfmt.toml` states it, and no clippy warning in any
/// build (native with its tests, the wasm app, the wasm console-only entry).
fn tidy() -> Result {
    let cargo = |args: &[&str]| run(Command::new("cargo").args(args).current_dir(root()));
    let fmt = cargo(&["fmt", "--all", "--check"]).and(run(Command::new("cargo").args(["fmt", "--check"]).current_dir(root().join("fuzz"))));
    let native = cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]);
    let wasm = cargo(&["clippy", "--target", "wasm32-unknown-unknown", "--lib", "--tests", "--", "-D", "warnings"]);
    let console_only = cargo(&["clippy", "--target", "wasm32-unknown-unknown", "--lib", "--no-default-features", "--", "-D", "warnings"]);
    fmt.and(native).and(wasm).and(console_only)
}

/// `web_paint.rs` replays every recording in a debug build, one test each: about two
/// minutes in all, none holding the page for long.
fn browser() -> Result {
    run(Command::new("wasm-pack")
        .args(["test", "--headless", "--chrome", "--chromedriver", CHROMEDRIVER])
        .current_dir(root())
        .env("PATH", tool_path())
        .env("WASM_BINDGEN_TEST_TIMEOUT", "300"))
}

fn e2e() -> Result {
    // The package builds the app into pkg/ too.
    package::run_package()?;
    build::lab()?;
    let node = |script: &str| {
        run(Command::new("node")
            .arg(root().join(script))
            .current_dir(root())
            .env("LAB_BIN", build::lab_binary())
            .env("APP_DIR", root())
            .env("NPM_PACKAGE_DIR", package::dir())
            .env("ARTIFACTS", root().join("target/e2e-artifacts")))
    };
    let failures = root().join("target/e2e-artifacts/failed.txt");
    let _ = std::fs::remove_file(&failures);
    // All run even when one fails, so one failure does not hide another.
    let scripts = ["run", "embed", "hostile", "comfort", "wmks"];
    let failed: Vec<&str> = scripts.into_iter().filter(|s| node(&format!("tests/e2e/{s}.mjs")).is_err()).collect();
    if failed.is_empty() {
        Ok(())
    } else {
        let tests = std::fs::read_to_string(&failures).unwrap_or_default();
        let scripts: Vec<String> = failed.iter().map(|s| format!("tests/e2e/{s}.mjs")).collect();
        Err(format!("failed: {}\n{}", scripts.join(", "), tests.trim_end()))
    }
}

/// Each fuzz target for a bounded time; memory is capped so a runaway allocation fails.
/// A crash leaves its input in `fuzz/artifacts/`: add it to `tests/fuzz-regressions/`.
fn fuzz() -> Result {
    let mut finds = Vec::new();
    for target in crate::fuzz::TARGETS {
        let (line, found) = crate::fuzz::target_for(target, 20, None)?;
        eprintln!("xtask: {line}");
        if found {
            finds.push(*target);
        }
    }
    if finds.is_empty() {
        Ok(())
    } else {
        Err(format!("a crash in {}: add each input in fuzz/artifacts/ to tests/fuzz-regressions/", finds.join(", ")))
    }
}
