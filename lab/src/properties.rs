//! Property reads: `GET /sdk/vim25/{release}/{MoType}/{moId}/{property}`, as VI/JSON
//! documents them, for every managed object the lab has. Values carry every field the
//! specification marks as required, so clients generated from it can parse them.

use serde_json::{json, Value};

use crate::config::{Vm, PRIV_TERMINATE};
use crate::state::{Lab, Session};
use crate::wire::{fault, has_privilege, moref, no_permission, object_not_found, rfc3339};

/// What a read found: a value, or a fault response.
pub enum Read {
    Value(Value),
    Fault(axum::response::Response),
}

/// The objects whose properties need no session (`System.Anonymous`).
pub fn is_anonymous(mo_type: &str, property: &str) -> bool {
    matches!(
        (mo_type, property),
        ("ServiceInstance", "content" | "serverClock")
            | ("SessionManager", "currentSession" | "supportedLocaleList" | "defaultLocale" | "messageLocaleList")
    )
}

fn not_found(mo_type: &str, moid: &str) -> Read {
    Read::Fault(object_not_found(mo_type, moid))
}

fn invalid_property(name: &str) -> Read {
    Read::Fault(fault("InvalidProperty", &format!("The property {name} is not valid."), json!({"name": name})))
}

/// Reads `property` of `mo_type`/`moid`. `session` is `None` only for anonymous reads.
pub fn read(lab: &Lab, session: Option<(&str, &Session)>, mo_type: &str, moid: &str, property: &str) -> Read {
    let v = match mo_type {
        "ServiceInstance" if moid == "ServiceInstance" => match property {
            "content" => service_content(lab),
            "serverClock" => json!(crate::wire::now_rfc3339()),
            "capability" => json!({"_typeName": "Capability", "provisioningSupported": false, "multiHostSupported": true,
                "userShellAccessSupported": false}),
            _ => return invalid_property(property),
        },
        "SessionManager" if moid == "SessionManager" => return session_manager(lab, session, property),
        "ViewManager" if moid == "ViewManager" => match property {
            "viewList" => {
                let sid = session.map(|s| s.0).unwrap_or_default();
                let inner = lab.lock();
                json!(inner.views.iter().filter(|(_, v)| v.session == sid).map(|(id, _)| moref("ContainerView", id)).collect::<Vec<_>>())
            }
            _ => return invalid_property(property),
        },
        "PropertyCollector" if moid == "propertyCollector" => match property {
            "filter" => json!([]),
            _ => return invalid_property(property),
        },
        "ContainerView" => {
            let sid = session.map(|s| s.0).unwrap_or_default();
            let Some(view) = lab.lock().views.get(moid).filter(|v| v.session == sid).cloned() else {
                return not_found(mo_type, moid);
            };
            match property {
                "view" => json!(view.objects.iter().map(|(t, m)| moref(t, m)).collect::<Vec<_>>()),
                "container" => moref("Folder", "group-d1"),
                "type" => json!(view.objects.iter().map(|(t, _)| t.clone()).collect::<std::collections::BTreeSet<_>>()),
                "recursive" => json!(true),
                _ => return invalid_property(property),
            }
        }
        "Folder" if moid == "group-d1" => match property {
            "name" => json!("Datacenters"),
            "childType" => json!(["Folder", "Datacenter"]),
            "childEntity" => json!([]),
            "overallStatus" => json!("green"),
            _ => return invalid_property(property),
        },
        "HostSystem" => {
            let Some(h) = lab.config.hosts.iter().find(|h| h.moid == moid) else { return not_found(mo_type, moid) };
            match property {
                "name" => json!(h.name),
                "overallStatus" => json!("green"),
                _ => return invalid_property(property),
            }
        }
        "VirtualMachine" => {
            let Some(vm) = lab.vm(moid) else { return not_found(mo_type, moid) };
            let vm = &Vm { power_state: crate::tasks::power_state(lab, vm), ..vm.clone() };
            match property {
                "name" => json!(vm.name),
                "runtime" => runtime(vm),
                "summary" => summary(vm),
                "guest" => guest(vm),
                "config" => config(vm),
                "overallStatus" => json!("green"),
                _ => return invalid_property(property),
            }
        }
        "Task" => match (crate::tasks::info(lab, moid), property) {
            (None, _) => return not_found(mo_type, moid),
            (Some(info), "info") => info,
            (Some(_), _) => return invalid_property(property),
        },
        _ => return not_found(mo_type, moid),
    };
    Read::Value(v)
}

