//! The app's VI/JSON call sequences, over the sans-IO client and the fetch transport.
//! No `RefCell` borrow is held across an `await`.

use crate::api::client::{SessionManagerProperty, KNOWN_RELEASES};
use crate::api::http::{HttpRequest, HttpResponse};
use crate::api::inventory::{InventoryBuilder, VmSummary};
use crate::api::rest::RestClient;
use crate::api::wire::{MoRef, UserSession, VirtualMachineTicket};
use crate::api::{ApiError, Secret};
use crate::web::config::{ApiFlavor, AppConfig};
use crate::web::http;

use super::ClientRef;

async fn call<T>(
    client: &ClientRef,
    base: &str,
    build: impl FnOnce(&mut crate::api::ViClient) -> Result<HttpRequest, ApiError>,
    parse: impl FnOnce(&mut crate::api::ViClient, &HttpResponse) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let req = build(&mut client.0.borrow_mut())?;
    let resp = http::send(base, &req).await?;
    let result = parse(&mut client.0.borrow_mut(), &resp);
    if matches!(&result, Err(e) if e.is_not_authenticated()) {
        client.0.borrow_mut().forget_session();
    }
    result
}

/// Reads `ServiceContent` and moves to the server's own release where it can (hello
/// from 8.0.2.0, else `about.apiVersion`); returns `about.apiVersion`.
pub async fn bootstrap(client: &ClientRef, base: &str) -> Result<String, ApiError> {
    let version = call(client, base, |c| Ok(c.content_request()), |c, r| c.parse_content(r).map(|sc| sc.about.api_version.clone())).await?;
    let hello_req = client.0.borrow().hello_request(&KNOWN_RELEASES);
    let hello = http::send(base, &hello_req).await.ok();
    client.0.borrow_mut().choose_release(hello.as_ref(), &KNOWN_RELEASES);
    Ok(version)
}

/// The locales to offer at login (anonymous); empty when the server will not say.
pub async fn supported_locales(client: &ClientRef, base: &str) -> Vec<String> {
    call(client, base, |c| c.session_manager_property_request(SessionManagerProperty::SupportedLocaleList), |c, r| c.parse_string_list(r))
        .await
        .unwrap_or_default()
}

/// The server's global message, shown after login.
pub async fn server_message(client: &ClientRef, base: &str) -> Option<String> {
    call(client, base, |c| c.session_manager_property_request(SessionManagerProperty::Message), |c, r| c.parse_optional_string(r))
        .await
        .ok()
        .flatten()
        .filter(|m| !m.trim().is_empty())
}

/// How a host page can hand the app a session without a password.
#[derive(Clone, Debug, PartialEq)]
pub enum HandedIn {
    CloneTicket(Secret),
    SessionId(Secret),
    SamlToken(Secret),
    /// `LoginBySSPI`: the page's function turns each challenge (null at first) into the
    /// next base64 token, from its own SSPI or Kerberos broker; a browser has none.
    Sspi(js_sys::Function),
}

/// Rounds of `SSPIChallenge` before giving up (NTLM needs two, Kerberos one).
const MAX_SSPI_ROUNDS: usize = 4;

/// Asks the page's SSPI function for the next token.
async fn sspi_token(produce: &js_sys::Function, challenge: Option<&Secret>) -> Result<Secret, ApiError> {
    let arg = challenge.map(|c| wasm_bindgen::JsValue::from_str(c.expose())).unwrap_or(wasm_bindgen::JsValue::NULL);
    let refused = || ApiError::Transport("the page could not produce a Windows sign-in token".into());
    let value = produce.call1(&wasm_bindgen::JsValue::NULL, &arg).map_err(|_| refused())?;
    let value = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&value)).await.map_err(|_| refused())?;
    value.as_string().filter(|t| !t.is_empty()).map(Secret::new).ok_or_else(refused)
}

