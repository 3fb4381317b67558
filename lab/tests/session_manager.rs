//! Every SessionManager call the client knows, the REST path and release negotiation,
//! against the lab: the client builds each request and parses each answer.

mod support;

use support::{send, Lab};
use vsphere_console::api::client::{SessionManagerProperty, KNOWN_RELEASES};
use vsphere_console::api::fault::FaultKind;
use vsphere_console::api::rest::RestClient;
use vsphere_console::api::wire::MoRef;
use vsphere_console::api::{ApiError, Secret, ViClient};

fn client(lab: &Lab) -> ViClient {
    let mut c = ViClient::new("8.0.1.0");
    let r = send(lab, &c.content_request());
    c.parse_content(&r).unwrap();
    c
}

fn logged_in(lab: &Lab, user: &str, password: &str) -> ViClient {
    let mut c = client(lab);
    let r = send(lab, &c.login_request(user, &Secret::new(password), None).unwrap());
    c.parse_login(&r).unwrap();
    c
}

fn fault_kind<T: std::fmt::Debug>(r: Result<T, ApiError>) -> FaultKind {
    match r {
        Err(ApiError::Fault(f)) => f.kind,
        other => panic!("expected a fault, got {other:?}"),
    }
}

/// A config file of its own for each call (tests run in parallel).
fn config(json: &str) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let p = std::env::temp_dir().join(format!("lab-config-{}-{n}.json", std::process::id()));
    std::fs::write(&p, json).unwrap();
    p
}

#[test]
fn clone_ticket_gives_a_session_once() {
    let lab = Lab::start();
    let a = logged_in(&lab, "demo@vsphere.local", "demo");
    let ticket = a.parse_secret_string(&send(&lab, &a.acquire_clone_ticket_request().unwrap())).unwrap();
    let mut b = client(&lab);
    let r = send(&lab, &b.clone_session_request(&ticket).unwrap());
    let s = b.parse_login(&r).unwrap();
    assert_eq!(s.user_name, "demo@vsphere.local");
    // A cloned session is the client's own (it may end it); a session id a host page
    // hands in stays the host's (issue 20: the app logged the portal's session out).
    assert!(b.owns_session() && a.owns_session());
    let mut handed = client(&lab);
    handed.adopt_session(Secret::new("the-portal-s-session"));
    assert!(handed.is_logged_in() && !handed.owns_session());
    let mut c = client(&lab);
    let again = send(&lab, &c.clone_session_request(&ticket).unwrap());
    assert_eq!(fault_kind(c.parse_login(&again)), FaultKind::InvalidLogin, "a clone ticket works once");
}

#[test]
fn login_by_token_with_the_configured_header() {
    let lab = Lab::start();
    let mut c = client(&lab);
    let r = send(&lab, &c.login_by_token_request(&Secret::new("lab-saml-token"), "Authorization", "Bearer {token}", None).unwrap());
    assert_eq!(c.parse_login(&r).unwrap().user_name, "demo@vsphere.local");
    let mut d = client(&lab);
    let r = send(&lab, &d.login_by_token_request(&Secret::new("forged"), "Authorization", "Bearer {token}", None).unwrap());
    assert_eq!(fault_kind(d.parse_login(&r)), FaultKind::InvalidLogin);
}