fn session_manager(lab: &Lab, session: Option<(&str, &Session)>, property: &str) -> Read {
    let v = match property {
        // "If the client is not logged on, the value is null."
        "currentSession" => session.map(|(_, s)| user_session(s)).unwrap_or(Value::Null),
        "supportedLocaleList" | "messageLocaleList" => json!(lab.config.locales),
        "defaultLocale" => json!(lab.config.locales.first().cloned().unwrap_or_else(|| "en".into())),
        "message" => json!(lab.config.message),
        "sessionList" => {
            let Some((_, s)) = session else { return Read::Value(Value::Null) };
            if !has_privilege(lab, s, PRIV_TERMINATE) {
                return Read::Fault(no_permission("SessionManager", "SessionManager", PRIV_TERMINATE));
            }
            let inner = lab.lock();
            let mut list: Vec<&Session> = inner.sessions.values().collect();
            list.sort_by(|a, b| a.key.cmp(&b.key));
            json!(list.into_iter().map(user_session).collect::<Vec<_>>())
        }
        _ => return invalid_property(property),
    };
    Read::Value(v)
}

/// The other managers a vCenter's ServiceContent names (property, type, moId as in
/// govmomi's vpx model). The lab implements none of them; clients that read
/// ServiceContent expect them there.
const OTHER_MANAGERS: &[(&str, &str, &str)] = &[
    ("setting", "OptionManager", "VpxSettings"),
    ("userDirectory", "UserDirectory", "UserDirectory"),
    ("authorizationManager", "AuthorizationManager", "AuthorizationManager"),
    ("serviceManager", "ServiceManager", "ServiceManager"),
    ("perfManager", "PerformanceManager", "PerfMgr"),
    ("scheduledTaskManager", "ScheduledTaskManager", "ScheduledTaskManager"),
    ("alarmManager", "AlarmManager", "AlarmManager"),
    ("eventManager", "EventManager", "EventManager"),
    ("taskManager", "TaskManager", "TaskManager"),
    ("extensionManager", "ExtensionManager", "ExtensionManager"),
    ("customizationSpecManager", "CustomizationSpecManager", "CustomizationSpecManager"),
    ("guestCustomizationManager", "GuestCustomizationManager", "GuestCustomizationManager"),
    ("customFieldsManager", "CustomFieldsManager", "CustomFieldsManager"),
    ("accountManager", "HostLocalAccountManager", "AccountManager"),
    ("diagnosticManager", "DiagnosticManager", "DiagnosticManager"),
    ("licenseManager", "LicenseManager", "LicenseManager"),
    ("searchIndex", "SearchIndex", "SearchIndex"),
    ("fileManager", "FileManager", "FileManager"),
    ("datastoreNamespaceManager", "DatastoreNamespaceManager", "DatastoreNamespaceManager"),
    ("virtualDiskManager", "VirtualDiskManager", "VirtualDiskManager"),
    ("virtualizationManager", "VirtualizationManager", "VirtualizationManager"),
    ("snmpSystem", "HostSnmpSystem", "SnmpSystem"),
    ("vmProvisioningChecker", "VirtualMachineProvisioningChecker", "ProvChecker"),
    ("vmCompatibilityChecker", "VirtualMachineCompatibilityChecker", "CompatChecker"),
    ("ovfManager", "OvfManager", "OvfManager"),
    ("ipPoolManager", "IpPoolManager", "IpPoolManager"),
    ("dvSwitchManager", "DistributedVirtualSwitchManager", "DVSManager"),
    ("hostProfileManager", "HostProfileManager", "HostProfileManager"),
    ("clusterProfileManager", "ClusterProfileManager", "ClusterProfileManager"),
    ("complianceManager", "ProfileComplianceManager", "MoComplianceManager"),
    ("localizationManager", "LocalizationManager", "LocalizationManager"),
    ("storageResourceManager", "StorageResourceManager", "StorageResourceManager"),
    ("guestOperationsManager", "GuestOperationsManager", "GuestOperationsManager"),
    ("overheadMemoryManager", "OverheadMemoryManager", "OverheadMemoryManager"),
    ("certificateManager", "CertificateManager", "CertificateManager"),
    ("ioFilterManager", "IoFilterManager", "IoFilterManager"),
    ("vStorageObjectManager", "VcenterVStorageObjectManager", "VStorageObjectManager"),
    ("hostSpecManager", "HostSpecificationManager", "HostSpecificationManager"),
    ("cryptoManager", "CryptoManagerKmip", "CryptoManager"),
    ("healthUpdateManager", "HealthUpdateManager", "HealthUpdateManager"),
    ("failoverClusterConfigurator", "FailoverClusterConfigurator", "FailoverClusterConfigurator"),
    ("failoverClusterManager", "FailoverClusterManager", "FailoverClusterManager"),
    ("tenantManager", "TenantManager", "TenantManager"),
    ("siteInfoManager", "SiteInfoManager", "SiteInfoManager"),
    ("storageQueryManager", "StorageQueryManager", "StorageQueryManager"),
    ("directPathProfileManager", "DirectPathProfileManager", "DirectPathProfileManager"),
];

