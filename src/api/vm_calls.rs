//! The VI/JSON calls for the inventory and a VM: a container view of the VMs and hosts,
//! their properties page by page, power tasks, and the console's `AcquireTicket`.

use serde_json::{json, Value};

use super::client::{check_status, decode, ViClient, PAGE_SIZE};
use super::error::ApiError;
use super::http::{HttpRequest, HttpResponse};
use super::wire::{MoRef, RetrieveResult, VirtualMachineTicket};

impl ViClient {
    // --- Inventory ---------------------------------------------------------------

    /// `CreateContainerView` over the root folder for VMs and the hosts they run on.
    pub fn create_vm_view_request(&self) -> Result<HttpRequest, ApiError> {
        let content = self.content_ref()?;
        let view_manager = content.view_manager.clone().ok_or(ApiError::NoServiceContent)?;
        self.call(
            &view_manager,
            "CreateContainerView",
            Some(json!({
                "container": content.root_folder,
                "type": ["VirtualMachine", "HostSystem"],
                "recursive": true
            })),
        )
    }

    pub fn parse_moref(&self, resp: &HttpResponse) -> Result<MoRef, ApiError> {
        decode(resp)
    }

    /// `RetrievePropertiesEx` over a container view: VM name, power state, host, guest OS;
    /// host names, so the list can say where each VM runs.
    pub fn retrieve_vms_request(&self, view: &MoRef) -> Result<HttpRequest, ApiError> {
        self.retrieve_properties(
            json!([
                {"_typeName": "PropertySpec", "type": "VirtualMachine", "pathSet": super::inventory::VM_PROPERTIES},
                {"_typeName": "PropertySpec", "type": "HostSystem", "pathSet": ["name"]}
            ]),
            json!({
                "_typeName": "ObjectSpec",
                "obj": view,
                "skip": true,
                "selectSet": [{"_typeName": "TraversalSpec", "type": "ContainerView", "path": "view", "skip": false}]
            }),
            Some(PAGE_SIZE),
        )
    }

    /// `RetrievePropertiesEx` with one filter spec: these properties of these objects.
    fn retrieve_properties(&self, prop_set: Value, object_spec: Value, max_objects: Option<u32>) -> Result<HttpRequest, ApiError> {
        let pc = self.content_ref()?.property_collector.clone();
        let mut options = json!({"_typeName": "RetrieveOptions"});
        if let Some(max) = max_objects {
            options["maxObjects"] = json!(max);
        }
        let spec = json!({"_typeName": "PropertyFilterSpec", "propSet": prop_set, "objectSet": [object_spec]});
        self.call(&pc, "RetrievePropertiesEx", Some(json!({ "specSet": [spec], "options": options })))
    }

    /// `ContinueRetrievePropertiesEx` with the token of the previous page.
    pub fn continue_retrieve_request(&self, token: &str) -> Result<HttpRequest, ApiError> {
        let pc = self.content_ref()?.property_collector.clone();
        self.call(&pc, "ContinueRetrievePropertiesEx", Some(json!({ "token": token })))
    }

    pub fn parse_retrieve_result(&self, resp: &HttpResponse) -> Result<RetrieveResult, ApiError> {
        // An empty result may come back as 200 with no body.
        if resp.status == 204 || (resp.status == 200 && resp.body.trim().is_empty()) {
            return Ok(RetrieveResult::default());
        }
        decode(resp)
    }

    /// `DestroyView` once the list is read.
    pub fn destroy_view_request(&self, view: &MoRef) -> Result<HttpRequest, ApiError> {
        self.call(view, "DestroyView", None)
    }

    // --- VirtualMachine ----------------------------------------------------------

    /// `AcquireTicket {"ticketType":"webmks"}`.
    pub fn acquire_webmks_ticket_request(&self, vm: &MoRef) -> Result<HttpRequest, ApiError> {
        self.call(vm, "AcquireTicket", Some(json!({"ticketType": "webmks"})))
    }

    pub fn parse_ticket(&mut self, resp: &HttpResponse) -> Result<VirtualMachineTicket, ApiError> {
        decode(resp)
    }

    /// `PowerOnVM_Task` (privilege `VirtualMachine.Interact.PowerOn`): powers on a VM
    /// that is off, or resumes one that is suspended. The answer is a `Task` reference
    /// ([`Self::parse_moref`]); its outcome comes from [`Self::task_state_request`].
    pub fn power_on_request(&self, vm: &MoRef) -> Result<HttpRequest, ApiError> {
        self.call(vm, "PowerOnVM_Task", Some(json!({})))
    }

    /// `RetrievePropertiesEx` of one task's state and fault (read by
    /// [`super::task::outcome`]).
    pub fn task_state_request(&self, task: &MoRef) -> Result<HttpRequest, ApiError> {
        self.retrieve_properties(
            json!([{"_typeName": "PropertySpec", "type": "Task", "pathSet": super::task::TASK_PROPERTIES}]),
            json!({"_typeName": "ObjectSpec", "obj": task, "skip": false}),
            None,
        )
    }

    /// Checks a void answer (204 or an empty 200).
    pub fn parse_void(&self, resp: &HttpResponse) -> Result<(), ApiError> {
        check_status(resp)
    }
}
