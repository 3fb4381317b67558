//! VI/JSON faults: HTTP 500 with a JSON `MethodFault` whose `_typeName` names the fault.
//!
//! Shape (Broadcom's VimFault page, govmomi's JSON client): `_typeName`, `faultCause`,
//! `faultMessage[]`, an optional `faultstring`, plus the fields of the fault type
//! (e.g. `privilegeId` on NoPermission).

use serde_json::Value;

/// The faults the app tells apart; anything else keeps its type name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    InvalidLogin,
    /// `privilege` is the missing privilege when the server names it.
    NoPermission {
        privilege: Option<String>,
    },
    InvalidState,
    /// A power operation that does not fit the VM's power state; `existing` is that state.
    InvalidPowerState {
        existing: Option<String>,
    },
    NotAuthenticated,
    InvalidLocale,
    NotSupported,
    InvalidArgument {
        property: Option<String>,
    },
    InvalidRequest,
    NotFound,
    ManagedObjectNotFound,
    /// `LoginBySSPI` needs another round: the next token to pass to SSPI.
    SspiChallenge {
        token: crate::api::Secret,
    },
    /// An extension login without a TLS client certificate.
    NoClientCertificate,
    /// A property the object does not have.
    InvalidProperty {
        name: Option<String>,
    },
    Other(String),
}

/// A decoded fault: its kind and the server's own words, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    /// `faultstring`, or the first `faultMessage[].message`.
    pub server_message: Option<String>,
}

impl Fault {
    /// Decodes a fault body; `None` when it is not a `_typeName`d object.
    pub fn from_json(v: &Value) -> Option<Fault> {
        let obj = v.as_object()?;
        let type_name = obj.get("_typeName")?.as_str()?;
        let field = |name: &str| obj.get(name).and_then(Value::as_str).map(str::to_owned);
        let kind = match type_name {
            "InvalidLogin" => FaultKind::InvalidLogin,
            "NoPermission" => FaultKind::NoPermission {
                privilege: field("privilegeId").or_else(|| first_missing_privilege(obj.get("missingPrivileges"))),
            },
            "InvalidState" => FaultKind::InvalidState,
            "InvalidPowerState" => FaultKind::InvalidPowerState { existing: field("existingState") },
            "NotAuthenticated" => FaultKind::NotAuthenticated,
            "InvalidLocale" => FaultKind::InvalidLocale,
            "NotSupported" => FaultKind::NotSupported,
            "InvalidArgument" => FaultKind::InvalidArgument { property: field("invalidProperty") },
            "InvalidRequest" => FaultKind::InvalidRequest,
            "NotFound" => FaultKind::NotFound,
            "ManagedObjectNotFound" => FaultKind::ManagedObjectNotFound,
            "SSPIChallenge" => FaultKind::SspiChallenge { token: crate::api::Secret::new(field("base64Token").unwrap_or_default()) },
            "NoClientCertificate" => FaultKind::NoClientCertificate,
            "InvalidProperty" => FaultKind::InvalidProperty { name: field("name") },
            other => FaultKind::Other(other.to_owned()),
        };
        let server_message = field("faultstring").or_else(|| {
            obj.get("faultMessage")?.as_array()?.iter().find_map(|m| m.get("message").and_then(Value::as_str).map(str::to_owned))
        });
        Some(Fault { kind, server_message })
    }

    /// What the person should read: what happened and what to do.
    pub fn sentence(&self) -> String {
        match &self.kind {
            FaultKind::InvalidLogin => "The user name or password is not correct. Check them and log in again.".into(),
            FaultKind::NoPermission { privilege: Some(p) } => {
                format!("You do not have permission for this: it needs the privilege {p}. Ask your vSphere administrator to grant it.")
            }
            FaultKind::NoPermission { privilege: None } => {
                "You do not have permission for this. Ask your vSphere administrator to grant it.".into()
            }
            FaultKind::InvalidState => {
                "The virtual machine is not in a state that allows this (it may be powered off or suspended). Power it on and try again."
                    .into()
            }
            FaultKind::InvalidPowerState { existing: Some(state) } if state == "poweredOn" => {
                "The virtual machine is already powered on.".into()
            }
            FaultKind::InvalidPowerState { .. } => {
                "The virtual machine's power state does not allow this now. Refresh the list and try again.".into()
            }
            FaultKind::NotAuthenticated => "Your session has ended. Log in again to continue.".into(),
            FaultKind::InvalidLocale => "The server does not support the chosen language. Pick another one.".into(),
            FaultKind::NotSupported => "This server does not support that operation.".into(),
            FaultKind::InvalidArgument { property: Some(p) } => {
                format!("The server rejected the value of {p}. Check it and try again.")
            }
            FaultKind::InvalidArgument { property: None } => "The server rejected a value in the request. Check it and try again.".into(),
            FaultKind::InvalidRequest => "The server refused this request from this client.".into(),
            FaultKind::NotFound => "The server could not find what was asked for.".into(),
            FaultKind::ManagedObjectNotFound => "That object no longer exists on the server. Reload the list and try again.".into(),
            FaultKind::SspiChallenge { .. } => "Windows sign-in needs another round, and the page did not continue it. Try again.".into(),
            FaultKind::NoClientCertificate => {
                "This login needs a client certificate, which a browser page cannot present. Use another way to log in.".into()
            }
            FaultKind::InvalidProperty { name: Some(n) } => format!("The server has no property {n} on that object."),
            FaultKind::InvalidProperty { name: None } => "The server has no such property on that object.".into(),
            FaultKind::Other(name) => format!("The server reported a fault ({name}). Try again, or ask your administrator."),
        }
    }
}

fn first_missing_privilege(v: Option<&Value>) -> Option<String> {
    v?.as_array()?.iter().find_map(|entry| entry.get("privileges")?.as_array()?.first()?.as_str().map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_govmomi_invalid_login_fixture() {
        let f = Fault::from_json(
            &json!({"_typeName":"InvalidLogin","faultstring":"Cannot complete login due to an incorrect user name or password."}),
        )
        .unwrap();
        assert_eq!(f.kind, FaultKind::InvalidLogin);
        assert!(f.server_message.unwrap().contains("incorrect"));
    }

    #[test]
    fn no_permission_names_the_privilege() {
        let f = Fault::from_json(&json!({"_typeName":"NoPermission","privilegeId":"VirtualMachine.Interact.ConsoleInteract",
            "object":{"_typeName":"ManagedObjectReference","type":"VirtualMachine","value":"vm-1"}}))
        .unwrap();
        assert!(f.sentence().contains("VirtualMachine.Interact.ConsoleInteract"));
    }

    #[test]
    fn message_from_fault_message_array() {
        let f = Fault::from_json(&json!({"_typeName":"InvalidState","faultCause":null,
            "faultMessage":[{"_typeName":"LocalizableMessage","key":"k","message":"The VM is off."}]}))
        .unwrap();
        assert_eq!(f.kind, FaultKind::InvalidState);
        assert_eq!(f.server_message.as_deref(), Some("The VM is off."));
    }

    #[test]
    fn not_a_fault() {
        assert!(Fault::from_json(&json!("text")).is_none());
        assert!(Fault::from_json(&json!({"x":1})).is_none());
    }
}
