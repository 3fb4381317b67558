//! The JavaScript API for host pages.
//!
//! ```js
//! import init, { mount } from "./pkg/vsphere_console.js";
//! await init();
//! const app = mount(document.getElementById("console"), { configUrl: "www/config.json" });
//! // later: app.destroy();
//! ```

use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::AppHandle;

use crate::ui::app::{App, AppProps};

/// A mounted app; `destroy()` unmounts it and closes any console.
#[wasm_bindgen]
pub struct ConsoleApp {
    handle: Option<AppHandle<App>>,
}

#[wasm_bindgen]
impl ConsoleApp {
    pub fn destroy(&mut self) {
        if let Some(h) = self.handle.take() {
            h.destroy();
        }
    }
}

/// Mounts the app into `element`. `options.configUrl` names the config file.
#[wasm_bindgen]
pub fn mount(element: Element, options: JsValue) -> ConsoleApp {
    let config_url = js_sys::Reflect::get(&options, &JsValue::from_str("configUrl"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "www/config.json".into());
    let props = AppProps { config_url: config_url.into() };
    ConsoleApp { handle: Some(yew::Renderer::<App>::with_root_and_props(element, props).render()) }
}
