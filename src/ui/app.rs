//! The top component: loads config, bootstraps the API, and switches screens.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::api::inventory::VmSummary;
use crate::api::rest::RestClient;
use crate::api::{Secret, ViClient};
use crate::web::config::{self, AppConfig};

use super::console::Console;
use super::login::Login;
use super::ops::{self, HandedIn};
use super::state::{AppAction, AppState, Screen};
use super::vm_list::VmList;
use super::ClientRef;

#[derive(Properties, PartialEq, Clone)]
pub struct AppProps {
    /// Where `config.json` is.
    #[prop_or_else(|| AttrValue::from("www/config.json"))]
    pub config_url: AttrValue,
    /// A session a host page hands in (clone ticket, session id or SAML token).
    #[prop_or_default]
    pub handed_in: Option<HandedIn>,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let state = use_reducer(AppState::default);
    let vi = use_mut_ref(|| ViClient::new(crate::api::client::DEFAULT_RELEASE));
    let rest = use_mut_ref(RestClient::default);
    let client = ClientRef(vi, rest);

    // Effect: load config and ServiceContent once, then any session the host handed in.
    {
        let state = state.clone();
        let client = client.clone();
        let url = props.config_url.to_string();
        let handed_in = props.handed_in.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                let (cfg, cfg_error) = match config::load(&url).await {
                    Ok(c) => (c, None),
                    Err(e) => (AppConfig::default(), Some(e)),
                };
                *client.0.borrow_mut() = ViClient::new(cfg.release.clone());
                let (api_version, error, locales) = if ops::is_rest(&cfg) {
                    (None, cfg_error, Vec::new())
                } else {
                    match ops::bootstrap(&client, &cfg.api_base).await {
                        Ok(v) => (Some(v), cfg_error, ops::supported_locales(&client, &cfg.api_base).await),
                        Err(e) => (None, Some(cfg_error.unwrap_or_else(|| e.sentence())), Vec::new()),
                    }
                };
                let ready = error.is_none();
                state.dispatch(AppAction::Ready { config: cfg.clone(), api_version, error, locales });
                state.dispatch(AppAction::Link(crate::web::location::fragment().as_deref().and_then(crate::link::vm_from_fragment)));
                if let (Some(how), true) = (handed_in, ready) {
                    state.dispatch(AppAction::LoginStarted);
                    match ops::login_handed_in(&client, &cfg, &how).await {
                        Ok(user) => after_login(&state, &client, &cfg, user).await,
                        Err(e) => state.dispatch(AppAction::LoginFailed(e.sentence())),
                    }
                }
            });
        });
    }

    // Effect: best-effort Logout of the app's own session when the page goes away, and
    // when the host page destroys the app.
    {
        let client = client.clone();
        let base = state.config.as_ref().map(|c| c.api_base.clone()).unwrap_or_default();
        use_effect_with(base, move |base| {
            let listener = logout_on_pagehide(client.clone(), base.clone());
            let base = base.clone();
            move || {
                drop(listener);
                logout_own_session(&client, &base);
            }
        });
    }

    // Effect: when the page becomes visible again, check the session (currentSession), so
    // expiry is noticed when the person comes back. Not on a timer: polling would keep the
    // session alive forever and defeat vCenter's idle timeout.
    {
        let (state2, client) = (state.clone(), client.clone());
        let cfg = state.config.clone().unwrap_or_default();
        let logged_in = state.user.is_some();
        use_effect_with(logged_in, move |logged_in| {
            let mut listener = None;
            if *logged_in && !ops::is_rest(&cfg) {
                let cb = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
                    let visible = web_sys::window()
                        .and_then(|w| w.document())
                        .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
                    if !visible {
                        return;
                    }
                    let (state, client, base) = (state2.clone(), client.clone(), cfg.api_base.clone());
                    spawn_local(async move {
                        match ops::session_alive(&client, &base).await {
                            Ok(false) => state.dispatch(AppAction::SessionLost("Your session has ended. Log in again to continue.".into())),
                            Err(e) if e.is_not_authenticated() => state.dispatch(AppAction::SessionLost(e.sentence())),
                            _ => {}
                        }
                    });
                });
                use wasm_bindgen::JsCast;
                if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                    if doc.add_event_listener_with_callback("visibilitychange", cb.as_ref().unchecked_ref()).is_ok() {
                        listener = Some((doc, cb));
                    }
                }
            }
            move || {
                use wasm_bindgen::JsCast;
                if let Some((doc, cb)) = listener {
                    let _ = doc.remove_event_listener_with_callback("visibilitychange", cb.as_ref().unchecked_ref());
                }
            }
        });
    }

    // Effect: the address follows the screen (`#/vm/<moId>` on a console, `#/` on the
    // list), so a console can be linked to and Back returns to the list.
    {
        let wanted = match &state.screen {
            Screen::Console(vm) => Some(crate::link::fragment_for(Some(&vm.vm.value))),
            Screen::Vms => Some(crate::link::fragment_for(None)),
            Screen::Login | Screen::Loading => None,
        };
        use_effect_with(wanted, |wanted| {
            if let Some(w) = wanted {
                crate::web::location::set_fragment(w);
            }
        });
    }

    // Effect: the address changed (a link followed, Back or Forward).
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            let listener = crate::web::location::on_fragment_change(move |fragment| {
                state.dispatch(AppAction::Link(crate::link::vm_from_fragment(&fragment)));
            });
            move || drop(listener)
        });
    }

    let cfg = state.config.clone().unwrap_or_default();

    // Callbacks
    let on_login = {
        let (state, client, cfg) = (state.clone(), client.clone(), cfg.clone());
        Callback::from(move |(user, password, locale): (String, Secret, Option<String>)| {
            let (state, client, cfg) = (state.clone(), client.clone(), cfg.clone());
            state.dispatch(AppAction::LoginStarted);
            spawn_local(async move {
                let base = cfg.api_base.clone();
                if ops::is_rest(&cfg) {
                    match ops::rest_login(&client.1, &base, &user, &password).await {
                        Ok(()) => after_login(&state, &client, &cfg, user).await,
                        Err(e) => state.dispatch(AppAction::LoginFailed(e.sentence())),
                    }
                    return;
                }
                if client.0.borrow().content().is_none() {
                    if let Err(e) = ops::bootstrap(&client, &base).await {
                        return state.dispatch(AppAction::LoginFailed(e.sentence()));
                    }
                }
                match ops::login(&client, &base, &user, &password, locale.as_deref()).await {
                    Ok(session) => after_login(&state, &client, &cfg, session.user_name).await,
                    Err(e) => state.dispatch(AppAction::LoginFailed(e.sentence())),
                }
            });
        })
    };
    let on_open = {
        let state = state.clone();
        Callback::from(move |vm| state.dispatch(AppAction::OpenConsole(vm)))
    };
    let on_power_on = {
        let (state, client, cfg) = (state.clone(), client.clone(), cfg.clone());
        Callback::from(move |vm: VmSummary| {
            let (state, client, cfg) = (state.clone(), client.clone(), cfg.clone());
            state.dispatch(AppAction::PowerOnStarted(vm.vm.value.clone()));
            spawn_local(async move {
                match power_on_and_reload(&state, &client, &cfg, &vm).await {
                    Ok(Some(on)) => state.dispatch(AppAction::OpenConsole(on)),
                    Ok(None) => state.dispatch(AppAction::PowerOnFailed(format!(
                        "{} was powered on, but the list does not show it running yet. Refresh in a moment.",
                        vm.name
                    ))),
                    Err(e) if e.is_not_authenticated() => state.dispatch(AppAction::SessionLost(e.sentence())),
                    Err(e) => state.dispatch(AppAction::PowerOnFailed(format!("{} could not be powered on. {}", vm.name, e.sentence()))),
                }
            });
        })
    };
    let on_refresh = {
        let (state, client, cfg) = (state.clone(), client.clone(), cfg.clone());
        Callback::from(move |()| {
            let (state, client, cfg) = (state.clone(), client.clone(), cfg.clone());
            spawn_local(async move { load_vms(&state, &client, &cfg).await });
        })
    };
    let on_logout = {
        let (state, client, cfg) = (state.clone(), client.clone(), cfg.clone());
        Callback::from(move |()| {
            let (state, client, cfg) = (state.clone(), client.clone(), cfg.clone());
            spawn_local(async move {
                if ops::is_rest(&cfg) {
                    let req = client.1.borrow_mut().logout_request();
                    if let Ok(req) = req {
                        let _ = crate::web::http::send(&cfg.api_base, &req).await;
                    }
                } else {
                    let _ = ops::logout(&client, &cfg.api_base).await;
                }
                state.dispatch(AppAction::LoggedOut);
            });
        })
    };
    let on_locale = {
        let (state, client, cfg) = (state.clone(), client.clone(), cfg.clone());
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else { return };
            let locale = sel.value();
            let (state, client, base) = (state.clone(), client.clone(), cfg.api_base.clone());
            spawn_local(async move {
                if let Err(e) = ops::set_locale(&client, &base, &locale).await {
                    state.dispatch(AppAction::VmsFailed(e.sentence()));
                }
            });
        })
    };
    // Back to the list, read again: power states may have changed (a power on from the
    // console, or someone else's).
    let on_back = {
        let (state, client, cfg) = (state.clone(), client.clone(), cfg.clone());
        Callback::from(move |()| {
            state.dispatch(AppAction::CloseConsole);
            let (state, client, cfg) = (state.clone(), client.clone(), cfg.clone());
            spawn_local(async move { load_vms(&state, &client, &cfg).await });
        })
    };
    let on_session_lost = {
        let state = state.clone();
        Callback::from(move |msg| state.dispatch(AppAction::SessionLost(msg)))
    };

    let body = match (&state.screen, &state.config) {
        (Screen::Loading, _) | (_, None) => html! { <p class="status" role="status">{ "Loading…" }</p> },
        (Screen::Login, Some(cfg)) => html! {
            <Login on_submit={on_login} busy={state.busy} error={state.error.clone()} locales={state.locales.clone()}
                   hint={cfg.login_hint.clone()} resume={state.resume.as_ref().map(|(_, v)| v.name.clone())} />
        },
        (Screen::Vms, Some(cfg)) => html! {
            <VmList vms={state.vms.clone()} on_open={on_open} on_refresh={on_refresh} on_logout={on_logout.clone()}
                    on_power_on={(!ops::is_rest(cfg)).then_some(on_power_on)} powering={state.powering.clone()}
                    error={state.error.clone()} busy={state.busy} message={state.server_message.clone()} />
        },
        (Screen::Console(vm), Some(cfg)) => html! {
            <Console key={vm.vm.value.clone()} vm={vm.vm.clone()} title={vm.name.clone()} options={Rc::new(cfg.console_options())}
                     acquire_ticket={ops::acquire_ticket_for(&client, cfg, &vm.vm)} on_back={Some(on_back)} {on_session_lost}
                     power_on={(!ops::is_rest(cfg)).then(|| ops::power_on_source(&client, cfg, &vm.vm))} />
        },
    };

    html! {
        <div class={classes!("vc-app", matches!(state.screen, Screen::Console(_)).then_some("on-console"))}>
            <header class="vc-header">
                <h1>{ "vSphere console" }</h1>
                if let Some(v) = &state.api_version {
                    <span class="vc-api">{ format!("vCenter API {v}") }</span>
                }
                if let (Some(_), false) = (&state.user, state.locales.is_empty()) {
                    <label class="vc-inline">{ "Language " }
                        <select aria-label="Session language" onchange={on_locale}>
                            // The server's default (first) is shown until the person picks another.
                            { for state.locales.iter().enumerate().map(|(i, l)| html! { <option value={l.clone()} selected={i == 0}>{ l.clone() }</option> }) }
                        </select>
                    </label>
                }
                if let Some(u) = &state.user {
                    <span class="vc-user">{ u.clone() }</span>
                    <button class="vc-logout" onclick={on_logout.reform(|_| ())}>{ "Log out" }</button>
                }
            </header>
            <main>{ body }</main>
        </div>
    }
}

