//! The VI/JSON client: one `*_request` builder and one `parse_*` function per call.
//!
//! Paths follow `/sdk/vim25/{release}/{MoType}/{moId}/{method-or-property}`; moIds come
//! from `ServiceContent`, never from constants.

use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::error::ApiError;
use super::fault::Fault;
use super::http::{HttpRequest, HttpResponse, Method};
use super::secret::{Secret, SessionId};
use super::wire::{MoRef, RetrieveResult, ServiceContent, UserSession, VirtualMachineTicket};

/// The release path segment used until the server tells us its own.
pub const DEFAULT_RELEASE: &str = "8.0.1.0";

/// Objects per RetrievePropertiesEx page.
pub const PAGE_SIZE: u32 = 500;

/// Session state of one vCenter connection. Holds the session id in memory only.
#[derive(Clone, Debug)]
pub struct ViClient {
    release: String,
    content: Option<ServiceContent>,
    session: Option<SessionId>,
}

impl ViClient {
    pub fn new(release: impl Into<String>) -> Self {
        ViClient { release: release.into(), content: None, session: None }
    }

    pub fn release(&self) -> &str {
        &self.release
    }

    pub fn content(&self) -> Option<&ServiceContent> {
        self.content.as_ref()
    }

    pub fn is_logged_in(&self) -> bool {
        self.session.is_some()
    }

    /// Forgets the session (after Logout, or when the server says it is gone).
    pub fn forget_session(&mut self) {
        self.session = None;
    }

    fn path(&self, mo: &MoRef, tail: &str) -> String {
        format!(
            "/sdk/vim25/{}/{}/{}/{}",
            encode_segment(&self.release),
            encode_segment(&mo.kind),
            encode_segment(&mo.value),
            tail
        )
    }

    fn content_ref(&self) -> Result<&ServiceContent, ApiError> {
        self.content.as_ref().ok_or(ApiError::NoServiceContent)
    }

    fn session_manager(&self) -> Result<MoRef, ApiError> {
        self.content_ref()?.session_manager.clone().ok_or(ApiError::NoServiceContent)
    }

    fn call(&self, mo: &MoRef, method: &str, body: Option<Value>) -> Result<HttpRequest, ApiError> {
        let session = Some(self.session.clone().ok_or(ApiError::NoSession)?);
        Ok(HttpRequest {
            method: Method::Post,
            path: self.path(mo, method),
            session,
            headers: Vec::new(),
            body: body.map(|b| b.to_string()),
        })
    }

    // --- ServiceInstance ---------------------------------------------------------

