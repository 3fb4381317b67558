//! The app's VI/JSON call sequences, over the sans-IO client and the fetch transport.
//! No `RefCell` borrow is held across an `await`.

use crate::api::http::{HttpRequest, HttpResponse};
use crate::api::inventory::{InventoryBuilder, VmSummary};
use crate::api::wire::{MoRef, UserSession, VirtualMachineTicket};
use crate::api::{ApiError, Secret};
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

/// Reads `ServiceContent`; returns `about.apiVersion`.
pub async fn bootstrap(client: &ClientRef, base: &str) -> Result<String, ApiError> {
    call(client, base, |c| Ok(c.content_request()), |c, r| c.parse_content(r).map(|sc| sc.about.api_version.clone())).await
}

pub async fn login(client: &ClientRef, base: &str, user: &str, password: &Secret) -> Result<UserSession, ApiError> {
    call(client, base, |c| c.login_request(user, password, None), |c, r| c.parse_login(r)).await
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

pub async fn acquire_ticket(client: &ClientRef, base: &str, vm: &MoRef) -> Result<VirtualMachineTicket, ApiError> {
    call(client, base, |c| c.acquire_webmks_ticket_request(vm), |c, r| c.parse_ticket(r)).await
}
