//! Running commands and finding things.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub type Result<T = ()> = std::result::Result<T, String>;

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap_or_else(|_| PathBuf::from(".."))
}

/// Runs a command with inherited output; fails with its name when it fails.
pub fn run(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    eprintln!("xtask: $ {}", shown.replace('"', ""));
    let status = cmd.status().map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// The trimmed stdout of a command, or `None` when it cannot run or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

pub fn exists_on_path(name: &str) -> bool {
    output(Command::new("sh").args(["-c", &format!("command -v {name}")])).is_some_and(|s| !s.is_empty())
}

/// PATH with the project's npm tools (binaryen's wasm-opt) and cargo's bin first.
pub fn tool_path() -> String {
    let mut parts = vec![root().join("tools/node_modules/.bin")];
    if let Some(home) = std::env::var_os("HOME") {
        parts.push(Path::new(&home).join(".cargo/bin"));
    }
    let old = std::env::var("PATH").unwrap_or_default();
    let mut s = parts.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(":");
    if !old.is_empty() {
        s.push(':');
        s.push_str(&old);
    }
    s
}

/// Size of a file in bytes, raw and gzip -9.
pub fn sizes(path: &Path) -> Option<(u64, u64)> {
    let raw = std::fs::metadata(path).ok()?.len();
    let gz = output(Command::new("sh").args(["-c", &format!("gzip -9 -c '{}' | wc -c", path.display())]))?;
    Some((raw, gz.parse().ok()?))
}
