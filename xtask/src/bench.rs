//! `cargo xtask bench`: vsphere-console against noVNC 1.7.0 in the same Chromium page
//! on every committed recording, first-frame latency against the lab, memory, a
//! 16-console dashboard, bundle sizes and what each crate costs. Writes BENCHMARKS.md.
//! Not part of the test command: timings are measured, never asserted.

use std::process::Command;

use crate::util::{root, run, tool_path, Result};
use crate::{build, package, setup};

pub struct Options {
    pub pairs: u32,
    pub soak_minutes: u32,
    pub only: Option<String>,
}

pub fn run_bench(o: &Options) -> Result {
    setup::build_tools()?;
    package::run_package()?;
    build::lab()?;
    // The console-only engine before wasm-bindgen and wasm-opt: bench/run.mjs makes it as
    // shipped once more, names kept, for the per-crate size table.
    run(Command::new("cargo")
        .args(["build", "--release", "--lib", "--target", "wasm32-unknown-unknown", "--no-default-features"])
        .current_dir(root()))?;
    let mut cmd = Command::new("node");
    cmd.arg(root().join("bench/run.mjs"))
        .current_dir(root())
        .env("PATH", tool_path())
        .env("LAB_BIN", build::lab_binary())
        .env("APP_DIR", root())
        .env("NPM_PACKAGE_DIR", package::dir())
        .env("ENGINE_WASM", root().join("target/wasm32-unknown-unknown/release/vsphere_console.wasm"))
        .env("PAIRS", o.pairs.to_string())
        .env("SOAK_MINUTES", o.soak_minutes.to_string());
    if let Some(only) = &o.only {
        cmd.env("ONLY", only);
    }
    run(&mut cmd)
}
