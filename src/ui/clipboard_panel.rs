//! The clipboard panel: the VM's copied text and the control that copies it to this
//! computer (it waits for the person, `console::consent`), text to send to the VM, and
//! "Paste as typing" for servers that ignore ClientCutText (VMware consoles without
//! Tools copy and paste), which types the text through the guest's layout instead.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ClipboardPanelProps {
    /// Text the VM copied last (shown only when it may reach the page).
    pub from_vm: Option<String>,
    /// That text has not gone to this computer's clipboard yet.
    pub waiting: bool,
    /// Copies the waiting text to this computer's clipboard (the person's act).
    pub on_copy: Callback<()>,
    pub allow_to_vm: bool,
    pub allow_from_vm: bool,
    /// Whether keys and clipboard may go to the VM now (running, not view only).
    pub can_send: bool,
    /// Sends text to the VM's clipboard.
    pub on_send: Callback<String>,
    /// Types text into the VM through the keyboard layout.
    pub on_type: Callback<String>,
    /// What became of the last send or typing, as a sentence.
    pub note: Option<String>,
}

#[component]
pub fn ClipboardPanel(props: &ClipboardPanelProps) -> Html {
    let area = use_node_ref();
    let text = {
        let area = area.clone();
        move || area.cast::<HtmlTextAreaElement>().map(|a| a.value()).unwrap_or_default()
    };
    let send = {
        let (text, on_send) = (text.clone(), props.on_send.clone());
        Callback::from(move |_: MouseEvent| on_send.emit(text()))
    };
    // Paste as typing: the local clipboard when the browser gives it, else the field.
    let paste_as_typing = {
        let (text, on_type) = (text.clone(), props.on_type.clone());
        Callback::from(move |_: MouseEvent| {
            let (field, on_type) = (text(), on_type.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let local = if field.is_empty() { crate::web::console::clipboard::read_local().await } else { None };
                on_type.emit(local.unwrap_or(field));
            });
        })
    };
    if !props.allow_to_vm && !props.allow_from_vm {
        return html! {};
    }
    let waiting = props.allow_from_vm && props.waiting;
    let copy = {
        let on_copy = props.on_copy.clone();
        Callback::from(move |_: MouseEvent| on_copy.emit(()))
    };
    html! {
        <details class="vc-clipboard">
            <summary>
                <span>{ "Clipboard" }</span>
                if waiting {
                    <span class="vc-clip-waiting" role="status">{ " · the VM copied text" }</span>
                }
            </summary>
            if props.allow_from_vm {
                <label class="vc-clip">{ "Text the VM copied" }
                    <textarea readonly=true rows="2" value={props.from_vm.clone().unwrap_or_default()} />
                </label>
                <div class="vc-row">
                    <button onclick={copy} disabled={!waiting}>{ "Copy to this computer" }</button>
                </div>
            }
            if props.allow_to_vm {
                <label class="vc-clip">{ "Text for the VM" }
                    <textarea ref={area} rows="2" />
                </label>
                <div class="vc-row">
                    <button onclick={send} disabled={!props.can_send}>{ "Send to the VM's clipboard" }</button>
                    <button onclick={paste_as_typing} disabled={!props.can_send}
                            title="Types the text (or, with the field empty, your clipboard) through the guest's keyboard layout">{ "Paste as typing" }</button>
                </div>
            }
            if let Some(n) = &props.note {
                <p class="vc-clip-note" role="status">{ n.clone() }</p>
            }
        </details>
    }
}
