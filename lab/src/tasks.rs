//! `VirtualMachine.PowerOnVM_Task` (and `PowerOffVM_Task`, which tests use as a second
//! client would) and the `Task` objects they return. As in vCenter,
//! the call answers at once with a task reference; the task is `running` for a moment,
//! then `success` (the VM is on) or `error` with a `MethodFault`. Missing
//! privileges fault the call itself; the power state and host faults end the task.

use std::time::{Duration, Instant};

use axum::response::Response;
use serde_json::{json, Value};

use crate::config::Vm;
use crate::config::{PRIV_POWER_OFF, PRIV_POWER_ON};
use crate::state::{Lab, LabTask, Session};
use crate::wire::{has_privilege, moref, no_permission, object_not_found, rfc3339};

/// How long a power-on task runs before it ends.
const RUN_TIME: Duration = Duration::from_millis(600);

/// `PowerOnVM_Task`: a `Task` reference, or `NoPermission`/`ManagedObjectNotFound`.
pub fn power_on(lab: &Lab, session: &Session, moid: &str) -> Response {
    power(lab, session, moid, "poweredOn")
}

/// `PowerOffVM_Task`, the same way.
pub fn power_off(lab: &Lab, session: &Session, moid: &str) -> Response {
    power(lab, session, moid, "poweredOff")
}

fn power(lab: &Lab, session: &Session, moid: &str, target: &'static str) -> Response {
    let Some(vm) = lab.vm(moid).cloned() else {
        return object_not_found("VirtualMachine", moid);
    };
    let privilege = if target == "poweredOn" { PRIV_POWER_ON } else { PRIV_POWER_OFF };
    if !has_privilege(lab, session, privilege) {
        return no_permission("VirtualMachine", moid, privilege);
    }
    let state = power_state(lab, &vm);
    let fault = match (vm.power_on_fault.as_deref(), state.as_str()) {
        (Some(kind), _) if target == "poweredOn" => Some(json!({"_typeName": kind, "faultMessage": []})),
        (_, s) if s == target || (target == "poweredOff" && s == "suspended") => Some(json!({
            "_typeName": "InvalidPowerState", "requestedState": target, "existingState": s, "faultMessage": []
        })),
        _ => None,
    };
    let id = {
        let mut inner = lab.lock();
        inner.counter += 1;
        let id = format!("task-{}", inner.counter);
        let task = LabTask {
            vm: vm.moid.clone(),
            target,
            started: Instant::now(),
            queued_at: std::time::SystemTime::now(),
            fault,
            applied: false,
        };
        inner.tasks.insert(id.clone(), task);
        id
    };
    crate::wire::ok(moref("Task", &id))
}

/// A VM's power state now: `poweredOn`, `poweredOff` or `suspended`.
pub fn power_state(lab: &Lab, vm: &Vm) -> String {
    let mut inner = lab.lock();
    settle_locked(&mut inner);
    inner.power.get(&vm.moid).cloned().unwrap_or_else(|| vm.power_state.clone())
}

/// Ends tasks whose time is up: a successful power-on turns the VM on.
pub fn settle(lab: &Lab) {
    let mut inner = lab.lock();
    settle_locked(&mut inner);
}

pub fn settle_locked(inner: &mut crate::state::Inner) {
    // In the order the tasks ended (they all run as long), each once.
    let mut done: Vec<(Instant, String, &'static str)> = inner
        .tasks
        .values_mut()
        .filter(|t| !t.applied && t.fault.is_none() && t.started.elapsed() >= RUN_TIME)
        .map(|t| {
            t.applied = true;
            (t.started, t.vm.clone(), t.target)
        })
        .collect();
    done.sort_by_key(|(started, _, _)| *started);
    for (_, vm, target) in done {
        inner.power.insert(vm, target.into());
    }
}

/// `TaskInfo` of a task, or `None` when there is no such task.
pub fn info(lab: &Lab, id: &str) -> Option<Value> {
    settle(lab);
    let task = lab.lock().tasks.get(id).cloned()?;
    let running = task.started.elapsed() < RUN_TIME;
    let state = match (&task.fault, running) {
        (_, true) => "running",
        (None, false) => "success",
        (Some(_), false) => "error",
    };
    let mut info = json!({
        "_typeName": "TaskInfo",
        "key": id,
        "task": moref("Task", id),
        "name": if task.target == "poweredOn" { "PowerOnVM_Task" } else { "PowerOffVM_Task" },
        "descriptionId": if task.target == "poweredOn" { "VirtualMachine.powerOn" } else { "VirtualMachine.powerOff" },
        "entity": moref("VirtualMachine", &task.vm),
        "state": state,
        "cancelled": false,
        "cancelable": false,
        "reason": {"_typeName": "TaskReasonUser", "userName": ""},
        "queueTime": rfc3339(task.queued_at),
        "eventChainId": 1,
    });
    // TaskInfo.error is a MethodFault in VI/JSON (the official specification, and
    // clients generated from it); its words travel in faultMessage.
    if let (Some(fault), false) = (&task.fault, running) {
        let message = match fault["_typeName"].as_str() {
            Some("InvalidPowerState") if task.target == "poweredOn" => {
                "The attempted operation cannot be performed in the current state (Powered on)."
            }
            Some("InvalidPowerState") => "The attempted operation cannot be performed in the current state (Powered off).",
            _ => "The operation is not allowed in the current state.",
        };
        let mut error = fault.clone();
        error["faultMessage"] = json!([{"_typeName": "LocalizableMessage", "key": "msg.lab.task.error", "message": message}]);
        info["error"] = error;
    }
    Some(info)
}

/// The `ObjectContent` of a task for `RetrievePropertiesEx`, with the `info` paths
/// asked for (`info`, `info.state`, `info.error`, …); an unset one is left out.
pub fn object_content(lab: &Lab, id: &str, paths: &[&str]) -> Option<Value> {
    let info = info(lab, id)?;
    let props: Vec<Value> = paths
        .iter()
        .filter_map(|path| {
            let val = match *path {
                "info" => info.clone(),
                "info.state" => json!({"_typeName": "TaskInfoState", "_value": info["state"]}),
                p => info.get(p.strip_prefix("info.")?).cloned()?,
            };
            Some(json!({"_typeName": "DynamicProperty", "name": path, "val": val}))
        })
        .collect();
    Some(json!({"_typeName": "ObjectContent", "obj": moref("Task", id), "propSet": props}))
}
