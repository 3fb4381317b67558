//! The lab's inventory and users, from `--config FILE` (JSON) or the built-in demo.

use serde::Deserialize;

pub const PRIV_CONSOLE: &str = "VirtualMachine.Interact.ConsoleInteract";
pub const PRIV_POWER_ON: &str = "VirtualMachine.Interact.PowerOn";
pub const PRIV_POWER_OFF: &str = "VirtualMachine.Interact.PowerOff";

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LabConfig {
    pub users: Vec<User>,
    pub hosts: Vec<Host>,
    pub vms: Vec<Vm>,
    /// Adds this many generated powered-on VMs (`load-0001`…), to exercise paging.
    pub generated_vms: u32,
    /// `SessionManager.message`, shown after login.
    pub message: String,
    /// Sessions end after this much idle time.
    pub session_idle_seconds: u64,
    /// Unused webmks tickets expire after this long.
    pub ticket_lifetime_seconds: u64,
    /// `about.apiVersion`. From 8.0.2.0 the lab also answers `/api/vcenter/system?action=hello`.
    pub api_version: String,
    /// `supportedLocaleList`; the first is `defaultLocale`.
    pub locales: Vec<String>,
    /// SAML tokens LoginByToken accepts, sent as `Authorization: Bearer <token>`.
    pub tokens: Vec<TokenUser>,
    /// Client addresses that count as local for AcquireLocalTicket.
    pub local_ticket_clients: Vec<String>,
    /// Answer LoginBySSPI (with the lab's stand-in handshake); false: `NotSupported`.
    pub sspi: bool,
    /// Registered extension keys, for LoginExtensionBy*.
    pub extensions: Vec<String>,
    /// The desktop's clock stands at this time of day (`"12:00:00"`), so its pixels do not
    /// change on their own (tests compare them); absent: the real time.
    pub frozen_clock: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenUser {
    pub token: String,
    pub user: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub name: String,
    pub password: String,
    #[serde(default = "all_privileges")]
    pub privileges: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Host {
    pub moid: String,
    pub name: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Vm {
    pub moid: String,
    pub name: String,
    /// `poweredOn`, `poweredOff` or `suspended`.
    pub power_state: String,
    pub host: String,
    #[serde(default)]
    pub guest_os: String,
    /// Fields to return in this VM's tickets instead of the lab's own.
    #[serde(default)]
    pub ticket: TicketOverride,
    /// A real VNC server (`host:port`) behind this VM's console; without it the
    /// built-in synthetic desktop answers.
    #[serde(default)]
    pub vnc: Option<String>,
    /// The synthetic desktop's keyboard layout for scan codes: `us` or `de`.
    #[serde(default)]
    pub keyboard_layout: Option<String>,
    /// A hostile console server instead (`lab/src/hostile.rs` names the scenarios),
    /// for fault-injection tests.
    #[serde(default)]
    pub hostile: Option<String>,
    /// A fault the power-on task ends with instead of powering on (`InvalidState`,
    /// as vCenter reports a host in maintenance mode).
    #[serde(default)]
    pub power_on_fault: Option<String>,
    /// How the console starts: `handshake` (ESXi's, the default) or `serverInit` (straight
    /// to ServerInit, a start VMware's client also accepts).
    #[serde(default)]
    pub webmks_start: Option<String>,
    /// The synthetic desktop's photo fills the screen below the title bar and pans a few
    /// pixels every 40 ms: a JPEG-heavy stream, for `cargo xtask bench`.
    #[serde(default)]
    pub motion: bool,
}

/// What AcquireTicket returns for a VM. `{ticket}` and `{port}` in strings are replaced
/// with the ticket and the lab's port. Unset fields take the lab's defaults.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketOverride {
    pub host: Option<String>,
    pub port: Option<i64>,
    pub url: Option<String>,
    pub ssl_thumbprint: Option<String>,
    pub cert_thumbprints: Option<Vec<String>>,
    #[serde(default)]
    pub omit_host: bool,
    #[serde(default)]
    pub omit_port: bool,
    #[serde(default)]
    pub omit_url: bool,
}

pub const PRIV_VALIDATE: &str = "Sessions.ValidateSession";
pub const PRIV_TERMINATE: &str = "Sessions.TerminateSession";
pub const PRIV_IMPERSONATE: &str = "Sessions.ImpersonateUser";

fn all_privileges() -> Vec<String> {
    vec![
        "System.View".into(),
        PRIV_CONSOLE.into(),
        PRIV_POWER_ON.into(),
        PRIV_POWER_OFF.into(),
        PRIV_VALIDATE.into(),
        PRIV_TERMINATE.into(),
        PRIV_IMPERSONATE.into(),
    ]
}

impl Default for LabConfig {
    fn default() -> Self {
        let vm = |moid: &str, name: &str, power: &str, host: &str, os: &str| Vm {
            moid: moid.into(),
            name: name.into(),
            power_state: power.into(),
            host: host.into(),
            guest_os: os.into(),
            ticket: TicketOverride::default(),
            vnc: None,
            keyboard_layout: None,
            hostile: None,
            power_on_fault: None,
            webmks_start: None,
            motion: false,
        };
        let mut outside = vm("vm-105", "outside-policy", "poweredOn", "host-11", "Other Linux (64-bit)");
        outside.ticket.url = Some("wss://esx-untrusted.example.net:443/ticket/{ticket}".into());
        outside.ticket.host = Some("esx-untrusted.example.net".into());
        outside.ticket.port = Some(443);
        LabConfig {
            users: vec![
                User { name: "demo@vsphere.local".into(), password: "demo".into(), privileges: all_privileges() },
                User { name: "viewer@vsphere.local".into(), password: "viewer".into(), privileges: vec!["System.View".into()] },
            ],
            hosts: vec![
                Host { moid: "host-10".into(), name: "esx-01.lab.local".into() },
                Host { moid: "host-11".into(), name: "esx-02.lab.local".into() },
            ],
            vms: vec![
                vm("vm-101", "web-01", "poweredOn", "host-10", "Ubuntu Linux (64-bit)"),
                vm("vm-102", "db-01", "poweredOn", "host-11", "Red Hat Enterprise Linux 9 (64-bit)"),
                vm("vm-103", "build-agent", "poweredOff", "host-10", "Microsoft Windows Server 2022 (64-bit)"),
                vm("vm-104", "legacy-app", "suspended", "host-11", "Other Linux (64-bit)"),
                outside,
            ],
            generated_vms: 0,
            message: "Welcome to the vsphere-console lab. Nothing here is a real VM.".into(),
            session_idle_seconds: 1800,
            ticket_lifetime_seconds: 60,
            api_version: "8.0.3.0".into(),
            locales: vec!["en".into(), "de".into(), "fr".into(), "ja".into(), "zh_CN".into()],
            tokens: vec![TokenUser { token: "lab-saml-token".into(), user: "demo@vsphere.local".into() }],
            local_ticket_clients: vec!["127.0.0.1".into(), "::1".into()],
            sspi: true,
            extensions: vec!["com.example.portal".into()],
            frozen_clock: None,
        }
    }
}

impl LabConfig {
    pub fn all_vms(&self) -> Vec<Vm> {
        let mut vms = self.vms.clone();
        for i in 1..=self.generated_vms {
            vms.push(Vm {
                moid: format!("vm-{}", 10_000 + i),
                name: format!("load-{i:05}"),
                power_state: "poweredOn".into(),
                host: self.hosts.first().map(|h| h.moid.clone()).unwrap_or_default(),
                guest_os: "Other Linux (64-bit)".into(),
                ticket: TicketOverride::default(),
                vnc: None,
                keyboard_layout: None,
                hostile: None,
                power_on_fault: None,
                webmks_start: None,
                motion: false,
            });
        }
        vms
    }
}
