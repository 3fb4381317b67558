// Built by esbuild in the test, as a portal's bundle would be: the package is resolved
// from node_modules and its .wasm is emitted as a file whose URL the console is given.
import { VSphereConsole } from "vsphere-console";
import wasmUrl from "vsphere-console/console.wasm";
import { freshTicket, record, settings } from "../embed/common.js";

const console_ = new VSphereConsole(document.getElementById("screen"), {
  acquireTicket: freshTicket,
  policy: settings.policy,
  requestedFrom: settings.requestedFrom,
  wasmUrl,
});
record(console_, ["connecting", "connect", "disconnect", "ticketstate", "desktopname", "resize", "error"]);
window.api = console_;
