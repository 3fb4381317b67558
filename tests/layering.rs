//! The layers hold: the sans-IO core (API client, ticket policy, RFB engine, input
//! tables, console session) never names the browser, the UI or the host-page API, so it
//! builds and tests natively and the browser side stays a thin shell.

use std::path::{Path, PathBuf};

/// The core's folders and files, relative to `src/`.
const CORE: &[&str] = &["api", "ticket", "rfb", "input", "console", "base64.rs", "link.rs"];

/// Names the core must not use: browser bindings, the UI framework, the browser modules.
const FORBIDDEN: &[&str] = &["web_sys", "wasm_bindgen", "js_sys", "yew", "gloo", "crate::web", "crate::ui", "crate::embed"];

/// Each forbidden name used in code (comments aside), with its line number.
fn forbidden_uses(source: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for name in FORBIDDEN {
            let mut rest = code;
            while let Some(at) = rest.find(name) {
                let before = rest[..at].chars().next_back();
                let after = rest[at + name.len()..].chars().next();
                let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                if !is_word(before) && !is_word(after) {
                    found.push((i + 1, *name));
                    break;
                }
                rest = &rest[at + name.len()..];
            }
        }
    }
    found
}

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path).expect("read a core folder").map(|e| e.expect("an entry").path()).collect();
        entries.sort();
        for e in entries {
            rust_files(&e, out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

#[test]
fn the_core_never_names_the_browser_the_ui_or_the_host_page_api() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for part in CORE {
        rust_files(&src.join(part), &mut files);
    }
    assert!(files.len() > 30, "the core's files were found ({})", files.len());
    let mut offences = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read a core file");
        for (line, name) in forbidden_uses(&text) {
            offences.push(format!("{}:{line} uses {name}", f.strip_prefix(&src).unwrap_or(f).display()));
        }
    }
    assert!(offences.is_empty(), "the core must stay free of the browser side:\n{}", offences.join("\n"));
}

#[test]
fn the_check_sees_a_forbidden_name_in_code_but_not_in_comments_or_longer_words() {
    assert_eq!(forbidden_uses("use web_sys::Url;"), vec![(1, "web_sys")]);
    assert_eq!(forbidden_uses("fn f() {}\n    let x = crate::web::now_ms();"), vec![(2, "crate::web")]);
    assert!(forbidden_uses("//! In the browser it is `web_sys::Url`.").is_empty());
    assert!(forbidden_uses("let x = 1; // yew would draw it").is_empty());
    assert!(forbidden_uses("let my_yew_tree = crate::website::x();").is_empty());
}
