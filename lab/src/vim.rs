//! VI/JSON under `/sdk/vim25/{release}/{MoType}/{moId}/{method-or-property}`.
//!
//! Shapes follow the vSphere Web Services API reference (`docs/protocol.md`): ServiceContent
//! without a session, Login answering `UserSession` plus the `vmware-api-session-id`
//! header, faults as HTTP 500 JSON with `_typeName`, `faultMessage` and `faultstring`.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::Response;
use serde_json::{json, Value};

use crate::config::{PRIV_CONSOLE, PRIV_IMPERSONATE, PRIV_TERMINATE, PRIV_VALIDATE};
use crate::properties::{self, user_session, Read};
use crate::state::{random_hex, Lab, Owned, Session};
use crate::wire::{
    fault, has_privilege, moref, no_content, no_permission, not_authenticated, now_rfc3339, object_not_found, ok, unsupported_media_type,
    SESSION_HEADER,
};

const INVALID_LOGIN: &str = "Cannot complete login due to an incorrect user name or password.";

pub async fn handle(
    State(lab): State<Lab>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    Path((_release, mo_type, moid, method)): Path<(String, String, String, String)>,
    http_method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // JSON only, as vCenter: a form or text/plain post from another site is refused
    // before anything reads it.
    if !body.is_empty() && !crate::wire::is_json(&headers) {
        return unsupported_media_type();
    }
    let body: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return fault("InvalidRequest", "The request body is not valid JSON.", json!({})),
        }
    };
    let session_id = headers.get(SESSION_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    // The host checker let this Host through; ticket URLs use it, so they are reachable.
    let authority = headers.get(axum::http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1").to_owned();
    let session = session_id.as_deref().and_then(|id| lab.touch_session(id).map(|s| (id.to_owned(), s)));

    // Property reads: anonymous ones, or with a session.
    if http_method == Method::GET {
        if session.is_none() && !properties::is_anonymous(&mo_type, &method) {
            return not_authenticated(&mo_type, &moid);
        }
        return match properties::read(&lab, session.as_ref().map(|(id, s)| (id.as_str(), s)), &mo_type, &moid, &method) {
            // An unset property has no body (204), as clients generated from the
            // specification expect; currentSession without a session is one.
            Read::Value(Value::Null) => no_content(),
            Read::Value(v) => ok(v),
            Read::Fault(f) => f,
        };
    }

    // Calls that need no session.
    match (mo_type.as_str(), method.as_str()) {
        ("SessionManager", "Login") => return login(&lab, &body),
        ("SessionManager", "CloneSession") => return clone_session(&lab, &body),
        ("SessionManager", "LoginByToken") => return login_by_token(&lab, &headers, &body),
        ("SessionManager", "LoginBySSPI") => return login_by_sspi(&lab, &body),
        ("SessionManager", "LoginExtensionBySubjectName" | "LoginExtensionByCertificate") => return login_extension(&lab, &body),
        ("SessionManager", "AcquireLocalTicket") => return local_ticket(&lab, peer, &body),
        _ => {}
    }

    let Some((sid, session)) = session else {
        return not_authenticated(&mo_type, &moid);
    };

    match (http_method.as_str(), mo_type.as_str(), method.as_str()) {
        ("POST", "SessionManager", "Logout") => {
            lab.lock().sessions.remove(&sid);
            no_content()
        }
        ("POST", "SessionManager", "AcquireCloneTicket") => {
            let t = random_hex(24);
            lab.lock().clone_tickets.insert(t.clone(), sid.clone());
            ok(json!(t))
        }
        ("POST", "SessionManager", "SessionIsActive") => {
            if !has_privilege(&lab, &session, PRIV_VALIDATE) {
                return no_permission("SessionManager", &moid, PRIV_VALIDATE);
            }
            // `sessionID` is `UserSession.key` (what currentSession and sessionList show),
            // not the secret the session authenticates with.
            let key = body.get("sessionID").and_then(Value::as_str).unwrap_or_default();
            let user = body.get("userName").and_then(Value::as_str).unwrap_or_default();
            let active =
                lab.lock().sessions.values().any(|s| s.key == key && s.user == user && s.last_active.elapsed() <= lab.idle_limit());
            ok(json!(active))
        }
        ("POST", "SessionManager", "ImpersonateUser") => {
            if !has_privilege(&lab, &session, PRIV_IMPERSONATE) {
                return no_permission("SessionManager", &moid, PRIV_IMPERSONATE);
            }
            let user = body.get("userName").and_then(Value::as_str).unwrap_or_default();
            let mut inner = lab.lock();
            // "That user must have a currently-active session."
            if !inner.sessions.iter().any(|(id, s)| *id != sid && s.user == user) {
                return fault("InvalidLogin", INVALID_LOGIN, json!({}));
            }
            let Some(me) = inner.sessions.get_mut(&sid) else { return not_authenticated(&mo_type, &moid) };
            me.user = user.to_owned();
            ok(user_session(me))
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
            ok(json!({"_typeName": "SessionManagerGenericServiceTicket", "id": random_hex(16), "hostName": authority}))
        }
        ("POST", "SessionManager", "TerminateSession") => {
            if !has_privilege(&lab, &session, PRIV_TERMINATE) {
                return no_permission("SessionManager", &moid, PRIV_TERMINATE);
            }
            // `sessionId` lists sessions by `UserSession.key`, as sessionList shows them.
            let keys: Vec<String> =
                body["sessionId"].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default();
            let mut inner = lab.lock();
            for key in keys {
                if key == session.key {
                    return fault(
                        "InvalidArgument",
                        "A specified parameter was not correct: sessionId",
                        json!({"invalidProperty": "sessionId"}),
                    );
                }
                let Some(id) = inner.sessions.iter().find(|(_, s)| s.key == key).map(|(id, _)| id.clone()) else {
                    return fault("NotFound", "The object or item referred to could not be found.", json!({}));
                };
                inner.sessions.remove(&id);
            }
            no_content()
        }
        ("POST", "ViewManager", "CreateContainerView") => create_view(&lab, &sid, &body),
        ("POST", "ContainerView", "DestroyView") => {
            let mut inner = lab.lock();
            if inner.views.get(&moid).is_none_or(|v| v.session != sid) {
                return object_not_found("ContainerView", &moid);
            }
            inner.views.remove(&moid);
            no_content()
        }
        ("POST", "PropertyCollector", "RetrievePropertiesEx") => retrieve(&lab, &sid, &body),
        ("POST", "PropertyCollector", "ContinueRetrievePropertiesEx") => {
            let token = body.get("token").and_then(Value::as_str).unwrap_or_default().to_owned();
            // Only the session that owns a page may take it; anyone else's try leaves it.
            let pending = {
                let mut inner = lab.lock();
                let owned = inner.pages.get(&token).is_some_and(|p| p.session == sid);
                if owned {
                    inner.pages.remove(&token)
                } else {
                    None
                }
            };
            match pending {
                Some(p) => page(&lab, &sid, p.objects, 0),
                None => fault("InvalidArgument", "A specified parameter was not correct: token", json!({"invalidProperty": "token"})),
            }
        }
        ("POST", "VirtualMachine", "PowerOnVM_Task") => crate::tasks::power_on(&lab, &session, &moid),
        ("POST", "VirtualMachine", "PowerOffVM_Task") => crate::tasks::power_off(&lab, &session, &moid),
        ("POST", "VirtualMachine", "AcquireTicket") => acquire_ticket(&lab, &session, &moid, &body, &authority),
        _ => fault("NotSupported", &format!("The lab does not implement {mo_type}.{method}."), json!({})),
    }
}

fn login(lab: &Lab, body: &Value) -> Response {
    let user = body.get("userName").and_then(Value::as_str).unwrap_or_default();
    let password = body.get("password").and_then(Value::as_str).unwrap_or_default();
    let known = lab.config.users.iter().any(|u| u.name == user && u.password == password);
    if !known {
        return fault("InvalidLogin", INVALID_LOGIN, json!({}));
    }
    start_session(lab, user, body.get("locale").and_then(Value::as_str))
}

/// `LoginBySSPI`. A browser has no SSPI: the host page produces each token (from its
/// own SSPI or Kerberos broker) and the client loops on `SSPIChallenge`. The lab's
/// stand-in handshake, base64 of: `NEGOTIATE:<user>` → challenge `CHALLENGE:<nonce>`,
/// then `AUTHENTICATE:<nonce>:<secret>` → the session, where the secret is the user's
/// password or one of the lab's tokens for that user (a real handshake proves the
/// person too). Challenges are forgotten after a minute, and at most 256 wait.
fn login_by_sspi(lab: &Lab, body: &Value) -> Response {
    if !lab.config.sspi {
        return fault("NotSupported", "The operation is not supported on the object.", json!({}));
    }
    let token =
        body.get("base64Token").and_then(Value::as_str).and_then(crate::wire::decode_base64).and_then(|b| String::from_utf8(b).ok());
    let locale = body.get("locale").and_then(Value::as_str);
    match token.as_deref().and_then(|t| t.split_once(':')) {
        Some(("NEGOTIATE", user)) if lab.config.users.iter().any(|u| u.name == user) => {
            let nonce = random_hex(12);
            lab.lock().add_sspi_challenge(nonce.clone(), user.to_owned());
            let challenge = crate::wire::base64(format!("CHALLENGE:{nonce}").as_bytes());
            fault("SSPIChallenge", "Further SSPI negotiation is required.", json!({"base64Token": challenge}))
        }
        Some(("AUTHENTICATE", rest)) => {
            let (nonce, secret) = rest.split_once(':').unwrap_or((rest, ""));
            // Bound first: a guard in the match scrutinee would still hold the lock in
            // start_session.
            let pending = lab.lock().sspi_challenges.remove(nonce);
            let proven = |user: &str| {
                !secret.is_empty()
                    && (lab.config.users.iter().any(|u| u.name == user && u.password == secret)
                        || lab.config.tokens.iter().any(|t| t.user == user && t.token == secret))
            };
            match pending {
                Some((user, at)) if at.elapsed() <= crate::state::SSPI_CHALLENGE_LIFETIME && proven(&user) => {
                    start_session(lab, &user, locale)
                }
                _ => fault("InvalidLogin", INVALID_LOGIN, json!({})),
            }
        }
        _ => fault("InvalidLogin", INVALID_LOGIN, json!({})),
    }
}

/// `LoginExtensionBySubjectName` / `…ByCertificate`: both need a TLS client certificate,
/// which the lab never sees: an unknown extension is `InvalidLogin`, a known one
/// `NoClientCertificate`.
fn login_extension(lab: &Lab, body: &Value) -> Response {
    let key = body.get("extensionKey").and_then(Value::as_str).unwrap_or_default();
    if !lab.config.extensions.iter().any(|e| e == key) {
        return fault("InvalidLogin", INVALID_LOGIN, json!({}));
    }
    fault("NoClientCertificate", "No client certificate was used to connect.", json!({}))
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
        None => fault("InvalidLogin", INVALID_LOGIN, json!({})),
    }
}