/// Logs in with what the host page handed in; returns the user name.
pub async fn login_handed_in(client: &ClientRef, cfg: &AppConfig, how: &HandedIn) -> Result<String, ApiError> {
    let base = &cfg.api_base;
    match how {
        HandedIn::CloneTicket(t) => call(client, base, |c| c.clone_session_request(t), |c, r| c.parse_login(r)).await.map(|s| s.user_name),
        HandedIn::SamlToken(t) => {
            call(client, base, |c| c.login_by_token_request(t, &cfg.token_header, &cfg.token_template, None), |c, r| c.parse_login(r))
                .await
                .map(|s| s.user_name)
        }
        HandedIn::Sspi(produce) => {
            let mut challenge: Option<Secret> = None;
            for _ in 0..MAX_SSPI_ROUNDS {
                let token = sspi_token(produce, challenge.as_ref()).await?;
                match call(client, base, |c| c.login_by_sspi_request(&token, None), |c, r| c.parse_login(r)).await {
                    Ok(s) => return Ok(s.user_name),
                    Err(e) => match crate::api::client::sspi_challenge(&e) {
                        Some(next) => challenge = Some(next.clone()),
                        None => return Err(e),
                    },
                }
            }
            Err(ApiError::Transport("Windows sign-in did not finish after several rounds".into()))
        }
        HandedIn::SessionId(id) => {
            client.0.borrow_mut().adopt_session(id.clone());
            match call(client, base, |c| c.current_session_request(), |c, r| c.parse_current_session(r)).await? {
                Some(s) => Ok(s.user_name),
                None => Err(ApiError::Fault(crate::api::Fault { kind: crate::api::FaultKind::NotAuthenticated, server_message: None })),
            }
        }
    }
}

/// The REST client for vCenter 7.x, when the config says so.
pub async fn rest_login(
    rest: &std::rc::Rc<std::cell::RefCell<RestClient>>,
    base: &str,
    user: &str,
    password: &Secret,
) -> Result<(), ApiError> {
    let req = rest.borrow().login_request(user, password);
    let resp = http::send(base, &req).await?;
    rest.borrow_mut().parse_login(&resp)
}

pub async fn rest_list_vms(rest: &std::rc::Rc<std::cell::RefCell<RestClient>>, base: &str) -> Result<Vec<VmSummary>, ApiError> {
    let req = rest.borrow().list_vms_request()?;
    let resp = http::send(base, &req).await?;
    rest.borrow().parse_vms(&resp)
}

pub async fn rest_ticket(
    rest: &std::rc::Rc<std::cell::RefCell<RestClient>>,
    base: &str,
    vm: &MoRef,
) -> Result<VirtualMachineTicket, ApiError> {
    let req = rest.borrow().console_ticket_request(vm)?;
    let resp = http::send(base, &req).await?;
    rest.borrow().parse_console_ticket(&resp)
}

pub fn is_rest(cfg: &AppConfig) -> bool {
    cfg.api_flavor == ApiFlavor::Rest
}

pub async fn login(client: &ClientRef, base: &str, user: &str, password: &Secret, locale: Option<&str>) -> Result<UserSession, ApiError> {
    call(client, base, |c| c.login_request(user, password, locale), |c, r| c.parse_login(r)).await
}

pub async fn logout(client: &ClientRef, base: &str) -> Result<(), ApiError> {
    call(client, base, |c| c.logout_request(), |c, r| c.parse_void(r)).await
}

/// Every VM, through a container view and paged RetrievePropertiesEx.
pub async fn list_vms(client: &ClientRef, base: &str) -> Result<Vec<VmSummary>, ApiError> {
    let view: MoRef = call(client, base, |c| c.create_vm_view_request(), |c, r| c.parse_moref(r)).await?;
    let mut inv = InventoryBuilder::default();
    let mut page = call(client, base, |c| c.retrieve_vms_request(&view), |c, r| c.parse_retrieve_result(r)).await?;
    loop {
        inv.add_page(&page.objects);
        let Some(token) = page.token.take() else { break };
        page = call(client, base, |c| c.continue_retrieve_request(&token), |c, r| c.parse_retrieve_result(r)).await?;
    }
    // Best effort: a view left behind expires with the session.
    let _ = call(client, base, |c| c.destroy_view_request(&view), |c, r| c.parse_void(r)).await;
    Ok(inv.finish())
}

