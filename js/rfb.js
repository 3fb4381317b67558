// An RFB class with noVNC 1.7's names, on the vsphere-console core, so a portal moves
// from noVNC by changing one import. What noVNC has and this does not is listed in README.md.
import { VSphereConsole } from "./index.js";

/** noVNC's `RFB(target, urlOrChannel, options)`; the second argument is a ticket here. */
export default class RFB extends EventTarget {
  #console;
  #target;
  #state = "connecting";
  #scaleViewport = false;
  #resizeSession = false;
  #clipViewport = false;
  #viewOnly = false;

  /**
   * `urlOrTicket`: a `VirtualMachineTicket` (as vCenter returned it), the REST console
   * ticket (`{ticket: "wss://…"}` or its URL string), or an `async () => ticket` function.
   * `options`: noVNC's (`shared`, `credentials`, `repeaterID` and `wsProtocols` are
   * ignored), plus `policy` and `requestedFrom` for the URL policy.
   */
  constructor(target, urlOrTicket, options = {}) {
    super();
    this.#target = target;
    const source = typeof urlOrTicket === "function" ? { acquireTicket: urlOrTicket } : { ticket: urlOrTicket };
    this.focusOnClick = true;
    this.dragViewport = false;
    this.showDotCursor = false;
    this.qualityLevel = 6;
    this.compressionLevel = 2;
    // noVNC has no reconnect of its own: a new RFB object reconnects.
    this.#console = new VSphereConsole(target, { ...source, policy: options.policy, requestedFrom: options.requestedFrom,
      scale: "actual", reconnect: false, background: options.background, label: "Remote desktop" });
    const forward = (from, to = from, map = (d) => d) => this.#console.addEventListener(from, (e) => this.dispatchEvent(new CustomEvent(to, { detail: map(e.detail) })));
    // noVNC order: connect, then the capabilities it learned.
    this.#console.addEventListener("connect", () => {
      this.#state = "connected";
      this.dispatchEvent(new CustomEvent("connect", { detail: {} }));
      this.dispatchEvent(new CustomEvent("capabilities", { detail: { capabilities: this.capabilities } }));
    });
    this.#console.addEventListener("disconnect", () => { this.#state = "disconnected"; });
    forward("disconnect", "disconnect", (d) => ({ clean: d.clean }));
    forward("desktopname", "desktopname", (d) => ({ name: d.name }));
    forward("clipboard", "clipboard", (d) => ({ text: d.text }));
    forward("bell", "bell", () => ({}));
    // A failure before the console ran is a disconnect in noVNC's terms (clean: false).
    this.#console.addEventListener("error", () => {
      if (this.#state !== "connected" && this.#state !== "disconnected") {
        this.#state = "disconnected";
        this.dispatchEvent(new CustomEvent("disconnect", { detail: { clean: false } }));
      }
    });
    this.#console.addEventListener("resize", () => this.#applyScale());
  }

  /** The console underneath, for what noVNC lacks (typeText, requestResolution, ticket state). */
  get console() { return this.#console; }
  get capabilities() { return { power: false }; }
  get clippingViewport() { return false; }

  get viewOnly() { return this.#viewOnly; }
  set viewOnly(v) { this.#viewOnly = Boolean(v); this.#console.viewOnly = this.#viewOnly; }
  get scaleViewport() { return this.#scaleViewport; }
  set scaleViewport(v) { this.#scaleViewport = Boolean(v); this.#applyScale(); }
  get resizeSession() { return this.#resizeSession; }
  set resizeSession(v) { this.#resizeSession = Boolean(v); this.#applyScale(); }
  get clipViewport() { return this.#clipViewport; }
  set clipViewport(v) { this.#clipViewport = Boolean(v); }
  get background() { return this.#target.firstElementChild?.style.background ?? ""; }
  set background(v) { if (this.#target.firstElementChild) this.#target.firstElementChild.style.background = v; }

  #applyScale() {
    this.#console.setScale(this.#resizeSession ? "remote" : this.#scaleViewport ? "fit" : "actual");
  }

  /**
   * As noVNC: the closing handshake, then `disconnect` (clean when it completed), then the
   * screen goes. A console that is already down goes at once.
   */
  disconnect() {
    const c = this.#console;
    if (this.#state === "disconnected") {
      c.destroy();
      return;
    }
    c.addEventListener("disconnect", () => c.destroy(), { once: true });
    c.ready.then(() => c.disconnect());
  }
  sendCtrlAltDel() { if (!this.#viewOnly) this.#console.sendCtrlAltDel(); }
  sendKey(keysym, code, down) { if (!this.#viewOnly) this.#console.sendKey(keysym, code ?? null, down); }
  clipboardPasteFrom(text) { if (!this.#viewOnly) this.#console.clipboardPaste(text); }
  focus(options) { this.#console.focus(options); }
  blur() { this.#console.blur(); }
  /**
   * Not in noVNC's RFB (its app keeps a text field of its own): text input on, so a touch
   * keyboard opens and an input method composes into the VM. Call from a tap or click.
   */
  showKeyboard() { return this.#console.showKeyboard(); }
  hideKeyboard() { return this.#console.hideKeyboard(); }
  toDataURL(type, quality) { return this.#console.toDataURL(type, quality); }
  toBlob(callback, type, quality) { this.#console.toBlob(callback, type, quality); }
  getImageData() {
    const c = this.#console.canvas;
    return c.getContext("2d").getImageData(0, 0, c.width, c.height);
  }
  // Not offered by vSphere consoles: a no-op each, as noVNC does without the capability.
  approveServer() {}
  sendCredentials() {}
  machineShutdown() {}
  machineReboot() {}
  machineReset() {}
}
