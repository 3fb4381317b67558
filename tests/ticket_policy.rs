//! The console URL policy, as a table of hostile and legitimate tickets, plus properties.

#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use serde_json::json;
use vsphere_console::api::wire::VirtualMachineTicket;
use vsphere_console::ticket::policy::{host_allowed, OnMismatch};
use vsphere_console::ticket::{resolve, ConsolePolicy, Rejection, RequestedFrom, UrlParser};
use vsphere_console::ticket::url_parts::NativeUrlParser;

const T: &str = "52a1b3f0-7d3c-4f5e-8a9b-0c1d2e3f4a5b";

fn policy() -> ConsolePolicy {
    ConsolePolicy {
        allowed_hosts: vec![
            "esx01.example.com".into(),
            "ESX02.Example.Com".into(),
            "*.vsphere.example.com".into(),
            "10.20.0.0/16".into(),
            "192.0.2.10".into(),
            "fd00::/64".into(),
            "bücher.example.org".into(),
        ],
        allowed_ports: vec![443, 8443],
        ..ConsolePolicy::default()
    }
}

fn from() -> RequestedFrom {
    RequestedFrom { scheme: "https".into(), host: "vc.example.com".into(), port: 443 }
}

fn ticket(host: Option<&str>, port: Option<i64>, url: Option<&str>) -> VirtualMachineTicket {
    ticket_named(T, host, port, url)
}

fn ticket_named(t: &str, host: Option<&str>, port: Option<i64>, url: Option<&str>) -> VirtualMachineTicket {
    let mut v = json!({"_typeName": "VirtualMachineTicket", "ticket": t, "cfgFile": "[ds] vm/vm.vmx"});
    if let Some(h) = host {
        v["host"] = json!(h);
    }
    if let Some(p) = port {
        v["port"] = json!(p);
    }
    if let Some(u) = url {
        v["url"] = json!(u);
    }
    serde_json::from_value(v).unwrap()
}

fn check(t: &VirtualMachineTicket, p: &ConsolePolicy) -> Result<String, Rejection> {
    resolve(t, &from(), p, &NativeUrlParser).map(|u| u.url.expose().to_owned())
}

/// A hostile `url` next to honest fields (esx01.example.com:443).
fn with_url(url: &str) -> VirtualMachineTicket {
    ticket(Some("esx01.example.com"), Some(443), Some(url))
}

