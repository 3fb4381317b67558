//! Installs what a fresh machine lacks, and nothing that is already there.

use std::process::Command;

use crate::util::{exists_on_path, output, root, run, tool_path, Result};

pub const WASM_PACK_VERSION: &str = "0.15.1";

/// Debian packages the tests need (browser, driver, real VNC servers, an X client, nginx).
pub const TEST_PACKAGES: &[&str] = &[
    "chromium",
    "chromium-driver",
    "tigervnc-standalone-server",
    "qemu-system-x86",
    "xterm",
    "websockify",
    "novnc",
    // The production recipe (deploy/nginx) runs in the end-to-end tests, behind TLS
    // from a CA the test makes; certutil puts that CA in the test browser's NSS store.
    "nginx",
    "libnss3-tools",
    // Keyboard layouts: `cargo xtask layouts --check` compiles xkb-data's keymaps with
    // xkbcomp, names keysyms by keysymdef.h and composes dead keys by libx11's table;
    // the layout test sets the X server's keymap with setxkbmap.
    "xkb-data",
    "x11-xkb-utils",
    "x11proto-dev",
    "libx11-data",
    // The clipboard test sets and reads the X server's CLIPBOARD, as an application would.
    "xclip",
];

/// What `cargo xtask record` films with: the real servers, a terminal, and the scene's X client.
pub const RECORD_PACKAGES: &[&str] = &["tigervnc-standalone-server", "qemu-system-x86", "xterm", "websockify", "python3-xlib"];

/// Build tools: the wasm target, rustfmt and clippy, wasm-bindgen-cli pinned to Cargo.lock,
/// wasm-pack, npm tools.
pub fn build_tools() -> Result {
    wasm_target()?;
    house_tools()?;
    wasm_bindgen_cli()?;
    wasm_pack()?;
    npm_tools()
}

/// Everything the tests need on top of the build tools.
pub fn test_tools() -> Result {
    build_tools()?;
    debian_packages(TEST_PACKAGES)?;
    fuzz_tools()
}

/// cargo-fuzz, and the nightly toolchain libFuzzer builds need (shipped with this
/// machine image; rustup cannot fetch another here).
fn fuzz_tools() -> Result {
    let toolchains = output(Command::new("rustup").args(["toolchain", "list"])).unwrap_or_default();
    if !toolchains.lines().any(|l| l.starts_with("nightly")) {
        run(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))?;
    }
    if output(Command::new("cargo").args(["fuzz", "--version"])).is_some() {
        return Ok(());
    }
    run(Command::new("cargo").args(["install", "cargo-fuzz"]))
}

/// rustfmt and clippy, which the test command's house-style suite runs.
fn house_tools() -> Result {
    let have = |sub: &str| output(Command::new("cargo").args([sub, "--version"])).is_some();
    if have("fmt") && have("clippy") {
        return Ok(());
    }
    run(Command::new("rustup").args(["component", "add", "rustfmt", "clippy"]))
}

fn wasm_target() -> Result {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The wasm-bindgen version in Cargo.lock.
pub fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|v| v.trim().strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

fn wasm_bindgen_cli() -> Result {
    let want = locked_wasm_bindgen()?;
    let have = output(Command::new("wasm-bindgen").arg("--version").env("PATH", tool_path())).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(want.as_str()) {
        return Ok(());
    }
    // Not --locked: the crate's own lock names a webpki-roots the registry here lacks.
    run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &want]))
}

fn wasm_pack() -> Result {
    let have = output(Command::new("wasm-pack").arg("--version").env("PATH", tool_path())).unwrap_or_default();
    if have.contains(WASM_PACK_VERSION) {
        return Ok(());
    }
    run(Command::new("cargo").args(["install", "wasm-pack", "--version", WASM_PACK_VERSION]))
}

fn npm_tools() -> Result {
    let tools = root().join("tools");
    let have = [
        "node_modules/.bin/wasm-opt",
        "node_modules/playwright-core",
        "node_modules/.bin/esbuild",
        "node_modules/.bin/tsc",
        "node_modules/@novnc/novnc",
        "node_modules/axe-core",
        "node_modules/opennebula-wmks/dist/wmks.js",
    ];
    if have.iter().all(|p| tools.join(p).exists()) {
        return Ok(());
    }
    if !exists_on_path("npm") {
        debian_packages(&["nodejs", "npm"])?;
    }
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&tools))
}

/// Installs the Debian packages that are missing (`apt-get update` first).
pub fn debian_packages(pkgs: &[&str]) -> Result {
    let missing: Vec<&str> = pkgs
        .iter()
        .copied()
        .filter(|p| output(Command::new("dpkg-query").args(["-W", "-f=${Status}", p])).is_none_or(|s| !s.contains("install ok installed")))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let sudo = if output(Command::new("id").arg("-u")).as_deref() == Some("0") { vec![] } else { vec!["sudo"] };
    let apt = |args: &[&str]| {
        let mut all: Vec<&str> = sudo.clone();
        all.push("apt-get");
        all.extend_from_slice(args);
        let mut c = Command::new(all[0]);
        c.args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut c)
    };
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq"];
    args.extend(missing.iter());
    apt(&args)
}