#[test]
fn current_session_session_is_active_and_locales() {
    let lab = Lab::start();
    let mut c = logged_in(&lab, "demo@vsphere.local", "demo");
    let cur = c.parse_current_session(&send(&lab, &c.current_session_request().unwrap())).unwrap();
    assert_eq!(cur.unwrap().user_name, "demo@vsphere.local");
    // A session id from elsewhere that is not valid: currentSession is null.
    let mut stranger = client(&lab);
    stranger.adopt_session(Secret::new("not-a-session"));
    assert_eq!(stranger.parse_current_session(&send(&lab, &stranger.current_session_request().unwrap())).unwrap(), None);
    assert!(!stranger.is_logged_in());

    // SessionIsActive takes the session's key (UserSession.key), as currentSession shows it.
    let mut other = logged_in(&lab, "viewer@vsphere.local", "viewer");
    let other_key = other.parse_current_session(&send(&lab, &other.current_session_request().unwrap())).unwrap().unwrap().key;
    let active = |key: &Secret, user: &str| c.parse_bool(&send(&lab, &c.session_is_active_request(key, user).unwrap())).unwrap();
    assert!(active(&other_key, "viewer@vsphere.local"), "the viewer's key, the viewer's name");
    assert!(!active(&other_key, "demo@vsphere.local"), "the key of another user's session");
    assert!(!active(&Secret::new("unknown-key"), "viewer@vsphere.local"));
    let other_token = other.current_session_request().unwrap().session.unwrap();
    assert!(!active(&other_token, "viewer@vsphere.local"), "the session token is not a session id here");
    assert!(matches!(
        fault_kind(other.parse_bool(&send(&lab, &other.session_is_active_request(&other_key, "x").unwrap()))),
        FaultKind::NoPermission { .. }
    ));

    let locales = c
        .parse_string_list(&send(&lab, &c.session_manager_property_request(SessionManagerProperty::SupportedLocaleList).unwrap()))
        .unwrap();
    assert!(locales.contains(&"de".to_owned()));
    assert_eq!(
        c.parse_optional_string(&send(&lab, &c.session_manager_property_request(SessionManagerProperty::DefaultLocale).unwrap()))
            .unwrap()
            .as_deref(),
        Some("en")
    );
    assert!(c
        .parse_optional_string(&send(&lab, &c.session_manager_property_request(SessionManagerProperty::Message).unwrap()))
        .unwrap()
        .unwrap()
        .contains("lab"));
    c.parse_void(&send(&lab, &c.set_locale_request("de").unwrap())).unwrap();
    assert_eq!(fault_kind(c.parse_void(&send(&lab, &c.set_locale_request("xx_YY").unwrap()))), FaultKind::InvalidLocale);
    let r = send(&lab, &c.login_request("demo@vsphere.local", &Secret::new("demo"), Some("tlh")).unwrap());
    assert_eq!(fault_kind(c.parse_login(&r)), FaultKind::InvalidLocale);
}

#[test]
fn local_and_generic_tickets_and_terminate_session() {
    let lab = Lab::start();
    let c = logged_in(&lab, "demo@vsphere.local", "demo");
    let local = c.parse_local_ticket(&send(&lab, &c.acquire_local_ticket_request("demo@vsphere.local").unwrap())).unwrap();
    assert!(local.password_file_path.starts_with('/'));
    assert_eq!(fault_kind(c.parse_local_ticket(&send(&lab, &c.acquire_local_ticket_request("nobody").unwrap()))), FaultKind::InvalidLogin);
    let g = c
        .parse_generic_service_ticket(&send(&lab, &c.acquire_generic_service_ticket_request("httpGet", "https://vc/folder").unwrap()))
        .unwrap();
    assert!(!g.id.expose().is_empty());

    // Sessions are named by key, as sessionList shows them; a token names nothing here.
    let mut victim = logged_in(&lab, "viewer@vsphere.local", "viewer");
    let victim_key = victim.parse_current_session(&send(&lab, &victim.current_session_request().unwrap())).unwrap().unwrap().key;
    let victim_token = victim.current_session_request().unwrap().session.unwrap();
    assert_eq!(fault_kind(c.parse_void(&send(&lab, &c.terminate_session_request(&[victim_token]).unwrap()))), FaultKind::NotFound);
    c.parse_void(&send(&lab, &c.terminate_session_request(std::slice::from_ref(&victim_key)).unwrap())).unwrap();
    assert_eq!(
        victim.parse_current_session(&send(&lab, &victim.current_session_request().unwrap())).unwrap(),
        None,
        "the victim's session is gone"
    );
    assert_eq!(fault_kind(c.parse_void(&send(&lab, &c.terminate_session_request(&[victim_key]).unwrap()))), FaultKind::NotFound);
}