async fn after_login(state: &UseReducerHandle<AppState>, client: &ClientRef, cfg: &AppConfig, user: String) {
    state.dispatch(AppAction::LoggedIn { user });
    if !ops::is_rest(cfg) {
        if let Some(m) = ops::server_message(client, &cfg.api_base).await {
            state.dispatch(AppAction::ServerMessage(m));
        }
    }
    load_vms(state, client, cfg).await;
}

/// Powers `vm` on and reloads the list; the VM as the list now shows it, if it runs.
async fn power_on_and_reload(
    state: &UseReducerHandle<AppState>,
    client: &ClientRef,
    cfg: &AppConfig,
    vm: &VmSummary,
) -> Result<Option<VmSummary>, crate::api::ApiError> {
    ops::power_on(client, &cfg.api_base, &vm.vm).await?;
    let vms = ops::list_vms(client, &cfg.api_base).await?;
    let on = vms.iter().find(|v| v.vm == vm.vm && v.console_unavailable_reason().is_none()).cloned();
    state.dispatch(AppAction::VmsLoaded(vms));
    Ok(on)
}

async fn load_vms(state: &UseReducerHandle<AppState>, client: &ClientRef, cfg: &AppConfig) {
    let result =
        if ops::is_rest(cfg) { ops::rest_list_vms(&client.1, &cfg.api_base).await } else { ops::list_vms(client, &cfg.api_base).await };
    match result {
        Ok(vms) => state.dispatch(AppAction::VmsLoaded(vms)),
        Err(e) if e.is_not_authenticated() => state.dispatch(AppAction::SessionLost(e.sentence())),
        Err(e) => state.dispatch(AppAction::VmsFailed(e.sentence())),
    }
}

