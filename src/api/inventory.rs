//! Turning `RetrieveResult` pages into the VM list the person sees.

use std::collections::HashMap;

use super::wire::{any_as_moref, any_as_str, MoRef, ObjectContent};

/// The VM properties the list asks for.
pub const VM_PROPERTIES: [&str; 4] = ["name", "runtime.powerState", "runtime.host", "config.guestFullName"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowerState {
    PoweredOn,
    PoweredOff,
    Suspended,
    Unknown,
}

impl PowerState {
    pub fn from_wire(s: &str) -> Self {
        match s {
            "poweredOn" => PowerState::PoweredOn,
            "poweredOff" => PowerState::PoweredOff,
            "suspended" => PowerState::Suspended,
            _ => PowerState::Unknown,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PowerState::PoweredOn => "Powered on",
            PowerState::PoweredOff => "Powered off",
            PowerState::Suspended => "Suspended",
            PowerState::Unknown => "Unknown",
        }
    }
}

/// One row of the VM list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmSummary {
    pub vm: MoRef,
    pub name: String,
    pub power: PowerState,
    pub host: Option<MoRef>,
    pub host_name: Option<String>,
    pub guest_os: Option<String>,
}

impl VmSummary {
    /// Why the console cannot open, or `None` when it can.
    pub fn console_unavailable_reason(&self) -> Option<&'static str> {
        match self.power {
            PowerState::PoweredOn => None,
            PowerState::PoweredOff => Some("The VM is powered off: power it on to open its console."),
            PowerState::Suspended => Some("The VM is suspended: power it on (it resumes) to open its console."),
            PowerState::Unknown => Some("The VM's power state is unknown, so its console cannot open."),
        }
    }
}

/// Collects pages of ObjectContent (VMs and hosts in any order) into a sorted VM list.
#[derive(Default, Debug)]
pub struct InventoryBuilder {
    vms: Vec<VmSummary>,
    host_names: HashMap<String, String>,
}

impl InventoryBuilder {
    pub fn add_page(&mut self, objects: &[ObjectContent]) {
        for oc in objects {
            match oc.obj.kind.as_str() {
                "VirtualMachine" => self.vms.push(vm_from(oc)),
                "HostSystem" => {
                    if let Some(name) = prop(oc, "name").and_then(any_as_str) {
                        self.host_names.insert(oc.obj.value.clone(), name.to_owned());
                    }
                }
                _ => {}
            }
        }
    }

    pub fn finish(mut self) -> Vec<VmSummary> {
        for vm in &mut self.vms {
            vm.host_name = vm.host.as_ref().and_then(|h| self.host_names.get(&h.value).cloned());
        }
        self.vms.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.vm.value.cmp(&b.vm.value)));
        self.vms
    }
}

fn prop<'a>(oc: &'a ObjectContent, name: &str) -> Option<&'a serde_json::Value> {
    oc.prop_set.iter().find(|p| p.name == name).map(|p| &p.val)
}

fn vm_from(oc: &ObjectContent) -> VmSummary {
    VmSummary {
        vm: oc.obj.clone(),
        name: prop(oc, "name").and_then(any_as_str).unwrap_or(&oc.obj.value).to_owned(),
        power: prop(oc, "runtime.powerState").and_then(any_as_str).map(PowerState::from_wire).unwrap_or(PowerState::Unknown),
        host: prop(oc, "runtime.host").and_then(any_as_moref),
        host_name: None,
        guest_os: prop(oc, "config.guestFullName").and_then(any_as_str).map(str::to_owned),
    }
}

/// Case-insensitive name filter for the list.
pub fn filter_by_name<'a>(vms: &'a [VmSummary], needle: &str) -> Vec<&'a VmSummary> {
    let needle = needle.trim().to_lowercase();
    vms.iter().filter(|v| needle.is_empty() || v.name.to_lowercase().contains(&needle)).collect()
}
