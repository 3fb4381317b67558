//! Secrets that must never reach a log, the DOM, a URL or web storage.
//!
//! `Debug` and `Display` print a fixed placeholder, so a secret inside any struct
//! that derives `Debug` (or `Serialize`) stays hidden. The value is reachable only through
//! [`Secret::expose`], which makes every use greppable.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A string that prints as `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself: only for the header, body or websocket path that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Default for Secret {
    fn default() -> Self {
        Secret::new("")
    }
}

/// On the wire a secret is a plain JSON string.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

/// Serialised, a secret is the placeholder: nothing that serialises a struct by accident
/// (a log line, an event detail, a debug dump as JSON) can carry it. Request bodies put
/// the value in with [`Secret::expose`], where it is meant to go.
impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<redacted>")
    }
}

/// The `vmware-api-session-id` value of a logged-in session.
pub type SessionId = Secret;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialising_hides_the_value_too() {
        #[derive(Serialize)]
        struct Holder {
            session: Secret,
        }
        let json = serde_json::to_string(&Holder { session: Secret::new("hunter2-session") }).unwrap();
        assert_eq!(json, r#"{"session":"<redacted>"}"#);
    }

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("hunter2-session");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(s.expose(), "hunter2-session");
    }
}
