//! The JavaScript contract is typed: the names that reach a portal (status steps, key
//! modes, ticket states, error and validation codes) come from Rust enums' `as_str`,
//! never `Debug`, and `js/index.d.ts` declares exactly those names. Renaming a Rust
//! variant fails here, not in a portal.

#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use vsphere_console::console::{ErrorCode, Step};
use vsphere_console::rfb::KeyMode;
use vsphere_console::ticket::{Rejection, TicketState};

const DTS: &str = include_str!("../js/index.d.ts");
const INDEX_JS: &str = include_str!("../js/index.js");

/// The string literals and the type names of `export type NAME = …;` in the .d.ts.
fn union(name: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let start = DTS.find(&format!("export type {name} =")).unwrap_or_else(|| panic!("index.d.ts declares {name}"));
    let body = &DTS[start + name.len() + 14..];
    let body = &body[..body.find(';').expect("the union ends")];
    let (mut literals, mut names) = (BTreeSet::new(), BTreeSet::new());
    for part in body.split('|').map(str::trim).filter(|p| !p.is_empty()) {
        match part.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
            Some(lit) => literals.insert(lit.to_owned()),
            None => names.insert(part.to_owned()),
        };
    }
    (literals, names)
}

fn set<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    items.into_iter().map(str::to_owned).collect()
}

#[test]
fn steps_key_modes_and_ticket_states_are_declared_as_rust_names_them() {
    assert_eq!(union("StepName").0, set(Step::ALL.map(Step::as_str)));
    assert_eq!(union("KeyMode").0, set(KeyMode::ALL.map(KeyMode::as_str)));
    assert_eq!(union("TicketStateName").0, set(TicketState::NAMES));
}

#[test]
fn error_and_validation_codes_are_declared_as_rust_and_the_package_give_them() {
    // The policy's codes, each as `Rejection::code` gives it; `bad-input` is validateConsoleUrl's own.
    let every_rejection = [
        Rejection::BadTicket,
        Rejection::BadPort(0),
        Rejection::UnsafeCharacters,
        Rejection::Unparsable,
        Rejection::Scheme(String::new()),
        Rejection::Insecure,
        Rejection::UserInfo,
        Rejection::QueryOrFragment,
        Rejection::Host(String::new()),
        Rejection::Port(0),
        Rejection::Path,
        Rejection::Mismatch,
        Rejection::ProxyTemplate,
        Rejection::OddForm,
        Rejection::EmptyHost,
        Rejection::HostCharacters(String::new()),
    ];
    assert_eq!(set(every_rejection.iter().map(Rejection::code)), set(Rejection::CODES));
    let mut validation = set(Rejection::CODES);
    validation.insert("bad-input".into());
    assert_eq!(union("ValidationCode").0, validation);
    // The package's JavaScript gives a few of its own.
    let js: BTreeSet<String> = INDEX_JS.split("code: \"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_owned).collect();
    assert!(!js.is_empty(), "index.js emits codes of its own");
    let (literals, names) = union("ErrorCode");
    let mut expected = set(ErrorCode::OWN.map(ErrorCode::as_str));
    expected.extend(js);
    assert_eq!(literals, expected);
    assert_eq!(names, set(["ValidationCode"]), "and every policy code");
    assert!(ErrorCode::Policy("host") == *"host");
}

/// One set of console options with one set of defaults: `ConsoleOptions` (Rust), the keys
/// `js/index.js` hands to it (`CORE_OPTIONS`), and `VSphereConsoleOptions` in the .d.ts
/// (which adds the JavaScript-only `ticket`, `acquireTicket`, `label`, `background`,
/// `wasmUrl`).
#[test]
fn console_options_are_one_set_in_rust_the_package_and_its_types() {
    use vsphere_console::console::ConsoleOptions;
    let rust: BTreeSet<String> = serde_json::to_value(ConsoleOptions::default()).unwrap().as_object().unwrap().keys().cloned().collect();
    let start = INDEX_JS.find("const CORE_OPTIONS = [").expect("index.js lists CORE_OPTIONS");
    let list = &INDEX_JS[start..start + INDEX_JS[start..].find("];").unwrap()];
    let js: BTreeSet<String> = list.split('"').skip(1).step_by(2).map(str::to_owned).collect();
    assert_eq!(js, rust, "CORE_OPTIONS is ConsoleOptions");
    let start = DTS.find("export interface VSphereConsoleOptions {").unwrap();
    let body = &DTS[start..start + DTS[start..].find("\n}").unwrap()];
    let declared: BTreeSet<String> = body
        .lines()
        .filter_map(|l| l.trim().split_once("?:").map(|(k, _)| k.to_owned()))
        .filter(|k| !k.contains(' ') && !k.starts_with('/') && !k.starts_with('*'))
        .collect();
    let mut expected = rust.clone();
    expected.extend(["ticket", "acquireTicket", "label", "background", "wasmUrl"].map(str::to_owned));
    assert_eq!(declared, expected, "index.d.ts declares every option");
}
