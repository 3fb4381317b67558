//! The VM list: name, power state, host, guest OS; a filter; one "Open console" per VM.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api::inventory::{filter_by_name, PowerState, VmSummary};

#[derive(Properties, PartialEq)]
pub struct VmListProps {
    pub vms: Vec<VmSummary>,
    pub on_open: Callback<VmSummary>,
    /// Powers on an off or suspended VM, then opens its console; `None` hides the button
    /// (the REST flavour has no task to follow).
    #[prop_or_default]
    pub on_power_on: Option<Callback<VmSummary>>,
    /// The moId of the VM being powered on.
    #[prop_or_default]
    pub powering: Option<String>,
    pub on_refresh: Callback<()>,
    pub on_logout: Callback<()>,
    pub error: Option<String>,
    pub busy: bool,
    /// The server's global message (`SessionManager.message`).
    #[prop_or_default]
    pub message: Option<String>,
}

/// Rows drawn at once; the filter narrows the rest (5,000 VMs stay responsive).
const MAX_ROWS: usize = 200;

#[component]
pub fn VmList(props: &VmListProps) -> Html {
    let filter = use_state(String::new);
    let oninput = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                filter.set(i.value());
            }
        })
    };
    let shown = filter_by_name(&props.vms, &filter);
    let total = shown.len();
    html! {
        <section class="vc-vms" aria-label="Virtual machines">
            <div class="vc-vms-bar">
                <h2>{ "Virtual machines" }</h2>
                <label for="vc-filter">{ "Filter by name" }</label>
                <input id="vc-filter" type="search" value={(*filter).clone()} {oninput} />
                <button onclick={props.on_refresh.reform(|_| ())} disabled={props.busy}>{ "Refresh" }</button>
            </div>
            if let Some(m) = &props.message {
                <p class="vc-server-message" role="note" aria-label="Message from the server">{ m.clone() }</p>
            }
            if let Some(e) = &props.error {
                <p class="vc-error" role="alert">{ e.clone() }</p>
            }
            <p class="vc-count" role="status">{ format!("{total} of {} virtual machines", props.vms.len()) }</p>
            <ul class="vc-vm-list">
                { for shown.into_iter().take(MAX_ROWS).map(|vm| vm_row(vm, props)) }
            </ul>
            if total > MAX_ROWS {
                <p class="vc-note">{ format!("Showing the first {MAX_ROWS}; type in the filter to find the others.") }</p>
            }
        </section>
    }
}

fn vm_row(vm: &VmSummary, props: &VmListProps) -> Html {
    let reason = vm.console_unavailable_reason();
    let id = format!("vc-why-{}", vm.vm.value);
    let onclick = {
        let (vm, on_open) = (vm.clone(), props.on_open.clone());
        Callback::from(move |_| on_open.emit(vm.clone()))
    };
    let can_power_on = matches!(vm.power, PowerState::PoweredOff | PowerState::Suspended);
    let powering = props.powering.as_deref() == Some(vm.vm.value.as_str());
    html! {
        <li class="vc-vm" data-moid={vm.vm.value.clone()}>
            <span class="vc-vm-name">{ vm.name.clone() }</span>
            <span class={classes!("vc-power", power_class(vm))}>{ if powering { "Powering on…" } else { vm.power.label() } }</span>
            <span class="vc-vm-host">{ vm.host_name.clone().unwrap_or_else(|| "host unknown".into()) }</span>
            <span class="vc-vm-os">{ vm.guest_os.clone().unwrap_or_default() }</span>
            <span class="vc-vm-actions">
                if let (Some(on_power_on), true) = (&props.on_power_on, can_power_on) {
                    <button class="vc-power-on" disabled={props.powering.is_some()} aria-label={format!("Power on {}", vm.name)}
                            onclick={{ let vm = vm.clone(); on_power_on.reform(move |_| vm.clone()) }}>{ "Power on" }</button>
                }
                <button onclick={onclick} disabled={reason.is_some()} aria-label={format!("Open console of {}", vm.name)}
                        aria-describedby={reason.map(|_| id.clone())}>{ "Open console" }</button>
            </span>
            if let Some(r) = reason {
                <span class="vc-why" id={id}>{ r }</span>
            }
        </li>
    }
}

fn power_class(vm: &VmSummary) -> &'static str {
    use PowerState::*;
    match vm.power {
        PoweredOn => "on",
        PoweredOff => "off",
        Suspended => "suspended",
        Unknown => "unknown",
    }
}
