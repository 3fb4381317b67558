//! The login form. The password is read from its field on submit, handed to the API
//! client as a [`Secret`], and the field is cleared; it never enters component state.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api::Secret;

#[derive(Properties, PartialEq)]
pub struct LoginProps {
    /// User name, password and the chosen locale (if the server offers a choice).
    pub on_submit: Callback<(String, Secret, Option<String>)>,
    #[prop_or_default]
    pub locales: Vec<String>,
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
    let locale = use_node_ref();
    let onsubmit = {
        let (user, password, locale, cb) = (user.clone(), password.clone(), locale.clone(), props.on_submit.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(u), Some(p)) = (user.cast::<HtmlInputElement>(), password.cast::<HtmlInputElement>()) else { return };
            let secret = Secret::new(p.value());
            p.set_value("");
            let chosen = locale.cast::<web_sys::HtmlSelectElement>().map(|s| s.value()).filter(|v| !v.is_empty());
            cb.emit((u.value().trim().to_owned(), secret, chosen));
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
            if !props.locales.is_empty() {
                <label for="vc-locale">{ "Language" }</label>
                <select id="vc-locale" ref={locale} disabled={props.busy}>
                    <option value="" selected=true>{ "Server default" }</option>
                    { for props.locales.iter().map(|l| html! { <option value={l.clone()} selected=false>{ l.clone() }</option> }) }
                </select>
            }
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
