//! The lab answers as the documented fixtures say, and the app's client understands it:
//! every request is built by the sans-IO client and every answer parsed by it.

mod support;

use serde_json::Value;
use support::{send, Lab};
use vsphere_console::api::fault::FaultKind;
use vsphere_console::api::inventory::{InventoryBuilder, PowerState};
use vsphere_console::api::{ApiError, Secret, ViClient};

fn fixture(name: &str) -> Value {
    let path = format!("{}/../tests/fixtures/vi-json/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect("fixture json")
}

/// Every key of the fixture is in `actual`, with the same JSON kind; `_typeName`s equal.
fn assert_same_shape(fixture: &Value, actual: &Value, at: &str) {
    match (fixture, actual) {
        (Value::Object(f), Value::Object(a)) => {
            for (k, fv) in f {
                let av = a.get(k).unwrap_or_else(|| panic!("{at}.{k} missing in the lab's answer: {actual}"));
                if k == "_typeName" {
                    assert_eq!(fv, av, "{at}._typeName");
                }
                assert_same_shape(fv, av, &format!("{at}.{k}"));
            }
        }
        (Value::Array(f), Value::Array(a)) => {
            if let (Some(f0), Some(a0)) = (f.first(), a.first()) {
                assert_same_shape(f0, a0, &format!("{at}[0]"));
            }
        }
        (Value::String(_), Value::String(_)) | (Value::Number(_), Value::Number(_)) | (Value::Bool(_), Value::Bool(_)) => {}
        (f, a) => panic!("{at}: fixture has {f}, lab has {a}"),
    }
}

fn logged_in(lab: &Lab, user: &str, password: &str) -> ViClient {
    let mut c = ViClient::new("8.0.1.0");
    let r = send(lab, &c.content_request());
    c.parse_content(&r).expect("service content");
    let r = send(lab, &c.login_request(user, &Secret::new(password), None).unwrap());
    c.parse_login(&r).expect("login");
    c
}

#[test]
fn service_content_matches_fixture_and_parses() {
    let lab = Lab::start();
    let r = lab.vim("GET", "ServiceInstance/ServiceInstance/content", None, None);
    assert_eq!(r.status, 200);
    assert_same_shape(&fixture("service_content.json"), &r.json(), "ServiceContent");
    let mut c = ViClient::new("8.0.1.0");
    let sc = c.parse_content(&r.to_client()).unwrap();
    assert_eq!(sc.session_manager.as_ref().unwrap().value, "SessionManager");
    assert_eq!(sc.about.api_version, "8.0.3.0");
}

#[test]
fn login_returns_user_session_and_header() {
    let lab = Lab::start();
    let r = lab.vim("POST", "SessionManager/SessionManager/Login", None, Some(r#"{"userName":"demo@vsphere.local","password":"demo"}"#));
    assert_eq!(r.status, 200);
    assert!(r.header("vmware-api-session-id").is_some_and(|h| h.len() >= 20));
    assert_same_shape(&fixture("user_session.json"), &r.json(), "UserSession");
}

#[test]
fn wrong_password_is_invalid_login_fault() {
    let lab = Lab::start();
    let mut c = ViClient::new("8.0.1.0");
    c.parse_content(&send(&lab, &c.content_request())).unwrap();
    let r = send(&lab, &c.login_request("demo@vsphere.local", &Secret::new("nope"), None).unwrap());
    assert_eq!(r.status, 500);
    assert_same_shape(&fixture("fault_invalid_login.json"), &serde_json::from_str(&r.body).unwrap(), "InvalidLogin");
    match c.parse_login(&r) {
        Err(ApiError::Fault(f)) => assert_eq!(f.kind, FaultKind::InvalidLogin),
        other => panic!("expected InvalidLogin, got {other:?}"),
    }
    assert!(!c.is_logged_in());
}

#[test]
fn calls_without_a_session_are_not_authenticated() {
    let lab = Lab::start();
    let r = lab.vim("POST", "VirtualMachine/vm-101/AcquireTicket", None, Some(r#"{"ticketType":"webmks"}"#));
    assert_eq!(r.status, 500);
    assert_eq!(r.json()["_typeName"], "NotAuthenticated");
    let err = vsphere_console::api::client::decode::<Value>(&r.to_client()).unwrap_err();
    assert!(err.is_not_authenticated());
}

#[test]
fn vm_list_pages_through_container_view() {
    let lab = Lab::start();
    let c = logged_in(&lab, "demo@vsphere.local", "demo");
    let view = c.parse_moref(&send(&lab, &c.create_vm_view_request().unwrap())).unwrap();
    assert_eq!(view.kind, "ContainerView");
    let r = send(&lab, &c.retrieve_vms_request(&view).unwrap());
    assert_same_shape(
        &fixture("retrieve_result.json")["objects"][0]["propSet"][0],
        &serde_json::from_str::<Value>(&r.body).unwrap()["objects"][2]["propSet"][0],
        "DynamicProperty",
    );
    let page = c.parse_retrieve_result(&r).unwrap();
    let mut inv = InventoryBuilder::default();
    inv.add_page(&page.objects);
    assert!(page.token.is_none(), "the demo inventory fits one page");
    let vms = inv.finish();
    let web = vms.iter().find(|v| v.name == "web-01").expect("web-01");
    assert_eq!(web.power, PowerState::PoweredOn);
    assert_eq!(web.host_name.as_deref(), Some("esx-01.lab.local"));
    let off = vms.iter().find(|v| v.name == "build-agent").unwrap();
    assert!(off.console_unavailable_reason().is_some());
    c.parse_void(&send(&lab, &c.destroy_view_request(&view).unwrap())).unwrap();
}

#[test]
fn webmks_ticket_has_every_documented_field() {
    let lab = Lab::start();
    let mut c = logged_in(&lab, "demo@vsphere.local", "demo");
    let vm = vsphere_console::api::wire::MoRef::new("VirtualMachine", "vm-101");
    let r = send(&lab, &c.acquire_webmks_ticket_request(&vm).unwrap());
    assert_same_shape(&fixture("virtual_machine_ticket.json"), &serde_json::from_str(&r.body).unwrap(), "VirtualMachineTicket");
    let t = c.parse_ticket(&r).unwrap();
    assert_eq!(t.url.as_ref().unwrap().expose(), format!("ws://{}/ticket/{}", lab.addr, t.ticket.expose()));
    assert_eq!(t.cert_thumbprint_list[0].hash_algorithm.as_deref(), Some("sha256"));
}

#[test]
fn powered_off_vm_gives_invalid_state_and_viewer_gets_no_permission() {
    let lab = Lab::start();
    let mut c = logged_in(&lab, "demo@vsphere.local", "demo");
    let off = vsphere_console::api::wire::MoRef::new("VirtualMachine", "vm-103");
    let r = send(&lab, &c.acquire_webmks_ticket_request(&off).unwrap());
    assert_same_shape(&fixture("fault_invalid_state.json"), &serde_json::from_str(&r.body).unwrap(), "InvalidState");
    assert!(matches!(c.parse_ticket(&r), Err(ApiError::Fault(f)) if f.kind == FaultKind::InvalidState));

    let mut viewer = logged_in(&lab, "viewer@vsphere.local", "viewer");
    let on = vsphere_console::api::wire::MoRef::new("VirtualMachine", "vm-101");
    let r = send(&lab, &viewer.acquire_webmks_ticket_request(&on).unwrap());
    match viewer.parse_ticket(&r) {
        Err(ApiError::Fault(f)) => {
            assert_eq!(f.kind, FaultKind::NoPermission { privilege: Some("VirtualMachine.Interact.ConsoleInteract".into()) })
        }
        other => panic!("expected NoPermission, got {other:?}"),
    }
}

#[test]
fn logout_ends_the_session() {
    let lab = Lab::start();
    let mut c = logged_in(&lab, "demo@vsphere.local", "demo");
    let stale = c.clone();
    let req = c.logout_request().unwrap();
    c.parse_void(&send(&lab, &req)).unwrap();
    assert!(!c.is_logged_in());
    let r = send(&lab, &stale.create_vm_view_request().unwrap());
    assert!(stale.parse_moref(&r).unwrap_err().is_not_authenticated());
}

/// The app's client parses each fixture as a real vCenter would send it, with every
/// field the specification lists (not only the ones the app reads).
#[test]
fn the_client_parses_every_fixture() {
    use vsphere_console::api::http::HttpResponse;
    let answer = |name: &str, status: u16| HttpResponse {
        status,
        content_type: Some("application/json".into()),
        session: Some(Secret::new("fixture-session")),
        body: fixture(name).to_string(),
    };
    let mut c = ViClient::new("8.0.1.0");
    let sc = c.parse_content(&answer("service_content.json", 200)).unwrap();
    assert_eq!((sc.about.api_version.as_str(), sc.session_manager.as_ref().unwrap().value.as_str()), ("8.0.3.0", "SessionManager"));
    let s = c.parse_login(&answer("user_session.json", 200)).unwrap();
    assert_eq!(s.user_name, "VSPHERE.LOCAL\\Administrator");
    let t = c.parse_ticket(&answer("virtual_machine_ticket.json", 200)).unwrap();
    assert_eq!((t.host.as_deref(), t.port), (Some("esx01.example.com"), Some(443)));
    let page = c.parse_retrieve_result(&answer("retrieve_result.json", 200)).unwrap();
    assert_eq!(page.objects.len(), 3);
    let mut inv = InventoryBuilder::default();
    inv.add_page(&page.objects);
    let vms = inv.finish();
    assert_eq!(
        vms.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
        ["locked-down", "web01"],
        "a VM with a missing property still lists"
    );
    for (name, kind) in [("fault_invalid_login.json", FaultKind::InvalidLogin), ("fault_invalid_state.json", FaultKind::InvalidState)] {
        match c.parse_void(&answer(name, 500)) {
            Err(ApiError::Fault(f)) => assert_eq!(f.kind, kind, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

/// Property reads answer with the documented faults: an unknown object, an unknown
/// property, no session, and another session's container view.
#[test]
fn property_reads_and_their_faults() {
    let lab = Lab::start();
    let sid = lab.login("demo@vsphere.local", "demo");
    let get = |tail: &str, session: Option<&str>| lab.vim("GET", tail, session, None);
    let name = get("VirtualMachine/vm-101/name", Some(&sid));
    assert_eq!((name.status, name.json()), (200, Value::from("web-01")));
    assert_eq!(get("HostSystem/host-10/name", Some(&sid)).json(), Value::from("esx-01.lab.local"));
    let runtime = get("VirtualMachine/vm-101/runtime", Some(&sid)).json();
    assert_eq!((runtime["_typeName"].as_str(), runtime["powerState"].as_str()), (Some("VirtualMachineRuntimeInfo"), Some("poweredOn")));
    let fault = |r: support::Response| (r.status, r.json()["_typeName"].as_str().unwrap_or_default().to_owned());
    assert_eq!(fault(get("VirtualMachine/vm-999/name", Some(&sid))), (500, "ManagedObjectNotFound".into()));
    let bad = get("VirtualMachine/vm-101/nonsense", Some(&sid));
    assert_eq!(bad.json()["name"], "nonsense");
    assert_eq!(fault(bad), (500, "InvalidProperty".into()));
    assert_eq!(fault(get("VirtualMachine/vm-101/name", None)), (500, "NotAuthenticated".into()));
    // Anonymous reads need no session; currentSession without one has no body (204).
    assert_eq!(get("SessionManager/SessionManager/supportedLocaleList", None).status, 200);
    let none = get("SessionManager/SessionManager/currentSession", None);
    assert_eq!((none.status, none.body.as_str()), (204, ""));
    // A container view belongs to the session that made it.
    let body = r#"{"container":{"_typeName":"ManagedObjectReference","type":"Folder","value":"group-d1"},"type":["VirtualMachine"],"recursive":true}"#;
    let view =
        lab.vim("POST", "ViewManager/ViewManager/CreateContainerView", Some(&sid), Some(body)).json()["value"].as_str().unwrap().to_owned();
    let path = format!("ContainerView/{}/view", vsphere_console::api::client::encode_segment(&view));
    assert!(get(&path, Some(&sid)).json().as_array().unwrap().len() >= 4);
    assert!(!view.contains(&sid), "a view's id names its session's key, never its token");
    let other = lab.login("viewer@vsphere.local", "viewer");
    assert_eq!(fault(get(&path, Some(&other))), (500, "ManagedObjectNotFound".into()));
}

/// A paging token belongs to the session whose retrieve made it: another session's try
/// is refused and leaves the page for its owner.
#[test]
fn a_paging_token_is_not_spent_by_another_session() {
    let lab = Lab::start_with(&["--config", &{
        let p = std::env::temp_dir().join(format!("lab-paging-{}.json", std::process::id()));
        std::fs::write(&p, r#"{"generatedVms": 30}"#).unwrap();
        p.to_string_lossy().into_owned()
    }]);
    let owner = logged_in(&lab, "demo@vsphere.local", "demo");
    let other = logged_in(&lab, "viewer@vsphere.local", "viewer");
    let view = owner.parse_moref(&send(&lab, &owner.create_vm_view_request().unwrap())).unwrap();
    let mut req = owner.retrieve_vms_request(&view).unwrap();
    req.body = Some(req.body.unwrap().replace("\"maxObjects\":500", "\"maxObjects\":10"));
    let first = owner.parse_retrieve_result(&send(&lab, &req)).unwrap();
    let token = first.token.expect("a second page");
    let stolen = other.parse_retrieve_result(&send(&lab, &other.continue_retrieve_request(&token).unwrap()));
    assert!(matches!(stolen, Err(ApiError::Fault(ref f)) if matches!(f.kind, FaultKind::InvalidArgument { .. })), "{stolen:?}");
    assert!(
        owner.parse_retrieve_result(&send(&lab, &owner.continue_retrieve_request(&token).unwrap())).is_ok(),
        "the owner still gets its page"
    );
}

/// Polls a task through the property collector, as the app does, until it ends.
fn task_outcome(lab: &Lab, c: &ViClient, task: &vsphere_console::api::wire::MoRef) -> vsphere_console::api::task::TaskOutcome {
    use vsphere_console::api::task::{outcome, TaskOutcome};
    for _ in 0..50 {
        let r = send(lab, &c.task_state_request(task).unwrap());
        match outcome(&c.parse_retrieve_result(&r).unwrap()).unwrap() {
            TaskOutcome::Pending => std::thread::sleep(std::time::Duration::from_millis(100)),
            done => return done,
        }
    }
    panic!("the task did not end in 5 s");
}

fn power_of(lab: &Lab, c: &ViClient, name: &str) -> PowerState {
    let view = c.parse_moref(&send(lab, &c.create_vm_view_request().unwrap())).unwrap();
    let page = c.parse_retrieve_result(&send(lab, &c.retrieve_vms_request(&view).unwrap())).unwrap();
    let mut inv = InventoryBuilder::default();
    inv.add_page(&page.objects);
    inv.finish().into_iter().find(|v| v.name == name).expect("the VM is listed").power
}

#[test]
fn power_on_runs_a_task_that_the_property_collector_follows() {
    use vsphere_console::api::task::TaskOutcome;
    let lab = Lab::start();
    let c = logged_in(&lab, "demo@vsphere.local", "demo");
    let mut tasks = Vec::new();
    for (moid, name) in [("vm-103", "build-agent"), ("vm-104", "legacy-app")] {
        let vm = vsphere_console::api::wire::MoRef::new("VirtualMachine", moid);
        assert_ne!(power_of(&lab, &c, name), PowerState::PoweredOn);
        let task = c.parse_moref(&send(&lab, &c.power_on_request(&vm).unwrap())).unwrap();
        assert_eq!(task.kind, "Task");
        tasks.push(task.value.clone());
        // Straight after the call the task is still running, as on vCenter.
        let first = c.parse_retrieve_result(&send(&lab, &c.task_state_request(&task).unwrap())).unwrap();
        assert_eq!(vsphere_console::api::task::outcome(&first).unwrap(), TaskOutcome::Pending);
        assert_eq!(task_outcome(&lab, &c, &task), TaskOutcome::Succeeded);
        assert_eq!(power_of(&lab, &c, name), PowerState::PoweredOn, "{name} is on after its task");
        // A ticket can now be had for it.
        let mut c2 = logged_in(&lab, "demo@vsphere.local", "demo");
        assert!(c2.parse_ticket(&send(&lab, &c2.acquire_webmks_ticket_request(&vm).unwrap())).is_ok());
        // The same again: the task fails with InvalidPowerState, and the sentence says why.
        let again = c.parse_moref(&send(&lab, &c.power_on_request(&vm).unwrap())).unwrap();
        match task_outcome(&lab, &c, &again) {
            TaskOutcome::Failed(e @ ApiError::Fault(_)) => {
                let ApiError::Fault(f) = &e else { unreachable!() };
                assert_eq!(f.kind, FaultKind::InvalidPowerState { existing: Some("poweredOn".into()) });
                assert_eq!(e.sentence(), "The virtual machine is already powered on.");
            }
            other => panic!("{other:?}"),
        }
    }
    // The task's info is also a property of the Task object.
    let sid = lab.login("demo@vsphere.local", "demo");
    let info = lab.vim("GET", &format!("Task/{}/info", tasks[0]), Some(&sid), None);
    assert_eq!(info.status, 200);
    assert_eq!(info.json()["_typeName"], "TaskInfo");
    assert_eq!(info.json()["state"], "success");
}

/// Off, then on again, five times: the VM is on after each, however often it is read
/// (an ended task used to be applied again on every read, in no set order, so an older
/// power-off could win).
#[test]
fn a_newer_power_task_is_not_undone_by_an_older_one() {
    use vsphere_console::api::task::TaskOutcome;
    let lab = Lab::start();
    let c = logged_in(&lab, "demo@vsphere.local", "demo");
    let sid = lab.login("demo@vsphere.local", "demo");
    let vm = vsphere_console::api::wire::MoRef::new("VirtualMachine", "vm-101");
    for round in 0..5 {
        let off = lab.vim("POST", "VirtualMachine/vm-101/PowerOffVM_Task", Some(&sid), Some("{}"));
        assert_eq!(off.status, 200, "{}", off.body);
        let off = vsphere_console::api::wire::MoRef::new("Task", off.json()["value"].as_str().unwrap());
        assert_eq!(task_outcome(&lab, &c, &off), TaskOutcome::Succeeded);
        assert_eq!(power_of(&lab, &c, "web-01"), PowerState::PoweredOff, "round {round}: off");
        let on = c.parse_moref(&send(&lab, &c.power_on_request(&vm).unwrap())).unwrap();
        assert_eq!(task_outcome(&lab, &c, &on), TaskOutcome::Succeeded);
        for read in 0..5 {
            assert_eq!(power_of(&lab, &c, "web-01"), PowerState::PoweredOn, "round {round}, read {read}: on");
        }
    }
}

#[test]
fn power_on_faults_no_privilege_and_invalid_state() {
    use vsphere_console::api::task::TaskOutcome;
    let cfg = std::env::temp_dir().join(format!("lab-power-{}.json", std::process::id()));
    std::fs::write(
        &cfg,
        r#"{"vms":[
        {"moid":"vm-103","name":"build-agent","powerState":"poweredOff","host":"host-10"},
        {"moid":"vm-106","name":"maintenance","powerState":"poweredOff","host":"host-10","powerOnFault":"InvalidState"}]}"#,
    )
    .unwrap();
    let lab = Lab::start_with(&["--config", cfg.to_str().unwrap()]);
    let viewer = logged_in(&lab, "viewer@vsphere.local", "viewer");
    let off = vsphere_console::api::wire::MoRef::new("VirtualMachine", "vm-103");
    match viewer.parse_moref(&send(&lab, &viewer.power_on_request(&off).unwrap())) {
        Err(e @ ApiError::Fault(_)) => assert!(e.sentence().contains("VirtualMachine.Interact.PowerOn"), "{}", e.sentence()),
        other => panic!("{other:?}"),
    }
    let c = logged_in(&lab, "demo@vsphere.local", "demo");
    let stuck = vsphere_console::api::wire::MoRef::new("VirtualMachine", "vm-106");
    let task = c.parse_moref(&send(&lab, &c.power_on_request(&stuck).unwrap())).unwrap();
    match task_outcome(&lab, &c, &task) {
        TaskOutcome::Failed(ApiError::Fault(f)) => assert_eq!(f.kind, FaultKind::InvalidState),
        other => panic!("{other:?}"),
    }
    assert_eq!(power_of(&lab, &c, "maintenance"), PowerState::PoweredOff);
    let gone = vsphere_console::api::wire::MoRef::new("VirtualMachine", "vm-999");
    assert!(
        matches!(c.parse_moref(&send(&lab, &c.power_on_request(&gone).unwrap())), Err(ApiError::Fault(f)) if f.kind == FaultKind::ManagedObjectNotFound)
    );
}