/// `LoginByToken`: the lab's token transport is `Authorization: Bearer <token>`.
fn login_by_token(lab: &Lab, headers: &HeaderMap, body: &Value) -> Response {
    let token = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or_default();
    match lab.config.tokens.iter().find(|t| t.token == token) {
        Some(t) => start_session(lab, &t.user.clone(), body.get("locale").and_then(Value::as_str)),
        None => fault("InvalidLogin", INVALID_LOGIN, json!({})),
    }
}

fn local_ticket(lab: &Lab, peer: std::net::SocketAddr, body: &Value) -> Response {
    let ip = peer.ip().to_string();
    if !lab.config.local_ticket_clients.contains(&ip) {
        return fault("InvalidRequest", "Only local clients may acquire a local ticket.", json!({}));
    }
    let user = body.get("userName").and_then(Value::as_str).unwrap_or_default();
    if !lab.config.users.iter().any(|u| u.name == user) {
        return fault("InvalidLogin", "Cannot complete login due to an incorrect user name or password.", json!({}));
    }
    ok(
        json!({"_typeName": "SessionManagerLocalTicket", "userName": format!("local-{}", random_hex(4)), "passwordFilePath": format!("/var/run/vmware/ticket/{}", random_hex(8))}),
    )
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
        last_active_at: std::time::SystemTime::now(),
        locale,
    };
    let body = user_session(&session);
    {
        let mut inner = lab.lock();
        if !inner.room_for_session(lab.idle_limit()) {
            return fault(
                "InvalidState",
                "The lab holds as many sessions as it allows; log out elsewhere or wait for idle ones to end.",
                json!({}),
            );
        }
        inner.sessions.insert(id.clone(), session);
    }
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
    // Like vCenter's `session[<uuid>]<uuid>`: names the session, never its secret.
    let key = inner.sessions.get(sid).map(|s| s.key.clone()).unwrap_or_default();
    let id = format!("session[{key}]{}", inner.counter);
    crate::state::Inner::make_room(&mut inner.views, sid);
    inner.views.insert(id.clone(), Owned { session: sid.to_owned(), objects: objs });
    ok(moref("ContainerView", &id))
}

