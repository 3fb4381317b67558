//! The vSphere Automation REST API path for vCenter 7.x (no VI/JSON before 8.0U1):
//! `POST /api/session` (Basic auth), `GET /api/vcenter/vm`, `POST
//! /api/vcenter/vm/{vm}/console/tickets {"type":"WEBMKS"}`, `DELETE /api/session`.
//! Same outputs as the VI/JSON client, so the UI does not care which is in use.

use serde::Deserialize;
use serde_json::{json, Value};

use super::error::ApiError;
use super::fault::{Fault, FaultKind};
use super::http::{HttpRequest, HttpResponse, Method};
use super::inventory::{PowerState, VmSummary};
use super::wire::{MoRef, VirtualMachineTicket};
use crate::secret::{Secret, SessionId};

#[derive(Clone, Debug, Default)]
pub struct RestClient {
    session: Option<SessionId>,
}

#[derive(Deserialize)]
struct RestVm {
    vm: String,
    name: String,
    #[serde(default)]
    power_state: String,
}

#[derive(Deserialize)]
struct RestTicket {
    ticket: Secret,
}

impl RestClient {
    pub fn is_logged_in(&self) -> bool {
        self.session.is_some()
    }

    pub fn forget_session(&mut self) {
        self.session = None;
    }

    fn authed(&self, method: Method, path: String, body: Option<Value>) -> Result<HttpRequest, ApiError> {
        Ok(HttpRequest {
            method,
            path,
            session: Some(self.session.clone().ok_or(ApiError::NoSession)?),
            headers: Vec::new(),
            body: body.map(|b| b.to_string()),
        })
    }

    /// `POST /api/session` with `Authorization: Basic`.
    pub fn login_request(&self, user: &str, password: &Secret) -> HttpRequest {
        let basic = crate::base64::encode(format!("{user}:{}", password.expose()).as_bytes());
        HttpRequest {
            method: Method::Post,
            path: "/api/session".into(),
            session: None,
            headers: vec![("Authorization".into(), Secret::new(format!("Basic {basic}")))],
            body: None,
        }
    }

    /// The answer is the session token as a JSON string.
    pub fn parse_login(&mut self, resp: &HttpResponse) -> Result<(), ApiError> {
        let token: String = decode(resp)?;
        self.session = Some(Secret::new(token));
        Ok(())
    }

    pub fn logout_request(&mut self) -> Result<HttpRequest, ApiError> {
        let r = self.authed(Method::Delete, "/api/session".into(), None);
        self.session = None;
        r
    }

    pub fn list_vms_request(&self) -> Result<HttpRequest, ApiError> {
        self.authed(Method::Get, "/api/vcenter/vm".into(), None)
    }

    pub fn parse_vms(&self, resp: &HttpResponse) -> Result<Vec<VmSummary>, ApiError> {
        let vms: Vec<RestVm> = decode(resp)?;
        let mut out: Vec<VmSummary> = vms
            .into_iter()
            .map(|v| VmSummary {
                vm: MoRef::new("VirtualMachine", &v.vm),
                name: v.name,
                power: match v.power_state.as_str() {
                    "POWERED_ON" => PowerState::PoweredOn,
                    "POWERED_OFF" => PowerState::PoweredOff,
                    "SUSPENDED" => PowerState::Suspended,
                    _ => PowerState::Unknown,
                },
                host: None,
                host_name: None,
                guest_os: None,
            })
            .collect();
        out.sort_by_key(|a| a.name.to_lowercase());
        Ok(out)
    }

    pub fn console_ticket_request(&self, vm: &MoRef) -> Result<HttpRequest, ApiError> {
        let path = format!("/api/vcenter/vm/{}/console/tickets", super::client::encode_segment(&vm.value));
        self.authed(Method::Post, path, Some(json!({"type": "WEBMKS"})))
    }

    /// `{"ticket": "wss://esx:443/ticket/<t>"}` as a `VirtualMachineTicket` with host, port
    /// and url, so the same policy checks it.
    pub fn parse_console_ticket(&self, resp: &HttpResponse) -> Result<VirtualMachineTicket, ApiError> {
        let t: RestTicket = decode(resp)?;
        Ok(ticket_from_rest_url(t.ticket))
    }
}

