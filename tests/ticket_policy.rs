//! The console URL policy, as a table of hostile and legitimate tickets, plus properties.

#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use serde_json::json;
use vsphere_console::api::wire::VirtualMachineTicket;
use vsphere_console::ticket::NativeUrlParser;
use vsphere_console::ticket::{host_allowed, OnMismatch};
use vsphere_console::ticket::{resolve, ConsolePolicy, Rejection, RequestedFrom, UrlParser};

#[path = "common/ticket_cases.rs"]
mod ticket_cases;

use ticket_cases::*;

fn check(t: &VirtualMachineTicket, p: &ConsolePolicy) -> Result<String, Rejection> {
    check_with(t, p, &NativeUrlParser)
}

#[test]
fn hostile_tickets_are_rejected_with_the_right_reason() {
    let (n, wrong) = wrong_cases(&NativeUrlParser);
    assert!(n >= 100, "the table has {n} cases");
    assert!(wrong.is_empty(), "{} of {n} cases wrong:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn legitimate_shapes_are_accepted() {
    let ok = |name: &str, t: VirtualMachineTicket, p: &ConsolePolicy, want: &str| {
        let got = check(&t, p).unwrap_or_else(|e| panic!("{name}: rejected: {e:?}"));
        assert_eq!(got, want, "{name}");
    };
    let p = policy();
    let esx = format!("wss://esx01.example.com/ticket/{T}");
    ok("vCenter 8 with url", with_url(&format!("wss://esx01.example.com:443/ticket/{T}")), &p, &esx);
    ok("url without explicit port", with_url(&esx), &p, &esx);
    ok("vCenter 7 without url", ticket(Some("esx01.example.com"), Some(443), None), &p, &esx);
    ok("odd case host", ticket(Some("ESX01.Example.COM"), Some(443), Some(&format!("wss://ESX01.EXAMPLE.COM:443/ticket/{T}"))), &p, &esx);
    ok("odd case scheme", with_url(&format!("WSS://esx01.example.com:443/ticket/{T}")), &p, &esx);
    ok(
        "allow-list entry in odd case",
        ticket(Some("esx02.example.com"), Some(443), None),
        &p,
        &format!("wss://esx02.example.com/ticket/{T}"),
    );
    ok("wildcard", ticket(Some("h7.vsphere.example.com"), Some(443), None), &p, &format!("wss://h7.vsphere.example.com/ticket/{T}"));
    ok("deep wildcard", ticket(Some("a.b.vsphere.example.com"), Some(443), None), &p, &format!("wss://a.b.vsphere.example.com/ticket/{T}"));
    ok("ip in cidr", ticket(Some("10.20.3.4"), Some(443), None), &p, &format!("wss://10.20.3.4/ticket/{T}"));
    ok("exact ip", ticket(Some("192.0.2.10"), Some(443), None), &p, &format!("wss://192.0.2.10/ticket/{T}"));
    ok("ipv6 in range", ticket(Some("fd00::5"), Some(443), None), &p, &format!("wss://[fd00::5]/ticket/{T}"));
    ok("other allowed port", ticket(Some("esx01.example.com"), Some(8443), None), &p, &format!("wss://esx01.example.com:8443/ticket/{T}"));
    ok(
        "idn allow-list entry matches punycode host",
        ticket(Some("xn--bcher-kva.example.org"), Some(443), None),
        &p,
        &format!("wss://xn--bcher-kva.example.org/ticket/{T}"),
    );

    // The API reference's rule: an omitted host and port mean the ones we asked.
    let origin = ConsolePolicy { allow_request_origin: true, ..policy() };
    ok("omitted host and port", ticket(None, None, None), &origin, &format!("wss://vc.example.com/ticket/{T}"));
    ok("omitted port", ticket(Some("esx01.example.com"), None, None), &p, &esx);
    let lab = RequestedFrom { scheme: "http".into(), host: "127.0.0.1".into(), port: 8080 };
    let lab_policy = ConsolePolicy { allow_insecure: true, allow_request_origin: true, ..ConsolePolicy::default() };
    let t = ticket(Some("127.0.0.1"), Some(8080), Some(&format!("ws://127.0.0.1:8080/ticket/{T}")));
    let u = resolve(&t, &lab, &lab_policy, &NativeUrlParser).expect("the lab's ticket");
    assert!(u.insecure);
    assert_eq!(u.redacted, "ws://127.0.0.1:8080/ticket/<ticket>");

    // Which wins on a mismatch, when the policy says so.
    let t = with_url(&format!("wss://esx02.example.com/ticket/{T}"));
    let prefer_url = ConsolePolicy { on_mismatch: OnMismatch::PreferUrl, ..policy() };
    ok("prefer url", t.clone(), &prefer_url, &format!("wss://esx02.example.com/ticket/{T}"));
    let prefer_fields = ConsolePolicy { on_mismatch: OnMismatch::PreferFields, ..policy() };
    ok("prefer fields", t, &prefer_fields, &esx);

    // Rewrite to a same-origin proxy, after validation.
    let proxied = ConsolePolicy { proxy_template: Some("wss://portal.example/console/{host}/{port}/ticket/{ticket}".into()), ..policy() };
    ok(
        "proxy",
        ticket(Some("esx01.example.com"), Some(443), None),
        &proxied,
        &format!("wss://portal.example/console/esx01.example.com/443/ticket/{T}"),
    );
    let bad_proxy = ConsolePolicy { proxy_template: Some("https://portal.example/{ticket}".into()), ..policy() };
    assert_eq!(check(&ticket(Some("esx01.example.com"), Some(443), None), &bad_proxy), Err(Rejection::ProxyTemplate));
}

/// Issue 11, item 1: a wildcard allow-list must not let a host smuggle text into the
/// proxy URL, and the rewritten URL is checked again.
/// VMware's SDK connects to any host and port; `createWMKS` defaults to that (`"*"` and
/// `any_port`) and keeps every other check: the allow-lists are the only thing it opens.
#[test]
fn any_host_and_any_port_open_only_the_allow_lists() {
    let sdk = ConsolePolicy { allowed_hosts: vec!["*".into()], any_port: true, ..ConsolePolicy::default() };
    let cases = hostile_cases();
    let mut opened = 0;
    for (name, t, want) in &cases {
        match (check(t, &sdk), want) {
            (Ok(_), Rejection::Host(_) | Rejection::Port(_)) => opened += 1,
            // Refused all the same, for another reason (a URL naming another host than the fields).
            (Err(_), Rejection::Host(_) | Rejection::Port(_)) => {}
            (got, _) => assert_eq!(got.as_ref().err(), Some(want), "{name}"),
        }
    }
    assert!(opened > 0 && opened < cases.len(), "{opened} of {} were refused for their host or port alone", cases.len());
    let ok = check(&ticket(Some("esx99.elsewhere.test"), Some(9443), None), &sdk);
    assert_eq!(ok.as_deref(), Ok(format!("wss://esx99.elsewhere.test:9443/ticket/{T}").as_str()));
    assert_eq!(check(&with_url(&format!("ws://esx99.elsewhere.test/ticket/{T}")), &sdk), Err(Rejection::Insecure));
    assert_eq!(
        check(&ticket(Some("esx99.elsewhere.test"), Some(443), None), &policy()),
        Err(Rejection::Host("esx99.elsewhere.test".into()))
    );
    // `*` is a whole pattern, not a prefix.
    assert!(!host_allowed("esx01.example.com", &["*x".into()], &NativeUrlParser));
}

#[test]
fn proxy_rewrite_cannot_be_injected() {
    let proxied = ConsolePolicy {
        allowed_hosts: vec!["*.example.com".into()],
        proxy_template: Some("wss://portal.example/console/{host}/{port}/ticket/{ticket}".into()),
        ..policy()
    };
    // Characters WHATWG parsers keep in hosts, and empty labels: refused before any rewrite.
    for h in [
        "a&x=1.example.com",
        "a;b.example.com",
        "a=b.example.com",
        "a,b.example.com",
        "a(b).example.com",
        "a*b.example.com",
        "a+b.example.com",
        "a!b.example.com",
        "a~b.example.com",
        "a$b.example.com",
        "a'b.example.com",
        "a..example.com",
    ] {
        let r = check(&ticket(Some(h), Some(443), None), &proxied);
        assert!(
            matches!(
                r,
                Err(Rejection::HostCharacters(_)) | Err(Rejection::Unparsable) | Err(Rejection::UnsafeCharacters) | Err(Rejection::OddForm)
            ),
            "{h}: {r:?}"
        );
    }
    // A present but empty host is malformed, not "the host we asked".
    assert_eq!(check(&ticket(Some(""), Some(443), None), &proxied), Err(Rejection::EmptyHost));
    assert_eq!(Rejection::EmptyHost.code(), "bad-host");
    // Underscores (some internal names have them) pass, and land in the path as they are.
    assert_eq!(
        check(&ticket(Some("esx_01.example.com"), Some(443), None), &proxied).unwrap(),
        format!("wss://portal.example/console/esx_01.example.com/443/ticket/{T}")
    );
    // IPv6: the colons are percent-encoded in the path segment.
    let v6 = ConsolePolicy { allowed_hosts: vec!["fd00::/8".into()], ..proxied.clone() };
    assert_eq!(
        check(&ticket(Some("fd00::5"), Some(443), None), &v6).unwrap(),
        format!("wss://portal.example/console/fd00%3A%3A5/443/ticket/{T}")
    );
    // The final URL is checked again: a template whose result a parser would rewrite, or
    // that adds a query, userinfo or another scheme, is refused.
    for t in [
        "wss://portal.example/console/../{host}/ticket/{ticket}",
        "wss://user@portal.example/{host}/ticket/{ticket}",
        "ws://portal.example/{host}/ticket/{ticket}",
        "wss://portal.example/{host}/ticket/",
    ] {
        let p = ConsolePolicy { proxy_template: Some(t.into()), ..proxied.clone() };
        assert_eq!(check(&ticket(Some("esx01.example.com"), Some(443), None), &p), Err(Rejection::ProxyTemplate), "{t}");
    }
    // A template with its own query keeps it; `insecure` follows the final URL.
    let q = ConsolePolicy { proxy_template: Some("wss://portal.example/c?host={host}&t={ticket}".into()), ..proxied.clone() };
    assert!(check(&ticket(Some("esx01.example.com"), Some(443), None), &q).is_err(), "the ticket must be in the path");
    let insecure_proxy = ConsolePolicy {
        allow_insecure: true,
        proxy_template: Some("ws://127.0.0.1:8080/c/{host}/{port}/ticket/{ticket}".into()),
        ..proxied
    };
    let u = resolve(&ticket(Some("esx01.example.com"), Some(443), None), &from(), &insecure_proxy, &NativeUrlParser).unwrap();
    assert!(u.insecure, "a wss ticket rewritten to ws: is insecure");
}

#[test]
fn thumbprints_and_trust_url_are_offered() {
    let mut t = ticket(Some("esx01.example.com"), Some(443), None);
    t.ssl_thumbprint = Some("C0:05".into());
    t.cert_thumbprint_list = serde_json::from_value(json!([{"thumbprint": "AB:CD", "hashAlgorithm": "sha256"}])).unwrap();
    let u = resolve(&t, &from(), &policy(), &NativeUrlParser).unwrap();
    assert_eq!(u.trust_url, "https://esx01.example.com:443/");
    assert_eq!(u.thumbprints, vec![("SHA-1".to_owned(), "C0:05".to_owned()), ("SHA-256".to_owned(), "AB:CD".to_owned())]);
}

fn arb_host() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("esx01.example.com".to_owned()),
        Just("h1.vsphere.example.com".to_owned()),
        Just("evil.net".to_owned()),
        Just("10.20.9.9".to_owned()),
        Just("10.99.0.1".to_owned()),
        Just("fd00::7".to_owned()),
        Just("esx01.example.com.evil.net".to_owned()),
        "[a-zA-Z0-9.:@%\\[\\]/-]{1,30}",
    ]
}

