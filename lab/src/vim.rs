//! VI/JSON under `/sdk/vim25/{release}/{MoType}/{moId}/{method-or-property}`.
//!
//! Shapes follow `shared/seeds/` and `shared/reference/vsphere-api.md`: ServiceContent
//! without a session, Login answering `UserSession` plus the `vmware-api-session-id`
//! header, faults as HTTP 500 JSON with `_typeName`, `faultMessage` and `faultstring`.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::config::{PRIV_CONSOLE, PRIV_TERMINATE, PRIV_VALIDATE};
use crate::state::{random_hex, Lab, Session};

pub const SESSION_HEADER: &str = "vmware-api-session-id";

/// A VI/JSON fault: HTTP 500 with a `MethodFault` body.
pub fn fault(type_name: &str, message: &str, extra: Value) -> Response {
    let mut body = json!({
        "_typeName": type_name,
        "faultMessage": [{"_typeName": "LocalizableMessage", "key": format!("vim.fault.{type_name}"), "message": message}],
        "faultstring": message,
    });
    if let (Some(b), Value::Object(extra)) = (body.as_object_mut(), extra) {
        b.extend(extra);
    }
    json_response(StatusCode::INTERNAL_SERVER_ERROR, &body)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (status, [("content-type", "application/json")], body.to_string()).into_response()
}

fn ok(body: Value) -> Response {
    json_response(StatusCode::OK, &body)
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

fn moref(kind: &str, value: &str) -> Value {
    json!({"_typeName": "ManagedObjectReference", "type": kind, "value": value})
}

fn not_authenticated() -> Response {
    fault("NotAuthenticated", "The session is not authenticated.", json!({}))
}

pub async fn handle(
    State(lab): State<Lab>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    Path((_release, mo_type, moid, method)): Path<(String, String, String, String)>,
    http_method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return fault("InvalidRequest", "The request body is not valid JSON.", json!({})),
        }
    };
    let session_id = headers.get(SESSION_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);

    // Calls that need no session.
    match (http_method.as_str(), mo_type.as_str(), method.as_str()) {
        ("GET", "ServiceInstance", "content") if moid == "ServiceInstance" => return service_content(&lab),
        ("POST", "SessionManager", "Login") => return login(&lab, &body),
        ("POST", "SessionManager", "CloneSession") => return clone_session(&lab, &body),
        ("POST", "SessionManager", "LoginByToken") => return login_by_token(&lab, &headers, &body),
        ("GET", "SessionManager", "supportedLocaleList") => return ok(json!(lab.config.locales)),
        ("GET", "SessionManager", "defaultLocale") => return ok(json!(lab.config.locales.first().cloned().unwrap_or_else(|| "en".into()))),
        ("GET", "SessionManager", "currentSession") => {
            // "If the client is not logged on, the value is null."
            let current = session_id.as_deref().and_then(|id| lab.touch_session(id));
            return ok(current.map(|s| user_session(&s)).unwrap_or(Value::Null));
        }
        ("POST", "SessionManager", "AcquireLocalTicket") => return local_ticket(&lab, peer, &body),
        _ => {}
    }

    let Some(session) = session_id.as_deref().and_then(|id| lab.touch_session(id)) else {
        return not_authenticated();
    };
    let sid = session_id.unwrap_or_default();

    match (http_method.as_str(), mo_type.as_str(), method.as_str()) {
        ("POST", "SessionManager", "Logout") => {
            lab.lock().sessions.remove(&sid);
            no_content()
        }
        ("GET", "SessionManager", "message") => ok(json!(lab.config.message)),
        ("POST", "SessionManager", "AcquireCloneTicket") => {
            let t = random_hex(24);
            lab.lock().clone_tickets.insert(t.clone(), sid.clone());
            ok(json!(t))
        }
        ("POST", "SessionManager", "SessionIsActive") => {
            if !has_privilege(&lab, &session, PRIV_VALIDATE) {
                return no_permission("SessionManager", &moid, PRIV_VALIDATE);
            }
            let id = body.get("sessionID").and_then(Value::as_str).unwrap_or_default();
            let user = body.get("userName").and_then(Value::as_str).unwrap_or_default();
            let active = lab.lock().sessions.get(id).is_some_and(|s| s.user == user && s.last_active.elapsed() <= lab.idle_limit());
            ok(json!(active))
        }
        ("POST", "SessionManager", "SetLocale") => {
            let locale = body.get("locale").and_then(Value::as_str).unwrap_or_default();
            if !lab.config.locales.iter().any(|l| l == locale) {
                return fault("InvalidLocale", "The specified locale is invalid or unknown to the server.", json!({}));
            }
            if let Some(s) = lab.lock().sessions.get_mut(&sid) {
                s.locale = locale.to_owned();
            }
            no_content()
        }
        ("POST", "SessionManager", "AcquireGenericServiceTicket") => {
            let url = body["spec"]["url"].as_str().unwrap_or_default();
            if url.is_empty() {
                return fault("InvalidArgument", "A specified parameter was not correct: spec", json!({"invalidProperty": "spec"}));
            }
            ok(json!({"_typeName": "SessionManagerGenericServiceTicket", "id": random_hex(16), "hostName": format!("127.0.0.1:{}", lab.port)}))
        }
        ("POST", "SessionManager", "TerminateSession") => {
            if !has_privilege(&lab, &session, PRIV_TERMINATE) {
                return no_permission("SessionManager", &moid, PRIV_TERMINATE);
            }
            let ids: Vec<String> = body["sessionId"].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default();
            let mut inner = lab.lock();
            for id in ids {
                if id == sid {
                    return fault("InvalidArgument", "A specified parameter was not correct: sessionId", json!({"invalidProperty": "sessionId"}));
                }
                if inner.sessions.remove(&id).is_none() {
                    return fault("NotFound", "The object or item referred to could not be found.", json!({}));
                }
            }
            no_content()
        }
        ("POST", "ViewManager", "CreateContainerView") => create_view(&lab, &sid, &body),
        ("POST", "ContainerView", "DestroyView") => {
            lab.lock().views.remove(&moid);
            no_content()
        }
        ("POST", "PropertyCollector", "RetrievePropertiesEx") => retrieve(&lab, &body),
        ("POST", "PropertyCollector", "ContinueRetrievePropertiesEx") => {
            let token = body.get("token").and_then(Value::as_str).unwrap_or_default().to_owned();
            let pending = lab.lock().pages.remove(&token);
            match pending {
                Some(objs) => page(&lab, objs, 0),
                None => fault("InvalidArgument", "The token is not valid.", json!({"invalidProperty": "token"})),
            }
        }
        ("POST", "VirtualMachine", "AcquireTicket") => acquire_ticket(&lab, &session, &moid, &body),
        _ => fault(
            "NotSupported",
            &format!("The lab does not implement {mo_type}.{method}."),
            json!({}),
        ),
    }
}