fn retrieve(lab: &Lab, sid: &str, body: &Value) -> Response {
    let spec = &body["specSet"][0];
    let obj = &spec["objectSet"][0]["obj"];
    let view = obj["value"].as_str().unwrap_or_default();
    if obj["type"] == "Task" {
        // A task's own properties (no traversal): how clients follow a task.
        let paths: Vec<&str> =
            spec["propSet"][0]["pathSet"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        return match crate::tasks::object_content(lab, view, &paths) {
            Some(oc) => ok(json!({"_typeName": "RetrieveResult", "objects": [oc]})),
            None => object_not_found("Task", view),
        };
    }
    let max = body["options"]["maxObjects"].as_u64().unwrap_or(100).clamp(1, 1000) as usize;
    let Some(objs) = lab.lock().views.get(view).filter(|v| v.session == sid).map(|v| v.objects.clone()) else {
        return object_not_found("ContainerView", view);
    };
    page(lab, sid, objs, max)
}

/// One page of ObjectContent; a token when more remain. `max == 0`: the remembered page size.
fn page(lab: &Lab, sid: &str, mut objs: Vec<(String, String)>, max: usize) -> Response {
    let max = if max == 0 { 500 } else { max };
    let rest = if objs.len() > max { objs.split_off(max) } else { Vec::new() };
    let objects: Vec<Value> = objs.iter().filter_map(|(kind, moid)| object_content(lab, kind, moid)).collect();
    let mut result = json!({"_typeName": "RetrieveResult", "objects": objects});
    if !rest.is_empty() {
        let token = random_hex(8);
        let mut inner = lab.lock();
        crate::state::Inner::make_room(&mut inner.pages, sid);
        inner.pages.insert(token.clone(), Owned { session: sid.to_owned(), objects: rest });
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
                prop("runtime.powerState", json!({"_typeName": "VirtualMachinePowerState", "_value": crate::tasks::power_state(lab, v)})),
            ]
        }
    };
    Some(json!({"_typeName": "ObjectContent", "obj": moref(kind, moid), "propSet": props}))
}

