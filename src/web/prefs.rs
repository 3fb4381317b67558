//! What the app remembers between visits, in `localStorage`: only preferences keyed by a
//! VM's moId (the guest's keyboard layout). Never a ticket, a session or a password.

const LAYOUT_KEY: &str = "vsphere-console.layout.";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The layout last chosen for this VM's guest.
pub fn layout_for(moid: &str) -> Option<String> {
    storage()?.get_item(&format!("{LAYOUT_KEY}{moid}")).ok().flatten()
}

/// Remembers the layout for this VM's guest (best effort: storage may be off).
pub fn remember_layout(moid: &str, layout: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(&format!("{LAYOUT_KEY}{moid}"), layout);
    }
}
