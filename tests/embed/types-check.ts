// Compiled with `tsc --noEmit --strict` against the packed package: the declarations
// must describe the API as the README documents it, with real types.
import { VSphereConsole, validateConsoleUrl, type ConsoleStatus, type VirtualMachineTicket } from "vsphere-console";
import RFB from "vsphere-console/rfb";
import { createWMKS, CONST } from "vsphere-console/wmks";
import type { VSphereConsoleElement } from "vsphere-console/element";
import { mount } from "vsphere-console/app";

declare const ticket: VirtualMachineTicket;
const c = new VSphereConsole(document.body, { ticket, acquireTicket: async () => ({ ticket: "wss://esx/ticket/abc" }), policy: { allowedHosts: ["*.example.com"] } });
c.addEventListener("disconnect", (e) => { const clean: boolean = e.detail.clean; const code: number = e.detail.code; void clean; void code; });
c.addEventListener("ticketstate", (e) => { const s: "used" | string = e.detail.state; void s; });
c.addEventListener("error", (e) => { const sentence: string = e.detail.sentence; void sentence; });
const status: ConsoleStatus | null = c.status;
void status;
const typing = c.typeText("hello");
typing.cancel();
c.setScale("actual");
// @ts-expect-error: only fit, actual and remote
c.setScale("stretch");
const ok: boolean = c.sendKeys(["ControlLeft", "AltLeft", "Delete"]);
c.keyboardLayout = "de-ch";
// @ts-expect-error: only the generated layouts
c.keyboardLayout = "klingon";
const pasted: { sent: boolean; sentence: string | null } = c.clipboardPaste("text");
void pasted;
void new VSphereConsole(document.body, { ticket, clipboard: { toVm: false }, keyboardLayout: "fr" });
void ok;
void validateConsoleUrl(ticket, "https://vc.example.com").then((r) => { if (r.ok) { const u: string = r.url; void u; } else { const code: string = r.code; void code; } });

const rfb = new RFB(document.body, ticket, { policy: { allowedHosts: ["esx01.example.com"] } });
rfb.scaleViewport = true;
rfb.addEventListener("disconnect", (e) => { const clean: boolean = e.detail.clean; void clean; });

const wmks = createWMKS("console", { rescale: true });
wmks.register(CONST.Events.CONNECTION_STATE_CHANGE, (_e, data) => { const s: "connecting" | "connected" | "disconnected" = data.state; void s; });
wmks.connect(ticket);

const el = document.querySelector("vsphere-console") as VSphereConsoleElement;
el.ticket = ticket;
void mount(document.body, { configUrl: "www/config.json" }).then((app) => app.destroy());