fn service_content(lab: &Lab) -> Response {
    ok(json!({
        "_typeName": "ServiceContent",
        "rootFolder": moref("Folder", "group-d1"),
        "propertyCollector": moref("PropertyCollector", "propertyCollector"),
        "viewManager": moref("ViewManager", "ViewManager"),
        "sessionManager": moref("SessionManager", "SessionManager"),
        "about": {
            "_typeName": "AboutInfo",
            "name": "VMware vCenter Server",
            "fullName": format!("VMware vCenter Server {} (vsphere-console lab)", lab.config.api_version),
            "vendor": "vsphere-console lab",
            "version": lab.config.api_version,
            "build": "0",
            "apiType": "VirtualCenter",
            "apiVersion": lab.config.api_version,
            "instanceUuid": "00000000-0000-4000-8000-000000000001",
        }
    }))
}

fn user_session(s: &Session) -> Value {
    json!({
        "_typeName": "UserSession",
        "key": s.key,
        "userName": s.user,
        "fullName": s.user,
        "loginTime": s.login_time,
        "lastActiveTime": s.login_time,
        "locale": s.locale,
        "messageLocale": s.locale,
        "extensionSession": false,
        "ipAddress": "127.0.0.1",
        "userAgent": "",
        "callCount": 0
    })
}

pub fn has_privilege(lab: &Lab, session: &Session, privilege: &str) -> bool {
    lab.config.users.iter().find(|u| u.name == session.user).is_some_and(|u| u.privileges.iter().any(|p| p == privilege))
}

fn no_permission(kind: &str, moid: &str, privilege: &str) -> Response {
    fault(
        "NoPermission",
        &format!("Permission to perform this operation was denied. Required privilege '{privilege}' on managed object with id '{kind}-{moid}'."),
        json!({"object": moref(kind, moid), "privilegeId": privilege}),
    )
}

