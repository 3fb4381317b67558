//! Browser tests (wasm-bindgen-test in headless Chromium): the pieces that depend on
//! the browser itself, chiefly its URL parser, which the console policy relies on.

#![cfg(target_arch = "wasm32")]

use vsphere_console::api::wire::VirtualMachineTicket;
use vsphere_console::ticket::{resolve, ConsolePolicy, Rejection, RequestedFrom, UrlParser};
use vsphere_console::web::url_parser::BrowserUrlParser;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "common/ticket_cases.rs"]
mod ticket_cases;

fn ticket(json: &str) -> VirtualMachineTicket {
    serde_json::from_str(json).unwrap()
}

fn policy() -> ConsolePolicy {
    ConsolePolicy { allowed_hosts: vec!["*.example.com".into(), "10.0.0.0/8".into()], ..ConsolePolicy::default() }
}

fn from() -> RequestedFrom {
    RequestedFrom { scheme: "https".into(), host: "vc.example.com".into(), port: 443 }
}

#[wasm_bindgen_test]
fn browser_parser_normalises_like_whatwg() {
    let p = BrowserUrlParser;
    let u = p.parse("WSS://ESX01.Example.COM:443/ticket/abcd1234").unwrap();
    assert_eq!(u.scheme, "wss");
    assert_eq!(u.host, "esx01.example.com");
    assert_eq!(u.port, None, "the default port is dropped");
    let idn = p.parse("wss://bücher.example.com/ticket/a").unwrap();
    assert_eq!(idn.host, "xn--bcher-kva.example.com");
    let v4 = p.parse("wss://0x0a.1/ticket/a").unwrap();
    assert_eq!(v4.host, "10.0.0.1");
    assert_eq!(p.parse("wss://h/p?").unwrap().query.as_deref(), Some(""));
    assert_eq!(p.parse("wss://h/p").unwrap().query, None);
    assert!(p.parse("not a url").is_none());
}

#[wasm_bindgen_test]
fn policy_with_browser_parser_accepts_and_rejects() {
    let ok = ticket(
        r#"{"ticket":"abc-12345","cfgFile":"x","host":"esx01.example.com","port":443,
        "url":"wss://esx01.example.com:443/ticket/abc-12345"}"#,
    );
    let url = resolve(&ok, &from(), &policy(), &BrowserUrlParser).expect("accepted");
    assert_eq!(url.url.expose(), "wss://esx01.example.com/ticket/abc-12345");
    assert!(!url.redacted.contains("abc-12345"));

    let userinfo = ticket(
        r#"{"ticket":"abcd1234","cfgFile":"x","host":"esx01.example.com","port":443,
        "url":"wss://evil@esx01.example.com/ticket/abcd1234"}"#,
    );
    assert_eq!(resolve(&userinfo, &from(), &policy(), &BrowserUrlParser).unwrap_err(), Rejection::UserInfo);

    let outside = ticket(r#"{"ticket":"abcd1234","cfgFile":"x","host":"esx.evil.net","port":443}"#);
    assert!(matches!(resolve(&outside, &from(), &policy(), &BrowserUrlParser), Err(Rejection::Host(_))));

    let backslash = ticket(
        r#"{"ticket":"abcd1234","cfgFile":"x","host":"esx01.example.com","port":443,
        "url":"wss://esx01.example.com\\ticket\\abcd1234"}"#,
    );
    assert_eq!(resolve(&backslash, &from(), &policy(), &BrowserUrlParser).unwrap_err(), Rejection::UnsafeCharacters);
}

#[wasm_bindgen_test]
async fn app_mounts_and_explains_a_missing_config() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let opts = js_sys::Object::new();
    js_sys::Reflect::set(&opts, &"configUrl".into(), &"no-such-config.json".into()).unwrap();
    let mut app = vsphere_console::embed::mount(root.clone(), opts.into());
    let mut text = String::new();
    for _ in 0..100 {
        vsphere_console::web::timers::sleep_ms(50).await;
        text = root.text_content().unwrap_or_default();
        if text.contains("could not be loaded") || text.contains("could not be reached") {
            break;
        }
    }
    assert!(text.contains("User name"), "the login form shows: {text}");
    assert!(text.contains("no-such-config.json"), "the failure names the file: {text}");
    app.destroy();
}