/// The REST console ticket's URL as a `VirtualMachineTicket` (host, port, url and the
/// last path segment as the ticket), so one policy checks both flavours.
pub fn ticket_from_rest_url(url: Secret) -> VirtualMachineTicket {
    let uri = url.expose();
    let rest = uri.split_once("://").map(|(_, r)| r).unwrap_or("");
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            (h.trim_start_matches('[').trim_end_matches(']').to_owned(), p.parse().ok())
        }
        _ => (authority.to_owned(), None),
    };
    let secret = path.rsplit('/').next().unwrap_or("").to_owned();
    VirtualMachineTicket {
        ticket: Secret::new(secret),
        cfg_file: String::new(),
        host: (!host.is_empty()).then_some(host),
        port,
        ssl_thumbprint: None,
        cert_thumbprint_list: Vec::new(),
        ssl_certificate: None,
        url: Some(url),
    }
}

/// REST errors: `{"error_type": "UNAUTHENTICATED", "messages": [{"default_message": …}]}`.
fn decode<T: serde::de::DeserializeOwned>(resp: &HttpResponse) -> Result<T, ApiError> {
    if (200..300).contains(&resp.status) {
        return serde_json::from_str(&resp.body).map_err(|e| super::client::decode_error(&e));
    }
    if let Ok(v) = serde_json::from_str::<Value>(&resp.body) {
        if let Some(kind) = v.get("error_type").and_then(Value::as_str) {
            let kind = match kind {
                "UNAUTHENTICATED" => FaultKind::NotAuthenticated,
                "UNAUTHORIZED" => FaultKind::NoPermission { privilege: None },
                "NOT_ALLOWED_IN_CURRENT_STATE" => FaultKind::InvalidState,
                "NOT_FOUND" => FaultKind::NotFound,
                "INVALID_ARGUMENT" => FaultKind::InvalidArgument { property: None },
                "UNSUPPORTED" => FaultKind::NotSupported,
                other => FaultKind::Other(other.to_owned()),
            };
            let kind = if resp.status == 401 && kind == FaultKind::NotAuthenticated && v.get("messages").is_none() {
                FaultKind::InvalidLogin
            } else {
                kind
            };
            let server_message = v["messages"][0]["default_message"].as_str().map(str::to_owned);
            return Err(ApiError::Fault(Fault { kind, server_message }));
        }
    }
    super::client::decode::<T>(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_answer_never_quotes_the_ticket() {
        let c = RestClient::default();
        let resp = HttpResponse {
            status: 201,
            content_type: Some("application/json".into()),
            session: None,
            body: r#""wss://esx01.example.com/ticket/SECRET-0123456789""#.into(),
        };
        let err = c.parse_console_ticket(&resp).unwrap_err();
        let text = format!("{err} {err:?} {}", err.sentence());
        assert!(!text.contains("SECRET-0123456789"), "{text}");
    }

    #[test]
    fn rest_ticket_becomes_a_virtual_machine_ticket() {
        let c = RestClient::default();
        let r = HttpResponse {
            status: 201,
            content_type: None,
            session: None,
            body: r#"{"ticket":"wss://esx01.example.com:443/ticket/abcdef0123456789"}"#.into(),
        };
        let t = c.parse_console_ticket(&r).unwrap();
        assert_eq!(t.host.as_deref(), Some("esx01.example.com"));
        assert_eq!(t.port, Some(443));
        assert_eq!(t.ticket.expose(), "abcdef0123456789");
    }

    #[test]
    fn rest_errors_are_faults() {
        let c = RestClient::default();
        let r = HttpResponse {
            status: 400,
            content_type: None,
            session: None,
            body: r#"{"error_type":"NOT_ALLOWED_IN_CURRENT_STATE","messages":[{"default_message":"VM is off","id":"x"}]}"#.into(),
        };
        match c.parse_console_ticket(&r) {
            Err(ApiError::Fault(f)) => assert_eq!(f.kind, FaultKind::InvalidState),
            other => panic!("{other:?}"),
        }
    }
}
