//! What can go wrong between the app and vCenter, each with a sentence for the person.

use thiserror::Error;

use super::fault::{Fault, FaultKind};

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ApiError {
    /// The server answered with a VI/JSON fault.
    #[error("server fault {0:?}")]
    Fault(Fault),
    /// The request never got an answer (network down, proxy refused, timeout).
    #[error("transport failed: {0}")]
    Transport(String),
    /// The server answered with a status we do not expect (401, 403, 502, an HTML page...).
    #[error("unexpected http status {status}")]
    UnexpectedStatus { status: u16, html: bool },
    /// The body was not the documented JSON.
    #[error("response not understood: {0}")]
    Decode(String),
    /// A call that needs a session was made without one.
    #[error("not logged in")]
    NoSession,
    /// A call was made before `ServiceContent` was read.
    #[error("service content not loaded")]
    NoServiceContent,
    /// A task (power on) still running when the client stopped waiting.
    #[error("task still running")]
    TaskStillRunning,
}

impl ApiError {
    /// True when the VM must be powered on first (`InvalidState` from AcquireTicket,
    /// or the REST API's `NOT_ALLOWED_IN_CURRENT_STATE`).
    pub fn is_vm_not_running(&self) -> bool {
        matches!(self, ApiError::Fault(Fault { kind: FaultKind::InvalidState, .. }))
    }

    /// True when the session is gone and the person must log in again.
    pub fn is_not_authenticated(&self) -> bool {
        matches!(self, ApiError::Fault(Fault { kind: FaultKind::NotAuthenticated, .. }))
            || matches!(self, ApiError::UnexpectedStatus { status: 401, .. })
            || matches!(self, ApiError::NoSession)
    }

    pub fn sentence(&self) -> String {
        match self {
            ApiError::Fault(f) => f.sentence(),
            ApiError::Transport(_) => {
                "The vCenter server could not be reached. Check the network or the proxy, then try again.".into()
            }
            ApiError::UnexpectedStatus { status: 401, .. } => "Your session has ended. Log in again to continue.".into(),
            ApiError::UnexpectedStatus { status: 403, .. } => {
                "The server or a proxy refused the request (HTTP 403). Ask your administrator.".into()
            }
            ApiError::UnexpectedStatus { status, html: true } => format!(
                "The server answered with a web page instead of the vSphere API (HTTP {status}). Check that the API address points at vCenter."
            ),
            ApiError::UnexpectedStatus { status, .. } if (502..=504).contains(status) => format!(
                "A proxy in front of vCenter could not reach it (HTTP {status}). Try again in a moment."
            ),
            ApiError::UnexpectedStatus { status, .. } => {
                format!("The server answered with an unexpected status (HTTP {status}). Try again.")
            }
            ApiError::Decode(_) => {
                "The server's answer was not the vSphere API's JSON. Check that the API address points at vCenter 8.0 Update 1 or later.".into()
            }
            ApiError::NoSession => "You are not logged in. Log in to continue.".into(),
            ApiError::TaskStillRunning => {
                "vCenter is still working on it after two minutes. Refresh the list in a while to see whether it finished.".into()
            }
            ApiError::NoServiceContent => "The connection to vCenter is not set up yet. Reload the page.".into(),
        }
    }
}
