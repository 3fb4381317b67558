//! `cargo xtask package`: the npm package in `target/npm/vsphere-console/`, ready for
//! `npm publish`. Two entries: the console-only build (no Yew, no login, no VM list) for
//! portals, and the full app.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::build::{self, Profile};
use crate::util::{root, run, sizes, tool_path, Result};

/// The JavaScript and TypeScript files of the package, from `js/`.
const JS_FILES: &[&str] =
    &["index.js", "index.d.ts", "rfb.js", "rfb.d.ts", "wmks.js", "wmks.d.ts", "element.js", "element.d.ts", "app.js", "app.d.ts"];
/// What wasm-bindgen writes that the package ships.
const GLUE: &[&str] = &["vsphere_console.js", "vsphere_console.d.ts", "vsphere_console_bg.wasm", "vsphere_console_bg.wasm.d.ts"];

pub fn dir() -> PathBuf {
    root().join("target/npm/vsphere-console")
}

pub fn run_package() -> Result {
    build::app(Profile::Release)?;
    let console_build = root().join("target/npm/build-console");
    run(Command::new("wasm-pack")
        .args(["build", "--target", "web", "--release", "--no-pack", "--out-dir"])
        .arg(&console_build)
        .args(["--", "--no-default-features"])
        .current_dir(root())
        .env("PATH", tool_path()))?;
    let out = dir();
    let _ = fs::remove_dir_all(&out);
    for sub in ["console", "app"] {
        fs::create_dir_all(out.join(sub)).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    for f in GLUE {
        place(&console_build.join(f), &out.join("console").join(f))?;
        place(&root().join("pkg").join(f), &out.join("app").join(f))?;
    }
    for f in JS_FILES {
        place(&root().join("js").join(f), &out.join(f))?;
    }
    global_script(&out)?;
    copy(&root().join("js/README.md"), &out.join("README.md"))?;
    copy(&root().join("www/style.css"), &out.join("app/style.css"))?;
    for f in ["LICENSE-MIT", "LICENSE-APACHE"] {
        copy(&root().join(f), &out.join(f))?;
    }
    fs::write(out.join("package.json"), package_json()?).map_err(|e| e.to_string())?;
    report(&out);
    eprintln!("xtask: the package is in {}", out.display());
    Ok(())
}

/// `wmks.global.js`: the `createWMKS` layer as one classic script defining `window.WMKS`,
/// for pages that load VMware's SDK with `<script src>` (esbuild bundles `js/wmks-global.js`
/// with the console-only glue; the wasm is found beside the script).
fn global_script(out: &Path) -> Result {
    let staging = root().join("target/npm/build-global");
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(staging.join("console")).map_err(|e| e.to_string())?;
    for f in ["index.js", "wmks.js", "wmks-global.js"] {
        copy(&root().join("js").join(f), &staging.join(f))?;
    }
    copy(&out.join("console/vsphere_console.js"), &staging.join("console/vsphere_console.js"))?;
    run(Command::new(root().join("tools/node_modules/.bin/esbuild"))
        .arg(staging.join("wmks-global.js"))
        .args([
            "--bundle",
            "--format=iife",
            "--target=es2020",
            "--minify",
            "--log-level=warning",
            "--log-override:empty-import-meta=silent",
        ])
        .arg(format!("--outfile={}", out.join("wmks.global.js").display())))
}

/// Copies a file into the package, JavaScript through esbuild's minifier (names kept, a
/// source map with the original text beside it): 9 KB gzip less for the console-only
/// entry. Each file on its own, not bundled: they import each other by path.
fn place(from: &Path, to: &Path) -> Result {
    if from.extension().is_none_or(|e| e != "js") {
        return copy(from, to);
    }
    run(Command::new(root().join("tools/node_modules/.bin/esbuild"))
        .arg(from)
        .args(["--minify", "--keep-names", "--format=esm", "--target=es2020", "--sourcemap", "--log-level=warning"])
        .arg(format!("--outfile={}", to.display())))
}

fn copy(from: &Path, to: &Path) -> Result {
    fs::copy(from, to).map(|_| ()).map_err(|e| format!("copy {} → {}: {e}", from.display(), to.display()))
}

/// The crate's version, so the package and the crate never disagree.
fn version() -> Result<String> {
    let toml = fs::read_to_string(root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    let pkg = toml.split("[package]").nth(1).ok_or("no [package] in Cargo.toml")?;
    pkg.lines()
        .find_map(|l| l.trim().strip_prefix("version = \"").map(|v| v.trim_end_matches('"').to_owned()))
        .ok_or_else(|| "no version in Cargo.toml".into())
}

fn package_json() -> Result<String> {
    let entry = |types: &str, js: &str| format!(r#"{{ "types": "./{types}", "default": "./{js}" }}"#);
    Ok(format!(
        r#"{{
  "name": "vsphere-console",
  "version": "{version}",
  "description": "A vSphere VM console for web pages: webmks tickets under a strict URL policy, RFB with VMware's WebMKS extensions, in WebAssembly. noVNC- and wmks.js-shaped APIs included.",
  "license": "MIT OR Apache-2.0",
  "type": "module",
  "main": "./index.js",
  "types": "./index.d.ts",
  "exports": {{
    ".": {index},
    "./rfb": {rfb},
    "./wmks": {wmks},
    "./wmks.global.js": "./wmks.global.js",
    "./element": {element},
    "./app": {app},
    "./console.wasm": "./console/vsphere_console_bg.wasm",
    "./app.wasm": "./app/vsphere_console_bg.wasm",
    "./app/style.css": "./app/style.css",
    "./package.json": "./package.json"
  }},
  "sideEffects": ["./element.js"],
  "files": ["*.js", "*.js.map", "*.d.ts", "console/", "app/", "README.md", "LICENSE-MIT", "LICENSE-APACHE"],
  "keywords": ["vsphere", "vmware", "console", "webmks", "vnc", "rfb", "wasm"]
}}
"#,
        version = version()?,
        index = entry("index.d.ts", "index.js"),
        rfb = entry("rfb.d.ts", "rfb.js"),
        wmks = entry("wmks.d.ts", "wmks.js"),
        element = entry("element.d.ts", "element.js"),
        app = entry("app.d.ts", "app.js"),
    ))
}

/// Sizes of both entries, raw and gzip -9: what a page downloads for each.
fn report(out: &Path) {
    let entries: [(&str, Vec<PathBuf>); 2] = [
        (
            "console-only entry",
            ["index.js", "rfb.js", "wmks.js", "element.js", "console/vsphere_console.js", "console/vsphere_console_bg.wasm"]
                .iter()
                .map(|f| out.join(f))
                .collect(),
        ),
        (
            "full app entry",
            ["app.js", "app/vsphere_console.js", "app/vsphere_console_bg.wasm", "app/style.css"].iter().map(|f| out.join(f)).collect(),
        ),
    ];
    for (name, files) in entries {
        let (mut raw, mut gz) = (0, 0);
        for f in &files {
            if let Some((r, g)) = sizes(f) {
                raw += r;
                gz += g;
            }
        }
        eprintln!(
            "xtask: {name}: {raw} bytes, {gz} bytes gzip -9 (wasm + JavaScript{})",
            if name.starts_with("full") { " + CSS" } else { "" }
        );
    }
}
