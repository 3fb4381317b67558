//! Tasks (`PowerOnVM_Task` and the like): a method answers at once with a `Task`
//! reference, and the outcome is read later from the task's `info` through the
//! property collector, as the vSphere Web Services programming guide describes.

use serde_json::Value;

use super::error::ApiError;
use super::fault::Fault;
use super::wire::{any_as_str, RetrieveResult};

/// The task properties the client reads: its state and, once failed, its fault.
pub const TASK_PROPERTIES: [&str; 2] = ["info.state", "info.error"];

/// Where a task is, as `TaskInfo.state` and `TaskInfo.error` say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskOutcome {
    /// `queued` or `running`: read again later.
    Pending,
    Succeeded,
    /// `error`: the fault in `info.error` (a `LocalizedMethodFault`).
    Failed(ApiError),
}

/// Reads a `RetrieveResult` for one task's [`TASK_PROPERTIES`].
pub fn outcome(result: &RetrieveResult) -> Result<TaskOutcome, ApiError> {
    let object = result.objects.first().ok_or_else(|| ApiError::Decode("no task in the result".into()))?;
    let prop = |name: &str| object.prop_set.iter().find(|p| p.name == name).map(|p| &p.val);
    let state = prop("info.state").and_then(any_as_str).ok_or_else(|| ApiError::Decode("task without info.state".into()))?;
    Ok(match state {
        "queued" | "running" => TaskOutcome::Pending,
        "success" => TaskOutcome::Succeeded,
        "error" => TaskOutcome::Failed(task_fault(prop("info.error"))),
        _ => return Err(ApiError::Decode("task in an unknown state".into())),
    })
}

/// The fault of a failed task. VI/JSON's `TaskInfo.error` is the `MethodFault` itself
/// (the official specification); a `LocalizedMethodFault` wrapper, as SOAP has it, is
/// unwrapped too, with its `localizedMessage` as the server's words.
fn task_fault(error: Option<&Value>) -> ApiError {
    let unknown = |message| ApiError::Fault(Fault { kind: super::FaultKind::Other("TaskFailed".into()), server_message: message });
    let Some(error) = error else { return unknown(None) };
    let localized = error.get("localizedMessage").and_then(Value::as_str).map(str::to_owned);
    let fault =
        if error.get("_typeName").and_then(Value::as_str) == Some("LocalizedMethodFault") { error.get("fault") } else { Some(error) };
    match fault.and_then(Fault::from_json) {
        Some(mut f) => {
            f.server_message = f.server_message.or(localized);
            ApiError::Fault(f)
        }
        None => unknown(localized),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::FaultKind;

    fn result(props: Value) -> RetrieveResult {
        serde_json::from_value(serde_json::json!({
            "_typeName": "RetrieveResult",
            "objects": [{"_typeName": "ObjectContent", "obj": {"_typeName": "ManagedObjectReference", "type": "Task", "value": "task-7"}, "propSet": props}]
        }))
        .unwrap()
    }

    #[test]
    fn running_and_success_states() {
        let running = result(serde_json::json!([{"name": "info.state", "val": {"_typeName": "TaskInfoState", "_value": "running"}}]));
        assert_eq!(outcome(&running).unwrap(), TaskOutcome::Pending);
        let done = result(serde_json::json!([{"name": "info.state", "val": {"_typeName": "TaskInfoState", "_value": "success"}}]));
        assert_eq!(outcome(&done).unwrap(), TaskOutcome::Succeeded);
    }

    #[test]
    fn a_failed_task_carries_its_fault() {
        // VI/JSON: the MethodFault itself, its words in faultMessage.
        let json_form = serde_json::json!({"_typeName": "InvalidPowerState", "requestedState": "poweredOn", "existingState": "poweredOn",
            "faultMessage": [{"_typeName": "LocalizableMessage", "key": "k", "message": "The attempted operation cannot be performed in the current state (Powered on)."}]});
        // SOAP's shape, should a proxy hand it on.
        let soap_form = serde_json::json!({"_typeName": "LocalizedMethodFault",
            "fault": {"_typeName": "InvalidPowerState", "requestedState": "poweredOn", "existingState": "poweredOn", "faultMessage": []},
            "localizedMessage": "The attempted operation cannot be performed in the current state (Powered on)."});
        for error in [json_form, soap_form] {
            let failed = result(serde_json::json!([
                {"name": "info.error", "val": error},
                {"name": "info.state", "val": {"_typeName": "TaskInfoState", "_value": "error"}}
            ]));
            match outcome(&failed).unwrap() {
                TaskOutcome::Failed(ApiError::Fault(f)) => {
                    assert_eq!(f.kind, FaultKind::InvalidPowerState { existing: Some("poweredOn".into()) });
                    assert!(f.server_message.unwrap().contains("Powered on"));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_result_without_the_task_is_an_error_not_a_panic() {
        assert!(outcome(&RetrieveResult::default()).is_err());
        assert!(outcome(&result(serde_json::json!([]))).is_err());
    }
}
