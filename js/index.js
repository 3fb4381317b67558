// vsphere-console: a VM console for the browser, as a component.
// The console-only entry: no login form, no VM list, no Yew. See README.md.
import init, { ConsoleHandle, validateConsoleUrl as validateWithPolicy } from "./console/vsphere_console.js";

let loading = null;

/**
 * Loads the WebAssembly once. Bundlers that move the .wasm file pass its URL; otherwise
 * it is found next to this module. Every API below waits for it by itself.
 */
export function initConsole(wasmUrl) {
  loading ??= init(wasmUrl ? { module_or_path: wasmUrl } : undefined);
  return loading;
}

/** Checks a ticket against a console policy with the browser's URL parser. */
export async function validateConsoleUrl(ticket, requestedFrom, policy) {
  await initConsole();
  return validateWithPolicy(ticket, requestedFrom, policy ?? null);
}

const CORE_OPTIONS = ["policy", "requestedFrom", "scale", "viewOnly", "keyboardLayout", "clipboard", "typingDelayMs", "reconnect", "leaveKeys", "unicodeKeys",
  "ticketLifetimeSeconds", "stepTimeoutSeconds"];

/**
 * One VM console in `element`. Events (CustomEvent, payload in `detail`): connecting,
 * connect, disconnect, ticketstate, desktopname, resize, clipboard, bell, leds, error,
 * status. No event carries a ticket or a session id.
 */
export class VSphereConsole extends EventTarget {
  #handle = null;
  #screen;
  #canvas;
  #status = null;
  #destroyed = false;
  /** The options the console starts with; setters write here until it has. */
  #options = {};