fn login(lab: &Lab, body: &Value) -> Response {
    let user = body.get("userName").and_then(Value::as_str).unwrap_or_default();
    let password = body.get("password").and_then(Value::as_str).unwrap_or_default();
    let known = lab.config.users.iter().any(|u| u.name == user && u.password == password);
    if !known {
        return fault("InvalidLogin", "Cannot complete login due to an incorrect user name or password.", json!({}));
    }
    start_session(lab, user, body.get("locale").and_then(Value::as_str))
}

/// `CloneSession`: the one-time clone ticket gives a new session for the same user.
fn clone_session(lab: &Lab, body: &Value) -> Response {
    let ticket = body.get("cloneTicket").and_then(Value::as_str).unwrap_or_default();
    let user = {
        let mut inner = lab.lock();
        let source = inner.clone_tickets.remove(ticket);
        source.and_then(|sid| inner.sessions.get(&sid).map(|s| s.user.clone()))
    };
    match user {
        Some(u) => start_session(lab, &u, None),
        None => fault("InvalidLogin", "Cannot complete login due to an incorrect user name or password.", json!({})),
    }
}

/// `LoginByToken`: the lab's token transport is `Authorization: Bearer <token>`.
fn login_by_token(lab: &Lab, headers: &HeaderMap, body: &Value) -> Response {
    let token = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or_default();
    match lab.config.tokens.iter().find(|t| t.token == token) {
        Some(t) => start_session(lab, &t.user.clone(), body.get("locale").and_then(Value::as_str)),
        None => fault("InvalidLogin", "Cannot complete login due to an incorrect user name or password.", json!({})),
    }
}

fn local_ticket(lab: &Lab, peer: std::net::SocketAddr, body: &Value) -> Response {
    let ip = peer.ip().to_string();
    if !lab.config.local_ticket_clients.iter().any(|c| *c == ip) {
        return fault("InvalidRequest", "Only local clients may acquire a local ticket.", json!({}));
    }
    let user = body.get("userName").and_then(Value::as_str).unwrap_or_default();
    if !lab.config.users.iter().any(|u| u.name == user) {
        return fault("InvalidLogin", "Cannot complete login due to an incorrect user name or password.", json!({}));
    }
    ok(json!({"_typeName": "SessionManagerLocalTicket", "userName": format!("local-{}", random_hex(4)), "passwordFilePath": format!("/var/run/vmware/ticket/{}", random_hex(8))}))
}

fn start_session(lab: &Lab, user: &str, locale: Option<&str>) -> Response {
    let locale = locale.unwrap_or("en");
    if !lab.config.locales.iter().any(|l| l == locale) {
        return fault("InvalidLocale", "The specified locale is invalid or unknown to the server.", json!({}));
    }
    let locale = locale.to_owned();
    let id = random_hex(20);
    let session = Session {
        user: user.to_owned(),
        key: format!("{}-{}", &random_hex(4), &random_hex(12)),
        login_time: now_rfc3339(),
        last_active: Instant::now(),
        locale,
    };
    let body = user_session(&session);
    lab.lock().sessions.insert(id.clone(), session);
    let mut resp = ok(body);
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(SESSION_HEADER, v);
    }
    resp
}

fn create_view(lab: &Lab, sid: &str, body: &Value) -> Response {
    let types: Vec<String> = body
        .get("type")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let mut objs = Vec::new();
    if types.iter().any(|t| t == "HostSystem") {
        objs.extend(lab.config.hosts.iter().map(|h| ("HostSystem".to_owned(), h.moid.clone())));
    }
    if types.iter().any(|t| t == "VirtualMachine") {
        objs.extend(lab.vms.iter().map(|v| ("VirtualMachine".to_owned(), v.moid.clone())));
    }
    let mut inner = lab.lock();
    inner.counter += 1;
    let id = format!("session[{}]{}", &sid[..8.min(sid.len())], inner.counter);
    inner.views.insert(id.clone(), objs);
    ok(moref("ContainerView", &id))
}

