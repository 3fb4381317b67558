//! A ticket as a host page hands it in: a `VirtualMachineTicket` exactly as VI/JSON
//! returned it, or the Automation REST console ticket `{"ticket": "wss://…"}`.

use serde_json::Value;

use crate::api::rest::ticket_from_rest_url;
use crate::api::wire::VirtualMachineTicket;
use crate::secret::Secret;

/// Reads either shape. The error names the problem, never the value.
pub fn ticket_from_json(v: Value) -> Result<VirtualMachineTicket, String> {
    // The REST shape: its `ticket` is the whole websocket URL (or a bare string of it).
    let rest_url = match &v {
        Value::String(s) if s.contains("://") => Some(s.clone()),
        Value::Object(o) if o.len() <= 2 => match o.get("ticket") {
            Some(Value::String(s)) if s.contains("://") => Some(s.clone()),
            _ => None,
        },
        _ => None,
    };
    if let Some(url) = rest_url {
        return Ok(ticket_from_rest_url(Secret::new(url)));
    }
    serde_json::from_value(v).map_err(|_| "the ticket is neither a VirtualMachineTicket nor a REST console ticket".to_owned())
}