/// Tickets for `vm` from this app's session (VI/JSON `AcquireTicket`, or the REST console
/// ticket on vCenter 7); a lost session is told apart so the app can return to login.
pub fn acquire_ticket_for(client: &ClientRef, cfg: &AppConfig, vm: &MoRef) -> super::console::AcquireTicket {
    let (client, base, vm, rest) = (client.clone(), cfg.api_base.clone(), vm.clone(), is_rest(cfg));
    super::console::AcquireTicket(std::rc::Rc::new(move || {
        let (client, base, vm) = (client.clone(), base.clone(), vm.clone());
        Box::pin(async move {
            let result = if rest { rest_ticket(&client.1, &base, &vm).await } else { acquire_ticket(&client, &base, &vm).await };
            result.map(crate::console::IssuedTicket::from).map_err(|e| crate::console::AcquireError {
                sentence: e.sentence(),
                session_lost: e.is_not_authenticated(),
                vm_not_running: e.is_vm_not_running(),
            })
        })
    }))
}

/// Powering `vm` on from its console page (when its ticket says it is off).
pub fn power_on_source(client: &ClientRef, cfg: &AppConfig, vm: &MoRef) -> super::console::PowerOnSource {
    let (client, base, vm) = (client.clone(), cfg.api_base.clone(), vm.clone());
    super::console::PowerOnSource(std::rc::Rc::new(move || {
        let (client, base, vm) = (client.clone(), base.clone(), vm.clone());
        Box::pin(async move { power_on(&client, &base, &vm).await.map_err(|e| e.sentence()) })
    }))
}

pub async fn acquire_ticket(client: &ClientRef, base: &str, vm: &MoRef) -> Result<VirtualMachineTicket, ApiError> {
    call(client, base, |c| c.acquire_webmks_ticket_request(vm), |c, r| c.parse_ticket(r)).await
}

/// Is the session still alive? `Ok(false)` when the server says it is gone.
pub async fn session_alive(client: &ClientRef, base: &str) -> Result<bool, ApiError> {
    call(client, base, |c| c.current_session_request(), |c, r| c.parse_current_session(r)).await.map(|s| s.is_some())
}

/// `SetLocale` for the rest of the session.
pub async fn set_locale(client: &ClientRef, base: &str, locale: &str) -> Result<(), ApiError> {
    call(client, base, |c| c.set_locale_request(locale), |c, r| c.parse_void(r)).await
}

/// How long a power-on may take before the app stops waiting (the task goes on).
const POWER_ON_WAIT_MS: u32 = 120_000;

/// `PowerOnVM_Task`, then the task's state through the property collector until it
/// succeeds or fails: first after 250 ms, then every second.
pub async fn power_on(client: &ClientRef, base: &str, vm: &MoRef) -> Result<(), ApiError> {
    use crate::api::task::{outcome, TaskOutcome};
    let task: MoRef = call(client, base, |c| c.power_on_request(vm), |c, r| c.parse_moref(r)).await?;
    let mut waited = 0;
    let mut pause = 250;
    while waited < POWER_ON_WAIT_MS {
        crate::web::timers::sleep_ms(pause).await;
        waited += pause;
        pause = 1000;
        let result = call(client, base, |c| c.task_state_request(&task), |c, r| c.parse_retrieve_result(r)).await?;
        match outcome(&result)? {
            TaskOutcome::Pending => continue,
            TaskOutcome::Succeeded => return Ok(()),
            TaskOutcome::Failed(e) => return Err(e),
        }
    }
    Err(ApiError::TaskStillRunning)
}