  constructor(element, options = {}) {
    super();
    if (!(element instanceof Element)) throw new TypeError("VSphereConsole needs an element to draw in.");
    const { ticket, acquireTicket, wasmUrl } = options;
    if (!ticket && typeof acquireTicket !== "function") {
      throw new TypeError("VSphereConsole needs a `ticket` or an `acquireTicket` function.");
    }
    // The ticket handed in serves the first attempt only: tickets are one-time. Its
    // lifetime counts from now, when the page handed it in.
    let handedIn = ticket ? { ticket, issuedAt: Date.now() } : null;
    const acquire = async () => {
      if (handedIn) {
        const t = handedIn;
        handedIn = null;
        return t;
      }
      if (typeof acquireTicket === "function") return { ticket: await acquireTicket(), issuedAt: Date.now() };
      throw new Error("a fresh ticket is needed to reconnect, and no acquireTicket function was given");
    };
    const freshTickets = typeof acquireTicket === "function";
    const core = {};
    for (const k of CORE_OPTIONS) if (options[k] !== undefined) core[k] = options[k];
    core.scale = core.scale ?? "fit";

    // Styles go through CSSOM: a strict CSP (style-src 'self') refuses style attributes.
    this.#screen = document.createElement("div");
    this.#screen.className = "vsphere-console-screen";
    Object.assign(this.#screen.style, { width: "100%", height: "100%", display: "flex", alignItems: "center",
      justifyContent: "center", overflow: "hidden", background: options.background ?? "rgb(40, 40, 40)" });
    this.#canvas = document.createElement("canvas");
    this.#canvas.tabIndex = 0;
    this.#canvas.setAttribute("role", "application");
    this.#canvas.setAttribute("aria-label", options.label ?? "Virtual machine console");
    Object.assign(this.#canvas.style, { display: "block", outline: "none" });
    this.#screen.appendChild(this.#canvas);
    element.appendChild(this.#screen);

    /** Resolves once the console has started (the wasm is loaded). */
    this.#options = core;
    this.ready = initConsole(wasmUrl).then(() => {
      if (this.#destroyed) return;
      // `core` holds what was set before the wasm loaded (viewOnly, keyboardLayout).
      this.#handle = new ConsoleHandle(this.#canvas, core, acquire, (name, detail) => this.#onEvent(name, detail), freshTickets);
      if (core.keyboardLayout !== undefined && !this.#handle.setKeyboardLayout(String(core.keyboardLayout))) {
        this.#emit("error", { code: "keyboard-layout", sentence: `There is no keyboard layout "${core.keyboardLayout}"; typed text uses "us".` });
      }
    });
    this.ready.catch((e) => this.#emit("error", { code: "init", sentence: `The console could not start: ${e?.message ?? e}` }));
  }

  #onEvent(name, detail) {
    if (name === "status") this.#status = detail;
    this.#emit(name, detail);
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  /** The canvas the console draws in. */
  get canvas() { return this.#canvas; }
  /** `{step, text, message, ticket, width, height, name, keyMode, viewOnly, …}`, or null before start. */
  get status() { return this.#status; }
  get scale() { return this.#status?.scale ?? this.#options.scale; }
  /** Set at any time: before the console starts, it starts view-only (noVNC's `rfb.viewOnly = true` right after `new`). */
  get viewOnly() { return this.#status?.viewOnly ?? Boolean(this.#options.viewOnly); }
  set viewOnly(v) {
    this.#options.viewOnly = Boolean(v);
    this.#handle?.setViewOnly(Boolean(v));
  }
  /**
   * The guest's keyboard layout for `typeText` (`us`, `de-ch`, `fr`, …; see the README).
   * An unknown name throws once the console has started; set before, it is an `error`
   * event (`keyboard-layout`) when the console starts.
   */
  get keyboardLayout() { return this.#status?.keyboardLayout ?? this.#options.keyboardLayout ?? "us"; }
  set keyboardLayout(name) {
    if (!this.#handle) {
      this.#options.keyboardLayout = String(name);
      return;
    }
    if (!this.#handle.setKeyboardLayout(String(name))) throw new RangeError(`unknown keyboard layout: ${name}`);
    this.#options.keyboardLayout = String(name);
  }

  disconnect() { this.#handle?.disconnect(); }
  /** A new attempt with a fresh ticket from `acquireTicket`. */
  reconnect() { this.#handle?.reconnect(); }
  sendCtrlAltDel() { this.#handle?.sendCtrlAltDel(); }

  /**
   * A key combination: a menu label ("Ctrl+Alt+F2", "Alt+Tab", …) or a list of
   * `KeyboardEvent.code`s pressed in order and released in reverse.
   */
  sendKeys(combo) {
    if (!this.#handle) return false;
    if (typeof combo === "string") return this.#handle.sendCombo(combo);
    for (const code of combo) this.#handle.sendKey(0, code, true);
    for (const code of [...combo].reverse()) this.#handle.sendKey(0, code, false);
    return true;
  }

  /**
   * JavaScript keyCodes as VMware's SDK takes them ([17, 18, 46] is Ctrl+Alt+Del), pressed
   * in order and released in reverse; a negated Unicode code point may come last
   * ([17, -118] is Ctrl+v). With `vscanCodes` (VMware scan codes, [29, 56, 339] for
   * Ctrl+Alt+Del), those are sent instead, as VMware's client sends them: each pressed in
   * order, then each released in the same order. False, and nothing sent, when an entry
   * is unknown.
   */
  sendKeyCodes(codes, vscanCodes) {
    if (!this.#handle) return false;
    if (Array.isArray(vscanCodes) && vscanCodes.length > 0) {
      this.#handle.sendVscans(Uint16Array.from(vscanCodes));
      return true;
    }
    return this.#handle.sendKeyCodes(Int32Array.from(codes));
  }

  /** noVNC's sendKey: an X keysym (0 with a valid code is fine) and a `KeyboardEvent.code`. */
  sendKey(keysym, code = null, down) { this.#handle?.sendKey(keysym >>> 0, code ?? undefined, down); }

  /** Types text at `typingDelayMs`; the promise has `cancel()`. */
  typeText(text) {
    if (!this.#handle) {
      const p = Promise.reject(new Error("The console has not started."));
      p.cancel = () => {};
      return p;
    }
    const handle = this.#handle;
    const p = handle.typeText(String(text)).catch((sentence) => { throw new Error(String(sentence)); });
    p.cancel = () => handle.cancelTyping();
    return p;
  }

  /** Text for the VM's clipboard; resolves nothing, returns `{sent, sentence}`. */
  clipboardPaste(text) { return this.#handle?.clipboardPaste(String(text)) ?? { sent: false, sentence: "The console has not started." }; }

  /**
   * The copy control: text the VM copied, waiting since (`status.clipboardWaiting`), goes
   * to the local clipboard. Call it from the person's click. False when none waits.
   * Without it the VM's text reaches the local clipboard only when it answers the
   * person's own copy shortcut in the console.
   */
  copyFromVm() { return this.#handle?.copyFromVm() ?? false; }

  /** Resolves once everything received so far is drawn on the canvas (screenshots, tests). */
  settled() { return this.#handle ? this.#handle.settled() : Promise.resolve(); }

  /** Asks the guest to change resolution (VMware consoles); false when the server cannot. */
  requestResolution(width, height) { return this.#handle?.requestResolution(width >>> 0, height >>> 0) ?? false; }

  /**
   * "fit" (scaled to the element), "actual" (one pixel per device pixel, scrolling) or
   * "remote" (the guest follows the element's size; back to "fit" where the server
   * cannot, and the status says why). The console itself styles the canvas.
   */
  setScale(mode) {
    if (!["fit", "actual", "remote"].includes(mode)) throw new RangeError(`scale must be fit, actual or remote, not ${mode}`);
    this.#options.scale = mode;
    this.#handle?.setScale(mode);
  }

  /**
   * Fullscreen on the console (or on `target`), with the keyboard locked where the browser
   * has any form of it, so Escape, Alt+Tab and the Windows key reach the VM (see the README).
   */
  enterFullscreen(target = this.#screen) { return this.ready.then(() => this.#handle.enterFullscreen(target)); }
  exitFullscreen() { return document.fullscreenElement ? document.exitFullscreen() : Promise.resolve(); }
  toDataURL(type = "image/png", quality) { return this.#canvas.toDataURL(type, quality); }
  toBlob(callback, type = "image/png", quality) { this.#canvas.toBlob(callback, type, quality); }
  /**
   * Text input: the screen's hidden text field takes the focus, so a touch device's
   * keyboard opens and an input method (IME) composes; what they make goes to the VM as
   * text. Keys still go as keys. Call from the person's tap or click (a phone opens its
   * keyboard only then). False before the console starts.
   */
  showKeyboard() { return this.#handle?.setTextInput(true) ?? false; }
  /** Text input off: the focus back to the screen. */
  hideKeyboard() { return this.#handle?.setTextInput(false) ?? false; }
  focus(options) { this.#canvas.focus(options); }
  blur() { this.#canvas.blur(); }

  /** Disconnects and removes the canvas; the object is finished. */
  destroy() {
    this.#destroyed = true;
    const handle = this.#handle;
    this.#handle = null;
    if (handle) {
      // Goodbye now; free on the next microtask, as destroy() may be called from inside
      // one of the handle's own event callbacks.
      handle.disconnect();
      queueMicrotask(() => {
        handle.destroy();
        handle.free();
      });
    }
    this.#screen.remove();
  }
}
