//! The VI/JSON client: one `*_request` builder and one `parse_*` function per call.
//!
//! Paths follow `/sdk/vim25/{release}/{MoType}/{moId}/{method-or-property}`; moIds come
//! from `ServiceContent`, never from constants.

use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::error::ApiError;
use super::fault::{Fault, FaultKind};
use super::http::{HttpRequest, HttpResponse, Method};
use super::wire::{MoRef, ServiceContent, UserSession};
use crate::secret::{Secret, SessionId};

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
    /// The session was made by this client (a login), not handed in by a host page: only
    /// then is it this client's to log out when the page goes.
    owned: bool,
}

impl ViClient {
    pub fn new(release: impl Into<String>) -> Self {
        ViClient { release: release.into(), content: None, session: None, owned: false }
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

    /// Adopts a session id handed in by a host page; check it with `current_session_request`.
    /// It stays the host's: [`owns_session`](Self::owns_session) is false.
    pub fn adopt_session(&mut self, id: SessionId) {
        self.session = Some(id);
        self.owned = false;
    }

    /// The session is this client's own (it logged in), so its to end when the page goes.
    pub fn owns_session(&self) -> bool {
        self.session.is_some() && self.owned
    }

    /// Moves to another release path segment (the server's own, once known).
    pub fn set_release(&mut self, release: &str) {
        self.release = release.to_owned();
    }

    pub(super) fn get_property(&self, mo: &MoRef, property: &str, with_session: bool) -> Result<HttpRequest, ApiError> {
        let session = if with_session { Some(self.session.clone().ok_or(ApiError::NoSession)?) } else { self.session.clone() };
        Ok(HttpRequest { method: Method::Get, path: self.path(mo, property), session, headers: Vec::new(), body: None })
    }

    pub(super) fn path(&self, mo: &MoRef, tail: &str) -> String {
        format!("/sdk/vim25/{}/{}/{}/{}", encode_segment(&self.release), encode_segment(&mo.kind), encode_segment(&mo.value), tail)
    }

    pub(super) fn content_ref(&self) -> Result<&ServiceContent, ApiError> {
        self.content.as_ref().ok_or(ApiError::NoServiceContent)
    }

    pub(super) fn session_manager(&self) -> Result<MoRef, ApiError> {
        self.content_ref()?.session_manager.clone().ok_or(ApiError::NoServiceContent)
    }

    /// A SessionManager method that needs no session (the ways in).
    pub(super) fn anonymous_call(&self, method: &str, body: Value) -> Result<HttpRequest, ApiError> {
        Ok(HttpRequest {
            method: Method::Post,
            path: self.path(&self.session_manager()?, method),
            session: None,
            headers: Vec::new(),
            body: Some(body.to_string()),
        })
    }

    pub(super) fn call(&self, mo: &MoRef, method: &str, body: Option<Value>) -> Result<HttpRequest, ApiError> {
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
        self.anonymous_call("Login", body)
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
        self.owned = true;
        Ok(session)
    }

    /// `LoginByToken(locale)`: the SAML token travels in a header. VI/JSON documents no
    /// transport for it ("provided in a transport specific way"), so the header name and
    /// value form come from config; `{token}` in the template is replaced.
    pub fn login_by_token_request(
        &self,
        token: &Secret,
        header: &str,
        template: &str,
        locale: Option<&str>,
    ) -> Result<HttpRequest, ApiError> {
        let mut body = json!({});
        if let Some(l) = locale {
            body["locale"] = json!(l);
        }
        let mut req = self.anonymous_call("LoginByToken", body)?;
        req.headers.push((header.to_owned(), Secret::new(template.replace("{token}", token.expose()))));
        Ok(req)
    }

    /// `CloneSession(cloneTicket)`: a session from a ticket a host page's backend acquired.
    pub fn clone_session_request(&self, clone_ticket: &Secret) -> Result<HttpRequest, ApiError> {
        self.anonymous_call("CloneSession", json!({"cloneTicket": clone_ticket.expose()}))
    }

    /// `AcquireCloneTicket`: a one-time ticket to clone this session elsewhere.
    pub fn acquire_clone_ticket_request(&self) -> Result<HttpRequest, ApiError> {
        self.call(&self.session_manager()?, "AcquireCloneTicket", None)
    }

    pub fn parse_secret_string(&self, resp: &HttpResponse) -> Result<Secret, ApiError> {
        decode::<String>(resp).map(Secret::new)
    }

    /// `GET SessionManager/currentSession`: resumes or checks a session; `null` when gone.
    pub fn current_session_request(&self) -> Result<HttpRequest, ApiError> {
        self.get_property(&self.session_manager()?, "currentSession", true)
    }

    pub fn parse_current_session(&mut self, resp: &HttpResponse) -> Result<Option<UserSession>, ApiError> {
        let s: Option<UserSession> = decode(resp)?;
        if s.is_none() {
            self.session = None;
        }
        Ok(s)
    }

    /// `SessionIsActive(sessionID, userName)`. `sessionID` is the session's
    /// `UserSession.key` (as `currentSession` and `sessionList` show it), never the
    /// `vmware-api-session-id` the session authenticates with.
    pub fn session_is_active_request(&self, session_key: &Secret, user: &str) -> Result<HttpRequest, ApiError> {
        self.call(&self.session_manager()?, "SessionIsActive", Some(json!({"sessionID": session_key.expose(), "userName": user})))
    }

    /// `LoginBySSPI(base64Token, locale)`. A browser has no SSPI of its own: the token comes
    /// from the host page. The answer is a session ([`parse_login`](Self::parse_login)),
    /// or `SSPIChallenge` with the next token to hand back ([`sspi_challenge`]).
    pub fn login_by_sspi_request(&self, base64_token: &Secret, locale: Option<&str>) -> Result<HttpRequest, ApiError> {
        let mut body = json!({"base64Token": base64_token.expose()});
        if let Some(l) = locale {
            body["locale"] = json!(l);
        }
        self.anonymous_call("LoginBySSPI", body)
    }

    /// `LoginExtensionBySubjectName(extensionKey, locale)`: needs the extension's TLS client
    /// certificate, which a browser page cannot present for the API's origin.
    pub fn login_extension_by_subject_name_request(&self, extension_key: &str, locale: Option<&str>) -> Result<HttpRequest, ApiError> {
        self.anonymous_call("LoginExtensionBySubjectName", with_locale(json!({"extensionKey": extension_key}), locale))
    }

    /// `LoginExtensionByCertificate(extensionKey, locale)`: the same, by certificate.
    pub fn login_extension_by_certificate_request(&self, extension_key: &str, locale: Option<&str>) -> Result<HttpRequest, ApiError> {
        self.anonymous_call("LoginExtensionByCertificate", with_locale(json!({"extensionKey": extension_key}), locale))
    }

    /// `ImpersonateUser(userName, locale)`: this session takes on another user's
    /// identity (needs `Sessions.ImpersonateUser`; the user must have a live session).
    /// The answer is a `UserSession`; the session id does not change.
    pub fn impersonate_user_request(&self, user: &str, locale: Option<&str>) -> Result<HttpRequest, ApiError> {
        self.call(&self.session_manager()?, "ImpersonateUser", Some(with_locale(json!({"userName": user}), locale)))
    }

    pub fn parse_user_session(&self, resp: &HttpResponse) -> Result<UserSession, ApiError> {
        decode(resp)
    }

    /// `GET SessionManager/sessionList` (needs `Sessions.TerminateSession`).
    pub fn session_list_request(&self) -> Result<HttpRequest, ApiError> {
        self.get_property(&self.session_manager()?, "sessionList", false)
    }

    pub fn parse_session_list(&self, resp: &HttpResponse) -> Result<Vec<UserSession>, ApiError> {
        decode::<Option<Vec<UserSession>>>(resp).map(Option::unwrap_or_default)
    }

    pub fn parse_bool(&self, resp: &HttpResponse) -> Result<bool, ApiError> {
        decode(resp)
    }

    /// `SetLocale(locale)`.
    pub fn set_locale_request(&self, locale: &str) -> Result<HttpRequest, ApiError> {
        self.call(&self.session_manager()?, "SetLocale", Some(json!({"locale": locale})))
    }

    /// `GET SessionManager/supportedLocaleList`, `defaultLocale` (anonymous) or `message` (needs a session).
    pub fn session_manager_property_request(&self, property: SessionManagerProperty) -> Result<HttpRequest, ApiError> {
        let needs_session = property == SessionManagerProperty::Message;
        self.get_property(&self.session_manager()?, property.as_str(), needs_session)
    }

    pub fn parse_string_list(&self, resp: &HttpResponse) -> Result<Vec<String>, ApiError> {
        let v: Option<Vec<String>> = decode(resp)?;
        Ok(v.unwrap_or_default())
    }

    pub fn parse_optional_string(&self, resp: &HttpResponse) -> Result<Option<String>, ApiError> {
        decode(resp)
    }

    /// `AcquireLocalTicket(userName)`: only for clients on the server itself.
    pub fn acquire_local_ticket_request(&self, user: &str) -> Result<HttpRequest, ApiError> {
        Ok(HttpRequest {
            method: Method::Post,
            path: self.path(&self.session_manager()?, "AcquireLocalTicket"),
            session: self.session.clone(),
            headers: Vec::new(),
            body: Some(json!({"userName": user}).to_string()),
        })
    }

    pub fn parse_local_ticket(&self, resp: &HttpResponse) -> Result<super::wire::LocalTicket, ApiError> {
        decode(resp)
    }

    /// `AcquireGenericServiceTicket(spec)` for an HTTP request on a service.
    pub fn acquire_generic_service_ticket_request(&self, method: &str, url: &str) -> Result<HttpRequest, ApiError> {
        self.call(
            &self.session_manager()?,
            "AcquireGenericServiceTicket",
            Some(json!({"spec": {"_typeName": "SessionManagerHttpServiceRequestSpec", "method": method, "url": url}})),
        )
    }

    pub fn parse_generic_service_ticket(&self, resp: &HttpResponse) -> Result<super::wire::GenericServiceTicket, ApiError> {
        decode(resp)
    }

    /// `TerminateSession(sessionId[])`: sessions by `UserSession.key`, as `sessionList`
    /// shows them (a client never knows other sessions' tokens).
    pub fn terminate_session_request(&self, keys: &[Secret]) -> Result<HttpRequest, ApiError> {
        let ids: Vec<&str> = keys.iter().map(Secret::expose).collect();
        self.call(&self.session_manager()?, "TerminateSession", Some(json!({"sessionId": ids})))
    }

    /// `POST /api/vcenter/system?action=hello` (vSphere API 8.0.2.0+): the newest release both know.
    pub fn hello_request(&self, releases: &[&str]) -> HttpRequest {
        HttpRequest {
            method: Method::Post,
            path: "/api/vcenter/system?action=hello".into(),
            session: None,
            headers: Vec::new(),
            body: Some(json!({"api_releases": releases}).to_string()),
        }
    }

    /// The release to use after hello: the server's pick, or `about.apiVersion` when hello is
    /// missing (before 8.0.2.0) and that release is one we know.
    pub fn choose_release(&mut self, hello: Option<&HttpResponse>, known: &[&str]) -> String {
        let picked = hello
            .filter(|r| r.status == 200)
            .and_then(|r| serde_json::from_str::<Value>(&r.body).ok())
            .and_then(|v| v.get("api_release").and_then(Value::as_str).map(str::to_owned))
            .filter(|r| !r.is_empty());
        let about = self.content.as_ref().map(|c| c.about.api_version.clone()).filter(|v| known.contains(&v.as_str()));
        if let Some(r) = picked.or(about) {
            self.release = r;
        }
        self.release.clone()
    }

    /// `Logout`: the session is forgotten whatever the answer.
    pub fn logout_request(&mut self) -> Result<HttpRequest, ApiError> {
        let req = self.call(&self.session_manager()?, "Logout", None);
        self.session = None;
        req
    }
}

/// Releases this client knows, newest first (the VI/JSON spec's enum from 8.0.1.0 on).
pub const KNOWN_RELEASES: [&str; 7] = ["9.1.1.0", "9.1.0.0", "9.0.0.0", "8.0.3.0", "8.0.2.0", "8.0.1.0", "8.0.0.2"];

/// SessionManager properties the app reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionManagerProperty {
    SupportedLocaleList,
    DefaultLocale,
    Message,
}