fn retrieve(lab: &Lab, body: &Value) -> Response {
    let spec = &body["specSet"][0];
    let view = spec["objectSet"][0]["obj"]["value"].as_str().unwrap_or_default();
    let max = body["options"]["maxObjects"].as_u64().unwrap_or(100).clamp(1, 1000) as usize;
    let Some(objs) = lab.lock().views.get(view).cloned() else {
        return fault("ManagedObjectNotFound", "The container view does not exist.", json!({"obj": moref("ContainerView", view)}));
    };
    page(lab, objs, max)
}

/// One page of ObjectContent; a token when more remain. `max == 0`: the remembered page size.
fn page(lab: &Lab, mut objs: Vec<(String, String)>, max: usize) -> Response {
    let max = if max == 0 { 500 } else { max };
    let rest = if objs.len() > max { objs.split_off(max) } else { Vec::new() };
    let objects: Vec<Value> = objs.iter().filter_map(|(kind, moid)| object_content(lab, kind, moid)).collect();
    let mut result = json!({"_typeName": "RetrieveResult", "objects": objects});
    if !rest.is_empty() {
        let token = random_hex(8);
        lab.lock().pages.insert(token.clone(), rest);
        result["token"] = json!(token);
    }
    ok(result)
}

fn object_content(lab: &Lab, kind: &str, moid: &str) -> Option<Value> {
    let prop = |name: &str, val: Value| json!({"_typeName": "DynamicProperty", "name": name, "val": val});
    let props = match kind {
        "HostSystem" => {
            let h = lab.config.hosts.iter().find(|h| h.moid == moid)?;
            vec![prop("name", json!({"_typeName": "string", "_value": h.name}))]
        }
        _ => {
            let v = lab.vm(moid)?;
            vec![
                prop("config.guestFullName", json!({"_typeName": "string", "_value": v.guest_os})),
                prop("name", json!({"_typeName": "string", "_value": v.name})),
                prop("runtime.host", moref("HostSystem", &v.host)),
                prop("runtime.powerState", json!({"_typeName": "VirtualMachinePowerState", "_value": v.power_state})),
            ]
        }
    };
    Some(json!({"_typeName": "ObjectContent", "obj": moref(kind, moid), "propSet": props}))
}

fn acquire_ticket(lab: &Lab, session: &Session, moid: &str, body: &Value) -> Response {
    let Some(vm) = lab.vm(moid).cloned() else {
        return fault("ManagedObjectNotFound", "The object has already been deleted or has not been completely created.",
            json!({"obj": moref("VirtualMachine", moid)}));
    };
    let ticket_type = body.get("ticketType").and_then(Value::as_str).unwrap_or_default();
    if ticket_type != "webmks" {
        return fault("InvalidArgument", "A specified parameter was not correct: ticketType", json!({"invalidProperty": "ticketType"}));
    }
    if !has_privilege(lab, session, PRIV_CONSOLE) {
        return no_permission("VirtualMachine", moid, PRIV_CONSOLE);
    }
    if vm.power_state != "poweredOn" {
        return fault("InvalidState", "The operation is not allowed in the current state.", json!({}));
    }
    let ticket = lab.issue_ticket(&vm);
    let fill = |s: &str| lab.fill(s, &ticket);
    let o = &vm.ticket;
    let mut t = json!({
        "_typeName": "VirtualMachineTicket",
        "ticket": ticket,
        "cfgFile": format!("[datastore1] {0}/{0}.vmx", vm.name),
    });
    if !o.omit_host {
        t["host"] = json!(o.host.as_deref().map(fill).unwrap_or_else(|| "127.0.0.1".into()));
    }
    if !o.omit_port {
        t["port"] = json!(o.port.unwrap_or(lab.port as i64));
    }
    t["sslThumbprint"] = json!(o.ssl_thumbprint.clone().unwrap_or_else(|| thumbprint(&random_hex(20))));
    let sha256 = o.cert_thumbprints.clone().unwrap_or_else(|| vec![thumbprint(&random_hex(32))]);
    t["certThumbprintList"] = json!(sha256
        .iter()
        .map(|tp| json!({"_typeName": "VirtualMachineCertThumbprint", "thumbprint": tp, "hashAlgorithm": "sha256"}))
        .collect::<Vec<_>>());
    if !o.omit_url {
        t["url"] = json!(lab.ticket_url(&vm, &ticket));
    }
    ok(t)
}

fn thumbprint(hex: &str) -> String {
    hex.as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).to_uppercase()).collect::<Vec<_>>().join(":")
}

fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's algorithm.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + (m <= 2) as i64, m, d)
}
