//! The hostile ticket table and its helpers, shared by the native policy tests
//! (`tests/ticket_policy.rs`, the `url` crate) and the browser tests (`tests/web.rs`,
//! Chromium's own parser), so both parsers face the same cases.

#![allow(dead_code)]

use serde_json::json;
use vsphere_console::api::wire::VirtualMachineTicket;
use vsphere_console::ticket::{resolve, ConsolePolicy, Rejection, RequestedFrom, UrlParser};

pub const T: &str = "52a1b3f0-7d3c-4f5e-8a9b-0c1d2e3f4a5b";

pub fn policy() -> ConsolePolicy {
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

pub fn from() -> RequestedFrom {
    RequestedFrom { scheme: "https".into(), host: "vc.example.com".into(), port: 443 }
}

pub fn ticket(host: Option<&str>, port: Option<i64>, url: Option<&str>) -> VirtualMachineTicket {
    ticket_named(T, host, port, url)
}

pub fn ticket_named(t: &str, host: Option<&str>, port: Option<i64>, url: Option<&str>) -> VirtualMachineTicket {
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

/// Resolves with `parser`; the URL on success.
pub fn check_with(t: &VirtualMachineTicket, p: &ConsolePolicy, parser: &dyn UrlParser) -> Result<String, Rejection> {
    resolve(t, &from(), p, parser).map(|u| u.url.expose().to_owned())
}

/// A hostile `url` next to honest fields (esx01.example.com:443).
pub fn with_url(url: &str) -> VirtualMachineTicket {
    ticket(Some("esx01.example.com"), Some(443), Some(url))
}

/// Every hostile case: a name, the ticket, and the reason it must be refused for.
pub fn hostile_cases() -> Vec<(&'static str, VirtualMachineTicket, Rejection)> {
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
        // WHATWG writes it back as [::ffff:a14:1]: not as written, so refused as an odd form
        // (it must never match 10.20.0.0/16 as if it were IPv4).
        ("ipv4-mapped ipv6", ticket(Some("::ffff:10.20.0.1"), Some(443), None), OddForm),
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
    cases
}

/// Runs the table with `parser`: the cases whose reason differs, and a check that no
/// sentence carries the ticket.
pub fn wrong_cases(parser: &dyn UrlParser) -> (usize, Vec<String>) {
    let cases = hostile_cases();
    let mut wrong = Vec::new();
    for (name, t, want) in &cases {
        let got = check_with(t, &policy(), parser);
        if got.as_ref().err() != Some(want) {
            wrong.push(format!("{name}: want {want:?}, got {got:?}"));
        }
        if let Err(r) = &got {
            assert!(!r.sentence().contains(T), "{name}: the sentence must not carry the ticket");
        }
    }
    (cases.len(), wrong)
}
