//! The life of one webmks ticket, as a plain state machine the UI drives with a reducer.
//!
//! Requested → Issued(at) → Validated(url) → Connecting → InUse → Used, and the ends
//! Expired, Rejected(reason), Failed(reason). The URL leaves the machine exactly once,
//! on the Validated → Connecting step; every other way to a socket is closed.

use thiserror::Error;

use crate::api::wire::MoRef;
use crate::secret::Secret;

use super::policy::ConsoleUrl;

/// How long an unused ticket is trusted. Tickets are documented as one-time; REST
/// console tickets live 30 minutes, VCD's 30 seconds: we stay well inside both.
pub const DEFAULT_LIFETIME_MS: f64 = 60_000.0;

#[derive(Clone, Debug, PartialEq)]
pub enum TicketState {
    Requested { vm: MoRef },
    Issued { vm: MoRef, at_ms: f64 },
    Validated { vm: MoRef, at_ms: f64, url: ConsoleUrl },
    Connecting { vm: MoRef },
    InUse { vm: MoRef },
    Used { vm: MoRef },
    Expired { vm: MoRef },
    Rejected { vm: MoRef, reason: String },
    Failed { vm: MoRef, reason: String },
}

#[derive(Clone, Debug, PartialEq)]
pub enum TicketEvent {
    Issued {
        at_ms: f64,
    },
    Validated(ConsoleUrl),
    Rejected(String),
    /// The websocket opened and the console is running.
    Opened,
    /// The console closed, for whatever reason.
    Closed,
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TransitionError {
    #[error("event {event} is not allowed in state {state}")]
    NotAllowed { state: &'static str, event: &'static str },
    #[error("the ticket is older than its lifetime")]
    Expired,
    #[error("the ticket was issued for another virtual machine")]
    WrongVm,
}

impl TicketState {
    pub fn requested(vm: MoRef) -> Self {
        TicketState::Requested { vm }
    }

    /// Every name a ticket state has (`TicketStateName` in `index.d.ts`).
    pub const NAMES: [&'static str; 9] =
        ["requested", "issued", "validated", "connecting", "in-use", "used", "expired", "rejected", "failed"];

    /// The state's stable name for JavaScript (one of [`Self::NAMES`]).
    pub fn name(&self) -> &'static str {
        match self {
            TicketState::Requested { .. } => "requested",
            TicketState::Issued { .. } => "issued",
            TicketState::Validated { .. } => "validated",
            TicketState::Connecting { .. } => "connecting",
            TicketState::InUse { .. } => "in-use",
            TicketState::Used { .. } => "used",
            TicketState::Expired { .. } => "expired",
            TicketState::Rejected { .. } => "rejected",
            TicketState::Failed { .. } => "failed",
        }
    }

    pub fn vm(&self) -> &MoRef {
        match self {
            TicketState::Requested { vm }
            | TicketState::Issued { vm, .. }
            | TicketState::Validated { vm, .. }
            | TicketState::Connecting { vm }
            | TicketState::InUse { vm }
            | TicketState::Used { vm }
            | TicketState::Expired { vm }
            | TicketState::Rejected { vm, .. }
            | TicketState::Failed { vm, .. } => vm,
        }
    }

    /// The one way to get the URL: Validated → Connecting, for the given VM, in time.
    /// A second call fails, so a ticket reaches at most one websocket.
    pub fn take_for_connect(&mut self, vm: &MoRef, now_ms: f64, lifetime_ms: f64) -> Result<Secret, TransitionError> {
        let TicketState::Validated { vm: tvm, at_ms, url } = self else {
            return Err(TransitionError::NotAllowed { state: self.name(), event: "connect" });
        };
        if tvm != vm {
            return Err(TransitionError::WrongVm);
        }
        if now_ms - *at_ms > lifetime_ms || now_ms < *at_ms {
            *self = TicketState::Expired { vm: tvm.clone() };
            return Err(TransitionError::Expired);
        }
        let secret = url.url.clone();
        *self = TicketState::Connecting { vm: tvm.clone() };
        Ok(secret)
    }

    /// Applies an event; a transition not in the diagram is an error and changes nothing.
    pub fn apply(&self, event: TicketEvent) -> Result<TicketState, TransitionError> {
        use TicketState as S;
        let vm = self.vm().clone();
        let next = match (self, event) {
            (S::Requested { .. }, TicketEvent::Issued { at_ms }) => S::Issued { vm, at_ms },
            (S::Issued { at_ms, .. }, TicketEvent::Validated(url)) => S::Validated { vm, at_ms: *at_ms, url },
            (S::Issued { .. }, TicketEvent::Rejected(reason)) => S::Rejected { vm, reason },
            // The console server closed before the first picture: it refused the ticket.
            (S::Connecting { .. } | S::InUse { .. }, TicketEvent::Rejected(reason)) => S::Rejected { vm, reason },
            (S::Connecting { .. }, TicketEvent::Opened) => S::InUse { vm },
            (S::Connecting { .. } | S::InUse { .. }, TicketEvent::Closed) => S::Used { vm },
            (S::Requested { .. } | S::Connecting { .. } | S::InUse { .. }, TicketEvent::Failed(reason)) => S::Failed { vm, reason },
            (_, e) => {
                return Err(TransitionError::NotAllowed { state: self.name(), event: event_name(&e) });
            }
        };
        Ok(next)
    }

    /// Has this ticket reached an end it can never leave?
    pub fn is_final(&self) -> bool {
        matches!(self, TicketState::Used { .. } | TicketState::Expired { .. } | TicketState::Rejected { .. } | TicketState::Failed { .. })
    }
}

fn event_name(e: &TicketEvent) -> &'static str {
    match e {
        TicketEvent::Issued { .. } => "issued",
        TicketEvent::Validated(_) => "validated",
        TicketEvent::Rejected(_) => "rejected",
        TicketEvent::Opened => "opened",
        TicketEvent::Closed => "closed",
        TicketEvent::Failed(_) => "failed",
    }
}