/// URL templates; `{t}` stands for the ticket.
fn arb_url_template() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        arb_host().prop_map(|h| Some(format!("wss://{h}/ticket/{{t}}"))),
        "[ -~]{0,60}".prop_map(Some),
        ("[a-z]{1,6}", arb_host(), 0u32..70000).prop_map(|(s, h, p)| Some(format!("{s}://{h}:{p}/ticket/{{t}}"))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Every accepted URL names an allowed host and port, carries the ticket only as
    /// its path, and its redacted form never shows the ticket.
    #[test]
    fn accepted_urls_keep_the_invariants(
        t in "[A-Za-z0-9._-]{1,40}|[ -~]{0,20}|[A-Za-z0-9._-]{8,12}",
        host in proptest::option::of(arb_host()),
        port in proptest::option::of(-5i64..70000),
        url_pick in any::<u8>(),
    ) {
        let url: Option<String> = match url_pick % 4 {
            0 => None,
            1 => host.as_ref().map(|h| format!("wss://{h}:{}/ticket/{t}", port.unwrap_or(443))),
            2 => Some(format!("wss://esx01.example.com/ticket/{t}")),
            _ => Some(format!("wss://{}/ticket/{t}", host.clone().unwrap_or_default())),
        };
        let tk = ticket_named(&t, host.as_deref(), port, url.as_deref());
        let p = policy();
        if let Ok(u) = resolve(&tk, &from(), &p, &NativeUrlParser) {
            let parts = NativeUrlParser.parse(u.url.expose()).unwrap();
            prop_assert_eq!(&parts.scheme, "wss");
            prop_assert!(host_allowed(&parts.host, &p.allowed_hosts, &NativeUrlParser), "host {} not allowed", parts.host);
            prop_assert!(p.allowed_ports.contains(&parts.port.unwrap_or(443)));
            prop_assert_eq!(parts.path, format!("/ticket/{t}"));
            // The URL is exactly origin + "/ticket/<t>": the ticket has no other place in it.
            let tail = format!("/ticket/{t}");
            let origin = u.url.expose().strip_suffix(&tail);
            let port = parts.port.map(|p| format!(":{p}")).unwrap_or_default();
            let expected = format!("wss://{}{port}", parts.host);
            prop_assert_eq!(origin, Some(expected.as_str()));
            prop_assert!(!u.redacted.contains(t.as_str()));
            prop_assert!(parts.username.is_empty() && parts.password.is_empty());
            prop_assert!(parts.query.is_none() && parts.fragment.is_none());
        }
    }

    #[test]
    fn arbitrary_urls_never_panic_and_rejections_never_show_the_ticket(
        t in "[A-Za-z0-9-]{8,20}",
        template in arb_url_template(),
    ) {
        let url = template.map(|u| u.replace("{t}", &t));
        let tk = ticket_named(&t, Some("esx01.example.com"), Some(443), url.as_deref());
        match resolve(&tk, &from(), &policy(), &NativeUrlParser) {
            Ok(u) => prop_assert!(!u.redacted.contains(t.as_str())),
            Err(r) => prop_assert!(!r.sentence().contains(t.as_str())),
        }
    }
}