    /// `GET ServiceInstance/ServiceInstance/content`: needs no session.
    pub fn content_request(&self) -> HttpRequest {
        HttpRequest {
            method: Method::Get,
            path: self.path(&MoRef::new("ServiceInstance", "ServiceInstance"), "content"),
            session: None,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn parse_content(&mut self, resp: &HttpResponse) -> Result<&ServiceContent, ApiError> {
        let content: ServiceContent = decode(resp)?;
        Ok(self.content.insert(content))
    }

    // --- SessionManager ----------------------------------------------------------

    /// `Login(userName, password, locale)`.
    pub fn login_request(&self, user: &str, password: &Secret, locale: Option<&str>) -> Result<HttpRequest, ApiError> {
        let mut body = json!({"userName": user, "password": password.expose()});
        if let Some(l) = locale {
            body["locale"] = json!(l);
        }
        Ok(HttpRequest {
            method: Method::Post,
            path: self.path(&self.session_manager()?, "Login"),
            session: None,
            headers: Vec::new(),
            body: Some(body.to_string()),
        })
    }

    /// Reads the `UserSession` and keeps the `vmware-api-session-id` header.
    pub fn parse_login(&mut self, resp: &HttpResponse) -> Result<UserSession, ApiError> {
        let session: UserSession = decode(resp)?;
        let id = resp
            .session
            .clone()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::Decode("login answered without a vmware-api-session-id header".into()))?;
        self.session = Some(id);
        Ok(session)
    }

    /// `Logout`: the session is forgotten whatever the answer.
    pub fn logout_request(&mut self) -> Result<HttpRequest, ApiError> {
        let req = self.call(&self.session_manager()?, "Logout", None);
        self.session = None;
        req
    }

    // --- Inventory ---------------------------------------------------------------

    /// `CreateContainerView` over the root folder for VMs and the hosts they run on.
    pub fn create_vm_view_request(&self) -> Result<HttpRequest, ApiError> {
        let content = self.content_ref()?;
        let view_manager = content.view_manager.clone().ok_or(ApiError::NoServiceContent)?;
        self.call(
            &view_manager,
            "CreateContainerView",
            Some(json!({
                "container": content.root_folder,
                "type": ["VirtualMachine", "HostSystem"],
                "recursive": true
            })),
        )
    }

    pub fn parse_moref(&self, resp: &HttpResponse) -> Result<MoRef, ApiError> {
        decode(resp)
    }

    /// `RetrievePropertiesEx` over a container view: VM name, power state, host, guest OS;
    /// host names, so the list can say where each VM runs.
    pub fn retrieve_vms_request(&self, view: &MoRef) -> Result<HttpRequest, ApiError> {
        let pc = self.content_ref()?.property_collector.clone();
        self.call(
            &pc,
            "RetrievePropertiesEx",
            Some(json!({
                "specSet": [{
                    "_typeName": "PropertyFilterSpec",
                    "propSet": [
                        {"_typeName": "PropertySpec", "type": "VirtualMachine",
                         "pathSet": super::inventory::VM_PROPERTIES},
                        {"_typeName": "PropertySpec", "type": "HostSystem", "pathSet": ["name"]}
                    ],
                    "objectSet": [{
                        "_typeName": "ObjectSpec",
                        "obj": view,
                        "skip": true,
                        "selectSet": [{"_typeName": "TraversalSpec", "type": "ContainerView", "path": "view", "skip": false}]
                    }]
                }],
                "options": {"_typeName": "RetrieveOptions", "maxObjects": PAGE_SIZE}
            })),
        )
    }

    /// `ContinueRetrievePropertiesEx` with the token of the previous page.
    pub fn continue_retrieve_request(&self, token: &str) -> Result<HttpRequest, ApiError> {
        let pc = self.content_ref()?.property_collector.clone();
        self.call(&pc, "ContinueRetrievePropertiesEx", Some(json!({ "token": token })))
    }

    pub fn parse_retrieve_result(&self, resp: &HttpResponse) -> Result<RetrieveResult, ApiError> {
        // An empty result may come back as 200 with no body.
        if resp.status == 204 || (resp.status == 200 && resp.body.trim().is_empty()) {
            return Ok(RetrieveResult::default());
        }
        decode(resp)
    }

    /// `DestroyView` once the list is read.
    pub fn destroy_view_request(&self, view: &MoRef) -> Result<HttpRequest, ApiError> {
        self.call(view, "DestroyView", None)
    }

    // --- VirtualMachine ----------------------------------------------------------

    /// `AcquireTicket {"ticketType":"webmks"}`.
    pub fn acquire_webmks_ticket_request(&self, vm: &MoRef) -> Result<HttpRequest, ApiError> {
        self.call(vm, "AcquireTicket", Some(json!({"ticketType": "webmks"})))
    }

    pub fn parse_ticket(&mut self, resp: &HttpResponse) -> Result<VirtualMachineTicket, ApiError> {
        decode(resp)
    }

    /// Checks a void answer (204 or an empty 200).
    pub fn parse_void(&self, resp: &HttpResponse) -> Result<(), ApiError> {
        check_status(resp)
    }
}

/// Percent-encodes one path segment (moIds like `session[52b4…]52c5…` contain brackets).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Fails on anything but success, decoding a fault where there is one.
fn check_status(resp: &HttpResponse) -> Result<(), ApiError> {
    match resp.status {
        200..=299 => Ok(()),
        _ => Err(error_for(resp)),
    }
}

fn error_for(resp: &HttpResponse) -> ApiError {
    if resp.is_json() || resp.body.trim_start().starts_with('{') {
        if let Ok(v) = serde_json::from_str::<Value>(&resp.body) {
            if let Some(f) = Fault::from_json(&v) {
                return ApiError::Fault(f);
            }
        }
    }
    let html = resp.body.trim_start().starts_with('<')
        || resp.content_type.as_deref().is_some_and(|c| c.contains("html"));
    ApiError::UnexpectedStatus { status: resp.status, html }
}

/// Decodes a successful JSON answer into `T`, or the fault / status error.
pub fn decode<T: DeserializeOwned>(resp: &HttpResponse) -> Result<T, ApiError> {
    check_status(resp)?;
    serde_json::from_str(&resp.body).map_err(|e| ApiError::Decode(format!("{} at line {} column {}", classify(&e), e.line(), e.column())))
}

fn classify(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "i/o error",
        serde_json::error::Category::Syntax => "not json",
        serde_json::error::Category::Data => "unexpected json shape",
        serde_json::error::Category::Eof => "truncated json",
    }
}