pub fn service_content(lab: &Lab) -> Value {
    let mut content = json!({
        "_typeName": "ServiceContent",
        "rootFolder": moref("Folder", "group-d1"),
        "propertyCollector": moref("PropertyCollector", "propertyCollector"),
        "viewManager": moref("ViewManager", "ViewManager"),
        "sessionManager": moref("SessionManager", "SessionManager"),
        "about": about_info(lab),
    });
    for (property, kind, moid) in OTHER_MANAGERS {
        content[*property] = moref(kind, moid);
    }
    content
}

fn uuid_for(vm: &Vm) -> String {
    // Stable per moid: the lab has no real hardware to take one from.
    let n = vm.moid.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    format!(
        "4200{:04x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        n & 0xffff,
        (n >> 16) & 0xffff,
        (n >> 32) & 0xfff,
        (n >> 44) & 0xfff,
        n & 0xffff_ffff_ffff
    )
}

fn runtime(vm: &Vm) -> Value {
    json!({
        "_typeName": "VirtualMachineRuntimeInfo",
        "host": moref("HostSystem", &vm.host),
        "connectionState": "connected",
        "powerState": vm.power_state,
        "faultToleranceState": "notConfigured",
        "toolsInstallerMounted": false,
        "numMksConnections": 0,
        "recordReplayState": "inactive",
        "onlineStandby": false,
        "consolidationNeeded": false,
    })
}

fn vmx_path(vm: &Vm) -> String {
    format!("[datastore1] {0}/{0}.vmx", vm.name)
}

fn summary(vm: &Vm) -> Value {
    json!({
        "_typeName": "VirtualMachineSummary",
        "vm": moref("VirtualMachine", &vm.moid),
        "runtime": runtime(vm),
        "guest": {"_typeName": "VirtualMachineGuestSummary", "guestFullName": vm.guest_os, "toolsRunningStatus": "guestToolsNotRunning"},
        "config": {
            "_typeName": "VirtualMachineConfigSummary",
            "name": vm.name,
            "template": false,
            "vmPathName": vmx_path(vm),
            "guestFullName": vm.guest_os,
            "uuid": uuid_for(vm),
            "numCpu": 2,
            "memorySizeMB": 4096,
        },
        "quickStats": {"_typeName": "VirtualMachineQuickStats", "guestHeartbeatStatus": "gray"},
        "overallStatus": "green",
    })
}

fn guest(vm: &Vm) -> Value {
    json!({
        "_typeName": "GuestInfo",
        "guestState": if vm.power_state == "poweredOn" { "running" } else { "notRunning" },
        "toolsRunningStatus": "guestToolsNotRunning",
        "guestFullName": vm.guest_os,
    })
}

fn config(vm: &Vm) -> Value {
    json!({
        "_typeName": "VirtualMachineConfigInfo",
        "changeVersion": "2026-01-01T00:00:00.000000Z",
        "modified": "1970-01-01T00:00:00Z",
        "name": vm.name,
        "guestFullName": vm.guest_os,
        "version": "vmx-21",
        "uuid": uuid_for(vm),
        "template": false,
        "guestId": "otherGuest64",
        "alternateGuestName": "",
        "files": {"_typeName": "VirtualMachineFileInfo", "vmPathName": vmx_path(vm)},
        "flags": {"_typeName": "VirtualMachineFlagInfo"},
        "defaultPowerOps": {"_typeName": "VirtualMachineDefaultPowerOpInfo"},
        "hardware": {"_typeName": "VirtualHardware", "numCPU": 2, "memoryMB": 4096, "device": []},
    })
}

/// `AboutInfo` with every field the specification requires, as a vCenter fills them.
pub fn about_info(lab: &Lab) -> Value {
    json!({
        "_typeName": "AboutInfo",
        "name": "VMware vCenter Server",
        "fullName": format!("VMware vCenter Server {} build-0 (vsphere-console lab)", lab.config.api_version),
        "vendor": "vsphere-console lab",
        "version": lab.config.api_version,
        "patchLevel": "",
        "build": "0",
        "localeVersion": "INTL",
        "localeBuild": "000",
        "osType": "linux-x64",
        "productLineId": "vpx",
        "apiType": "VirtualCenter",
        "apiVersion": lab.config.api_version,
        "instanceUuid": "00000000-0000-4000-8000-000000000001",
        "licenseProductName": "VMware VirtualCenter Server",
        "licenseProductVersion": "8.0",
    })
}

pub fn user_session(s: &Session) -> Value {
    json!({
        "_typeName": "UserSession",
        "key": s.key,
        "userName": s.user,
        "fullName": s.user,
        "loginTime": s.login_time,
        "lastActiveTime": rfc3339(s.last_active_at),
        "locale": s.locale,
        "messageLocale": s.locale,
        "extensionSession": false,
        "ipAddress": "127.0.0.1",
        "userAgent": "",
        "callCount": 0
    })
}