/// The Logout for the session this app made, if it made one: a session the host page
/// handed in (its session id) is the host's, and never ended here.
fn own_logout(client: &ClientRef) -> Option<crate::api::http::HttpRequest> {
    let mut vi = client.0.borrow_mut();
    if vi.owns_session() {
        return vi.logout_request().ok();
    }
    if vi.is_logged_in() {
        return None;
    }
    client.1.borrow_mut().logout_request().ok()
}

/// Ends the app's own session with a `keepalive` request, which outlives the page.
pub(crate) fn logout_own_session(client: &ClientRef, base: &str) {
    if let Some(req) = own_logout(client) {
        crate::web::http::fire_keepalive(base, &req);
    }
}

/// Sends Logout with `keepalive` on `pagehide`, so a closed tab frees its session; not
/// when the page goes into the back/forward cache (`persisted`): it may come back.
fn logout_on_pagehide(client: ClientRef, base: String) -> Option<PagehideListener> {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    let window = web_sys::window()?;
    let cb = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
        let persisted = js_sys::Reflect::get(&ev, &"persisted".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false);
        if !persisted {
            logout_own_session(&client, &base);
        }
    });
    window.add_event_listener_with_callback("pagehide", cb.as_ref().unchecked_ref()).ok()?;
    Some(PagehideListener { cb: Rc::new(RefCell::new(Some(cb))) })
}

/// The page-hide closure, shared so that dropping the listener can free it later.
type SharedClosure = Rc<RefCell<Option<wasm_bindgen::closure::Closure<dyn FnMut(wasm_bindgen::JsValue)>>>>;

struct PagehideListener {
    cb: SharedClosure,
}

impl Drop for PagehideListener {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        if let (Some(w), Some(cb)) = (web_sys::window(), self.cb.borrow_mut().take()) {
            let _ = w.remove_event_listener_with_callback("pagehide", cb.as_ref().unchecked_ref());
        }
    }
}
