import { VSphereConsole } from "/node_modules/vsphere-console/index.js";
import { freshTicket, record, settings } from "/embed/common.js";

const console_ = new VSphereConsole(document.getElementById("screen"), {
  ticket: await freshTicket(),
  acquireTicket: freshTicket,
  policy: settings.policy,
  requestedFrom: settings.requestedFrom,
  label: "Console of web-01",
});
record(console_, ["connecting", "connect", "disconnect", "ticketstate", "desktopname", "resize", "clipboard", "bell", "leds", "error"]);
window.api = console_;