#[test]
fn hostile_tickets_are_rejected_with_the_right_reason() {
    use Rejection::*;
    let host = |h: &str| Host(h.to_owned());
    let long = "a".repeat(257);
    let cases: Vec<(&str, VirtualMachineTicket, Rejection)> = vec![
        // Schemes.
        ("javascript url", with_url("javascript:alert(1)"), Scheme("javascript".into())),
        ("data url", with_url("data:text/html,<script>alert(1)</script>"), Scheme("data".into())),
        ("https url", with_url(&format!("https://esx01.example.com/ticket/{T}")), Scheme("https".into())),
        ("http url", with_url(&format!("http://esx01.example.com/ticket/{T}")), Scheme("http".into())),
        ("file url", with_url(&format!("file:///ticket/{T}")), Scheme("file".into())),
        ("ftp url", with_url(&format!("ftp://esx01.example.com/ticket/{T}")), Scheme("ftp".into())),
        ("blob url", with_url(&format!("blob:wss://esx01.example.com/{T}")), Scheme("blob".into())),
        ("ws not allowed", with_url(&format!("ws://esx01.example.com/ticket/{T}")), Insecure),
        ("ws with port", with_url(&format!("ws://esx01.example.com:443/ticket/{T}")), Insecure),
        ("scheme-relative", with_url(&format!("//esx01.example.com/ticket/{T}")), Unparsable),
        ("no scheme", with_url(&format!("esx01.example.com/ticket/{T}")), Unparsable),
        ("empty url", with_url(""), Unparsable),
        ("wss without slashes", with_url(&format!("wss:esx01.example.com/ticket/{T}")), OddForm),
        ("wss with one slash", with_url(&format!("wss:/esx01.example.com/ticket/{T}")), OddForm),
        ("wss with three slashes", with_url(&format!("wss:///esx01.example.com/ticket/{T}")), OddForm),
        // Userinfo tricks.
        ("user", with_url(&format!("wss://user@esx01.example.com/ticket/{T}")), UserInfo),
        ("user and password", with_url(&format!("wss://u:p@esx01.example.com/ticket/{T}")), UserInfo),
        ("allowed host as user", with_url(&format!("wss://esx01.example.com@evil.net/ticket/{T}")), UserInfo),
        ("allowed host as user with port", with_url(&format!("wss://esx01.example.com:443@evil.net/ticket/{T}")), UserInfo),
        ("empty userinfo", with_url(&format!("wss://@esx01.example.com/ticket/{T}")), UserInfo),
        ("at in fragment", with_url(&format!("wss://evil.net#@esx01.example.com/ticket/{T}")), UserInfo),
        ("encoded at", with_url(&format!("wss://esx01.example.com%40evil.net/ticket/{T}")), Unparsable),
        ("userinfo in host field", ticket(Some("u@esx01.example.com"), Some(443), None), UserInfo),
        // Backslashes, whitespace, control characters.
        ("backslash path", with_url(&format!("wss://esx01.example.com\\ticket\\{T}")), UnsafeCharacters),
        ("backslash authority", with_url(&format!("wss:\\\\esx01.example.com/ticket/{T}")), UnsafeCharacters),
        ("backslash before at", with_url(&format!("wss://evil.net\\@esx01.example.com/ticket/{T}")), UnsafeCharacters),
        ("leading space", with_url(&format!(" wss://esx01.example.com/ticket/{T}")), UnsafeCharacters),
        ("trailing space", with_url(&format!("wss://esx01.example.com/ticket/{T} ")), UnsafeCharacters),
        ("space in host", with_url(&format!("wss://esx01 .example.com/ticket/{T}")), UnsafeCharacters),
        ("newline", with_url(&format!("wss://esx01.example.com/ticket/{T}\n")), UnsafeCharacters),
        ("carriage return", with_url(&format!("wss://esx01.example.com/ti\rcket/{T}")), UnsafeCharacters),
        ("tab in scheme", with_url(&format!("w\tss://esx01.example.com/ticket/{T}")), UnsafeCharacters),
        ("nul", with_url(&format!("wss://esx01.example.com\0.evil.net/ticket/{T}")), UnsafeCharacters),
        ("escape char", with_url(&format!("wss://esx01.example.com/\u{1b}ticket/{T}")), UnsafeCharacters),
        ("non-breaking space", with_url(&format!("wss://esx01.example.com/ticket/{T}\u{a0}")), UnsafeCharacters),
        ("line separator", with_url(&format!("wss://esx01.example.com/\u{2028}ticket/{T}")), UnsafeCharacters),
        ("space in host field", ticket(Some("esx01 .example.com"), Some(443), None), UnsafeCharacters),
        ("tab in host field", ticket(Some("esx01.example.com\t"), Some(443), None), UnsafeCharacters),
        // Query and fragment.
        ("query", with_url(&format!("wss://esx01.example.com/ticket/{T}?x=1")), QueryOrFragment),
        ("empty query", with_url(&format!("wss://esx01.example.com/ticket/{T}?")), QueryOrFragment),
        ("fragment", with_url(&format!("wss://esx01.example.com/ticket/{T}#x")), QueryOrFragment),
        ("empty fragment", with_url(&format!("wss://esx01.example.com/ticket/{T}#")), QueryOrFragment),
        ("query before path", with_url(&format!("wss://esx01.example.com?/ticket/{T}")), QueryOrFragment),
        // Hosts outside the allow-list.
        ("plain other host", ticket(Some("evil.net"), Some(443), None), host("evil.net")),
        ("allowed name as prefix", ticket(Some("esx01.example.com.evil.net"), Some(443), None), host("esx01.example.com.evil.net")),
        ("allowed name as suffix without dot", ticket(Some("xesx01.example.com"), Some(443), None), host("xesx01.example.com")),
        ("wildcard apex", ticket(Some("vsphere.example.com"), Some(443), None), host("vsphere.example.com")),
        ("wildcard without dot", ticket(Some("evilvsphere.example.com"), Some(443), None), host("evilvsphere.example.com")),
        ("wildcard suffix appended", ticket(Some("a.vsphere.example.com.evil"), Some(443), None), host("a.vsphere.example.com.evil")),
        ("trailing dot", ticket(Some("esx01.example.com."), Some(443), None), HostCharacters("esx01.example.com.".into())),
        ("localhost", ticket(Some("localhost"), Some(443), None), host("localhost")),
        ("loopback", ticket(Some("127.0.0.1"), Some(443), None), host("127.0.0.1")),
        ("metadata ip", ticket(Some("169.254.169.254"), Some(443), None), host("169.254.169.254")),
        ("ip outside cidr", ticket(Some("10.21.0.1"), Some(443), None), host("10.21.0.1")),
        ("ipv6 outside range", ticket(Some("2001:db8::1"), Some(443), None), host("[2001:db8::1]")),
        ("ipv6 loopback", ticket(Some("::1"), Some(443), None), host("[::1]")),
        ("omitted host means vCenter, not allowed", ticket(None, Some(443), None), host("vc.example.com")),
        ("cyrillic e homograph", ticket(Some("\u{435}sx01.example.com"), Some(443), None), OddForm),
        ("cyrillic homograph in punycode", ticket(Some("xn--sx01-u4d.example.com"), Some(443), None), host("xn--sx01-u4d.example.com")),
        ("greek omicron homograph", ticket(Some("esx01.examp\u{3bf}le.com"), Some(443), None), OddForm),
        ("fullwidth letters", ticket(Some("ｅｓｘ01.example.com"), Some(443), None), OddForm),
        ("url to other host than fields", with_url(&format!("wss://evil.net/ticket/{T}")), host("evil.net")),
        // Percent-encoding and odd spellings of hosts.
        ("encoded dot in host", with_url(&format!("wss://esx01%2eexample.com/ticket/{T}")), OddForm),
        ("encoded letters in host", with_url(&format!("wss://%65sx01.example.com/ticket/{T}")), OddForm),
        ("hex ipv4", ticket(Some("0x0a.0x14.0.1"), Some(443), None), OddForm),
        ("octal ipv4", ticket(Some("012.024.0.1"), Some(443), None), OddForm),
        ("short ipv4", ticket(Some("10.20.1"), Some(443), None), OddForm),
        ("decimal ipv4", ticket(Some("169090049"), Some(443), None), OddForm),
        ("ipv4-mapped ipv6", ticket(Some("::ffff:10.20.0.1"), Some(443), None), host("[::ffff:10.20.0.1]")),
        ("ipv6 uncompressed", ticket(Some("fd00:0:0:0:0:0:0:5"), Some(443), None), OddForm),
        ("ipv6 zone id", with_url(&format!("wss://[fe80::1%25eth0]/ticket/{T}")), Unparsable),
        ("ipv6 zone id in field", ticket(Some("fe80::1%eth0"), Some(443), None), Unparsable),
        ("unclosed ipv6", with_url(&format!("wss://[fd00::5/ticket/{T}")), Unparsable),
        ("host with port in field", ticket(Some("esx01.example.com:444"), Some(443), None), Unparsable),
        ("host with path in field", ticket(Some("esx01.example.com/evil"), Some(443), None), Path),
        // Ports.
        ("port 0 in field", ticket(Some("esx01.example.com"), Some(0), None), BadPort(0)),
        ("port 65536 in field", ticket(Some("esx01.example.com"), Some(65536), None), BadPort(65536)),
        ("negative port", ticket(Some("esx01.example.com"), Some(-1), None), BadPort(-1)),
        ("huge port", ticket(Some("esx01.example.com"), Some(i64::from(i32::MAX)), None), BadPort(i64::from(i32::MAX))),
        ("port not allowed", ticket(Some("esx01.example.com"), Some(902), None), Port(902)),
        ("port 80 not allowed", ticket(Some("esx01.example.com"), Some(80), None), Port(80)),
        ("port 0 in url", with_url(&format!("wss://esx01.example.com:0/ticket/{T}")), OddForm),
        ("port 65536 in url", with_url(&format!("wss://esx01.example.com:65536/ticket/{T}")), Unparsable),
        ("leading zero port", with_url(&format!("wss://esx01.example.com:0443/ticket/{T}")), OddForm),
        ("many leading zeros", with_url(&format!("wss://esx01.example.com:00000443/ticket/{T}")), OddForm),
        ("empty port", with_url(&format!("wss://esx01.example.com:/ticket/{T}")), OddForm),
        ("double port", with_url(&format!("wss://esx01.example.com:443:443/ticket/{T}")), Unparsable),
        ("signed port", with_url(&format!("wss://esx01.example.com:+443/ticket/{T}")), Unparsable),
        ("other port in url", with_url(&format!("wss://esx01.example.com:902/ticket/{T}")), Port(902)),
        // Paths.
        ("doubled slash", with_url(&format!("wss://esx01.example.com//ticket/{T}")), Path),
        ("trailing slash", with_url(&format!("wss://esx01.example.com/ticket/{T}/")), Path),
        ("odd case path", with_url(&format!("wss://esx01.example.com/TICKET/{T}")), Path),
        ("dot segments", with_url(&format!("wss://esx01.example.com/x/../ticket/{T}")), Path),
        ("dot segment after", with_url(&format!("wss://esx01.example.com/ticket/{T}/../../admin")), Path),
        ("encoded dots", with_url(&format!("wss://esx01.example.com/ticket/%2e%2e/{T}")), Path),
        ("encoded slash", with_url(&format!("wss://esx01.example.com/ticket%2f{T}")), Path),
        ("encoded ticket", with_url("wss://esx01.example.com/ticket/%35%32a1"), Path),
        ("other ticket in url", with_url("wss://esx01.example.com/ticket/someoneelses"), Path),
        ("prefix path", with_url(&format!("wss://esx01.example.com/proxy/ticket/{T}")), Path),
        ("no path", with_url("wss://esx01.example.com"), Path),
        ("semicolon params", with_url(&format!("wss://esx01.example.com/ticket/{T};x")), Path),
        // The url field disagreeing with host/port.
        ("url names another allowed host", with_url(&format!("wss://esx02.example.com/ticket/{T}")), Mismatch),
        ("url names another allowed port", with_url(&format!("wss://esx01.example.com:8443/ticket/{T}")), Mismatch),
        ("url names an allowed ip", with_url(&format!("wss://10.20.0.1/ticket/{T}")), Mismatch),
        // Tickets themselves.
        ("empty ticket", ticket_named("", Some("esx01.example.com"), Some(443), None), BadTicket),
        ("overlong ticket", ticket_named(&long, Some("esx01.example.com"), Some(443), None), BadTicket),
        ("short ticket", ticket_named("abc1234", Some("esx01.example.com"), Some(443), None), BadTicket),
        ("all dots ticket", ticket_named("........", Some("esx01.example.com"), Some(443), None), BadTicket),
        ("ticket with slash", ticket_named("ab/cd", Some("esx01.example.com"), Some(443), None), BadTicket),
        ("ticket dot dot", ticket_named("..", Some("esx01.example.com"), Some(443), None), BadTicket),
        ("ticket dot", ticket_named(".", Some("esx01.example.com"), Some(443), None), BadTicket),
        ("ticket with percent", ticket_named("ab%2fcd", Some("esx01.example.com"), Some(443), None), BadTicket),
        ("ticket with space", ticket_named("ab cd", Some("esx01.example.com"), Some(443), None), BadTicket),
        ("ticket with query", ticket_named("ab?x=1", Some("esx01.example.com"), Some(443), None), BadTicket),
        ("ticket with hash", ticket_named("ab#x", Some("esx01.example.com"), Some(443), None), BadTicket),
        ("ticket with at", ticket_named("ab@evil.net", Some("esx01.example.com"), Some(443), None), BadTicket),
        ("ticket with backslash", ticket_named("ab\\cd", Some("esx01.example.com"), Some(443), None), BadTicket),
        ("ticket with unicode", ticket_named("tïcket", Some("esx01.example.com"), Some(443), None), BadTicket),
        ("ticket with newline", ticket_named("abc\n", Some("esx01.example.com"), Some(443), None), BadTicket),
    ];
    assert!(cases.len() >= 100, "the table has {} cases", cases.len());
    let mut wrong = Vec::new();
    for (name, t, want) in &cases {
        let got = check(t, &policy());
        if got.as_ref().err() != Some(want) {
            wrong.push(format!("{name}: want {want:?}, got {got:?}"));
        }
        if let Err(r) = &got {
            assert!(!r.sentence().contains(T), "{name}: the sentence must not carry the ticket");
        }
    }
    assert!(wrong.is_empty(), "{} of {} cases wrong:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
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
    ok("allow-list entry in odd case", ticket(Some("esx02.example.com"), Some(443), None), &p, &format!("wss://esx02.example.com/ticket/{T}"));
    ok("wildcard", ticket(Some("h7.vsphere.example.com"), Some(443), None), &p, &format!("wss://h7.vsphere.example.com/ticket/{T}"));
    ok("deep wildcard", ticket(Some("a.b.vsphere.example.com"), Some(443), None), &p, &format!("wss://a.b.vsphere.example.com/ticket/{T}"));
    ok("ip in cidr", ticket(Some("10.20.3.4"), Some(443), None), &p, &format!("wss://10.20.3.4/ticket/{T}"));
    ok("exact ip", ticket(Some("192.0.2.10"), Some(443), None), &p, &format!("wss://192.0.2.10/ticket/{T}"));
    ok("ipv6 in range", ticket(Some("fd00::5"), Some(443), None), &p, &format!("wss://[fd00::5]/ticket/{T}"));
    ok("other allowed port", ticket(Some("esx01.example.com"), Some(8443), None), &p, &format!("wss://esx01.example.com:8443/ticket/{T}"));
    ok("idn allow-list entry matches punycode host", ticket(Some("xn--bcher-kva.example.org"), Some(443), None), &p,
        &format!("wss://xn--bcher-kva.example.org/ticket/{T}"));

    // The seeds' rule: an omitted host and port mean the ones we asked.
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
    ok("proxy", ticket(Some("esx01.example.com"), Some(443), None), &proxied,
        &format!("wss://portal.example/console/esx01.example.com/443/ticket/{T}"));
    let bad_proxy = ConsolePolicy { proxy_template: Some("https://portal.example/{ticket}".into()), ..policy() };
    assert_eq!(check(&ticket(Some("esx01.example.com"), Some(443), None), &bad_proxy), Err(Rejection::ProxyTemplate));
}

/// Issue 11, item 1: a wildcard allow-list must not let a host smuggle text into the
/// proxy URL, and the rewritten URL is checked again.
#[test]
fn proxy_rewrite_cannot_be_injected() {
    let proxied = ConsolePolicy {
        allowed_hosts: vec!["*.example.com".into()],
        proxy_template: Some("wss://portal.example/console/{host}/{port}/ticket/{ticket}".into()),
        ..policy()
    };
    // Characters WHATWG parsers keep in hosts, and empty labels: refused before any rewrite.
    for h in ["a&x=1.example.com", "a;b.example.com", "a=b.example.com", "a,b.example.com", "a(b).example.com", "a*b.example.com",
        "a+b.example.com", "a!b.example.com", "a~b.example.com", "a$b.example.com", "a'b.example.com", "a..example.com"] {
        let r = check(&ticket(Some(h), Some(443), None), &proxied);
        assert!(matches!(r, Err(Rejection::HostCharacters(_)) | Err(Rejection::Unparsable) | Err(Rejection::UnsafeCharacters) | Err(Rejection::OddForm)), "{h}: {r:?}");
    }
    // A present but empty host is malformed, not "the host we asked".
    assert_eq!(check(&ticket(Some(""), Some(443), None), &proxied), Err(Rejection::EmptyHost));
    assert_eq!(Rejection::EmptyHost.code(), "bad-host");
    // Underscores (some internal names have them) pass, and land in the path as they are.
    assert_eq!(check(&ticket(Some("esx_01.example.com"), Some(443), None), &proxied).unwrap(),
        format!("wss://portal.example/console/esx_01.example.com/443/ticket/{T}"));
    // IPv6: the colons are percent-encoded in the path segment.
    let v6 = ConsolePolicy { allowed_hosts: vec!["fd00::/8".into()], ..proxied.clone() };
    assert_eq!(check(&ticket(Some("fd00::5"), Some(443), None), &v6).unwrap(),
        format!("wss://portal.example/console/fd00%3A%3A5/443/ticket/{T}"));
    // The final URL is checked again: a template whose result a parser would rewrite, or
    // that adds a query, userinfo or another scheme, is refused.
    for t in ["wss://portal.example/console/../{host}/ticket/{ticket}", "wss://user@portal.example/{host}/ticket/{ticket}",
        "ws://portal.example/{host}/ticket/{ticket}", "wss://portal.example/{host}/ticket/"] {
        let p = ConsolePolicy { proxy_template: Some(t.into()), ..proxied.clone() };
        assert_eq!(check(&ticket(Some("esx01.example.com"), Some(443), None), &p), Err(Rejection::ProxyTemplate), "{t}");
    }
    // A template with its own query keeps it; `insecure` follows the final URL.
    let q = ConsolePolicy { proxy_template: Some("wss://portal.example/c?host={host}&t={ticket}".into()), ..proxied.clone() };
    assert!(check(&ticket(Some("esx01.example.com"), Some(443), None), &q).is_err(), "the ticket must be in the path");
    let insecure_proxy = ConsolePolicy { allow_insecure: true, proxy_template: Some("ws://127.0.0.1:8080/c/{host}/{port}/ticket/{ticket}".into()), ..proxied };
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
