// Starts the app in index.html. An external module, not an inline script, so the page
// works under a Content-Security-Policy without 'unsafe-inline'.
import init, { mount } from "../pkg/vsphere_console.js";

const root = document.getElementById("app");
try {
  await init();
  root.textContent = "";
  window.vsphereConsole = mount(root, { configUrl: "www/config.json" });
} catch (e) {
  root.textContent = "The console could not start: this browser may not support WebAssembly, or pkg/ was not built.";
  throw e;
}