#[wasm_bindgen_test]
fn validate_console_url_from_javascript() {
    let get = |o: &wasm_bindgen::JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).unwrap();
    let ticket = js_sys::JSON::parse(
        r#"{"_typeName":"VirtualMachineTicket","ticket":"abcd1234efgh","cfgFile":"[ds] a/a.vmx","host":"esx01.example.com","port":443,"newField":1}"#,
    )
    .unwrap();
    let policy = js_sys::JSON::parse(r#"{"allowedHosts":["*.example.com"],"allowedPorts":[443]}"#).unwrap();
    let ok = vsphere_console::embed::validate_console_url(ticket.clone(), "https://vc.example.com", policy);
    assert_eq!(get(&ok, "ok"), true);
    assert_eq!(get(&ok, "url").as_string().unwrap(), "wss://esx01.example.com/ticket/abcd1234efgh");
    assert_eq!(get(&ok, "redacted").as_string().unwrap(), "wss://esx01.example.com/ticket/<ticket>");

    let strict = js_sys::JSON::parse(r#"{"allowedHosts":["other.example.net"]}"#).unwrap();
    let no = vsphere_console::embed::validate_console_url(ticket, "https://vc.example.com", strict);
    assert_eq!(get(&no, "ok"), false);
    assert_eq!(get(&no, "code").as_string().unwrap(), "host");
    assert!(get(&no, "reason").as_string().unwrap().contains("not on this site's list"));

    let bad = vsphere_console::embed::validate_console_url("nonsense".into(), "https://vc.example.com", wasm_bindgen::JsValue::NULL);
    assert_eq!(get(&bad, "code").as_string().unwrap(), "bad-input");
}

/// The Yew console component on its own, as a Yew app would use it: tickets from a
/// `AcquireTicket`, the policy from its options. A ticket outside the policy is refused
/// with its sentence, the ticket state shows `rejected`, and no socket is opened.
#[wasm_bindgen_test]
async fn yew_console_component_refuses_a_ticket_outside_the_policy() {
    use std::cell::Cell;
    use std::rc::Rc;
    use vsphere_console::api::wire::MoRef;
    use vsphere_console::console::ConsoleOptions;
    use vsphere_console::ui::console::{AcquireTicket, Console, ConsoleProps};

    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let asked = Rc::new(Cell::new(0));
    let counter = asked.clone();
    let acquire_ticket = AcquireTicket(Rc::new(move || {
        counter.set(counter.get() + 1);
        Box::pin(async { Ok(ticket(r#"{"ticket":"abcd1234efgh","host":"esx.elsewhere.net","port":443}"#).into()) })
    }));
    let options = ConsoleOptions { policy: policy(), requested_from: "https://vc.example.com".into(), ..ConsoleOptions::default() };
    let props = ConsoleProps {
        vm: MoRef::new("VirtualMachine", "vm-1"),
        title: "web-01".into(),
        options: Rc::new(options),
        acquire_ticket,
        on_back: None,
        on_session_lost: Default::default(),
        power_on: None,
    };
    let app = yew::Renderer::<Console>::with_root_and_props(root.clone(), props).render();
    let mut text = String::new();
    for _ in 0..100 {
        vsphere_console::web::timers::sleep_ms(20).await;
        text = root.text_content().unwrap_or_default();
        if text.contains("not on this site's list") {
            break;
        }
    }
    assert!(text.contains("esx.elsewhere.net is not on this site's list"), "the rejection is shown: {text}");
    let status = root.query_selector(".vc-status").unwrap().unwrap();
    assert_eq!(status.get_attribute("data-ticket").as_deref(), Some("rejected"));
    assert_eq!(status.get_attribute("data-step").as_deref(), Some("Failed"));
    assert!(root.query_selector("canvas[aria-label='Console screen of web-01']").unwrap().is_some());
    assert_eq!(asked.get(), 1, "one ticket asked for");
    app.destroy();
}

/// Issue 11, item 5: after a lost session, only the same person returns to the console
/// they had open; the next person to log in lands on their own VM list.
#[wasm_bindgen_test]
fn a_lost_session_resumes_only_for_the_same_user() {
    use std::rc::Rc;
    use vsphere_console::api::inventory::{PowerState, VmSummary};
    use vsphere_console::api::wire::MoRef;
    use vsphere_console::ui::state::{AppAction, AppState, Screen};
    use yew::Reducible;

    let vm = VmSummary {
        vm: MoRef::new("VirtualMachine", "vm-1"),
        name: "web-01".into(),
        power: PowerState::PoweredOn,
        host: None,
        host_name: None,
        guest_os: None,
    };
    let run = |actions: Vec<AppAction>| actions.into_iter().fold(Rc::new(AppState::default()), |s, a| s.reduce(a));
    let lost_then = |who: &str| {
        run(vec![
            AppAction::LoggedIn { user: "alice".into() },
            AppAction::VmsLoaded(vec![vm.clone()]),
            AppAction::OpenConsole(vm.clone()),
            AppAction::SessionLost("Your session has ended.".into()),
            AppAction::LoggedIn { user: who.into() },
            AppAction::VmsLoaded(vec![]),
        ])
    };
    assert_eq!(lost_then("alice").screen, Screen::Console(vm.clone()), "the same user returns to the console");
    assert_eq!(lost_then("bob").screen, Screen::Vms, "another user lands on the VM list");
    let after_lost = run(vec![
        AppAction::LoggedIn { user: "alice".into() },
        AppAction::VmsLoaded(vec![vm.clone()]),
        AppAction::SessionLost("gone".into()),
    ]);
    assert!(after_lost.vms.is_empty(), "the previous person's VM list is not kept");
}

/// Issue 11, item 8: the whole hostile table with Chromium's own URL parser (the one the
/// websocket uses), not only with the `url` crate natively.
#[wasm_bindgen_test]
fn the_hostile_ticket_table_holds_in_chromium_s_parser() {
    let (n, wrong) = ticket_cases::wrong_cases(&BrowserUrlParser);
    assert!(n >= 100, "the table has {n} cases");
    assert!(wrong.is_empty(), "{} of {n} cases wrong in Chromium:\n{}", wrong.len(), wrong.join("\n"));
}

/// Options, tickets and policies come in as plain objects and events go out as plain
/// objects, copied by hand (not through JSON text): what a page hands in must read the
/// same as JSON would, and what is not plain data must be refused, not looped over.
#[wasm_bindgen_test]
fn plain_objects_copy_both_ways() {
    use vsphere_console::embed::plain::{from_js, to_js, to_json};
    let page = js_sys::JSON::parse(r#"{"a":[1,2.5,-3,"x",null,true],"b":{"c":{"d":"e"}},"big":9007199254740993}"#).unwrap();
    let value = to_json(&page, 0).unwrap();
    assert_eq!(value, serde_json::json!({"a":[1,2.5,-3,"x",null,true],"b":{"c":{"d":"e"}},"big":9007199254740992.0}));
    let back = to_js(&value);
    assert_eq!(js_sys::JSON::stringify(&back).unwrap(), js_sys::JSON::stringify(&page).unwrap());

    // `undefined` is a missing field; a function, a symbol, a BigInt and a cycle are refused.
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"gone".into(), &wasm_bindgen::JsValue::UNDEFINED).unwrap();
    assert_eq!(to_json(&o, 0), Some(serde_json::json!({})));
    let f = js_sys::Function::new_no_args("return 1");
    js_sys::Reflect::set(&o, &"f".into(), &f).unwrap();
    assert_eq!(to_json(&o, 0), None);
    assert_eq!(to_json(&js_sys::Symbol::for_("s").into(), 0), None);
    assert_eq!(to_json(&js_sys::BigInt::from(1u32).into(), 0), None);
    let cycle = js_sys::Object::new();
    js_sys::Reflect::set(&cycle, &"me".into(), &cycle).unwrap();
    assert_eq!(to_json(&cycle, 0), None);

    // Typed reads keep serde's rules: a missing field takes its default, a wrong type fails.
    let policy: vsphere_console::ticket::ConsolePolicy = from_js(&js_sys::JSON::parse(r#"{"allowedPorts":[8443]}"#).unwrap()).unwrap();
    assert_eq!(policy.allowed_ports, vec![8443]);
    assert!(from_js::<vsphere_console::ticket::ConsolePolicy>(&js_sys::JSON::parse(r#"{"allowedPorts":"443"}"#).unwrap()).is_err());
}