fn acquire_ticket(lab: &Lab, session: &Session, moid: &str, body: &Value, authority: &str) -> Response {
    let Some(vm) = lab.vm(moid).cloned() else {
        return object_not_found("VirtualMachine", moid);
    };
    let ticket_type = body.get("ticketType").and_then(Value::as_str).unwrap_or_default();
    if ticket_type != "webmks" {
        return fault("InvalidArgument", "A specified parameter was not correct: ticketType", json!({"invalidProperty": "ticketType"}));
    }
    if !has_privilege(lab, session, PRIV_CONSOLE) {
        return no_permission("VirtualMachine", moid, PRIV_CONSOLE);
    }
    if crate::tasks::power_state(lab, &vm) != "poweredOn" {
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
        let requested = crate::host_check::host_name(authority);
        t["host"] =
            json!(o.host.as_deref().map(fill).unwrap_or_else(|| requested.trim_start_matches('[').trim_end_matches(']').to_owned()));
    }
    if !o.omit_port {
        let requested = authority.rsplit_once(':').filter(|(h, _)| !h.ends_with('[')).and_then(|(_, p)| p.parse().ok());
        t["port"] = json!(o.port.unwrap_or(requested.unwrap_or(lab.port as i64)));
    }
    t["sslThumbprint"] = json!(o.ssl_thumbprint.clone().unwrap_or_else(|| thumbprint(&random_hex(20))));
    let sha256 = o.cert_thumbprints.clone().unwrap_or_else(|| vec![thumbprint(&random_hex(32))]);
    t["certThumbprintList"] = json!(sha256
        .iter()
        .map(|tp| json!({"_typeName": "VirtualMachineCertThumbprint", "thumbprint": tp, "hashAlgorithm": "sha256"}))
        .collect::<Vec<_>>());
    if !o.omit_url {
        t["url"] = json!(lab.ticket_url(&vm, &ticket, authority));
    }
    ok(t)
}

fn thumbprint(hex: &str) -> String {
    hex.as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).to_uppercase()).collect::<Vec<_>>().join(":")
}
