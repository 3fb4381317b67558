//! The console's toolbar: one compact row. On wide windows every control is in the
//! row; on narrow ones the less frequent ones sit behind "More" (CSS decides, so the
//! same markup serves both), and the whole row can be collapsed to a small handle.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::console::Scale;
use crate::input;

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub title: AttrValue,
    #[prop_or_default]
    pub on_back: Option<Callback<()>>,
    /// Keys may go to the VM (running, not view only).
    pub can_type: bool,
    /// Nothing left to disconnect: the console ended and no automatic reconnect waits.
    pub ended: bool,
    pub has_desktop: bool,
    pub view_only: bool,
    pub scale: Scale,
    pub fullscreen: bool,
    pub on_cad: Callback<MouseEvent>,
    pub on_combo: Callback<Event>,
    pub on_scale: Callback<Event>,
    pub on_fullscreen: Callback<MouseEvent>,
    pub on_screenshot: Callback<MouseEvent>,
    pub on_view_only: Callback<MouseEvent>,
    pub on_keyboard: Callback<MouseEvent>,
    /// Text input is on (the Keyboard control is pressed).
    pub text_input: bool,
    pub on_disconnect: Callback<MouseEvent>,
    pub on_reconnect: Callback<MouseEvent>,
    /// Collapses the toolbar to its handle.
    pub on_collapse: Callback<()>,
}

#[component]
pub fn Toolbar(props: &ToolbarProps) -> Html {
    let menu_open = use_state(|| false);
    let toggle_menu = {
        let menu_open = menu_open.clone();
        Callback::from(move |_: MouseEvent| menu_open.set(!*menu_open))
    };
    // Escape closes the menu and returns focus to its button.
    let menu_keys = {
        let menu_open = menu_open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" && *menu_open {
                menu_open.set(false);
                if let Some(b) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("vc-more-button")) {
                    let _ = b.unchecked_into::<web_sys::HtmlElement>().focus();
                }
            }
        })
    };
    // The menu closes once one of its buttons is used or a choice is made.
    let close_after = {
        let menu_open = menu_open.clone();
        Callback::from(move |e: Event| {
            let tag = e.target_dyn_into::<web_sys::Element>().map(|t| t.tag_name()).unwrap_or_default();
            if (e.type_() == "click" && tag == "BUTTON") || e.type_() == "change" {
                menu_open.set(false);
            }
        })
    };
    // Opening the menu moves focus into it, so Tab goes on through its controls.
    use_effect_with(*menu_open, |open| {
        if *open {
            let first = web_sys::window().and_then(|w| w.document()).and_then(|d| {
                d.query_selector("#vc-more-menu select:not([disabled]), #vc-more-menu button:not([disabled])").ok().flatten()
            });
            if let Some(e) = first {
                let _ = e.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        }
    });
    let p = props;
    html! {
        <div class="vc-toolbar" role="toolbar" aria-label="Console controls" onkeydown={menu_keys} data-vsc-leave="">
            if let Some(back) = &p.on_back {
                <button class="vc-back" onclick={back.reform(|_| ())} aria-label="Back to VM list">{ "← Back" }</button>
            }
            <span class="vc-console-title" title={p.title.clone()}>{ p.title.clone() }</span>
            <button onclick={p.on_cad.clone()} disabled={!p.can_type} aria-label="Send Ctrl+Alt+Del">{ "Ctrl+Alt+Del" }</button>
            <div id="vc-more-menu" class={classes!("vc-more-menu", menu_open.then_some("open"))}
                 onclick={close_after.reform(|e: MouseEvent| e.into())} onchange={close_after}>
                <select onchange={p.on_combo.clone()} disabled={!p.can_type} aria-label="Send keys">
                    // Explicitly selected: Yew inserts options last-first, which would leave the last one shown.
                    <option value="" selected=true>{ "Send keys…" }</option>
                    { for input::combos().into_iter().map(|(l, _)| html! { <option value={l.clone()} selected=false>{ l }</option> }) }
                </select>
                <select onchange={p.on_scale.clone()} aria-label="Scale">
                    <option value="fit" selected={p.scale == Scale::Fit}>{ "Fit to window" }</option>
                    <option value="actual" selected={p.scale == Scale::Actual}>{ "Actual size" }</option>
                    <option value="remote" selected={p.scale == Scale::Remote}>{ "Resize guest" }</option>
                </select>
                <button onclick={p.on_fullscreen.clone()}>{ if p.fullscreen { "Exit fullscreen" } else { "Fullscreen" } }</button>
                <button onclick={p.on_screenshot.clone()} disabled={!p.has_desktop}>{ "Screenshot" }</button>
                <button onclick={p.on_view_only.clone()} aria-pressed={p.view_only.to_string()}>{ "View only" }</button>
                <button onclick={p.on_disconnect.clone()} disabled={p.ended}>{ "Disconnect" }</button>
                <button onclick={p.on_reconnect.clone()}>{ "Reconnect" }</button>
            </div>
            <button onclick={p.on_keyboard.clone()} disabled={!p.can_type} aria-label="On-screen keyboard"
                    aria-pressed={p.text_input.to_string()} title="Text input: a touch keyboard, or an input method (IME) composing">{ "Keyboard" }</button>
            <button id="vc-more-button" class="vc-more" onclick={toggle_menu} aria-label="More console actions"
                    aria-expanded={menu_open.to_string()} aria-controls="vc-more-menu">{ "More ▾" }</button>
            <button class="vc-collapse" onclick={p.on_collapse.reform(|_| ())} aria-label="Hide the toolbar" aria-expanded="true">{ "▴" }</button>
        </div>
    }
}
