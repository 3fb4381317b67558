//! VI/JSON wire types, as the vSphere Web Services API reference documents them
//! (`docs/protocol.md`, section 1, has what this code relies on).
//!
//! Decoding tolerates unknown fields (newer releases add them) and `_typeName` in any
//! position; encoding adds `_typeName` to every data object we send, as the VMware
//! programming guide recommends for polymorphic positions.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::secret::Secret;

/// `ManagedObjectReference`: `{"_typeName":"ManagedObjectReference","type":"Folder","value":"group-d1"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
pub struct MoRef {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

impl MoRef {
    pub fn new(kind: &str, value: &str) -> Self {
        MoRef { kind: kind.to_owned(), value: value.to_owned() }
    }
}

impl Serialize for MoRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ManagedObjectReference", 3)?;
        st.serialize_field("_typeName", "ManagedObjectReference")?;
        st.serialize_field("type", &self.kind)?;
        st.serialize_field("value", &self.value)?;
        st.end()
    }
}

/// `AboutInfo`, the part we use.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AboutInfo {
    pub name: String,
    pub full_name: String,
    pub version: String,
    pub build: String,
    pub api_type: String,
    pub api_version: String,
    pub instance_uuid: Option<String>,
}

/// `ServiceContent`: where every singleton's moId comes from (never hard-coded).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceContent {
    pub root_folder: MoRef,
    pub property_collector: MoRef,
    pub view_manager: Option<MoRef>,
    pub session_manager: Option<MoRef>,
    #[serde(default)]
    pub about: AboutInfo,
}

/// `UserSession`, returned by Login, CloneSession, LoginByToken and `currentSession`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserSession {
    /// The session key: what `SessionIsActive` and `TerminateSession` name a session by.
    /// Not the `vmware-api-session-id`, but still not for display.
    pub key: Secret,
    pub user_name: String,
    pub full_name: String,
    pub login_time: String,
    pub last_active_time: String,
    pub locale: String,
    pub message_locale: String,
    pub extension_session: Option<bool>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub call_count: Option<i64>,
}

/// One entry of `VirtualMachineTicket.certThumbprintList` (since 7.0.3.1).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertThumbprint {
    pub thumbprint: String,
    #[serde(default)]
    pub hash_algorithm: Option<String>,
}

/// `VirtualMachineTicket`: every documented field, unknown ones ignored.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualMachineTicket {
    /// The one-time credential. A bearer secret: see [`Secret`].
    pub ticket: Secret,
    #[serde(default)]
    pub cfg_file: String,
    /// Omitted: connect to the host we asked.
    #[serde(default)]
    pub host: Option<String>,
    /// Omitted: connect to the port we asked. int32 on the wire.
    #[serde(default)]
    pub port: Option<i64>,
    #[serde(default)]
    pub ssl_thumbprint: Option<String>,
    #[serde(default)]
    pub cert_thumbprint_list: Vec<CertThumbprint>,
    /// Since 9.0.0.0; mutually exclusive with `sslThumbprint`.
    #[serde(default)]
    pub ssl_certificate: Option<String>,
    /// "Websocket URL". It carries the ticket, so it is a secret too.
    #[serde(default)]
    pub url: Option<Secret>,
}

/// `SessionManagerLocalTicket`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalTicket {
    pub user_name: String,
    pub password_file_path: String,
}

/// `SessionManagerGenericServiceTicket`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenericServiceTicket {
    pub id: Secret,
    #[serde(default)]
    pub host_name: Option<String>,
    #[serde(default)]
    pub ssl_thumbprint: Option<String>,
    #[serde(default)]
    pub cert_thumbprint_list: Vec<CertThumbprint>,
}

/// `RetrieveResult` of `RetrievePropertiesEx` / `ContinueRetrievePropertiesEx`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RetrieveResult {
    pub token: Option<String>,
    pub objects: Vec<ObjectContent>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectContent {
    pub obj: MoRef,
    #[serde(default)]
    pub prop_set: Vec<DynamicProperty>,
    #[serde(default)]
    pub missing_set: Vec<Value>,
}

/// `DynamicProperty`: `val` is in an `Any` position, so primitives arrive boxed.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct DynamicProperty {
    pub name: String,
    #[serde(default)]
    pub val: Value,
}

/// Unboxes `{"_typeName":"string","_value":"web01"}` to `"web01"`; other values as they are.
pub fn unbox(v: &Value) -> &Value {
    match v {
        Value::Object(map) if map.contains_key("_value") => &map["_value"],
        other => other,
    }
}

/// The value of an `Any` position that should be a string (possibly boxed).
pub fn any_as_str(v: &Value) -> Option<&str> {
    unbox(v).as_str()
}

/// The value of an `Any` position that should be a managed object reference.
pub fn any_as_moref(v: &Value) -> Option<MoRef> {
    MoRef::deserialize(unbox(v)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moref_round_trip_carries_type_name() {
        let m = MoRef::new("Folder", "group-d1");
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["_typeName"], "ManagedObjectReference");
        let back: MoRef = serde_json::from_value(json).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn unbox_reads_boxed_and_plain() {
        let boxed = serde_json::json!({"_typeName":"string","_value":"web01"});
        assert_eq!(any_as_str(&boxed), Some("web01"));
        assert_eq!(any_as_str(&serde_json::json!("plain")), Some("plain"));
    }
}