impl SessionManagerProperty {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionManagerProperty::SupportedLocaleList => "supportedLocaleList",
            SessionManagerProperty::DefaultLocale => "defaultLocale",
            SessionManagerProperty::Message => "message",
        }
    }
}

fn with_locale(mut body: Value, locale: Option<&str>) -> Value {
    if let Some(l) = locale {
        body["locale"] = json!(l);
    }
    body
}

/// The next SSPI token when a `LoginBySSPI` answer is the `SSPIChallenge` fault.
pub fn sspi_challenge(err: &ApiError) -> Option<&Secret> {
    match err {
        ApiError::Fault(Fault { kind: FaultKind::SspiChallenge { token }, .. }) => Some(token),
        _ => None,
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
pub(super) fn check_status(resp: &HttpResponse) -> Result<(), ApiError> {
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
    let html = resp.body.trim_start().starts_with('<') || resp.content_type.as_deref().is_some_and(|c| c.contains("html"));
    ApiError::UnexpectedStatus { status: resp.status, html }
}

/// Decodes a successful JSON answer into `T`, or the fault / status error.
/// An empty body (204, how VI/JSON sends an unset property) reads as `null`, so an
/// `Option` target becomes `None`.
pub fn decode<T: DeserializeOwned>(resp: &HttpResponse) -> Result<T, ApiError> {
    check_status(resp)?;
    let body = if resp.body.trim().is_empty() { "null" } else { resp.body.as_str() };
    serde_json::from_str(body).map_err(|e| decode_error(&e))
}

/// A decode failure without serde's message: that message quotes the offending value,
/// which can be a ticket URL or a session id.
pub fn decode_error(e: &serde_json::Error) -> ApiError {
    ApiError::Decode(format!("{} at line {} column {}", classify(e), e.line(), e.column()))
}

fn classify(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "i/o error",
        serde_json::error::Category::Syntax => "not json",
        serde_json::error::Category::Data => "unexpected json shape",
        serde_json::error::Category::Eof => "truncated json",
    }
}
