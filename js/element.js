// <vsphere-console>: the console as a custom element. Attributes: `scale` (fit, actual,
// remote) and `view-only`. The ticket is a property only: a ticket never goes into a
// DOM attribute. Events of the console are dispatched on the element. Size it in the
// page's CSS: `vsphere-console { display: block; width: …; height: … }`.
import { VSphereConsole } from "./index.js";

const FORWARDED = ["connecting", "connect", "disconnect", "ticketstate", "desktopname", "resize", "clipboard", "bell", "leds", "heartbeat", "error", "status"];

export class VSphereConsoleElement extends HTMLElement {
  static observedAttributes = ["scale", "view-only"];
  #console = null;
  #ticket = null;
  #acquireTicket = null;
  #queued = false;

  /** The URL policy (the `consolePolicy` shape) and where tickets are requested from. */
  policy = undefined;
  requestedFrom = undefined;
  /** Further VSphereConsole options (keyboardLayout, typingDelayMs, reconnect, …). */
  options = {};

  /** Setting a ticket (re)opens the console with it. Reading it gives null: it is not kept here. */
  get ticket() { return null; }
  set ticket(t) { this.#ticket = t; this.#queueStart(); }
  get acquireTicket() { return this.#acquireTicket; }
  set acquireTicket(f) { this.#acquireTicket = f; this.#queueStart(); }
  /** The VSphereConsole inside, once started. */
  get console() { return this.#console; }

  // No style of its own (that would be an attribute): the page's CSS gives it
  // `display: block` and a size.
  connectedCallback() {
    this.#queueStart();
  }

  disconnectedCallback() {
    this.#console?.destroy();
    this.#console = null;
  }

  attributeChangedCallback(name) {
    if (!this.#console) return;
    if (name === "scale") this.#console.setScale(this.getAttribute("scale") || "fit");
    if (name === "view-only") this.#console.viewOnly = this.hasAttribute("view-only");
  }

  // Properties set one after another (policy, then ticket) are all read before starting.
  #queueStart() {
    if (this.#queued) return;
    this.#queued = true;
    queueMicrotask(() => {
      this.#queued = false;
      this.#start();
    });
  }

  #start() {
    if (!this.isConnected || (!this.#ticket && !this.#acquireTicket)) return;
    this.#console?.destroy();
    const ticket = this.#ticket;
    this.#ticket = null;
    this.#console = new VSphereConsole(this, {
      ...this.options, ticket: ticket ?? undefined, acquireTicket: this.#acquireTicket ?? undefined,
      policy: this.policy, requestedFrom: this.requestedFrom,
      scale: this.getAttribute("scale") || "fit", viewOnly: this.hasAttribute("view-only"),
      label: this.getAttribute("aria-label") || "Virtual machine console",
    });
    for (const name of FORWARDED) {
      this.#console.addEventListener(name, (e) => this.dispatchEvent(new CustomEvent(name, { detail: e.detail })));
    }
  }

  disconnect() { this.#console?.disconnect(); }
  reconnect() { this.#console?.reconnect(); }
  sendCtrlAltDel() { this.#console?.sendCtrlAltDel(); }
  sendKeys(combo) { return this.#console?.sendKeys(combo) ?? false; }
  typeText(text) { return this.#console ? this.#console.typeText(text) : Promise.reject(new Error("The console has not started.")); }
  /** Text input on (input methods, touch keyboards): call it from a tap or click. */
  showKeyboard() { return this.#console?.showKeyboard() ?? false; }
  hideKeyboard() { return this.#console?.hideKeyboard() ?? false; }
  focus(options) { this.#console ? this.#console.focus(options) : super.focus(options); }
}

if (!customElements.get("vsphere-console")) customElements.define("vsphere-console", VSphereConsoleElement);
