//! The login form. The password is read from its field on submit, handed to the API
//! client as a [`Secret`], and the field is cleared; it never enters component state.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api::Secret;

#[derive(Properties, PartialEq)]
pub struct LoginProps {
    pub on_submit: Callback<(String, Secret)>,
    pub busy: bool,
    pub error: Option<String>,
    pub hint: Option<String>,
    /// A console to return to after logging in again.
    pub resume: Option<String>,
}

#[component]
pub fn Login(props: &LoginProps) -> Html {
    let user = use_node_ref();
    let password = use_node_ref();
    let onsubmit = {
        let (user, password, cb) = (user.clone(), password.clone(), props.on_submit.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(u), Some(p)) = (user.cast::<HtmlInputElement>(), password.cast::<HtmlInputElement>()) else { return };
            let secret = Secret::new(p.value());
            p.set_value("");
            cb.emit((u.value().trim().to_owned(), secret));
        })
    };
    html! {
        <form class="vc-login" {onsubmit} aria-label="Log in to vCenter">
            <h2>{ "Log in" }</h2>
            if let Some(vm) = &props.resume {
                <p class="vc-note">{ format!("Log in again to return to the console of {vm}.") }</p>
            }
            <label for="vc-user">{ "User name" }</label>
            <input id="vc-user" ref={user} type="text" autocomplete="username" required=true disabled={props.busy} />
            <label for="vc-password">{ "Password" }</label>
            <input id="vc-password" ref={password} type="password" autocomplete="current-password" required=true disabled={props.busy} />
            <button type="submit" disabled={props.busy}>{ if props.busy { "Logging in…" } else { "Log in" } }</button>
            if let Some(e) = &props.error {
                <p class="vc-error" role="alert">{ e.clone() }</p>
            }
            if let Some(h) = &props.hint {
                <p class="vc-hint">{ h.clone() }</p>
            }
        </form>
    }
}