#[test]
fn local_tickets_only_for_local_clients() {
    let lab =
        Lab::start_with(&["--config", config(r#"{"users":[{"name":"u","password":"p"}],"localTicketClients":[]}"#).to_str().unwrap()]);
    let c = logged_in(&lab, "u", "p");
    assert_eq!(fault_kind(c.parse_local_ticket(&send(&lab, &c.acquire_local_ticket_request("u").unwrap()))), FaultKind::InvalidRequest);
}

#[test]
fn sessions_expire_after_idle_time() {
    let lab = Lab::start_with(&["--config", config(r#"{"users":[{"name":"u","password":"p"}],"sessionIdleSeconds":1}"#).to_str().unwrap()]);
    let c = logged_in(&lab, "u", "p");
    std::thread::sleep(std::time::Duration::from_millis(1300));
    let err = c.parse_moref(&send(&lab, &c.create_vm_view_request().unwrap())).unwrap_err();
    assert!(err.is_not_authenticated(), "{err:?}");
}

#[test]
fn thousands_of_vms_come_in_pages() {
    let lab = Lab::start_with(&[
        "--config",
        config(r#"{"users":[{"name":"u","password":"p"}],"hosts":[{"moid":"host-1","name":"esx"}],"vms":[],"generatedVms":1234}"#)
            .to_str()
            .unwrap(),
    ]);
    let c = logged_in(&lab, "u", "p");
    let view = c.parse_moref(&send(&lab, &c.create_vm_view_request().unwrap())).unwrap();
    let mut page = c.parse_retrieve_result(&send(&lab, &c.retrieve_vms_request(&view).unwrap())).unwrap();
    let mut inv = vsphere_console::api::inventory::InventoryBuilder::default();
    let mut pages = 1;
    loop {
        inv.add_page(&page.objects);
        let Some(t) = page.token.take() else { break };
        page = c.parse_retrieve_result(&send(&lab, &c.continue_retrieve_request(&t).unwrap())).unwrap();
        pages += 1;
    }
    let vms = inv.finish();
    assert_eq!(vms.len(), 1234);
    assert_eq!(pages, 3, "1235 objects in pages of 500");
    assert!(vms.iter().all(|v| v.host_name.as_deref() == Some("esx")));
}

#[test]
fn release_negotiation_by_hello_or_about() {
    let lab = Lab::start();
    let mut c = client(&lab);
    let hello = send(&lab, &c.hello_request(&KNOWN_RELEASES));
    assert_eq!(c.choose_release(Some(&hello), &KNOWN_RELEASES), "8.0.3.0");
    let old = Lab::start_with(&["--config", config(r#"{"users":[{"name":"u","password":"p"}],"apiVersion":"8.0.1.0"}"#).to_str().unwrap()]);
    let mut c = client(&old);
    let hello = send(&old, &c.hello_request(&KNOWN_RELEASES));
    assert_eq!(hello.status, 404, "hello exists only from 8.0.2.0");
    assert_eq!(c.choose_release(Some(&hello), &KNOWN_RELEASES), "8.0.1.0");
}

#[test]
fn automation_rest_path_for_vcenter_7() {
    let lab = Lab::start();
    let mut r = RestClient::default();
    let resp = send(&lab, &r.login_request("demo@vsphere.local", &Secret::new("wrong")));
    assert!(r.parse_login(&resp).is_err());
    let resp = send(&lab, &r.login_request("demo@vsphere.local", &Secret::new("demo")));
    r.parse_login(&resp).unwrap();
    let vms = r.parse_vms(&send(&lab, &r.list_vms_request().unwrap())).unwrap();
    assert!(vms.iter().any(|v| v.name == "web-01"));
    let t = r.parse_console_ticket(&send(&lab, &r.console_ticket_request(&MoRef::new("VirtualMachine", "vm-101")).unwrap())).unwrap();
    assert_eq!(t.host.as_deref(), Some("127.0.0.1"));
    assert_eq!(t.url.as_ref().unwrap().expose(), format!("ws://{}/ticket/{}", lab.addr, t.ticket.expose()));
    let off = r.parse_console_ticket(&send(&lab, &r.console_ticket_request(&MoRef::new("VirtualMachine", "vm-103")).unwrap()));
    assert_eq!(fault_kind(off), FaultKind::InvalidState);
    let req = r.logout_request().unwrap();
    assert_eq!(send(&lab, &req).status, 204);
}

#[test]
fn the_remaining_faults_both_ways() {
    let lab = Lab::start();
    let mut c = logged_in(&lab, "demo@vsphere.local", "demo");
    // ManagedObjectNotFound: a VM that does not exist.
    let gone = send(&lab, &c.acquire_webmks_ticket_request(&MoRef::new("VirtualMachine", "vm-999")).unwrap());
    assert_eq!(gone.status, 500);
    assert_eq!(fault_kind(c.parse_ticket(&gone)), FaultKind::ManagedObjectNotFound);
    // NotSupported: a method the server does not implement.
    let mut req = c.acquire_webmks_ticket_request(&MoRef::new("VirtualMachine", "vm-101")).unwrap();
    req.path = req.path.replace("AcquireTicket", "AcquireMksTicket");
    assert_eq!(fault_kind(c.parse_ticket(&send(&lab, &req))), FaultKind::NotSupported);
    // InvalidArgument, naming the property: a ticket type other than webmks.
    let mut req = c.acquire_webmks_ticket_request(&MoRef::new("VirtualMachine", "vm-101")).unwrap();
    req.body = Some(r#"{"ticketType":"mks"}"#.into());
    assert_eq!(fault_kind(c.parse_ticket(&send(&lab, &req))), FaultKind::InvalidArgument { property: Some("ticketType".into()) });
    // Every one of them reads as a sentence that says what to do.
    for kind in [FaultKind::ManagedObjectNotFound, FaultKind::NotSupported, FaultKind::InvalidRequest, FaultKind::NotFound] {
        let f = vsphere_console::api::Fault { kind, server_message: None };
        assert!(f.sentence().ends_with('.'));
    }
}

/// LoginBySSPI loops on SSPIChallenge: each round's token comes from the caller (the
/// host page, in a browser). The lab's stand-in handshake is NEGOTIATE, CHALLENGE,
/// AUTHENTICATE with the user's password or token, in base64.
#[test]
fn login_by_sspi_loops_on_challenges_and_says_when_unsupported() {
    use vsphere_console::api::client::sspi_challenge;
    use vsphere_console::base64::encode as base64;
    let lab = Lab::start();
    let mut c = client(&lab);
    let first = Secret::new(base64(b"NEGOTIATE:demo@vsphere.local"));
    let r = send(&lab, &c.login_by_sspi_request(&first, None).unwrap());
    let err = c.parse_login(&r).unwrap_err();
    let challenge = sspi_challenge(&err).expect("an SSPIChallenge with the next token");
    let decoded = unbase64(challenge.expose());
    let nonce = decoded.strip_prefix("CHALLENGE:").expect("the lab's challenge");
    // The stand-in's proof is the user's password (or a token of theirs): without it,
    // or with a wrong one, the challenge is spent and the login refused (issue 20).
    for proof in ["", ":wrong"] {
        let mut d = client(&lab);
        let r = send(&lab, &d.login_by_sspi_request(&first, None).unwrap());
        let ch = unbase64(sspi_challenge(&d.parse_login(&r).unwrap_err()).unwrap().expose());
        let n = ch.strip_prefix("CHALLENGE:").unwrap().to_owned();
        let bare = Secret::new(base64(format!("AUTHENTICATE:{n}{proof}").as_bytes()));
        assert_eq!(
            fault_kind(d.parse_login(&send(&lab, &d.login_by_sspi_request(&bare, None).unwrap()))),
            FaultKind::InvalidLogin,
            "{proof:?}"
        );
    }
    let second = Secret::new(base64(format!("AUTHENTICATE:{nonce}:demo").as_bytes()));
    let r = send(&lab, &c.login_by_sspi_request(&second, Some("de")).unwrap());
    let s = c.parse_login(&r).unwrap();
    assert_eq!((s.user_name.as_str(), s.locale.as_str()), ("demo@vsphere.local", "de"));
    // The same answer twice is refused; so is a token for nobody.
    let mut d = client(&lab);
    assert_eq!(fault_kind(d.parse_login(&send(&lab, &d.login_by_sspi_request(&second, None).unwrap()))), FaultKind::InvalidLogin);
    let nobody = Secret::new(base64(b"NEGOTIATE:nobody"));
    assert_eq!(fault_kind(d.parse_login(&send(&lab, &d.login_by_sspi_request(&nobody, None).unwrap()))), FaultKind::InvalidLogin);

    let off = Lab::start_with(&["--config", config(r#"{"sspi": false}"#).to_str().unwrap()]);
    let mut e = client(&off);
    assert_eq!(fault_kind(e.parse_login(&send(&off, &e.login_by_sspi_request(&first, None).unwrap()))), FaultKind::NotSupported);
}

#[test]
fn extension_logins_need_a_client_certificate() {
    let lab = Lab::start();
    let mut c = client(&lab);
    for req in [
        c.login_extension_by_subject_name_request("com.example.portal", None),
        c.login_extension_by_certificate_request("com.example.portal", None),
    ] {
        assert_eq!(fault_kind(c.parse_login(&send(&lab, &req.unwrap()))), FaultKind::NoClientCertificate);
    }
    let unknown = c.login_extension_by_certificate_request("com.example.unknown", None).unwrap();
    assert_eq!(fault_kind(c.parse_login(&send(&lab, &unknown))), FaultKind::InvalidLogin);
}

#[test]
fn impersonate_user_and_the_session_list() {
    let lab = Lab::start();
    let admin = logged_in(&lab, "demo@vsphere.local", "demo");
    let mut viewer = logged_in(&lab, "viewer@vsphere.local", "viewer");
    // No privilege: NoPermission naming it.
    let r = send(&lab, &viewer.impersonate_user_request("demo@vsphere.local", None).unwrap());
    assert_eq!(fault_kind(viewer.parse_user_session(&r)), FaultKind::NoPermission { privilege: Some("Sessions.ImpersonateUser".into()) });
    // A user with no live session: InvalidLogin.
    let r = send(&lab, &admin.impersonate_user_request("nobody@vsphere.local", None).unwrap());
    assert_eq!(fault_kind(admin.parse_user_session(&r)), FaultKind::InvalidLogin);
    // The list shows both sessions; then the admin takes on the viewer's identity.
    let list = admin.parse_session_list(&send(&lab, &admin.session_list_request().unwrap())).unwrap();
    let mut users: Vec<&str> = list.iter().map(|s| s.user_name.as_str()).collect();
    users.sort();
    assert_eq!(users, ["demo@vsphere.local", "viewer@vsphere.local"]);
    let r = send(&lab, &admin.impersonate_user_request("viewer@vsphere.local", None).unwrap());
    assert_eq!(admin.parse_user_session(&r).unwrap().user_name, "viewer@vsphere.local");
    let cur = viewer.parse_current_session(&send(&lab, &admin.current_session_request().unwrap())).unwrap().unwrap();
    assert_eq!(cur.user_name, "viewer@vsphere.local", "the same session id now acts as the viewer");
    // The viewer lacks Sessions.TerminateSession: no session list.
    let r = send(&lab, &viewer.session_list_request().unwrap());
    assert!(matches!(fault_kind(viewer.parse_session_list(&r)), FaultKind::NoPermission { .. }));
}

/// Base64 back to text, for reading the lab's challenge in the test.
fn unbase64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let vals: Vec<u32> = s.bytes().filter(|&c| c != b'=').map(|c| T.iter().position(|&t| t == c).unwrap() as u32).collect();
    let mut out = Vec::new();
    for chunk in vals.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &v)| n | v << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    String::from_utf8(out).unwrap()
}
