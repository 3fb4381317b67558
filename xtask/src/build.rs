//! Builds the app with wasm-pack (`--target web`) into `pkg/`, and the lab.

use std::process::Command;

use crate::util::{root, run, sizes, tool_path, Result};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Release,
    Dev,
}

pub fn app(profile: Profile) -> Result {
    let mut cmd = Command::new("wasm-pack");
    cmd.args(["build", "--target", "web", "--out-dir", "pkg", "--no-pack"])
        .arg(if profile == Profile::Release { "--release" } else { "--dev" })
        .current_dir(root())
        .env("PATH", tool_path());
    run(&mut cmd)?;
    if let Some((raw, gz)) = sizes(&root().join("pkg/vsphere_console_bg.wasm")) {
        eprintln!("xtask: pkg/vsphere_console_bg.wasm: {raw} bytes, {gz} bytes gzip -9");
    }
    Ok(())
}

pub fn lab() -> Result {
    run(Command::new("cargo").args(["build", "--release", "-p", "vsphere-lab"]).current_dir(root()))
}

pub fn lab_binary() -> std::path::PathBuf {
    root().join("target/release/vsphere-lab")
}
