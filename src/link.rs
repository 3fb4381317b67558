//! Links to a console: `#/vm/<moId>` in the page's address. Only the moId is ever in
//! the address: never a ticket, a session or a name that could change.

/// The moId a fragment links to, if it is `#/vm/<moId>` with a plausible moId.
pub fn vm_from_fragment(fragment: &str) -> Option<String> {
    let moid = fragment.strip_prefix('#').unwrap_or(fragment).strip_prefix("/vm/")?;
    let plausible =
        !moid.is_empty() && moid.len() <= 80 && moid.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    plausible.then(|| moid.to_owned())
}

/// The fragment for a VM's console, or for the list when `None`.
pub fn fragment_for(vm: Option<&str>) -> String {
    match vm {
        Some(moid) => format!("#/vm/{moid}"),
        None => "#/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_round_trip_and_odd_fragments_are_ignored() {
        assert_eq!(vm_from_fragment(&fragment_for(Some("vm-101"))).as_deref(), Some("vm-101"));
        assert_eq!(vm_from_fragment("/vm/vm-7"), Some("vm-7".into()));
        for odd in ["", "#", "#/", "#/vm/", "#/vm/a/b", "#/vm/x?ticket=1", "#/vm/%2e", "#/vms/vm-1", &format!("#/vm/{}", "a".repeat(81))] {
            assert_eq!(vm_from_fragment(odd), None, "{odd}");
        }
        assert_eq!(fragment_for(None), "#/");
    }
}
